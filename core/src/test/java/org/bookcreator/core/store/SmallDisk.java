package org.bookcreator.core.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small disk of its own (a tmpfs), for the tests of a full disk: mounted when the test runs as
 * root, filled and freed on demand, unmounted on close. Where it cannot be mounted (not root, no
 * CAP_SYS_ADMIN) the test is skipped with the reason.
 */
public final class SmallDisk implements AutoCloseable {
  private final Path path;
  private int fillers;

  private SmallDisk(Path path) {
    this.path = path;
  }

  /** Mounts a tmpfs of {@code size} (such as "16m") on a new folder {@code dir}. */
  public static SmallDisk mount(Path dir, String size) throws IOException, InterruptedException {
    String uid = run("id", "-u").output();
    assumeTrue(uid.equals("0"), "mounting a tmpfs needs root; this test runs as uid " + uid);
    Files.createDirectories(dir);
    Shell mount = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    assumeTrue(
        mount.exitCode() == 0,
        "cannot mount a tmpfs here (it needs CAP_SYS_ADMIN): " + mount.output());
    return new SmallDisk(dir);
  }

  /** Where the disk is mounted. */
  public Path path() {
    return path;
  }

  /** Takes every byte left on the disk, with a file of its own. */
  public void fill() throws IOException {
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(path.resolve(".filler-" + ++fillers))) {
      while (true) out.write(block);
    } catch (IOException e) {
      if (!DiskFullException.isNoSpace(e)) throw e;
    }
  }

  /** Gives back what {@link #fill} took. */
  public void free() throws IOException {
    for (; fillers > 0; fillers--) Files.delete(path.resolve(".filler-" + fillers));
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (run("umount", path.toString()).exitCode() != 0) run("umount", "-l", path.toString());
  }

  private record Shell(int exitCode, String output) {}

  private static Shell run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Shell(p.waitFor(), output.strip());
  }
}
