package org.bookcreator.store.sqlite;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.AlertChange;
import org.bookcreator.core.alert.AlertState;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.alert.OutboxWrite;
import org.bookcreator.core.alert.Severity;
import org.bookcreator.core.alert.Silence;
import org.bookcreator.core.cost.CategoryStats;
import org.bookcreator.core.cost.CostDimension;
import org.bookcreator.core.cost.CostLine;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.cost.PendingCall;
import org.bookcreator.core.cost.PriceTable;
import org.bookcreator.core.cost.Repricing;
import org.bookcreator.core.cost.RunTotals;
import org.bookcreator.core.cost.UnpricedModel;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.core.run.TaskState;
import org.bookcreator.core.run.Transition;
import org.bookcreator.core.store.OpenRunExistsException;
import org.bookcreator.core.store.Page;
import org.bookcreator.core.store.ProjectFilter;
import org.bookcreator.core.store.RunFilter;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.core.store.StoreLockedException;
import org.bookcreator.core.support.IllegalTransitionException;
import org.bookcreator.core.support.Json;
import org.bookcreator.store.jdbc.Migrations;
import org.bookcreator.telemetry.SpanRecord;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * The embedded default store: one SQLite database ({@code book-creator.db}) in the data directory,
 * in WAL mode. One connection, guarded by a {@link ReentrantLock}, serialises all access from this
 * process; a lock file keeps a second pipeline process out of the same directory (read-only
 * commands may still open it).
 */
public final class SqliteStore implements Store {
  public static final String DB_FILE = "book-creator.db";
  public static final String LOCK_FILE = "book-creator.lock";
  public static final String SPANS_FILE = "spans.db";
  public static final String LOGS_FILE = "logs.db";

  private final Connection conn;
  private final ReentrantLock lock = new ReentrantLock();
  private final Path dataDir;
  private final ReentrantLock spanLock = new ReentrantLock();
  private Connection spanConn;
  private final ReentrantLock logLock = new ReentrantLock();
  private Connection logConn;
  private final int schemaVersion;
  private final Owner owner;
  private long seq;

