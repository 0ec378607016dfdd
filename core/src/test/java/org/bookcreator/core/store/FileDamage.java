package org.bookcreator.core.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * Damages real database files the way failing disks, stray writes and failed copies do, for the
 * tests of what Book Creator says about them. The garbage is seeded, so a failure reproduces.
 */
public final class FileDamage {
  private FileDamage() {}

  /**
   * Garbage over every page after the first: the header and the schema stay readable, every table's
   * pages do not, and the length stays as it was.
   */
  public static void garbageAfterFirstPage(Path db) throws IOException {
    int page = pageSize(db);
    long size = Files.size(db);
    write(db, page, garbage(new Random(11), (int) (size - page)));
  }

  /**
   * Control characters (never valid inside JSON text) over {@code length} bytes from the first
   * occurrence of {@code text}: a stored value is ruined while its page still holds together.
   */
  public static void garbageOver(Path file, String text, int length) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    int at = indexOf(bytes, needle);
    if (at < 0) throw new IllegalArgumentException(file + " does not contain " + text);
    byte[] garbage = new byte[length];
    Random random = new Random(7);
    for (int i = 0; i < length; i++) garbage[i] = (byte) (1 + random.nextInt(31));
    write(file, at, garbage);
  }

  /** Cuts the file to half its pages, as a copy that stopped half-way. */
  public static void cutInHalf(Path db) throws IOException {
    int page = pageSize(db);
    long pages = Files.size(db) / page;
    try (FileChannel c = FileChannel.open(db, StandardOpenOption.WRITE)) {
      c.truncate(pages / 2 * page);
    }
  }

  private static int pageSize(Path db) throws IOException {
    byte[] header = new byte[18];
    try (var in = Files.newInputStream(db)) {
      if (in.readNBytes(header, 0, 18) < 18) throw new IOException(db + " has no header");
    }
    int raw = ((header[16] & 0xff) << 8) | (header[17] & 0xff);
    return raw == 1 ? 65536 : raw;
  }

  private static byte[] garbage(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static void write(Path file, long at, byte[] bytes) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.wrap(bytes), at);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }
}
