package org.bookcreator.telemetry.sdk;

import ch.qos.logback.core.recovery.ResilientFileOutputStream;
import ch.qos.logback.core.rolling.RollingFileAppender;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The rolling JSON-lines log file, whose records always start on a line of their own, full disk or
 * not. Each record reaches the file in one write, so a last line without its newline is a write cut
 * short: the disk filled up mid-record. The file's stream cuts such a torn record off the end
 * whenever one of its writes fails (and when it closes, as Logback's recovery flushes what a failed
 * write left buffered), so the record written once space returns starts a fresh line. When the file
 * is opened and its last line is torn (left by another process), that line is ended first.
 */
final class FreshLineFileAppender<E> extends RollingFileAppender<E> {
  private static final int CHUNK = 8192;

  /** As {@link RollingFileAppender}'s, with the stream below and the torn line ended first. */
  @Override
  public void openFile(String fileName) throws IOException {
    streamWriteLock.lock();
    try {
      Path file = Path.of(fileName).toAbsolutePath();
      Files.createDirectories(file.getParent());
      endTornLine(file);
      FreshLineStream stream = new FreshLineStream(file, isAppend());
      stream.setContext(context);
      setOutputStream(stream);
    } finally {
      streamWriteLock.unlock();
    }
  }

  /**
   * Logback's resilient file stream (failed writes are retried by reopening, never thrown), cutting
   * off what a failed write tore.
   */
  private static final class FreshLineStream extends ResilientFileOutputStream {
    private final Path file;

    FreshLineStream(Path file, boolean append) throws IOException {
      super(file.toFile(), append, DEFAULT_BUFFER_SIZE);
      this.file = file;
    }

    @Override
    public void postIOFailure(IOException e) {
      super.postIOFailure(e);
      cutTornRecord(file);
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        cutTornRecord(file);
      }
    }
  }

  /**
   * Appends a newline when the file's last byte is not one. The newline is appended (never written
   * at a position), so a record another process appends meanwhile is not overwritten. Best effort:
   * a failure (the disk still full) leaves the file as it was, never throws.
   */
  static void endTornLine(Path file) {
    try {
      if (tornAt(file) < 0) return;
      try (OutputStream append = new FileOutputStream(file.toFile(), true)) {
        append.write('\n');
      }
    } catch (IOException e) {
      // no file yet, or no room yet: the next attempt tries again
    }
  }

  /**
   * Cuts the file after its last newline, dropping a record whose write was cut short (shortening a
   * file needs no space). Best effort, never throws.
   */
  static void cutTornRecord(Path file) {
    if (!Files.isRegularFile(file)) return;
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long torn = tornAt(f);
      if (torn >= 0) f.setLength(torn);
    } catch (IOException e) {
      // the next write tries again
    }
  }

  private static long tornAt(Path file) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      return tornAt(f);
    }
  }

  /**
   * Where the torn last line starts (just past the file's last newline, 0 when it has none); -1
   * when the file is empty or ends with a newline. Plain file I/O rather than a channel, so it
   * works on a thread being interrupted, as Logback's appender thread is while it stops.
   */
  private static long tornAt(RandomAccessFile f) throws IOException {
    long size = f.length();
    byte[] chunk = new byte[CHUNK];
    for (long to = size; to > 0; to -= CHUNK) {
      long from = Math.max(0, to - CHUNK);
      int n = (int) (to - from);
      f.seek(from);
      f.readFully(chunk, 0, n);
      for (int i = n - 1; i >= 0; i--) {
        if (chunk[i] == '\n') return from + i + 1 == size ? -1 : from + i + 1;
      }
    }
    return size == 0 ? -1 : 0;
  }
}
