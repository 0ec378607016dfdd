package org.bookcreator.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.bookcreator.core.store.DiskFullException;
import org.bookcreator.core.store.StoreDamagedException;
import org.bookcreator.core.store.StoreException;

/**
 * The store's database files as an operator meets them. Each file is checked before SQLite opens
 * it, a new store only ever appears whole, and SQLite's failures are told in the user's terms: a
 * damaged file by its name, what it holds and the runbook; a full disk by the space left. A damaged
 * file is never written to, repaired or replaced here.
 */
final class DatabaseFiles {
  static final String RUNBOOK = "docs/runbooks/damaged-store.md";

  /** SQLite's primary result codes met here (the low byte of an extended code). */
  static final int SQLITE_IOERR = 10;

  static final int SQLITE_CORRUPT = 11;
  static final int SQLITE_FULL = 13;
  static final int SQLITE_NOTADB = 26;

  private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER_BYTES = 100;

  /** Below this much free space an I/O error on write is taken for a full disk. */
  private static final long LOW_SPACE_BYTES = 1L << 20;

  private DatabaseFiles() {}

  /**
   * Creates the store's database when it is missing: made beside its final name and linked into
   * place, so another process never finds it half-made (zero bytes), which {@link #checkHeader}
   * refuses. When two processes race, the first one's database is kept.
   */
  static void createIfMissing(Path db) {
    if (Files.exists(db)) return;
    Path fresh =
        db.resolveSibling(
            db.getFileName()
                + "."
                + ProcessHandle.current().pid()
                + "-"
                + Thread.currentThread().threadId()
                + ".new");
    try {
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + fresh.toAbsolutePath());
          Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode = WAL"); // writes the header page
      }
      linkIntoPlace(fresh, db);
    } catch (SQLException e) {
      throw failure(db, "create " + db, e);
    } catch (IOException e) {
      if (DiskFullException.isNoSpace(e)) throw DiskFullException.in(db.getParent(), e);
      throw new StoreException("cannot create the store " + db + ": " + e, e);
    } finally {
      for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
        try {
          Files.deleteIfExists(fresh.resolveSibling(fresh.getFileName() + suffix));
        } catch (IOException ignored) {
          // a stray file beside the store is harmless; the store itself is in place
        }
      }
    }
  }

  private static void linkIntoPlace(Path fresh, Path db) throws IOException {
    try {
      Files.createLink(db, fresh);
    } catch (FileAlreadyExistsException e) {
      // another process created it first; that one is kept
    } catch (UnsupportedOperationException | IOException e) {
      // a file system without hard links: a move that refuses to replace is the next best
      try {
        Files.move(fresh, db);
      } catch (FileAlreadyExistsException raced) {
        // created meanwhile by another process; that one is kept
      }
    }
  }

  /**
   * Refuses a file that cannot be a healthy database, from its header alone (cheap on any size):
   * empty when it is the store itself ({@code emptyIsDamage}: only a missing store is created),
   * shorter than a header, not SQLite's, a page size SQLite never writes, a length that is not a
   * whole number of pages, or shorter than its header says. A missing file passes.
   */
  static void checkHeader(Path file, boolean emptyIsDamage) {
    long size;
    byte[] header = new byte[HEADER_BYTES];
    int read;
    try (InputStream in = Files.newInputStream(file)) {
      size = Files.size(file);
      read = in.readNBytes(header, 0, HEADER_BYTES);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw new StoreException("cannot read the store file " + file + ": " + e, e);
    }
    if (size == 0) {
      if (emptyIsDamage) throw empty(file);
      return;
    }
    if (read < HEADER_BYTES)
      throw damaged(
          file, "it is only " + size + " bytes long, shorter than a database header", null);
    if (!Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length))
      throw damaged(
          file,
          "it is not a SQLite database: another program's file, or its first page is overwritten",
          null);
    int pageSize = pageSize(header);
    if (pageSize < 512 || Integer.bitCount(pageSize) != 1)
      throw damaged(file, "its header names a page size SQLite never writes: " + pageSize, null);
    if (size % pageSize != 0)
      throw damaged(
          file,
          "its length, "
              + size
              + " bytes, is not a whole number of "
              + pageSize
              + "-byte pages: cut short or overwritten",
          null);
    long pages = Integer.toUnsignedLong(ByteBuffer.wrap(header, 28, 4).getInt());
    boolean pagesValid =
        ByteBuffer.wrap(header, 24, 4).getInt() == ByteBuffer.wrap(header, 92, 4).getInt();
    // Pages committed to the write-ahead log may not be in the file yet: trust the length only
    // when there is no log.
    if (pagesValid && size < pages * pageSize && !walHasFrames(file))
      throw damaged(
          file,
          "it is "
              + size
              + " bytes long but its header says "
              + pages * pageSize
              + ": cut short (a failed copy or a full disk?)",
          null);
  }

  private static int pageSize(byte[] header) {
    int raw = ((header[16] & 0xff) << 8) | (header[17] & 0xff);
    return raw == 1 ? 65536 : raw;
  }

  private static boolean walHasFrames(Path file) {
    try {
      return Files.size(file.resolveSibling(file.getFileName() + "-wal")) > 0;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A failure of SQLite on {@code file} in the user's terms: damage, a full disk, another process
   * holding the lock, or else what SQLite said.
   */
  static StoreException failure(Path file, String what, SQLException e) {
    int code = resultCode(e);
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return damaged(file, words(e), e);
    if (code == SQLITE_FULL || (code == SQLITE_IOERR && lowSpace(file.getParent())))
      return DiskFullException.in(file.getParent(), e);
    return new StoreException(
        "store failed to "
            + what
            + ": "
            + e.getMessage()
            + (busy(e)
                ? " (another process keeps the database locked; is a second Book Creator"
                    + " writing to this data directory?)"
                : ""),
        e);
  }

  static boolean busy(SQLException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("SQLITE_BUSY") || m.contains("database is locked");
  }

  /**
   * A row whose stored values cannot be read back (text that is not the JSON we wrote, a state no
   * version has): what damage inside a page looks like when the page itself still holds together.
   */
  static SQLException unreadableRow(RuntimeException e) {
    String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    return new SQLException(
        "a stored row cannot be read back: " + reason, "unreadable", SQLITE_CORRUPT, e);
  }

  /** SQLite's result code of the first SQL exception in the chain that has one. */
  private static int resultCode(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && (s.getErrorCode() & 0xff) != 0)
        return s.getErrorCode() & 0xff;
    }
    return 0;
  }

  /** "database disk image is malformed" out of "[SQLITE_CORRUPT] The database disk ... (...)". */
  private static String words(SQLException e) {
    String m = String.valueOf(e.getMessage());
    int open = m.lastIndexOf(" (");
    if (m.startsWith("[SQLITE_") && open > 0 && m.endsWith(")"))
      return "SQLite says: " + m.substring(open + 2, m.length() - 1);
    return m;
  }

  private static boolean lowSpace(Path dir) {
    try {
      return Files.getFileStore(dir).getUsableSpace() < LOW_SPACE_BYTES;
    } catch (IOException e) {
      return false;
    }
  }

  /** The message for a damaged file: which, what looks wrong, what it holds and what to do. */
  static StoreDamagedException damaged(Path file, String problem, Throwable cause) {
    return new StoreDamagedException(
        "store file " + file + " looks damaged (" + problem + "). " + advice(file), cause);
  }

  private static StoreDamagedException empty(Path file) {
    return new StoreDamagedException(
        "store file "
            + file
            + " is empty (0 bytes): perhaps the leftover of a full disk or of a copy that failed."
            + " Book Creator does not start a new store over it, which would hide the runs it"
            + " should hold. Restore it from a backup; or, to start afresh, move it aside (mv "
            + file
            + " "
            + file
            + ".empty) and run again; see "
            + RUNBOOK,
        null);
  }

  private static String advice(Path file) {
    String name = file.getFileName().toString();
    return switch (name) {
      case SqliteStore.SPANS_FILE, SqliteStore.LOGS_FILE ->
          "It holds only "
              + (name.equals(SqliteStore.SPANS_FILE)
                  ? "the runs' traces"
                  : "an indexed copy of the log files (logs/)")
              + ": stop Book Creator, move it aside with any "
              + name
              + "-wal and "
              + name
              + "-shm beside it, and a fresh one is started; see "
              + RUNBOOK;
      default ->
          "It holds every project, run and the cost ledger, so Book Creator leaves it exactly as it"
              + " is: stop every Book Creator process, copy the file aside, then recover it with"
              + " sqlite3's .recover or restore it from a backup, as "
              + RUNBOOK
              + " shows";
    };
  }

  /**
   * SQLite's integrity check of one database file through a read-only connection (the file is not
   * written, and a process using it meanwhile is not disturbed); empty when the file passes, else
   * the damage and what to do. Reads the whole file: about 0.8 s for 50 MB from a cold disk.
   */
  static Optional<String> integrity(Path file) {
    try {
      checkHeader(file, file.getFileName().toString().equals(SqliteStore.DB_FILE));
    } catch (StoreDamagedException e) {
      return Optional.of(e.getMessage());
    }
    Properties readOnly = new Properties();
    readOnly.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
    List<String> problems = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), readOnly);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
      while (rs.next()) problems.add(rs.getString(1));
    } catch (SQLException e) {
      StoreException failure = failure(file, "check " + file, e);
      return Optional.of(failure.getMessage());
    }
    if (problems.equals(List.of("ok"))) return Optional.empty();
    String found =
        "SQLite's integrity check finds "
            + (problems.size() >= 100 ? "100 or more problems" : problems.size() + " problem(s)")
            + ", the first: "
            + problems.get(0);
    return Optional.of(damaged(file, found, null).getMessage());
  }
}