  private SqliteStore(Path dataDir, Connection conn, int schemaVersion, Owner owner)
      throws SQLException {
    this.dataDir = dataDir;
    this.conn = conn;
    this.schemaVersion = schemaVersion;
    this.owner = owner;
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(seq), 0) FROM tasks")) {
      seq = rs.next() ? rs.getLong(1) : 0;
    }
    conn.commit(); // end the read transaction: an open snapshot would make the next write fail with
    // SQLITE_BUSY
  }

  /**
   * Opens (creating and migrating as needed) the store in {@code dataDir}. With {@code exclusive},
   * the directory is locked for this process: a second process asking for it gets a {@link
   * StoreLockedException}.
   */
  public static SqliteStore open(Path dataDir, boolean exclusive) {
    try {
      Files.createDirectories(dataDir);
    } catch (AccessDeniedException e) {
      throw new StoreException("cannot create data directory " + dataDir + ": permission denied");
    } catch (IOException e) {
      throw new StoreException("cannot create data directory " + dataDir + ": " + e);
    }
    if (!Files.isDirectory(dataDir))
      throw new StoreException("data directory " + dataDir + " is not a directory");
    if (!Files.isReadable(dataDir) || !Files.isWritable(dataDir) || !Files.isExecutable(dataDir)) {
      throw new StoreException(
          "data directory "
              + dataDir
              + " is not readable and writable by this user; fix its permissions or choose another"
              + " with --data-dir");
    }
    Path db = dataDir.resolve(DB_FILE);
    checkFiles(db);
    Connection c = null;
    Owner owner = null;
    try {
      c = connect(db);
      if (exclusive) owner = Owner.take(dataDir, db);
      int version = Migrations.apply(c, "sqlite");
      c.setAutoCommit(false);
      return new SqliteStore(dataDir, c, version, owner);
    } catch (SQLException e) {
      closeQuietly(c);
      if (owner != null) owner.release();
      String msg = e.getMessage() == null ? "" : e.getMessage();
      if (msg.contains("SQLITE_BUSY") || msg.contains("locked")) {
        throw new StoreLockedException("store " + db + " is locked by another process: " + msg);
      }
      throw DatabaseFiles.failure(db, "open " + db, e);
    } catch (RuntimeException e) {
      closeQuietly(c);
      if (owner != null) owner.release();
      throw e;
    }
  }

  private static void closeQuietly(Connection c) {
    if (c == null) return;
    try {
      c.close();
    } catch (SQLException ignored) {
      // nothing left to do
    }
  }

  /**
   * This process's ownership of the data directory: a lock on one byte of the database file itself,
   * far past anything SQLite locks or writes. Deleting a file cannot take it away (a lock file
   * could be deleted and locked again by a newcomer while its holder still ran); only the end of
   * the process or {@link #release} does. The pid is written to {@link #LOCK_FILE} for the messages
   * of whoever is refused.
   *
   * <p>The lock is a POSIX record lock: closing any other descriptor of the database file in this
   * process would drop it, so nothing in a pipeline process opens the file a second time.
   */
  private record Owner(FileChannel channel, FileLock lock) {
    /** Far past any real database size and SQLite's own lock bytes (around 1 GiB). */
    private static final long BYTE = Long.MAX_VALUE - 1;

    static Owner take(Path dataDir, Path db) {
      FileChannel channel = null;
      try {
        channel = FileChannel.open(db, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
          lock = channel.tryLock(BYTE, 1, false);
        } catch (OverlappingFileLockException e) {
          lock = null; // held by this very process, through another store
        }
        if (lock == null) {
          channel.close();
          throw new StoreLockedException(
              "data directory "
                  + dataDir
                  + " is in use by another Book Creator process"
                  + holder(dataDir)
                  + "; wait for it to finish, stop it, or use another --data-dir");
        }
        Files.writeString(
            dataDir.resolve(LOCK_FILE),
            "pid " + ProcessHandle.current().pid(),
            StandardCharsets.UTF_8);
        return new Owner(channel, lock);
      } catch (IOException e) {
        closeQuietly(channel);
        throw new StoreException("cannot lock data directory " + dataDir + ": " + e);
      }
    }

    private static String holder(Path dataDir) {
      try {
        String pid = Files.readString(dataDir.resolve(LOCK_FILE), StandardCharsets.UTF_8).strip();
        return pid.isEmpty() ? "" : " (" + pid + ")";
      } catch (IOException e) {
        return ""; // the message is clear without the pid
      }
    }

    void release() {
      try {
        lock.release();
      } catch (IOException ignored) {
        // the OS releases it with the process anyway
      }
      closeQuietly(channel);
    }
  }

  /**
   * What is checked before the store is opened: a missing database is created (whole, so another
   * process never finds it empty); one that is there must look like a database. Only a missing file
   * means a new store: an empty or damaged one is refused, naming it and the runbook, and left as
   * it is.
   */
  private static void checkFiles(Path db) {
    DatabaseFiles.checkHeader(db, true);
    DatabaseFiles.createIfMissing(db);
  }

  /**
   * One database file of the store as {@link #checkIntegrity} found it.
   *
   * @param file the file's name in the data directory
   * @param bytes its length
   * @param damage empty when it passes; else what is wrong with it and what to do
   */
  public record FileCheck(String file, long bytes, Optional<String> damage) {}

  /**
   * SQLite's integrity check of each database file in {@code dataDir} that exists (the store,
   * {@code logs.db}, {@code spans.db}), without opening the store: nothing is created, migrated,
   * locked or written, so it is safe beside a running process and on a damaged file. Reads each
   * file whole: about 0.8 s per 50 MB from a cold disk.
   */
  public static List<FileCheck> checkIntegrity(Path dataDir) {
    List<FileCheck> checks = new ArrayList<>();
    for (String name : List.of(DB_FILE, LOGS_FILE, SPANS_FILE)) {
      Path file = dataDir.resolve(name);
      if (!Files.exists(file)) continue;
      long bytes;
      try {
        bytes = Files.size(file);
      } catch (IOException e) {
        throw new StoreException("cannot read the store file " + file + ": " + e, e);
      }
      checks.add(new FileCheck(name, bytes, DatabaseFiles.integrity(file)));
    }
    return checks;
  }

  private static Connection connect(Path db) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
    try {
      configure(c);
      return c;
    } catch (SQLException e) {
      closeQuietly(c);
      throw e;
    }
  }

  private static void configure(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 10000");
      // Switching a new database to WAL can answer SQLITE_BUSY at once, without the busy handler,
      // while another process does the same: retry it for a while.
      for (int attempt = 1; ; attempt++) {
        try {
          s.execute("PRAGMA journal_mode = WAL");
          break;
        } catch (SQLException e) {
          if (attempt >= 100 || e.getMessage() == null || !e.getMessage().contains("SQLITE_BUSY"))
            throw e;
          try {
            Thread.sleep(20);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw e;
          }
        }
      }
      s.execute("PRAGMA synchronous = NORMAL");
      s.execute("PRAGMA foreign_keys = ON");
    }
  }

  /**
   * The span store's own connection, opened (and migrated) on first use. Call with spanLock held.
   */
  private Connection spans() throws SQLException {
    if (spanConn == null) spanConn = sideDb(SPANS_FILE, "sqlite-spans");
    return spanConn;
  }

  /** The logs' copy has its own connection, opened on first use. Call with logLock held. */
  private Connection logDb() throws SQLException {
    if (logConn == null) logConn = sideDb(LOGS_FILE, "sqlite-logs");
    return logConn;
  }

  /**
   * A database of its own beside the store (spans, the logs' copy), so that its writes never wait
   * on, or hold up, the pipeline's transactions; migrated, in manual-commit mode.
   */
  private Connection sideDb(String file, String dialect) throws SQLException {
    Path path = dataDir.resolve(file);
    DatabaseFiles.checkHeader(path, false);
    Connection c = connect(path);
    try {
      Migrations.apply(c, dialect);
      c.setAutoCommit(false);
      return c;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) return;
    try {
      c.close();
    } catch (Exception ignored) {
      // nothing left to do
    }
  }

  // ---- transactions

  @FunctionalInterface
  private interface Work<T> {
    T run() throws SQLException;
  }

  private static final int BUSY_RETRIES = 20;

  /**
   * Runs one transaction. When another process holds SQLite's write lock past the busy timeout (or
   * a snapshot went stale), the whole transaction is retried a few times before giving up.
   */
  private <T> T tx(String what, Work<T> work) {
    lock.lock();
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          T result = work.run();
          conn.commit();
          return result;
        } catch (SQLException e) {
          rollback();
          if (DatabaseFiles.busy(e) && attempt < BUSY_RETRIES) {
            pause(attempt);
            continue;
          }
          throw DatabaseFiles.failure(dataDir.resolve(DB_FILE), what, e);
        } catch (RuntimeException e) {
          rollback();
          throw e;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(Math.min(200, 5L * attempt * attempt));
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }

  private void rollback() {
    rollbackQuietly(conn);
  }

  private PreparedStatement ps(String sql, Object... args) throws SQLException {
    PreparedStatement p = conn.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a == null) p.setNull(i + 1, Types.NULL);
      else if (a instanceof Instant t) p.setLong(i + 1, t.toEpochMilli());
      else if (a instanceof Optional<?> o) {
        if (o.isEmpty()) p.setNull(i + 1, Types.NULL);
        else p.setObject(i + 1, o.get() instanceof Instant t ? (Object) t.toEpochMilli() : o.get());
      } else if (a instanceof Enum<?> e) p.setString(i + 1, e.name());
      else p.setObject(i + 1, a);
    }
    return p;
  }

  private int update(String sql, Object... args) throws SQLException {
    try (PreparedStatement p = ps(sql, args)) {
      return p.executeUpdate();
    }
  }

  @FunctionalInterface
  private interface Row<T> {
    T map(ResultSet rs) throws SQLException;
  }

  private <T> List<T> query(String sql, Row<T> row, Object... args) throws SQLException {
    try (PreparedStatement p = ps(sql, args);
        ResultSet rs = p.executeQuery()) {
      List<T> out = new ArrayList<>();
      while (rs.next()) out.add(readBack(() -> row.map(rs)));
      return out;
    }
  }

  /** A row read back; one whose stored values cannot be read is damage, told as such. */
  private static <T> T readBack(Work<T> row) throws SQLException {
    try {
      return row.run();
    } catch (RuntimeException e) {
      throw DatabaseFiles.unreadableRow(e);
    }
  }

  private <T> Optional<T> one(String sql, Row<T> row, Object... args) throws SQLException {
    List<T> l = query(sql, row, args);
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  private void record(
      String runId,
      String entity,
      String entityId,
      Object from,
      Object to,
      String reason,
      Instant at)
      throws SQLException {
    update(
        "INSERT INTO transitions(run_id, entity, entity_id, from_state, to_state, reason, at)"
            + " VALUES (?,?,?,?,?,?,?)",
        runId,
        entity,
        entityId,
        from == null ? null : from.toString(),
        to.toString(),
        reason,
        at);
  }

  private static Optional<Instant> instant(ResultSet rs, String col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
  }

  private static Optional<String> str(ResultSet rs, String col) throws SQLException {
    return Optional.ofNullable(rs.getString(col));
  }

  // ---- projects and runs

  @Override
  public void createProject(Project p) {
    tx(
        "create project " + p.id(),
        () -> {
          ArrayNode refs = Json.MAPPER.createArrayNode();
          p.references().forEach(refs::add);
          update(
              "INSERT INTO projects(id, title, category, audience, brief, chapters, budget_usd,"
                  + " refs, created_at, pause_at_budget) VALUES (?,?,?,?,?,?,?,?,?,?)",
              p.id(),
              p.title(),
              p.category(),
              p.audience(),
              p.brief(),
              p.chapters(),
              p.budgetUsd().map(BigDecimal::toPlainString),
              Json.write(refs),
              p.createdAt(),
              p.pauseAtBudget() ? 1 : 0);
          return null;
        });
  }

  private static Project project(ResultSet rs) throws SQLException {
    List<String> refs = new ArrayList<>();
    JsonNode arr = Json.parse(rs.getString("refs"));
    arr.forEach(n -> refs.add(n.asString()));
    return new Project(
        rs.getString("id"),
        rs.getString("title"),
        rs.getString("category"),
        str(rs, "audience"),
        rs.getString("brief"),
        rs.getInt("chapters"),
        str(rs, "budget_usd").map(BigDecimal::new),
        refs,
        Instant.ofEpochMilli(rs.getLong("created_at")),
        rs.getInt("pause_at_budget") != 0);
  }

  @Override
  public void setBudget(String projectId, Optional<BigDecimal> budgetUsd) {
    tx(
        "set the budget of project " + projectId,
        () -> {
          if (update(
                  "UPDATE projects SET budget_usd = ? WHERE id = ?",
                  budgetUsd.map(BigDecimal::toPlainString),
                  projectId)
              == 0) {
            throw new StoreException("no project " + projectId);
          }
          return null;
        });
  }

  @Override
  public void addReference(String projectId, String path) {
    tx(
        "add a reference to project " + projectId,
        () -> {
          String refs =
              one("SELECT refs FROM projects WHERE id = ?", rs -> rs.getString(1), projectId)
                  .orElseThrow(() -> new StoreException("no project " + projectId));
          ArrayNode arr = (ArrayNode) Json.parse(refs);
          for (JsonNode n : arr) {
            if (n.asString().equals(path)) return null;
          }
          arr.add(path);
          update("UPDATE projects SET refs = ? WHERE id = ?", Json.write(arr), projectId);
          return null;
        });
  }

  @Override
  public BigDecimal projectSpend(String projectId) {
    return tx(
        "sum the spend of project " + projectId,
        () ->
            one(
                    "SELECT cost_picousd FROM project_spend WHERE project_id = ?",
                    rs -> usd(rs.getLong(1)),
                    projectId)
                .orElse(BigDecimal.ZERO));
  }

  @Override
  public List<OpenBudget> openBudgets(BigDecimal minShare) {
    // The share is compared in floating point in SQL (budgets are text) with a margin far above
    // its rounding, so nothing at the share is left out; callers compare exactly.
    double floor = minShare.doubleValue() * (1 - 1e-9) * 1e12;
    return tx(
        "read the budgets of projects with an open run",
        () ->
            query(
                "SELECT p.id, p.title, r.id, r.state, p.budget_usd, COALESCE(s.cost_picousd, 0)"
                    + " FROM runs r JOIN projects p ON p.id = r.project_id LEFT JOIN project_spend"
                    + " s ON s.project_id = p.id WHERE r.state IN ('QUEUED', 'RUNNING', 'PAUSED')"
                    + " AND p.budget_usd IS NOT NULL AND COALESCE(s.cost_picousd, 0) >="
                    + " CAST(p.budget_usd AS REAL) * ? ORDER BY p.id",
                rs ->
                    new OpenBudget(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        RunState.valueOf(rs.getString(4)),
                        new BigDecimal(rs.getString(5)),
                        usd(rs.getLong(6))),
                floor));
  }

  @Override
  public Optional<Project> project(String projectId) {
    return tx(
        "read project",
        () -> one("SELECT * FROM projects WHERE id = ?", SqliteStore::project, projectId));
  }

  @Override
  public List<Project> projects() {
    return tx(
        "list projects",
        () -> query("SELECT * FROM projects ORDER BY created_at, id", SqliteStore::project));
  }

  private static Run run(ResultSet rs) throws SQLException {
    return new Run(
        rs.getString("id"),
        rs.getString("project_id"),
        rs.getInt("number"),
        RunState.valueOf(rs.getString("state")),
        str(rs, "stage").map(Stage::valueOf),
        rs.getLong("seed"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")),
        str(rs, "reason"));
  }

  @Override
  public Run createRun(String runId, String projectId, long seed, String reason, Instant at) {
    return tx(
        "create run for project " + projectId,
        () -> {
          if (one("SELECT id FROM projects WHERE id = ?", r -> r.getString(1), projectId)
              .isEmpty()) {
            throw new StoreException("no project " + projectId);
          }
          requireNoOtherOpenRun(projectId, null);
          int number =
              one(
                      "SELECT COALESCE(MAX(number), 0) + 1 FROM runs WHERE project_id = ?",
                      r -> r.getInt(1),
                      projectId)
                  .orElse(1);
          update(
              "INSERT INTO runs(id, project_id, number, state, stage, seed, created_at, updated_at,"
                  + " reason) VALUES (?,?,?,?,?,?,?,?,?)",
              runId,
              projectId,
              number,
              RunState.QUEUED,
              null,
              seed,
              at,
              at,
              reason);
          for (Stage s : Stage.values()) {
            update(
                "INSERT INTO run_stages(run_id, stage, ordinal, state) VALUES (?,?,?,?)",
                runId,
                s,
                s.ordinal(),
                StageState.PENDING);
          }
          record(runId, "run", runId, null, RunState.QUEUED, reason, at);
          return one("SELECT * FROM runs WHERE id = ?", SqliteStore::run, runId).orElseThrow();
        });
  }

  @Override
  public Optional<Run> run(String runId) {
    return tx("read run", () -> one("SELECT * FROM runs WHERE id = ?", SqliteStore::run, runId));
  }

  @Override
  public List<Run> runs(Optional<String> projectId) {
    return tx(
        "list runs",
        () ->
            projectId.isPresent()
                ? query(
                    "SELECT * FROM runs WHERE project_id = ? ORDER BY created_at, id",
                    SqliteStore::run,
                    projectId.get())
                : query("SELECT * FROM runs ORDER BY created_at, id", SqliteStore::run));
  }

  @Override
  public List<Run> runsIn(Set<RunState> states) {
    if (states.isEmpty()) return List.of();
    String in = String.join(",", states.stream().map(s -> "'" + s.name() + "'").toList());
    return tx(
        "list runs by state",
        () ->
            query(
                "SELECT * FROM runs WHERE state IN (" + in + ") ORDER BY created_at, id",
                SqliteStore::run));
  }

  @Override
  public List<Run> runsEndedSince(Instant since) {
    return tx(
        "list runs ended since",
        () ->
            query(
                "SELECT * FROM runs WHERE state IN ('COMPLETED', 'FAILED') AND updated_at >= ?"
                    + " ORDER BY updated_at, id",
                SqliteStore::run,
                since));
  }

  @Override
  public List<Run> runsChangedSince(Instant since) {
    return tx(
        "list runs changed since",
        () ->
            query(
                "SELECT * FROM runs WHERE updated_at >= ? ORDER BY updated_at, id",
                SqliteStore::run,
                since));
  }

  @Override
  public Run transitionRun(String runId, RunState from, RunState to, String reason, Instant at) {
    RunState.TABLE.require(from, to, runId);
    return tx(
        "move run " + runId,
        () -> {
          if (!from.isOpen() && to.isOpen()) requireNoOtherOpenRun(projectOf(runId), runId);
          int n =
              update(
                  "UPDATE runs SET state = ?, updated_at = ?, reason = ? WHERE id = ? AND state ="
                      + " ?",
                  to,
                  at,
                  reason,
                  runId,
                  from);
          if (n == 0) {
            String actual =
                one("SELECT state FROM runs WHERE id = ?", r -> r.getString(1), runId)
                    .orElse("absent");
            throw new IllegalTransitionException(
                "run " + runId + ": cannot move " + from + " -> " + to + ", it is " + actual);
          }
          record(runId, "run", runId, from, to, reason, at);
          return one("SELECT * FROM runs WHERE id = ?", SqliteStore::run, runId).orElseThrow();
        });
  }

  /**
   * One open run per project: the check inside the transaction gives the message a person needs;
   * the partial unique index {@code runs_one_open_per_project} is what makes it hold across
   * processes.
   */
  private void requireNoOtherOpenRun(String projectId, String exceptRunId) throws SQLException {
    Optional<String[]> open =
        one(
            "SELECT id, state FROM runs WHERE project_id = ? AND state IN ('QUEUED', 'RUNNING',"
                + " 'PAUSED') AND id <> ? LIMIT 1",
            r -> new String[] {r.getString(1), r.getString(2)},
            projectId,
            exceptRunId == null ? "" : exceptRunId);
    if (open.isPresent()) {
      throw new OpenRunExistsException(
          projectId, open.get()[0], open.get()[1].toLowerCase(java.util.Locale.ROOT));
    }
  }

  private String projectOf(String runId) throws SQLException {
    return one("SELECT project_id FROM runs WHERE id = ?", r -> r.getString(1), runId)
        .orElseThrow(() -> new IllegalTransitionException("no run " + runId));
  }

  // ---- stages

  private static StageRecord stage(ResultSet rs) throws SQLException {
    return new StageRecord(
        rs.getString("run_id"),
        Stage.valueOf(rs.getString("stage")),
        StageState.valueOf(rs.getString("state")),
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        rs.getInt("iterations"),
        str(rs, "result"),
        str(rs, "reason"));
  }

  @Override
  public List<StageRecord> stages(String runId) {
    return tx(
        "read stages",
        () ->
            query(
                "SELECT * FROM run_stages WHERE run_id = ? ORDER BY ordinal",
                SqliteStore::stage,
                runId));
  }

  @Override
  public StageRecord transitionStage(
      String runId,
      Stage stage,
      StageState from,
      StageState to,
      Optional<String> result,
      int iterations,
      String reason,
      Instant at) {
    StageState.TABLE.require(from, to, runId + "/" + stage.id());
    return tx(
        "move stage " + stage.id() + " of run " + runId,
        () -> {
          int n;
          if (to == StageState.RUNNING) {
            n =
                update(
                    "UPDATE run_stages SET state = ?, started_at = ?, finished_at = NULL, reason ="
                        + " ? WHERE run_id = ? AND stage = ? AND state = ?",
                    to,
                    at,
                    reason,
                    runId,
                    stage,
                    from);
            if (n > 0)
              update("UPDATE runs SET stage = ?, updated_at = ? WHERE id = ?", stage, at, runId);
          } else {
            n =
                update(
                    "UPDATE run_stages SET state = ?, started_at = COALESCE(started_at, ?),"
                        + " finished_at = ?, result = ?, iterations = ?, reason = ? WHERE run_id ="
                        + " ? AND stage = ? AND state = ?",
                    to,
                    at,
                    at,
                    result,
                    iterations,
                    reason,
                    runId,
                    stage,
                    from);
            if (n > 0) update("UPDATE runs SET updated_at = ? WHERE id = ?", at, runId);
          }
          if (n == 0) {
            String actual =
                one(
                        "SELECT state FROM run_stages WHERE run_id = ? AND stage = ?",
                        r -> r.getString(1),
                        runId,
                        stage)
                    .orElse("absent");
            throw new IllegalTransitionException(
                "stage "
                    + runId
                    + "/"
                    + stage.id()
                    + ": cannot move "
                    + from
                    + " -> "
                    + to
                    + ", it is "
                    + actual);
          }
          record(runId, "stage", stage.id(), from, to, reason, at);
          return one(
                  "SELECT * FROM run_stages WHERE run_id = ? AND stage = ?",
                  SqliteStore::stage,
                  runId,
                  stage)
              .orElseThrow();
        });
  }

  // ---- tasks

  private static Task task(ResultSet rs) throws SQLException {
    return new Task(
        rs.getString("id"),
        rs.getString("run_id"),
        rs.getString("project_id"),
        rs.getString("task_key"),
        Stage.valueOf(rs.getString("stage")),
        TaskKind.valueOf(rs.getString("kind")),
        TaskState.valueOf(rs.getString("state")),
        rs.getString("input"),
        str(rs, "output"),
        rs.getInt("attempt"),
        rs.getInt("claims"),
        str(rs, "lease_owner"),
        instant(rs, "lease_expires_at"),
        Instant.ofEpochMilli(rs.getLong("not_before")),
        str(rs, "error_type"),
        str(rs, "error"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")));
  }

  @Override
  public Task enqueue(String taskId, String runId, TaskSpec spec, Instant at) {
    return tx(
        "enqueue task " + spec.key(),
        () -> {
          Optional<Task> existing =
              one(
                  "SELECT * FROM tasks WHERE run_id = ? AND task_key = ?",
                  SqliteStore::task,
                  runId,
                  spec.key());
          if (existing.isPresent()) return existing.get();
          String projectId =
              one("SELECT project_id FROM runs WHERE id = ?", r -> r.getString(1), runId)
                  .orElseThrow(() -> new StoreException("no run " + runId));
          update(
              "INSERT INTO tasks(id, run_id, project_id, task_key, stage, kind, state, input,"
                  + " not_before, seq, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
              taskId,
              runId,
              projectId,
              spec.key(),
              spec.stage(),
              spec.kind(),
              TaskState.QUEUED,
              spec.input(),
              at,
              ++seq,
              at,
              at);
          record(runId, "task", spec.key(), null, TaskState.QUEUED, "enqueued", at);
          return one("SELECT * FROM tasks WHERE id = ?", SqliteStore::task, taskId).orElseThrow();
        });
  }

  @Override
  public Optional<Task> task(String taskId) {
    return tx(
        "read task", () -> one("SELECT * FROM tasks WHERE id = ?", SqliteStore::task, taskId));
  }

  @Override
  public List<Task> tasks(String runId) {
    return tx(
        "read tasks",
        () -> query("SELECT * FROM tasks WHERE run_id = ? ORDER BY seq", SqliteStore::task, runId));
  }

  /** A task's columns without its input, which can be large and is not needed to decide. */
  private static final String TASK_OUTCOME =
      "id, run_id, project_id, task_key, stage, kind, state, '' AS input, output, attempt, claims,"
          + " lease_owner, lease_expires_at, not_before, error_type, error, seq, created_at,"
          + " updated_at";

  @Override
  public List<Task> taskOutcomes(String runId) {
    return tx(
        "read task outcomes",
        () ->
            query(
                "SELECT " + TASK_OUTCOME + " FROM tasks WHERE run_id = ? ORDER BY seq",
                SqliteStore::task,
                runId));
  }

  @Override
  public Map<String, Instant> lastTaskChanges(Collection<String> runIds) {
    // One index seek per run (tasks_run_updated): MAX over an index prefix reads one entry.
    return tx(
        "read the latest task change of runs",
        () -> {
          Map<String, Instant> out = new HashMap<>();
          for (Object[] row :
              query(
                  "SELECT r.value, (SELECT MAX(updated_at) FROM tasks WHERE run_id = r.value) FROM"
                      + " json_each(?) r",
                  rs -> new Object[] {rs.getString(1), rs.getObject(2)},
                  jsonArray(runIds))) {
            if (row[1] != null)
              out.put((String) row[0], Instant.ofEpochMilli(((Number) row[1]).longValue()));
          }
          return out;
        });
  }

  @Override
  public List<Run> stallCandidates(Instant quietSince, Instant now) {
    // runs_state finds the active runs; tasks_run_updated answers "a task changed since" with one
    // index seek per run; the claim index and run_events_kind_at the other two conditions.
    return tx(
        "read the runs that may be stalled",
        () ->
            query(
                "SELECT * FROM runs r WHERE r.state IN ('QUEUED', 'RUNNING') AND ((r.updated_at < ?"
                    + " AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = r.id AND"
                    + " t.updated_at >= ?)) OR r.id IN (SELECT run_id FROM tasks WHERE state ="
                    + " 'LEASED' AND lease_expires_at < ?) OR r.id IN (SELECT run_id FROM"
                    + " run_events WHERE kind = ?)) ORDER BY r.created_at, r.id",
                SqliteStore::run,
                quietSince,
                quietSince,
                now,
                RunEvent.CRITIQUE_CAP));
  }

  @Override
  public List<Task> leasedTasks(int limit) {
    return tx(
        "read leased tasks",
        () ->
            query(
                "SELECT "
                    + TASK_OUTCOME
                    + " FROM tasks WHERE state = 'LEASED' ORDER BY updated_at, seq LIMIT ?",
                SqliteStore::task,
                limit));
  }

  @Override
  public List<Task> expiredLeases(Instant now) {
    return tx(
        "read expired leases",
        () ->
            query(
                "SELECT "
                    + TASK_OUTCOME
                    + " FROM tasks WHERE state = 'LEASED' AND lease_expires_at < ? ORDER BY seq",
                SqliteStore::task,
                now));
  }

  @Override
  public Map<String, RunEvent> latestEvents(String kind, Collection<String> runIds) {
    return tx(
        "read the latest events of runs",
        () -> {
          Map<String, RunEvent> out = new HashMap<>();
          Set<String> wanted = Set.copyOf(runIds);
          // Through run_events_kind_at: the events of one kind are few next to all of them.
          for (RunEvent e :
              query(
                  "SELECT * FROM run_events WHERE kind = ? ORDER BY at, id",
                  SqliteStore::event,
                  kind)) {
            if (wanted.contains(e.runId())) out.put(e.runId(), e);
          }
          return out;
        });
  }

  @Override
  public Optional<Task> claim(String workerId, Instant now, Instant leaseUntil) {
    return tx(
        "claim a task",
        () -> {
          Optional<Task> next =
              one(
                  "SELECT t.* FROM tasks t JOIN runs r ON r.id = t.run_id WHERE r.state = 'RUNNING'"
                      + " AND ((t.state = 'QUEUED' AND t.not_before <= ?) OR (t.state = 'LEASED'"
                      + " AND t.lease_expires_at < ?)) ORDER BY t.seq LIMIT 1",
                  SqliteStore::task,
                  now,
                  now);
          if (next.isEmpty()) return Optional.<Task>empty();
          Task t = next.get();
          TaskState.TABLE.require(t.state(), TaskState.LEASED, t.key());
          // updated_at keeps the time the task was queued, so the wait before this claim can be
          // measured
          update(
              "UPDATE tasks SET state = ?, lease_owner = ?, lease_expires_at = ?, claims = claims +"
                  + " 1 WHERE id = ?",
              TaskState.LEASED,
              workerId,
              leaseUntil,
              t.id());
          String reason =
              t.state() == TaskState.LEASED
                  ? "reclaimed by "
                      + workerId
                      + ": lease of "
                      + t.leaseOwner().orElse("?")
                      + " expired at "
                      + t.leaseExpiresAt().map(Instant::toString).orElse("?")
                  : "claimed by " + workerId;
          if (t.state() == TaskState.LEASED) interruptCallsOf(t.id(), t.claims());
          record(t.runId(), "task", t.key(), t.state(), TaskState.LEASED, reason, now);
          return one("SELECT * FROM tasks WHERE id = ?", SqliteStore::task, t.id());
        });
  }

  @Override
  public boolean renewLease(String taskId, String workerId, Instant leaseUntil) {
    return tx(
        "renew lease",
        () ->
            update(
                    "UPDATE tasks SET lease_expires_at = ? WHERE id = ? AND state = 'LEASED' AND"
                        + " lease_owner = ?",
                    leaseUntil,
                    taskId,
                    workerId)
                > 0);
  }

  private boolean settle(
      String taskId,
      String workerId,
      TaskState to,
      String sql,
      String reason,
      Instant at,
      Object... args)
      throws SQLException {
    Optional<Task> held =
        one(
            "SELECT * FROM tasks WHERE id = ? AND state = 'LEASED' AND lease_owner = ?",
            SqliteStore::task,
            taskId,
            workerId);
    if (held.isEmpty()) return false;
    TaskState.TABLE.require(TaskState.LEASED, to, held.get().key());
    Object[] all = new Object[args.length + 1];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = taskId;
    update(sql + " WHERE id = ?", all);
    record(held.get().runId(), "task", held.get().key(), TaskState.LEASED, to, reason, at);
    return true;
  }

  @Override
  public boolean complete(String taskId, String workerId, String output, Instant at) {
    return tx(
        "complete task",
        () ->
            settle(
                taskId,
                workerId,
                TaskState.COMPLETED,
                "UPDATE tasks SET state = 'COMPLETED', output = ?, lease_owner = NULL,"
                    + " lease_expires_at = NULL, updated_at = ?",
                "completed by " + workerId,
                at,
                output,
                at));
  }

  @Override
  public boolean retry(
      String taskId,
      String workerId,
      String errorType,
      String error,
      Instant notBefore,
      Instant at) {
    return tx(
        "requeue task",
        () ->
            settle(
                taskId,
                workerId,
                TaskState.QUEUED,
                "UPDATE tasks SET state = 'QUEUED', attempt = attempt + 1, not_before = ?,"
                    + " error_type = ?, error = ?, lease_owner = NULL, lease_expires_at = NULL,"
                    + " updated_at = ?",
                "retry after " + errorType + ": " + error,
                at,
                notBefore,
                errorType,
                error,
                at));
  }

  @Override
  public boolean fail(String taskId, String workerId, String errorType, String error, Instant at) {
    return tx(
        "fail task",
        () ->
            settle(
                taskId,
                workerId,
                TaskState.FAILED,
                "UPDATE tasks SET state = 'FAILED', attempt = attempt + 1, error_type = ?, error ="
                    + " ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?",
                errorType + ": " + error,
                at,
                errorType,
                error,
                at));
  }

  @Override
  public int releaseLeases(String reason, Instant at) {
    return tx(
        "release leases",
        () -> {
          List<Task> leased =
              query("SELECT * FROM tasks WHERE state = 'LEASED'", SqliteStore::task);
          for (Task t : leased) {
            update(
                "UPDATE tasks SET state = 'QUEUED', lease_owner = NULL, lease_expires_at = NULL,"
                    + " updated_at = ? WHERE id = ?",
                at,
                t.id());
            record(
                t.runId(),
                "task",
                t.key(),
                TaskState.LEASED,
                TaskState.QUEUED,
                reason + " (was held by " + t.leaseOwner().orElse("?") + ")",
                at);
          }
          return leased.size();
        });
  }

  @Override
  public Run applyRestart(org.bookcreator.core.run.RestartPlan plan, String reason, Instant at) {
    String runId = plan.run().id();
    RunState from = plan.run().state();
    RunState.TABLE.require(from, RunState.RUNNING, runId);
    return tx(
        "restart run " + runId,
        () -> {
          if (!from.isOpen()) requireNoOtherOpenRun(plan.run().projectId(), runId);
          if (plan.budgetUsd().isPresent()
              && update(
                      "UPDATE projects SET budget_usd = ? WHERE id = ?",
                      plan.budgetUsd().get().toPlainString(),
                      plan.run().projectId())
                  == 0) {
            throw new StoreException("no project " + plan.run().projectId());
          }
          for (Task t : plan.revoke()) {
            expectTask(
                runId,
                t,
                TaskState.QUEUED,
                update(
                    "UPDATE tasks SET state = 'QUEUED', lease_owner = NULL, lease_expires_at ="
                        + " NULL, updated_at = ? WHERE id = ? AND state = 'LEASED'",
                    at,
                    t.id()));
            record(
                runId,
                "task",
                t.key(),
                TaskState.LEASED,
                TaskState.QUEUED,
                reason + " (lease of " + t.leaseOwner().orElse("?") + " taken back)",
                at);
            interruptCallsOf(t.id(), Integer.MAX_VALUE);
          }
          for (Task t : plan.requeue()) {
            // attempt is kept: call ids of the new attempt differ from the recorded ones, so
            // nothing is replayed
            expectTask(
                runId,
                t,
                TaskState.QUEUED,
                update(
                    "UPDATE tasks SET state = 'QUEUED', not_before = ?, updated_at = ? WHERE id = ?"
                        + " AND state = ?",
                    at,
                    at,
                    t.id(),
                    t.state()));
            record(runId, "task", t.key(), t.state(), TaskState.QUEUED, reason, at);
          }
          for (Task t : plan.supersede()) {
            TaskState.TABLE.require(t.state(), TaskState.SUPERSEDED, t.key());
            // A new key frees the original for the task the orchestrator plans in its place.
            expectTask(
                runId,
                t,
                TaskState.SUPERSEDED,
                update(
                    "UPDATE tasks SET state = 'SUPERSEDED', task_key = ?, lease_owner = NULL, "
                        + "lease_expires_at = NULL, updated_at = ? WHERE id = ? AND state = ?",
                    t.key() + "~superseded~" + t.id(),
                    at,
                    t.id(),
                    t.state()));
            record(runId, "task", t.key(), t.state(), TaskState.SUPERSEDED, reason, at);
          }
          for (StageRecord st : plan.rewind()) {
            StageState.TABLE.require(st.state(), StageState.PENDING, runId + "/" + st.stage().id());
            int n =
                update(
                    "UPDATE run_stages SET state = 'PENDING', started_at = NULL, finished_at ="
                        + " NULL, result = NULL, iterations = 0, reason = ? WHERE run_id = ? AND"
                        + " stage = ? AND state = ?",
                    reason,
                    runId,
                    st.stage(),
                    st.state());
            if (n == 0)
              throw new IllegalTransitionException(
                  "stage " + runId + "/" + st.stage().id() + " is no longer " + st.state());
            record(runId, "stage", st.stage().id(), st.state(), StageState.PENDING, reason, at);
          }
          int n =
              update(
                  "UPDATE runs SET state = 'RUNNING', updated_at = ?, reason = ? WHERE id = ? AND"
                      + " state = ?",
                  at,
                  reason,
                  runId,
                  from);
          if (n == 0)
            throw new IllegalTransitionException("run " + runId + " is no longer " + from);
          if (plan.fromStage().isPresent())
            update("UPDATE runs SET stage = ? WHERE id = ?", plan.fromStage().get(), runId);
          record(runId, "run", runId, from, RunState.RUNNING, reason, at);
          return one("SELECT * FROM runs WHERE id = ?", SqliteStore::run, runId).orElseThrow();
        });
  }

  private static void expectTask(String runId, Task t, TaskState to, int updated) {
    if (updated == 0) {
      throw new IllegalTransitionException(
          "task "
              + t.key()
              + " of run "
              + runId
              + " is no longer "
              + t.state()
              + " (wanted to move it to "
              + to
              + ")");
    }
  }

  @Override
  public int requeueFailedTasks(String runId, String reason, Instant at) {
    return tx(
        "requeue failed tasks of run " + runId,
        () -> {
          List<Task> ended =
              query(
                  "SELECT * FROM tasks WHERE run_id = ? AND state IN ('FAILED', 'CANCELLED')",
                  SqliteStore::task,
                  runId);
          for (Task t : ended) {
            // attempt is kept: call ids of the new attempt differ from the recorded ones, so
            // nothing is replayed
            update(
                "UPDATE tasks SET state = 'QUEUED', not_before = ?, updated_at = ? WHERE id = ?",
                at,
                at,
                t.id());
            record(runId, "task", t.key(), t.state(), TaskState.QUEUED, reason, at);
          }
          return ended.size();
        });
  }

  @Override
  public int cancelOpenTasks(String runId, String reason, Instant at) {
    return tx(
        "cancel tasks of run " + runId,
        () -> {
          List<Task> open =
              query(
                  "SELECT * FROM tasks WHERE run_id = ? AND state IN ('QUEUED', 'LEASED')",
                  SqliteStore::task,
                  runId);
          for (Task t : open) {
            update(
                "UPDATE tasks SET state = 'CANCELLED', lease_owner = NULL, lease_expires_at = NULL,"
                    + " updated_at = ? WHERE id = ?",
                at,
                t.id());
            record(runId, "task", t.key(), t.state(), TaskState.CANCELLED, reason, at);
          }
          return open.size();
        });
  }

  // ---- ledger

  static Long picos(BigDecimal usd) {
    return usd.setScale(PriceTable.COST_SCALE).unscaledValue().longValueExact();
  }

  static BigDecimal usd(long picos) {
    return new BigDecimal(BigInteger.valueOf(picos), PriceTable.COST_SCALE);
  }

  private static final String INSERT_CALL =
      "INSERT INTO llm_calls(call_id, project_id, run_id, task_id, stage, agent_role, attempt,"
          + " provider, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,"
          + " reasoning_tokens, cost_picousd, price_version, latency_ms, outcome, error_type, at,"
          + " logical_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?1) ON CONFLICT(call_id)"
          + " DO NOTHING";

  /** Calls the provider answered with an error (counted whether their answer was used or not). */
  static final String FAILED = "COALESCE(SUM(c.error_type IS NOT NULL), 0)";

  /**
   * Answered calls with no price. A call never answered has no cost either, but for another reason:
   * it is counted as interrupted.
   */
  static final String UNPRICED =
      "COALESCE(SUM(c.cost_picousd IS NULL AND c.outcome IN ('ok', 'error', 'wasted')), 0)";

  private static void bindCall(PreparedStatement p, LedgerEntry e) throws SQLException {
    Usage u = e.usage();
    p.setString(1, e.callId());
    p.setString(2, e.projectId());
    p.setString(3, e.runId());
    p.setString(4, e.taskId());
    p.setString(5, e.stage().name());
    p.setString(6, e.role().name());
    p.setInt(7, e.attempt());
    p.setString(8, e.provider());
    p.setString(9, e.model());
    p.setLong(10, u.inputTokens());
    p.setLong(11, u.outputTokens());
    p.setLong(12, u.cacheReadTokens());
    p.setLong(13, u.cacheWriteTokens());
    p.setLong(14, u.reasoningTokens());
    if (e.costUsd().isPresent()) p.setLong(15, picos(e.costUsd().get()));
    else p.setNull(15, Types.INTEGER);
    p.setString(16, e.priceVersion().orElse(null));
    p.setLong(17, e.latencyMs());
    p.setString(18, e.outcome());
    p.setString(19, e.errorType().orElse(null));
    p.setLong(20, e.at().toEpochMilli());
  }

  @Override
  public boolean recordCall(LedgerEntry e) {
    return tx("record model call " + e.callId(), () -> insertCall(e));
  }

  private boolean insertCall(LedgerEntry e) throws SQLException {
    int n;
    try (PreparedStatement p = conn.prepareStatement(INSERT_CALL)) {
      bindCall(p, e);
      n = p.executeUpdate();
    }
    if (n > 0 && e.response().isPresent()) {
      update(
          "INSERT INTO llm_responses(call_id, response) VALUES (?, ?)",
          e.callId(),
          e.response().get());
    }
    return n > 0;
  }

  @Override
  public void openCall(PendingCall c) {
    tx(
        "record model call " + c.callId() + " before sending it",
        () ->
            update(
                "INSERT INTO llm_calls(call_id, logical_id, project_id, run_id, task_id, stage,"
                    + " agent_role, attempt, claim, worker, provider, model, input_tokens,"
                    + " output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,"
                    + " est_input_tokens, est_cost_picousd, latency_ms, outcome, at) VALUES"
                    + " (?,?,?,?,?,?,?,?,?,?,?,?,0,0,0,0,0,?,?,0,'pending',?) ON CONFLICT(call_id)"
                    + " DO NOTHING",
                c.callId(),
                c.logicalId(),
                c.projectId(),
                c.runId(),
                c.taskId(),
                c.stage(),
                c.role(),
                c.attempt(),
                c.claim(),
                c.worker(),
                c.provider(),
                c.model(),
                c.estInputTokens(),
                c.estCostUsd().map(SqliteStore::picos).orElse(null),
                c.at()));
  }

  @Override
  public String completeCall(LedgerEntry e) {
    return tx(
        "record the answer of model call " + e.callId(),
        () -> {
          Optional<Object[]> open =
              one(
                  "SELECT c.outcome, t.state = 'LEASED' AND t.lease_owner = c.worker AND t.claims ="
                      + " c.claim FROM llm_calls c LEFT JOIN tasks t ON t.id = c.task_id WHERE"
                      + " c.call_id = ?",
                  rs -> new Object[] {rs.getString(1), rs.getInt(2) == 1},
                  e.callId());
          if (open.isEmpty()) {
            insertCall(e);
            return e.outcome();
          }
          String was = (String) open.get()[0];
          if (!was.equals(LedgerEntry.PENDING) && !was.equals(LedgerEntry.INTERRUPTED)) return was;
          String outcome = (Boolean) open.get()[1] ? e.outcome() : LedgerEntry.WASTED;
          Usage u = e.usage();
          update(
              "UPDATE llm_calls SET model = ?, input_tokens = ?, output_tokens = ?,"
                  + " cache_read_tokens = ?, cache_write_tokens = ?, reasoning_tokens = ?,"
                  + " cost_picousd = ?, price_version = ?, latency_ms = ?, outcome = ?, error_type"
                  + " = ?, at = ? WHERE call_id = ?",
              e.model(),
              u.inputTokens(),
              u.outputTokens(),
              u.cacheReadTokens(),
              u.cacheWriteTokens(),
              u.reasoningTokens(),
              e.costUsd().map(SqliteStore::picos).orElse(null),
              e.priceVersion().orElse(null),
              e.latencyMs(),
              outcome,
              e.errorType().orElse(null),
              e.at(),
              e.callId());
          if (e.response().isPresent()) {
            update(
                "INSERT INTO llm_responses(call_id, response) VALUES (?, ?) ON CONFLICT(call_id) DO"
                    + " NOTHING",
                e.callId(),
                e.response().get());
          }
          return outcome;
        });
  }

  @Override
  public Optional<LedgerEntry> answeredCall(String logicalId) {
    return tx(
        "read model call",
        () ->
            one(
                "SELECT c.*, r.response FROM llm_calls c LEFT JOIN llm_responses r ON r.call_id ="
                    + " c.call_id WHERE c.logical_id = ? AND c.outcome IN ('ok', 'error') ORDER BY"
                    + " c.at DESC, c.call_id DESC LIMIT 1",
                SqliteStore::entry,
                logicalId));
  }

  @Override
  public int interruptPendingCalls(Instant at) {
    return tx(
        "mark unanswered model calls interrupted",
        () -> update("UPDATE llm_calls SET outcome = 'interrupted' WHERE outcome = 'pending'"));
  }

  /**
   * The calls a worker of this task sent under an earlier claim will never be used: the task has
   * been taken from that worker. Call inside the transaction that takes it.
   */
  private void interruptCallsOf(String taskId, int claimsBefore) throws SQLException {
    update(
        "UPDATE llm_calls SET outcome = 'interrupted' WHERE task_id = ? AND outcome = 'pending' AND"
            + " claim <= ?",
        taskId,
        claimsBefore);
  }

  @Override
  public int recordCalls(List<LedgerEntry> entries) {
    if (entries.isEmpty()) return 0;
    return tx(
        "record " + entries.size() + " model calls",
        () -> {
          int added = 0;
          try (PreparedStatement p = conn.prepareStatement(INSERT_CALL)) {
            for (LedgerEntry e : entries) {
              bindCall(p, e);
              p.addBatch();
            }
            for (int n : p.executeBatch()) added += Math.max(n, 0);
          }
          return added;
        });
  }

  @Override
  public List<LedgerEntry> callsBetween(Instant since, Instant until) {
    return tx(
        "read calls",
        () ->
            query(
                "SELECT c.*, NULL AS response FROM llm_calls c WHERE c.at >= ? AND c.at < ? AND"
                    + " c.outcome IN ('ok', 'error', 'wasted') ORDER BY c.at, c.call_id",
                SqliteStore::entry,
                since,
                until));
  }

  @Override
  public void applyRepricing(List<Repricing.Change> changes, String reason, Instant at) {
    tx(
        "reprice " + changes.size() + " calls",
        () -> {
          try (PreparedStatement upd =
                  conn.prepareStatement(
                      "UPDATE llm_calls SET cost_picousd = ?, price_version = ? WHERE call_id = ?");
              PreparedStatement hist =
                  conn.prepareStatement(
                      "INSERT INTO ledger_history(call_id, old_cost_picousd, old_price_version,"
                          + " new_cost_picousd, new_price_version, reason, at) VALUES"
                          + " (?,?,?,?,?,?,?)")) {
            for (Repricing.Change c : changes) {
              if (c.newCost().isPresent()) upd.setLong(1, picos(c.newCost().get()));
              else upd.setNull(1, Types.INTEGER);
              upd.setString(2, c.newVersion().orElse(null));
              upd.setString(3, c.callId());
              upd.addBatch();
              hist.setString(1, c.callId());
              if (c.oldCost().isPresent()) hist.setLong(2, picos(c.oldCost().get()));
              else hist.setNull(2, Types.INTEGER);
              hist.setString(3, c.oldVersion().orElse(null));
              if (c.newCost().isPresent()) hist.setLong(4, picos(c.newCost().get()));
              else hist.setNull(4, Types.INTEGER);
              hist.setString(5, c.newVersion().orElse(null));
              hist.setString(6, reason);
              hist.setLong(7, at.toEpochMilli());
              hist.addBatch();
            }
            upd.executeBatch();
            hist.executeBatch();
          }
          return null;
        });
  }

  @Override
  public List<Repricing.Change> repricingHistory(String callId) {
    return tx(
        "read repricing history",
        () ->
            query(
                "SELECT * FROM ledger_history WHERE call_id = ? ORDER BY id",
                rs -> {
                  long oc = rs.getLong("old_cost_picousd");
                  Optional<BigDecimal> old = rs.wasNull() ? Optional.empty() : Optional.of(usd(oc));
                  long nc = rs.getLong("new_cost_picousd");
                  Optional<BigDecimal> neu = rs.wasNull() ? Optional.empty() : Optional.of(usd(nc));
                  return new Repricing.Change(
                      rs.getString("call_id"),
                      old,
                      str(rs, "old_price_version"),
                      neu,
                      str(rs, "new_price_version"));
                },
                callId));
  }

  /**
   * Drops the triggers that keep the V12 rollups, for {@code bench --rollups off} only: the
   * baseline of what they add to ledger writes. The store in {@code dataDir} is unusable for
   * reports afterwards.
   */
  public static void dropRollupTriggers(Path dataDir) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(DB_FILE));
        Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 10000");
      for (String t :
          List.of(
              "llm_calls_rollup_insert",
              "llm_calls_rollup_update",
              "llm_calls_rollup_delete",
              "llm_calls_run_cost_insert",
              "llm_calls_run_cost_update",
              "llm_calls_run_cost_delete")) {
        s.execute("DROP TRIGGER " + t);
      }
    } catch (SQLException e) {
      throw new StoreException("cannot drop the rollup triggers in " + dataDir, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Read from the rollups when they hold the answer, else from the ledger rows ({@link
   * CostReportSql#source} says which); both give the same lines.
   */
  @Override
  public List<CostLine> costReport(CostQuery q) {
    return costReport(q, CostReportSql.of(q));
  }

  /** The report summed from the ledger rows, never the rollups: what tests compare them with. */
  List<CostLine> costReportFromLedger(CostQuery q) {
    return costReport(q, CostReportSql.fromLedger(q));
  }

  private List<CostLine> costReport(CostQuery q, CostReportSql.Statement statement) {
    int n = q.by().size();
    return tx(
        "build a cost report",
        () -> {
          List<CostLine> lines =
              query(
                  statement.sql(),
                  rs -> {
                    List<String> keys = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                      String k = rs.getString(i);
                      CostDimension d = q.by().get(i - 1);
                      keys.add(
                          k == null
                              ? ""
                              : (d == CostDimension.STAGE
                                  ? Stage.valueOf(k).id()
                                  : d == CostDimension.AGENT ? AgentRole.valueOf(k).id() : k));
                    }
                    return new CostLine(
                        keys,
                        rs.getLong(n + 1),
                        rs.getLong(n + 2),
                        rs.getLong(n + 3),
                        rs.getLong(n + 4),
                        rs.getLong(n + 5),
                        rs.getLong(n + 6),
                        rs.getLong(n + 7),
                        rs.getLong(n + 8),
                        usd(rs.getLong(n + 9)),
                        rs.getLong(n + 10),
                        usd(rs.getLong(n + 11)),
                        rs.getLong(n + 12),
                        usd(rs.getLong(n + 13)));
                  },
                  statement.args().toArray());
          if (n == 0 && lines.size() == 1 && lines.get(0).calls() == 0)
            return List.<CostLine>of(CostLine.zero());
          return lines;
        });
  }

  @Override
  public List<UnpricedModel> unpricedModels() {
    return tx(
        "list unpriced models",
        () ->
            query(
                // Answered calls only, as UNPRICED counts them: an interrupted call has no cost
                // because its answer never came, not for want of a price.
                "SELECT provider, model, COUNT(*), MIN(at), MAX(at) FROM llm_calls WHERE"
                    + " cost_picousd IS NULL AND outcome IN ('ok', 'error', 'wasted') GROUP BY"
                    + " provider, model ORDER BY provider, model",
                rs ->
                    new UnpricedModel(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getLong(3),
                        Instant.ofEpochMilli(rs.getLong(4)),
                        Instant.ofEpochMilli(rs.getLong(5)))));
  }

  @Override
  public List<CategoryStats> categoryStats() {
    return tx(
        "compute category statistics",
        () -> {
          java.util.Map<String, long[]> cost = new java.util.HashMap<>();
          for (Object[] r :
              query(
                  // Each run's cost is kept by the database as its ledger changes (V12), so this
                  // reads one row per completed run instead of every ledger row.
                  "SELECT p.category, COALESCE(SUM(rc.cost_picousd), 0) FROM runs r JOIN run_cost"
                      + " rc ON rc.run_id = r.id JOIN projects p ON p.id = r.project_id WHERE"
                      + " r.state = 'COMPLETED' GROUP BY p.category",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)})) {
            cost.put((String) r[0], new long[] {(Long) r[1]});
          }
          java.util.Map<String, Long> words = new java.util.HashMap<>();
          for (Object[] r :
              query(
                  "SELECT p.category, COALESCE(SUM(json_extract(s.result, '$.words')), 0) FROM"
                      + " run_stages s JOIN runs r ON r.id = s.run_id JOIN projects p ON p.id ="
                      + " r.project_id WHERE s.stage = 'ASSEMBLY' AND r.state = 'COMPLETED' GROUP"
                      + " BY p.category",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)})) {
            words.put((String) r[0], (Long) r[1]);
          }
          return query(
              "SELECT p.category, COUNT(DISTINCT p.id), SUM(CASE WHEN r.state IN ('QUEUED',"
                  + " 'RUNNING', 'PAUSED') THEN 1 ELSE 0 END), SUM(CASE WHEN r.state = 'COMPLETED'"
                  + " THEN 1 ELSE 0 END), SUM(CASE WHEN r.state = 'FAILED' THEN 1 ELSE 0 END),"
                  + " AVG(CASE WHEN r.state = 'COMPLETED' THEN r.updated_at - r.created_at END)"
                  + " FROM projects p LEFT JOIN runs r ON r.project_id = p.id GROUP BY p.category"
                  + " ORDER BY p.category",
              rs ->
                  new CategoryStats(
                      rs.getString(1),
                      rs.getLong(2),
                      rs.getLong(3),
                      rs.getLong(4),
                      rs.getLong(5),
                      rs.getDouble(6) / 1000.0,
                      usd(cost.getOrDefault(rs.getString(1), new long[] {0})[0]),
                      words.getOrDefault(rs.getString(1), 0L)));
        });
  }

  private static LedgerEntry entry(ResultSet rs) throws SQLException {
    long picos = rs.getLong("cost_picousd");
    Optional<BigDecimal> cost = rs.wasNull() ? Optional.empty() : Optional.of(usd(picos));
    return new LedgerEntry(
        rs.getString("call_id"),
        rs.getString("project_id"),
        rs.getString("run_id"),
        rs.getString("task_id"),
        Stage.valueOf(rs.getString("stage")),
        AgentRole.valueOf(rs.getString("agent_role")),
        rs.getInt("attempt"),
        rs.getString("provider"),
        rs.getString("model"),
        new Usage(
            rs.getLong("input_tokens"),
            rs.getLong("output_tokens"),
            rs.getLong("cache_read_tokens"),
            rs.getLong("cache_write_tokens"),
            rs.getLong("reasoning_tokens")),
        cost,
        str(rs, "price_version"),
        rs.getLong("latency_ms"),
        rs.getString("outcome"),
        str(rs, "error_type"),
        str(rs, "response"),
        Instant.ofEpochMilli(rs.getLong("at")));
  }

  @Override
  public Optional<LedgerEntry> call(String callId) {
    return tx(
        "read model call",
        () ->
            one(
                "SELECT c.*, r.response FROM llm_calls c LEFT JOIN llm_responses r ON r.call_id ="
                    + " c.call_id WHERE c.call_id = ?",
                SqliteStore::entry,
                callId));
  }

  @Override
  public List<LedgerEntry> calls(String runId) {
    return tx(
        "read model calls",
        () ->
            query(
                "SELECT c.*, NULL AS response FROM llm_calls c WHERE c.run_id = ? ORDER BY c.at,"
                    + " c.call_id",
                SqliteStore::entry,
                runId));
  }

  @Override
  public RunTotals totals(String runId) {
    return tx(
        "sum model calls",
        () ->
            one(
                    "SELECT COUNT(*), "
                        + FAILED
                        + ", "
                        + UNPRICED
                        + ", COALESCE(SUM(input_tokens + cache_read_tokens + cache_write_tokens),"
                        + " 0), COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cost_picousd), 0)"
                        + " FROM llm_calls c WHERE run_id = ?",
                    rs ->
                        new RunTotals(
                            rs.getLong(1),
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            rs.getLong(5),
                            usd(rs.getLong(6))),
                    runId)
                .orElse(RunTotals.ZERO));
  }

  @Override
  public Page<Project> projectPage(ProjectFilter f) {
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    f.category().ifPresent(c -> clause(where, args, " AND p.category = ?", c));
    f.latestStage().ifPresent(st -> clause(where, args, " AND l.stage = ?", st));
    f.latestState().ifPresent(st -> clause(where, args, " AND l.state = ?", st));
    if (f.noRun()) where.append(" AND l.id IS NULL");
    String from =
        " FROM projects p LEFT JOIN runs l ON l.project_id = p.id AND l.number = (SELECT"
            + " MAX(number) FROM runs m WHERE m.project_id = p.id)"
            + where;
    return page(
        "list projects",
        "p.*",
        from,
        "p.created_at DESC, p.id",
        args,
        SqliteStore::project,
        f.limit(),
        f.offset());
  }

  @Override
  public Page<Run> runPage(RunFilter f) {
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    f.projectId().ifPresent(id -> clause(where, args, " AND r.project_id = ?", id));
    f.state().ifPresent(st -> clause(where, args, " AND r.state = ?", st.name()));
    f.stage().ifPresent(st -> clause(where, args, " AND r.stage = ?", st.name()));
    f.category().ifPresent(c -> clause(where, args, " AND p.category = ?", c));
    f.search()
        .ifPresent(
            q -> {
              // Both sides of the OR use an index (the run id, the runs of a project), so the
              // matches are found without reading every run joined to its project.
              where.append(
                  " AND (r.id = ? OR r.project_id IN (SELECT id FROM projects WHERE title LIKE ?"
                      + " ESCAPE '\\'))");
              args.add(q);
              args.add("%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            });
    boolean byProject = f.category().isPresent();
    boolean byCost = f.sort() == RunFilter.Sort.COST;
    String from =
        " FROM runs r"
            + (byProject ? " JOIN projects p ON p.id = r.project_id" : "")
            + (byCost ? " LEFT JOIN run_cost rc ON rc.run_id = r.id" : "")
            + where;
    String direction = f.ascending() ? " ASC" : " DESC";
    String order =
        switch (f.sort()) {
              case STARTED -> "r.created_at";
              case UPDATED -> "r.updated_at";
              case COST -> "COALESCE(rc.cost_picousd, 0)";
            }
            + direction
            + ", r.id"
            + direction;
    return page("list runs", "r.*", from, order, args, SqliteStore::run, f.limit(), f.offset());
  }

  /** One page of {@code SELECT columns from ORDER BY order}, and how many rows match in all. */
  private <T> Page<T> page(
      String what,
      String columns,
      String from,
      String order,
      List<Object> args,
      Row<T> row,
      int limit,
      int offset) {
    return tx(
        what,
        () -> {
          long total =
              one("SELECT COUNT(*)" + from, rs -> rs.getLong(1), args.toArray()).orElse(0L);
          List<Object> paged = new ArrayList<>(args);
          paged.add(limit);
          paged.add(offset);
          List<T> items =
              query(
                  "SELECT " + columns + from + " ORDER BY " + order + " LIMIT ? OFFSET ?",
                  row,
                  paged.toArray());
          return new Page<>(items, total, limit, offset);
        });
  }

  private static void clause(StringBuilder where, List<Object> args, String sql, Object arg) {
    where.append(sql);
    args.add(arg);
  }

  @Override
  public Map<String, Run> latestRuns(Collection<String> projectIds) {
    Map<String, Run> out = new HashMap<>();
    for (List<String> chunk : chunks(projectIds)) {
      out.putAll(
          tx(
              "read latest runs",
              () ->
                  query(
                          "SELECT r.* FROM runs r WHERE r.project_id IN ("
                              + marks(chunk.size())
                              + ") AND r.number = (SELECT MAX(number) FROM runs m WHERE"
                              + " m.project_id = r.project_id)",
                          SqliteStore::run,
                          chunk.toArray())
                      .stream()
                      .collect(Collectors.toMap(Run::projectId, r -> r))));
    }
    return out;
  }

  @Override
  public Map<String, RunTotals> totals(Collection<String> runIds) {
    Map<String, RunTotals> out = new HashMap<>();
    for (String id : runIds) out.put(id, RunTotals.ZERO);
    for (List<String> chunk : chunks(runIds)) {
      tx(
          "sum model calls of runs",
          () -> {
            query(
                "SELECT run_id, COUNT(*), "
                    + FAILED
                    + ", "
                    + UNPRICED
                    + ", COALESCE(SUM(input_tokens + cache_read_tokens + cache_write_tokens), 0),"
                    + " COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cost_picousd), 0) FROM"
                    + " llm_calls c WHERE run_id IN ("
                    + marks(chunk.size())
                    + ") GROUP BY run_id",
                rs ->
                    out.put(
                        rs.getString(1),
                        new RunTotals(
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            rs.getLong(5),
                            rs.getLong(6),
                            usd(rs.getLong(7)))),
                chunk.toArray());
            return null;
          });
    }
    return out;
  }

  /** Lists of at most 500 ids: SQLite binds a limited number of parameters per statement. */
  private static List<List<String>> chunks(Collection<String> ids) {
    List<String> all = List.copyOf(new LinkedHashSet<>(ids));
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i += 500)
      out.add(all.subList(i, Math.min(all.size(), i + 500)));
    return out;
  }

  private static String marks(int n) {
    return String.join(",", Collections.nCopies(n, "?"));
  }

  // ---- history, events, workers

  @Override
  public List<Transition> history(String runId) {
    return tx(
        "read history",
        () ->
            query(
                "SELECT * FROM transitions WHERE run_id = ? ORDER BY id",
                rs ->
                    new Transition(
                        rs.getString("run_id"),
                        rs.getString("entity"),
                        rs.getString("entity_id"),
                        rs.getString("from_state"),
                        rs.getString("to_state"),
                        rs.getString("reason"),
                        Instant.ofEpochMilli(rs.getLong("at"))),
                runId));
  }

  @Override
  public void recordEvent(RunEvent e) {
    tx(
        "record event",
        () ->
            update(
                "INSERT INTO run_events(run_id, task_id, kind, detail, at) VALUES (?,?,?,?,?)",
                e.runId(),
                e.taskId(),
                e.kind(),
                e.detail(),
                e.at()));
  }

  @Override
  public boolean recordEventOnce(RunEvent e, String key) {
    return tx(
        "record event",
        () -> {
          boolean seen =
              one(
                      "SELECT 1 FROM run_events WHERE run_id = ? AND kind = ? AND substr(detail,"
                          + " -length(?)) = ? LIMIT 1",
                      rs -> true,
                      e.runId(),
                      e.kind(),
                      key,
                      key)
                  .isPresent();
          if (seen) return false;
          update(
              "INSERT INTO run_events(run_id, task_id, kind, detail, at) VALUES (?,?,?,?,?)",
              e.runId(),
              e.taskId(),
              e.kind(),
              e.detail(),
              e.at());
          return true;
        });
  }

  @Override
  public List<RunEvent> events(String runId) {
    return tx(
        "read events",
        () ->
            query(
                "SELECT * FROM run_events WHERE run_id = ? ORDER BY id",
                SqliteStore::event,
                runId));
  }

  private static RunEvent event(ResultSet rs) throws SQLException {
    return new RunEvent(
        rs.getString("run_id"),
        str(rs, "task_id"),
        rs.getString("kind"),
        rs.getString("detail"),
        Instant.ofEpochMilli(rs.getLong("at")));
  }

  @Override
  public void heartbeat(String workerId, Instant at) {
    tx(
        "record heartbeat",
        () ->
            update(
                "INSERT INTO workers(id, started_at, last_heartbeat) VALUES (?,?,?) ON CONFLICT(id)"
                    + " DO UPDATE SET last_heartbeat = excluded.last_heartbeat",
                workerId,
                at,
                at));
  }

  @Override
  public java.util.Map<String, Instant> workerHeartbeats() {
    return tx(
        "read heartbeats",
        () -> {
          java.util.Map<String, Instant> out = new java.util.HashMap<>();
          for (Object[] row :
              query(
                  "SELECT id, last_heartbeat FROM workers",
                  rs -> new Object[] {rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))})) {
            out.put((String) row[0], (Instant) row[1]);
          }
          return out;
        });
  }

  @Override
  public void forgetWorkers(Collection<String> workerIds) {
    if (workerIds.isEmpty()) return;
    tx(
        "forget stopped workers",
        () ->
            update(
                "DELETE FROM workers WHERE id IN (SELECT value FROM json_each(?))",
                jsonArray(workerIds)));
  }

  /** A JSON array of strings, for {@code json_each(?)}: a list of any length as one parameter. */
  private static String jsonArray(Collection<String> values) {
    return Json.write(List.copyOf(values));
  }

  // ---- alerts

  @Override
  public List<CallLatency> callLatency(Instant since, double quantile) {
    if (!(quantile > 0 && quantile <= 1))
      throw new IllegalArgumentException("quantile must be in (0, 1]: " + quantile);
    // Nearest rank: the ceil(q * n)-th smallest latency, in integers (q in millionths) so that 95%
    // of 20 is the 19th, not the 20th by a rounding error. The window is read once through the
    // time index and sorted per provider; SQLite has no percentile function.
    long millionths = Math.round(quantile * 1_000_000);
    return tx(
        "latency quantile per provider",
        () ->
            query(
                "SELECT provider, n, latency_ms FROM (SELECT provider, latency_ms, ROW_NUMBER()"
                    + " OVER (PARTITION BY provider ORDER BY latency_ms) AS rn, COUNT(*) OVER"
                    + " (PARTITION BY provider) AS n FROM llm_calls WHERE at >= ? AND outcome IN"
                    + " ('ok', 'error', 'wasted')) WHERE rn = MAX(1, (n * ? + 999999) / 1000000)"
                    + " ORDER BY provider",
                rs -> new CallLatency(rs.getString(1), rs.getLong(2), rs.getLong(3)),
                since,
                millionths));
  }

  @Override
  public List<RoleChecks> roleChecks(Instant since) {
    return tx(
        "count checked answers and schema violations per role",
        () -> {
          Map<AgentRole, long[]> byRole = new java.util.EnumMap<>(AgentRole.class);
          for (Object[] row :
              query(
                  "SELECT agent_role, COUNT(*) FROM llm_calls WHERE at >= ? AND outcome IN ('ok',"
                      + " 'wasted') AND error_type IS NULL GROUP BY agent_role",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)},
                  since)) {
            byRole.computeIfAbsent(AgentRole.valueOf((String) row[0]), k -> new long[2])[0] +=
                (Long) row[1];
          }
          for (Object[] row :
              query(
                  "SELECT t.kind, COUNT(*) FROM run_events e JOIN tasks t ON t.id = e.task_id"
                      + " WHERE e.kind = ? AND e.at >= ? GROUP BY t.kind",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)},
                  RunEvent.SCHEMA_VIOLATION,
                  since)) {
            AgentRole role = TaskKind.valueOf((String) row[0]).role();
            byRole.computeIfAbsent(role, k -> new long[2])[1] += (Long) row[1];
          }
          List<RoleChecks> out = new ArrayList<>();
          byRole.forEach((r, n) -> out.add(new RoleChecks(r, n[0], n[1])));
          return out;
        });
  }

  @Override
  public List<CallProfile> callProfiles(Instant since, boolean byRole) {
    String keys = byRole ? "agent_role" : "provider, model";
    int width = byRole ? 1 : 2;
    return tx(
        "profile calls per " + (byRole ? "role" : "provider and model"),
        () -> {
          Map<List<String>, long[]> counts = new java.util.LinkedHashMap<>();
          Map<List<String>, Map<String, Long>> errors = new HashMap<>();
          Map<List<String>, long[]> ranks = new HashMap<>();
          for (Object[] row :
              query(
                  "SELECT "
                      + keys
                      + ", COUNT(*), SUM(latency_ms) FROM llm_calls WHERE at >= ? AND outcome IN"
                      + " ('ok', 'error', 'wasted') GROUP BY "
                      + keys
                      + " ORDER BY "
                      + keys,
                  rs ->
                      new Object[] {keys(rs, width), rs.getLong(width + 1), rs.getLong(width + 2)},
                  since)) {
            @SuppressWarnings("unchecked")
            List<String> k = (List<String>) row[0];
            counts.put(k, new long[] {(Long) row[1], (Long) row[2], 0, 0});
          }
          for (Object[] row :
              query(
                  "SELECT "
                      + keys
                      + ", error_type, COUNT(*) FROM llm_calls WHERE at >= ? AND outcome IN ('ok',"
                      + " 'error', 'wasted') AND error_type IS NOT NULL GROUP BY "
                      + keys
                      + ", error_type",
                  rs ->
                      new Object[] {
                        keys(rs, width), rs.getString(width + 1), rs.getLong(width + 2)
                      },
                  since)) {
            @SuppressWarnings("unchecked")
            List<String> k = (List<String>) row[0];
            errors
                .computeIfAbsent(k, x -> new java.util.TreeMap<>())
                .put((String) row[1], (Long) row[2]);
          }
          // Nearest rank, as callLatency: the ceil(q * n)-th smallest latency of each group.
          for (Object[] row :
              query(
                  "SELECT "
                      + keys
                      + ", n, rn, latency_ms FROM (SELECT "
                      + keys
                      + ", latency_ms, ROW_NUMBER() OVER (PARTITION BY "
                      + keys
                      + " ORDER BY latency_ms) AS rn, COUNT(*) OVER (PARTITION BY "
                      + keys
                      + ") AS n FROM llm_calls WHERE at >= ? AND outcome IN ('ok', 'error',"
                      + " 'wasted')) WHERE rn = MAX(1, (n * 50 + 99) / 100) OR rn = MAX(1, (n *"
                      + " 95 + 99) / 100)",
                  rs ->
                      new Object[] {
                        keys(rs, width),
                        rs.getLong(width + 1),
                        rs.getLong(width + 2),
                        rs.getLong(width + 3)
                      },
                  since)) {
            @SuppressWarnings("unchecked")
            List<String> k = (List<String>) row[0];
            long n = (Long) row[1];
            long rn = (Long) row[2];
            long[] q = ranks.computeIfAbsent(k, x -> new long[2]);
            if (rn == Math.max(1, (n * 50 + 99) / 100)) q[0] = (Long) row[3];
            if (rn == Math.max(1, (n * 95 + 99) / 100)) q[1] = (Long) row[3];
          }
          List<CallProfile> out = new ArrayList<>();
          counts.forEach(
              (k, c) -> {
                long[] q = ranks.getOrDefault(k, new long[2]);
                out.add(
                    new CallProfile(
                        k,
                        c[0],
                        errors.getOrDefault(k, Map.of()),
                        q[0],
                        q[1],
                        c[0] == 0 ? 0 : (double) c[1] / c[0]));
              });
          return out;
        });
  }

  private static List<String> keys(ResultSet rs, int width) throws SQLException {
    List<String> k = new ArrayList<>(width);
    for (int i = 1; i <= width; i++) k.add(rs.getString(i));
    return k;
  }

  @Override
  public Map<AgentRole, Long> roleEvents(Instant since, String kind) {
    return tx(
        "count events per role",
        () -> {
          Map<AgentRole, Long> byRole = new java.util.EnumMap<>(AgentRole.class);
          for (Object[] row :
              query(
                  "SELECT t.kind, COUNT(*) FROM run_events e JOIN tasks t ON t.id = e.task_id"
                      + " WHERE e.kind = ? AND e.at >= ? GROUP BY t.kind",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)},
                  kind,
                  since)) {
            byRole.merge(TaskKind.valueOf((String) row[0]).role(), (Long) row[1], Long::sum);
          }
          return byRole;
        });
  }

  @Override
  public List<ModelCalls> modelCalls(Instant since) {
    return tx(
        "count calls per provider and model",
        () ->
            query(
                "SELECT provider, model, COUNT(*), COALESCE(SUM(error_type IS NOT NULL), 0),"
                    + " COALESCE(SUM(error_type = 'rate_limited'), 0), COALESCE(SUM(cost_picousd IS"
                    + " NULL), 0) FROM llm_calls WHERE at >= ? AND outcome IN ('ok', 'error',"
                    + " 'wasted') GROUP BY provider, model ORDER BY provider, model",
                rs ->
                    new ModelCalls(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getLong(6)),
                since));
  }

  private static Alert alert(ResultSet rs) throws SQLException {
    return new Alert(
        rs.getString("fingerprint"),
        rs.getString("name"),
        labels(rs.getString("labels")),
        Severity.valueOf(rs.getString("severity")),
        AlertState.valueOf(rs.getString("state")),
        rs.getString("summary"),
        rs.getString("description"),
        rs.getString("runbook"),
        Instant.ofEpochMilli(rs.getLong("active_since")),
        instant(rs, "fired_at"),
        instant(rs, "resolved_at"),
        instant(rs, "notified_at"));
  }

  private static Map<String, String> labels(String json) {
    Map<String, String> out = new java.util.TreeMap<>();
    Json.parse(json).properties().forEach(e -> out.put(e.getKey(), e.getValue().asString()));
    return out;
  }

  @Override
  public List<Alert> openAlerts() {
    return tx(
        "read open alerts",
        () ->
            query(
                "SELECT * FROM alerts WHERE state <> 'RESOLVED' AND source = ? ORDER BY"
                    + " active_since, fingerprint",
                SqliteStore::alert,
                OWN_ALERTS));
  }

  /** The source of the evaluator's alerts; received ones are {@link #RECEIVED_ALERTS}. */
  private static final String OWN_ALERTS = "book-creator";

  private static final String RECEIVED_ALERTS = "alertmanager";

  /** A receipt of received alerts is kept this long: a re-delivery comes within minutes. */
  private static final Duration RECEIPTS_KEPT = Duration.ofDays(30);

  @Override
  public Optional<Alert> openAlert(String fingerprint) {
    return tx(
        "read an open alert",
        () ->
            one(
                "SELECT * FROM alerts WHERE fingerprint = ? AND state <> 'RESOLVED'",
                SqliteStore::alert,
                fingerprint));
  }

  @Override
  public Optional<Alert> alertInstance(String fingerprint, Instant activeSince) {
    return tx(
        "read an alert",
        () ->
            one(
                "SELECT * FROM alerts WHERE fingerprint = ? AND active_since = ?",
                SqliteStore::alert,
                fingerprint,
                activeSince));
  }

  @Override
  public boolean saveReceivedAlerts(
      String receipt, List<AlertChange> changes, List<OutboxWrite> outbox, Instant at) {
    return tx(
        "record " + changes.size() + " received alert change(s)",
        () -> {
          update("DELETE FROM alert_receipts WHERE received_at < ?", at.minus(RECEIPTS_KEPT));
          if (update(
                  "INSERT OR IGNORE INTO alert_receipts(receipt, received_at) VALUES (?,?)",
                  receipt,
                  at)
              == 0) return false;
          writeAlertChanges(changes, RECEIVED_ALERTS);
          for (OutboxWrite w : outbox) writeOutbox(w);
          return true;
        });
  }

  // ---- silences

  @Override
  public void addSilence(Silence s) {
    ArrayNode matchers = Json.MAPPER.createArrayNode();
    for (Silence.Matcher m : s.matchers()) {
      matchers.addObject().put("name", m.name()).put("op", m.op().name()).put("value", m.value());
    }
    tx(
        "record a silence",
        () ->
            update(
                "INSERT INTO silences(id, matchers, starts_at, ends_at, reason, created_by,"
                    + " created_at) VALUES (?,?,?,?,?,?,?)",
                s.id(),
                Json.write(matchers),
                s.startsAt(),
                s.endsAt(),
                s.reason(),
                s.createdBy(),
                s.createdAt()));
  }

  private static Silence silence(ResultSet rs) throws SQLException {
    List<Silence.Matcher> matchers = new ArrayList<>();
    for (JsonNode m : Json.parse(rs.getString("matchers"))) {
      matchers.add(
          Silence.Matcher.of(
              m.get("name").asString(),
              Silence.Op.valueOf(m.get("op").asString()),
              m.get("value").asString()));
    }
    return new Silence(
        rs.getString("id"),
        matchers,
        Instant.ofEpochMilli(rs.getLong("starts_at")),
        Instant.ofEpochMilli(rs.getLong("ends_at")),
        rs.getString("reason"),
        rs.getString("created_by"),
        Instant.ofEpochMilli(rs.getLong("created_at")));
  }

  @Override
  public List<Silence> activeSilences(Instant at) {
    return tx(
        "read silences",
        () ->
            query(
                "SELECT * FROM silences WHERE ends_at > ? AND starts_at <= ? ORDER BY ends_at, id",
                SqliteStore::silence,
                at,
                at));
  }

  @Override
  public Optional<Silence> endSilence(String id, Instant at) {
    return tx(
        "end a silence",
        () -> {
          update("UPDATE silences SET ends_at = ? WHERE id = ? AND ends_at > ?", at, id, at);
          return one("SELECT * FROM silences WHERE id = ?", SqliteStore::silence, id);
        });
  }

  @Override
  public void saveAlerts(List<AlertChange> changes, List<OutboxWrite> outbox) {
    tx(
        "record " + changes.size() + " alert change(s)",
        () -> {
          writeAlertChanges(changes, OWN_ALERTS);
          for (OutboxWrite w : outbox) writeOutbox(w);
          return null;
        });
  }

  private void writeOutbox(OutboxWrite w) throws SQLException {
    Notification n =
        switch (w) {
          case OutboxWrite.Insert i -> i.notification();
          case OutboxWrite.Extend e -> e.notification();
        };
    String alerts = alertsJson(n.alerts());
    if (w instanceof OutboxWrite.Insert i) {
      update(
          "INSERT INTO notifications(id, notifier, group_key, status, alerts, state, attempts,"
              + " next_attempt_at, created_at) VALUES (?,?,?,?,?,'pending',0,?,?)",
          n.id(),
          n.notifier(),
          n.groupKey(),
          n.status(),
          alerts,
          i.dueAt(),
          n.createdAt());
    } else if (update(
            "UPDATE notifications SET alerts = ? WHERE id = ? AND state = 'pending' AND attempts ="
                + " 0",
            alerts,
            n.id())
        == 0) {
      throw new IllegalTransitionException("notification " + n.id() + " is no longer waiting");
    }
    for (Alert a : n.alerts()) {
      update(
          "UPDATE alerts SET notified_at = ? WHERE fingerprint = ? AND active_since = ?",
          n.createdAt(),
          a.fingerprint(),
          a.activeSince());
    }
  }

  private static String alertsJson(List<Alert> alerts) {
    ArrayNode arr = Json.MAPPER.createArrayNode();
    for (Alert a : alerts) {
      var o = arr.addObject();
      o.put("fingerprint", a.fingerprint());
      o.put("name", a.name());
      var labels = o.putObject("labels");
      a.labels().forEach(labels::put);
      o.put("severity", a.severity().name());
      o.put("state", a.state().name());
      o.put("summary", a.summary());
      o.put("description", a.description());
      o.put("runbook", a.runbook());
      o.put("active_since", a.activeSince().toEpochMilli());
      a.firedAt().ifPresent(t -> o.put("fired_at", t.toEpochMilli()));
      a.resolvedAt().ifPresent(t -> o.put("resolved_at", t.toEpochMilli()));
    }
    return Json.write(arr);
  }

  private static List<Alert> alertsOf(String json) {
    List<Alert> out = new ArrayList<>();
    for (JsonNode o : Json.parse(json)) {
      Map<String, String> labels = new java.util.TreeMap<>();
      o.get("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
      out.add(
          new Alert(
              o.get("fingerprint").asString(),
              o.get("name").asString(),
              labels,
              Severity.valueOf(o.get("severity").asString()),
              AlertState.valueOf(o.get("state").asString()),
              o.get("summary").asString(),
              o.get("description").asString(),
              o.get("runbook").asString(),
              Instant.ofEpochMilli(o.get("active_since").asLong()),
              Optional.ofNullable(o.get("fired_at")).map(t -> Instant.ofEpochMilli(t.asLong())),
              Optional.ofNullable(o.get("resolved_at")).map(t -> Instant.ofEpochMilli(t.asLong())),
              Optional.empty()));
    }
    return out;
  }

  private static Notification notification(ResultSet rs) throws SQLException {
    return new Notification(
        rs.getString("id"),
        rs.getString("notifier"),
        rs.getString("group_key"),
        rs.getString("status"),
        alertsOf(rs.getString("alerts")),
        rs.getInt("attempts"),
        Instant.ofEpochMilli(rs.getLong("created_at")));
  }

  @Override
  public List<Notification> pendingNotifications() {
    return tx(
        "read pending notifications",
        () ->
            query(
                "SELECT * FROM notifications WHERE state = 'pending' ORDER BY created_at, id",
                SqliteStore::notification));
  }

  @Override
  public Optional<Instant> lastNotification(String notifier, String groupKey) {
    return tx(
            "read the last notification of a group",
            () ->
                one(
                    "SELECT MAX(created_at) FROM notifications WHERE notifier = ? AND group_key ="
                        + " ?",
                    rs -> instant(rs, "MAX(created_at)"),
                    notifier,
                    groupKey))
        .flatMap(t -> t);
  }

  @Override
  public List<Notification> dueNotifications(Instant now, int limit) {
    return tx(
        "read due notifications",
        () ->
            query(
                "SELECT * FROM notifications WHERE state = 'pending' AND next_attempt_at <= ? ORDER"
                    + " BY next_attempt_at, id LIMIT ?",
                SqliteStore::notification,
                now,
                limit));
  }

  @Override
  public void notificationDelivered(String id, Instant at) {
    tx(
        "record a delivered notification",
        () ->
            update(
                "UPDATE notifications SET state = 'delivered', attempts = attempts + 1,"
                    + " finished_at = ? WHERE id = ? AND state = 'pending'",
                at,
                id));
  }

  @Override
  public void notificationFailed(String id, String error, Optional<Instant> retryAt, Instant at) {
    tx(
        "record a failed notification",
        () ->
            retryAt.isPresent()
                ? update(
                    "UPDATE notifications SET attempts = attempts + 1, next_attempt_at = ?,"
                        + " last_error = ? WHERE id = ? AND state = 'pending'",
                    retryAt.get(),
                    error,
                    id)
                : update(
                    "UPDATE notifications SET state = 'given_up', attempts = attempts + 1,"
                        + " finished_at = ?, last_error = ? WHERE id = ? AND state = 'pending'",
                    at,
                    error,
                    id));
  }

  @Override
  public long outboxDepth() {
    return tx(
        "count waiting notifications",
        () ->
            one("SELECT COUNT(*) FROM notifications WHERE state = 'pending'", rs -> rs.getLong(1))
                .orElse(0L));
  }

  private void writeAlertChanges(List<AlertChange> changes, String source) throws SQLException {
    {
      for (AlertChange c : changes) {
        Alert a = c.alert();
        String labels = Json.write(a.labels());
        if (c.from().isEmpty()) {
          update(
              "INSERT INTO alerts(fingerprint, name, labels, severity, state, summary,"
                  + " description, runbook, active_since, fired_at, resolved_at, source) VALUES"
                  + " (?,?,?,?,?,?,?,?,?,?,?,?)",
              a.fingerprint(),
              a.name(),
              labels,
              a.severity(),
              a.state(),
              a.summary(),
              a.description(),
              a.runbook(),
              a.activeSince(),
              a.firedAt(),
              a.resolvedAt(),
              source);
        } else if (update(
                "UPDATE alerts SET state = ?, summary = ?, description = ?, fired_at = ?,"
                    + " resolved_at = ? WHERE fingerprint = ? AND active_since = ? AND state ="
                    + " ?",
                a.state(),
                a.summary(),
                a.description(),
                a.firedAt(),
                a.resolvedAt(),
                a.fingerprint(),
                a.activeSince(),
                c.from().get())
            == 0) {
          throw new IllegalTransitionException(
              "alert " + a.name() + " " + a.fingerprint() + " is no longer " + c.from().get());
        }
        update(
            "INSERT INTO alert_history(fingerprint, name, labels, severity, from_state,"
                + " to_state, summary, at) VALUES (?,?,?,?,?,?,?,?)",
            a.fingerprint(),
            a.name(),
            labels,
            a.severity(),
            c.from(),
            c.to(),
            a.summary(),
            c.at());
      }
    }
  }

  @Override
  public List<AlertChange> alertHistory(Instant since, int limit) {
    return tx(
        "read alert history",
        () ->
            query(
                "SELECT h.*, a.state, a.description, a.runbook, a.active_since, a.fired_at,"
                    + " a.notified_at, a.resolved_at FROM alert_history h JOIN alerts a ON"
                    + " a.fingerprint = h.fingerprint AND a.active_since <= h.at AND (a.resolved_at"
                    + " IS NULL OR a.resolved_at >= h.at) WHERE h.at >= ? ORDER BY h.id DESC LIMIT"
                    + " ?",
                rs ->
                    new AlertChange(
                        alert(rs),
                        str(rs, "from_state").map(AlertState::valueOf),
                        AlertState.valueOf(rs.getString("to_state")),
                        Instant.ofEpochMilli(rs.getLong("at"))),
                since,
                limit));
  }

  @Override
  public List<StageMoves> stageMoves(Optional<Instant> since) {
    return tx(
        "read runs' moves between stages",
        () -> {
          List<StageMoves> out = new ArrayList<>();
          long from = since.map(t -> Math.floorDiv(t.toEpochMilli(), 3_600_000L)).orElse(0L);
          if (since.isPresent()) {
            out.addAll(
                query(
                    "SELECT category, stage, SUM(entered), SUM(left_) FROM stage_moves_hourly"
                        + " WHERE hour < ? GROUP BY category, stage ORDER BY category, stage",
                    rs ->
                        new StageMoves(
                            Optional.empty(),
                            rs.getString(1),
                            Stage.valueOf(rs.getString(2)).id(),
                            rs.getLong(3),
                            rs.getLong(4)),
                    from));
          }
          out.addAll(
              query(
                  "SELECT hour, category, stage, entered, left_ FROM stage_moves_hourly WHERE hour"
                      + " >= ? ORDER BY hour, category, stage",
                  rs ->
                      new StageMoves(
                          Optional.of(Instant.ofEpochMilli(rs.getLong(1) * 3_600_000L)),
                          rs.getString(2),
                          Stage.valueOf(rs.getString(3)).id(),
                          rs.getLong(4),
                          rs.getLong(5)),
                  since.isPresent() ? from : Long.MIN_VALUE));
          return out;
        });
  }

  @Override
  public List<StageIterations> completedIterations() {
    return tx(
        "average iterations of completed runs",
        () ->
            query(
                "SELECT p.category, s.stage, COUNT(*), AVG(s.iterations) FROM run_stages s JOIN"
                    + " runs r ON r.id = s.run_id JOIN projects p ON p.id = r.project_id WHERE"
                    + " r.state = 'COMPLETED' AND s.state = 'COMPLETED' AND s.stage IN"
                    + " ('STRUCTURE_CRITIQUE', 'CHAPTER_WRITING')"
                    + " GROUP BY p.category, s.stage ORDER BY p.category, s.stage",
                rs ->
                    new StageIterations(
                        rs.getString(1),
                        Stage.valueOf(rs.getString(2)).id(),
                        rs.getLong(3),
                        rs.getDouble(4))));
  }

  @Override
  public List<StageCount> activeRunsByStage() {
    return tx(
        "count runs by stage",
        () -> {
          java.util.Map<String, Long> counts = new java.util.HashMap<>();
          for (StageCount c :
              query(
                  "SELECT p.category, COALESCE(r.stage, 'INTAKE') AS stage, COUNT(*) FROM runs r"
                      + " JOIN projects p ON p.id = r.project_id WHERE r.state IN ('QUEUED',"
                      + " 'RUNNING') GROUP BY p.category, COALESCE(r.stage, 'INTAKE')",
                  rs ->
                      new StageCount(
                          rs.getString(1), Stage.valueOf(rs.getString(2)).id(), rs.getLong(3)))) {
            counts.put(c.category() + "/" + c.stage(), c.runs());
          }
          List<StageCount> out = new ArrayList<>();
          for (String category :
              query(
                  "SELECT DISTINCT category FROM projects ORDER BY category",
                  rs -> rs.getString(1))) {
            for (Stage stage : Stage.values()) {
              out.add(
                  new StageCount(
                      category, stage.id(), counts.getOrDefault(category + "/" + stage.id(), 0L)));
            }
          }
          return out;
        });
  }

  @Override
  public java.util.Map<TaskKind, Long> queuedTasksByKind() {
    return tx(
        "count queued tasks",
        () -> {
          java.util.Map<TaskKind, Long> out = new java.util.EnumMap<>(TaskKind.class);
          for (Object[] row :
              query(
                  "SELECT kind, COUNT(*) FROM tasks WHERE state = 'QUEUED' GROUP BY kind",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)})) {
            out.put(TaskKind.valueOf((String) row[0]), (Long) row[1]);
          }
          return out;
        });
  }

  @Override
  public void recordSpans(List<SpanRecord> spans, long maxSpans) {
    if (spans.isEmpty()) return;
    java.util.Map<String, List<SpanRecord>> byTrace = new java.util.LinkedHashMap<>();
    for (SpanRecord s : spans) byTrace.computeIfAbsent(s.traceId(), k -> new ArrayList<>()).add(s);
    spanLock.lock();
    try {
      Connection c = spans();
      long total;
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery("SELECT COALESCE(MAX(spans_total), 0) FROM span_batches")) {
        total = rs.next() ? rs.getLong(1) : 0;
      }
      try (PreparedStatement p =
          c.prepareStatement(
              "INSERT INTO span_batches(trace_id, span_count, spans_total, spans) VALUES"
                  + " (?,?,?,?)")) {
        for (var e : byTrace.entrySet()) {
          total += e.getValue().size();
          p.setString(1, e.getKey());
          p.setInt(2, e.getValue().size());
          p.setLong(3, total);
          p.setString(4, SpanLines.write(e.getValue()));
          p.addBatch();
        }
        p.executeBatch();
      }
      // Whole rows go: any row that starts before the newest maxSpans spans, so at most maxSpans
      // stay.
      try (PreparedStatement p =
          c.prepareStatement("DELETE FROM span_batches WHERE spans_total - span_count < ?")) {
        p.setLong(1, total - maxSpans);
        p.executeUpdate();
      }
      c.commit();
    } catch (SQLException e) {
      rollbackQuietly(spanConn);
      throw DatabaseFiles.failure(dataDir.resolve(SPANS_FILE), "record spans", e);
    } finally {
      spanLock.unlock();
    }
  }

  @Override
  public List<SpanRecord> spans(String traceId) {
    spanLock.lock();
    try {
      Connection c = spans();
      java.util.Map<String, SpanRecord> byId = new java.util.LinkedHashMap<>();
      try (PreparedStatement p =
          c.prepareStatement("SELECT spans FROM span_batches WHERE trace_id = ? ORDER BY id")) {
        p.setString(1, traceId);
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            String lines = rs.getString(1);
            for (SpanRecord s : readBack(() -> SpanLines.read(traceId, lines)))
              byId.putIfAbsent(s.spanId(), s);
          }
        }
      }
      c.commit();
      List<SpanRecord> out = new ArrayList<>(byId.values());
      out.sort(java.util.Comparator.comparingLong(SpanRecord::startNanos));
      return out;
    } catch (SQLException e) {
      rollbackQuietly(spanConn);
      throw DatabaseFiles.failure(dataDir.resolve(SPANS_FILE), "read spans", e);
    } finally {
      spanLock.unlock();
    }
  }

  // ---- the logs' indexed copy

  @Override
  public void recordLogs(List<org.bookcreator.telemetry.LogLine> lines) {
    if (lines.isEmpty()) return;
    logLock.lock();
    try {
      Connection c = logDb();
      try (PreparedStatement p =
          c.prepareStatement(
              "INSERT INTO log_lines(ts, severity, project_id, run_id, stage, agent_role, "
                  + "provider, trace_id, request_id, line) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
        for (var l : lines) {
          p.setLong(1, l.tsMillis());
          p.setInt(2, org.bookcreator.telemetry.LogLine.severity(l.level()));
          p.setString(3, l.projectId());
          p.setString(4, l.runId());
          p.setString(5, l.stage());
          p.setString(6, l.agentRole());
          p.setString(7, l.provider());
          p.setString(8, l.traceId());
          p.setString(9, l.requestId());
          p.setString(10, l.json());
          p.addBatch();
        }
        p.executeBatch();
      }
      c.commit();
    } catch (SQLException e) {
      rollbackQuietly(logConn);
      throw DatabaseFiles.failure(dataDir.resolve(LOGS_FILE), "record logs", e);
    } finally {
      logLock.unlock();
    }
  }

  @Override
  public List<org.bookcreator.core.store.StoredLog> logs(org.bookcreator.core.store.LogQuery q) {
    StringBuilder sql =
        new StringBuilder(
            "SELECT id, ts, severity, project_id, run_id, stage, agent_role, provider, trace_id,"
                + " request_id, line FROM log_lines WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    filter(sql, args, "project_id", q.projectId());
    filter(sql, args, "run_id", q.runId());
    filter(sql, args, "stage", q.stage());
    filter(sql, args, "agent_role", q.agentRole());
    filter(sql, args, "provider", q.provider());
    filter(sql, args, "trace_id", q.traceId());
    filter(sql, args, "request_id", q.requestId());
    q.minLevel()
        .ifPresent(
            l -> {
              sql.append(" AND severity >= ?");
              args.add(org.bookcreator.telemetry.LogLine.severity(l));
            });
    q.since()
        .ifPresent(
            t -> {
              sql.append(" AND ts >= ?");
              args.add(t.toEpochMilli());
            });
    q.until()
        .ifPresent(
            t -> {
              sql.append(" AND ts < ?");
              args.add(t.toEpochMilli());
            });
    q.text()
        .ifPresent(
            t -> {
              sql.append(" AND json_extract(line, '$.message') LIKE ? ESCAPE '\\'");
              args.add("%" + t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            });
    q.beforeId()
        .ifPresent(
            id -> {
              sql.append(" AND id < ?");
              args.add(id);
            });
    q.afterId()
        .ifPresent(
            id -> {
              sql.append(" AND id > ?");
              args.add(id);
            });
    sql.append(q.afterId().isPresent() ? " ORDER BY id ASC" : " ORDER BY id DESC")
        .append(" LIMIT ")
        .append(q.limit());
    logLock.lock();
    try {
      Connection c = logDb();
      List<org.bookcreator.core.store.StoredLog> out = new ArrayList<>();
      try (PreparedStatement p = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < args.size(); i++) p.setObject(i + 1, args.get(i));
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            out.add(
                new org.bookcreator.core.store.StoredLog(
                    rs.getLong(1),
                    new org.bookcreator.telemetry.LogLine(
                        rs.getLong(2),
                        level(rs.getInt(3)),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getString(9),
                        rs.getString(10),
                        rs.getString(11))));
          }
        }
      }
      c.commit();
      return out;
    } catch (SQLException e) {
      rollbackQuietly(logConn);
      throw DatabaseFiles.failure(dataDir.resolve(LOGS_FILE), "query logs", e);
    } finally {
      logLock.unlock();
    }
  }

  private static void filter(
      StringBuilder sql, List<Object> args, String column, Optional<String> value) {
    value.ifPresent(
        v -> {
          sql.append(" AND ").append(column).append(" = ?");
          args.add(v);
        });
  }

  private static String level(int severity) {
    return switch (severity) {
      case 0 -> "TRACE";
      case 10 -> "DEBUG";
      case 20 -> "INFO";
      case 30 -> "WARN";
      default -> "ERROR";
    };
  }

  @Override
  public int pruneLogs(Instant olderThan, long maxRecords) {
    logLock.lock();
    try {
      Connection c = logDb();
      int deleted;
      try (PreparedStatement p = c.prepareStatement("DELETE FROM log_lines WHERE ts < ?")) {
        p.setLong(1, olderThan.toEpochMilli());
        deleted = p.executeUpdate();
      }
      // Ids only grow and retention deletes from the oldest end, so the newest maxRecords are the
      // ones above MAX(id) - maxRecords.
      try (PreparedStatement p =
          c.prepareStatement(
              "DELETE FROM log_lines WHERE id <= (SELECT MAX(id) FROM log_lines) - ?")) {
        p.setLong(1, maxRecords);
        deleted += p.executeUpdate();
      }
      c.commit();
      return deleted;
    } catch (SQLException e) {
      rollbackQuietly(logConn);
      throw DatabaseFiles.failure(dataDir.resolve(LOGS_FILE), "prune logs", e);
    } finally {
      logLock.unlock();
    }
  }

  /**
   * Ends a failed transaction; the original failure is what the caller reports. On some errors (a
   * full disk among them) SQLite has rolled back already: the driver's rollback then fails and its
   * next statements would run outside any transaction, each committed alone. Switching auto-commit
   * on and off again begins a transaction and puts the connection back in step.
   */
  private static void rollbackQuietly(Connection c) {
    if (c == null) return;
    try {
      c.rollback();
    } catch (SQLException notInATransaction) {
      try {
        c.setAutoCommit(true);
      } catch (SQLException ignored) {
        // "no transaction is active": the switch is made all the same
      }
      try {
        c.setAutoCommit(false);
      } catch (SQLException ignored) {
        // the connection is unusable; its next statement says so
      }
    }
  }

  @Override
  public int schemaVersion() {
    return schemaVersion;
  }

  @Override
  public void close() {
    lock.lock();
    try {
      try {
        conn.close();
      } catch (SQLException ignored) {
        // closing: nothing to recover
      }
      spanLock.lock();
      try {
        if (spanConn != null) spanConn.close();
      } catch (SQLException ignored) {
        // closing: nothing to recover
      } finally {
        spanLock.unlock();
      }
      logLock.lock();
      try {
        if (logConn != null) logConn.close();
      } catch (SQLException ignored) {
        // closing: nothing to recover
      } finally {
        logLock.unlock();
      }
      if (owner != null) owner.release();
    } finally {
      lock.unlock();
    }
  }
}
