package org.bookcreator.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bookcreator.core.store.DiskFullException;

/**
 * The sample briefs of examples/briefs, packaged in the jar under {@code /briefs} with an index, so
 * the demo works from the jar alone. They are copied into a folder (with their reference files) so
 * relative reference paths resolve as they would for a user's own brief.
 */
final class SampleBriefs {
  private SampleBriefs() {}

  static List<String> index() {
    List<String> out = new ArrayList<>();
    for (String line : read("index.txt").split("\\R")) {
      if (!line.isBlank() && !line.startsWith("#")) out.add(line.strip());
    }
    return out;
  }

  /** Copies every sample file into {@code dir}; returns the brief files (not the references). */
  static List<Path> extract(Path folder) {
    List<Path> briefs = new ArrayList<>();
    // Absolute and normalised first: "./data/samples" would otherwise never contain its own
    // normalised children.
    Path dir = folder.toAbsolutePath().normalize();
    try {
      for (String name : index()) {
        Path target = dir.resolve(name).normalize();
        if (!target.startsWith(dir))
          throw new IllegalStateException("sample path escapes its folder: " + name);
        Files.createDirectories(target.getParent());
        Files.writeString(target, read(name), StandardCharsets.UTF_8);
        if ((name.endsWith(".yaml") || name.endsWith(".json")) && !name.contains("/"))
          briefs.add(target);
      }
    } catch (IOException e) {
      if (DiskFullException.isNoSpace(e)) throw DiskFullException.in(dir.getParent(), e);
      throw new UncheckedIOException("cannot write sample briefs to " + dir, e);
    }
    return briefs;
  }

  private static String read(String name) {
    try (InputStream in = SampleBriefs.class.getResourceAsStream("/briefs/" + name)) {
      if (in == null)
        throw new IllegalStateException("sample brief " + name + " is missing from the jar");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
