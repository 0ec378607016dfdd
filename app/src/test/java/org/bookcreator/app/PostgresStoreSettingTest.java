package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bookcreator.store.jdbc.Migrations;
import org.bookcreator.store.postgres.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code store.url} against the PostgreSQL server of this machine: {@code doctor} checks the
 * database (reachable, schema version, rights) without creating anything, bad URLs and unreadable
 * password files are named, the password appears in no output, and the commands that cannot run on
 * PostgreSQL yet say so instead of using the SQLite store beside it.
 */
class PostgresStoreSettingTest {
  private static final String PASSWORD = "store-pw-never-shown-91c";

  @TempDir Path dir;

  @Test
  void doctor_checksTheDatabase_withoutChangingIt_andNeverShowsThePassword() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      Map<String, String> env = storeEnv(db, "BOOK_CREATOR_STORE_PASSWORD", PASSWORD);
      Cli doctor =
          Cli.runIn(env, "doctor", "--offline", "--data-dir", dir.resolve("data").toString());

      assertThat(doctor.exitCode()).as(doctor.out() + doctor.err()).isZero();
      assertThat(doctor.out())
          .contains("PostgreSQL 15")
          .contains("127.0.0.1:5432/" + db.name())
          .contains("signed in as postgres")
          .contains("no store in the database yet")
          .doesNotContain(PASSWORD);
      assertThat(doctor.err()).doesNotContain(PASSWORD);
      assertThat(doctor.out())
          .contains(
              serverAutovacuum(db)
                  ? "OK   store     autovacuum on"
                  : "WARN store     autovacuum is off on the server")
          .containsPattern("OK   store     a pool of up to \\d+ connection\\(s\\) of the \\d+");
      try (var c = db.connect();
          var rs = c.createStatement().executeQuery("SELECT to_regclass('schema_version')")) {
        rs.next();
        assertThat(rs.getString(1)).as("doctor creates nothing").isNull();
      }
    }
  }

  /**
   * The upkeep a store needs: autovacuum (off for the whole server here, or for one table) and a
   * pool that fits in the connections the server allows. Warnings: doctor still exits 0.
   */
  @Test
  void doctor_warnsOfAutovacuumOff_andOfAPoolLargerThanTheServerAllows() throws Exception {
    try (TestDatabase db = TestDatabase.migrated()) {
      int allowed;
      try (var c = db.connect();
          var st = c.createStatement()) {
        st.execute("ALTER TABLE tasks SET (autovacuum_enabled = false)");
        try (var rs =
            st.executeQuery(
                "SELECT CAST(current_setting('max_connections') AS integer)"
                    + " - CAST(current_setting('superuser_reserved_connections') AS integer)"
                    + " - CAST(COALESCE(current_setting('reserved_connections', true), '0') AS"
                    + " integer)")) {
          rs.next();
          allowed = rs.getInt(1);
        }
      }
      Map<String, String> env =
          storeEnv(db, "BOOK_CREATOR_STORE_POOL_SIZE", Integer.toString(allowed + 5));

      Cli doctor =
          Cli.runIn(env, "doctor", "--offline", "--data-dir", dir.resolve("data").toString());

      assertThat(doctor.exitCode()).as(doctor.out() + doctor.err()).isZero();
      assertThat(doctor.out())
          .contains(
              serverAutovacuum(db)
                  ? "WARN store     autovacuum is off for table(s) tasks"
                  : "WARN store     autovacuum is off on the server")
          .contains(
              "WARN store     store.pool_size "
                  + (allowed + 5)
                  + " is more than the "
                  + allowed
                  + " connections the server allows")
          .doesNotContain("autovacuum on");
    }
  }

  /** The environment naming {@code db} as the store, signed in as its owner, and one more. */
  private static Map<String, String> storeEnv(TestDatabase db, String variable, String value) {
    return Map.of(
        "BOOK_CREATOR_STORE_URL",
        TestDatabase.SERVER + db.name(),
        "BOOK_CREATOR_STORE_USER",
        TestDatabase.USER,
        variable,
        value);
  }

  private static boolean serverAutovacuum(TestDatabase db) throws Exception {
    try (var c = db.connect();
        var rs = c.createStatement().executeQuery("SHOW autovacuum")) {
      rs.next();
      return rs.getString(1).equals("on");
    }
  }

  @Test
  void aBook_isWrittenIntoPostgres_andEveryReadingCommandSeesIt() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      Map<String, String> env = storeEnv(db, "BOOK_CREATOR_STORE_PASSWORD", PASSWORD);
      String data = dir.resolve("data").toString();

      Cli run =
          Cli.runIn(env, "run", CliTest.example("dragon.yaml").toString(), "--data-dir", data);
      assertThat(run.exitCode()).as(run.out() + run.err()).isZero();

      Cli runs = Cli.runIn(env, "runs", "--json", "--data-dir", data);
      assertThat(runs.exitCode()).as(runs.err()).isZero();
      assertThat(runs.out()).contains("\"state\":\"completed\"");
      Cli cost =
          Cli.runIn(env, "cost", "report", "--by", "stage", "--format", "json", "--data-dir", data);
      assertThat(cost.exitCode()).as(cost.err()).isZero();
      assertThat(cost.out()).contains("chapter_writing");
      Cli doctor = Cli.runIn(env, "doctor", "--offline", "--data-dir", data);
      assertThat(doctor.out()).contains("(current)");
      for (Cli c : new Cli[] {run, runs, cost, doctor}) {
        assertThat(c.out() + c.err()).doesNotContain(PASSWORD);
      }
      assertThat(dir.resolve("data").resolve("book-creator.db"))
          .as("no SQLite store beside the database")
          .doesNotExist();

      try (var c = db.connect();
          var rs =
              c.createStatement()
                  .executeQuery(
                      "SELECT (SELECT COUNT(*) FROM runs WHERE state = 'COMPLETED'),"
                          + " (SELECT COUNT(*) FROM llm_calls WHERE outcome = 'ok'),"
                          + " (SELECT COUNT(*) FROM log_lines),"
                          + " (SELECT COALESCE(SUM(cost_picousd), 0) FROM llm_calls),"
                          + " (SELECT COALESCE(SUM(cost_picousd), 0) FROM cost_daily)")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(1);
        assertThat(rs.getLong(2)).isPositive();
        assertThat(rs.getLong(3)).as("the logs' copy is in the database").isPositive();
        assertThat(rs.getLong(5)).as("rollups equal the ledger").isEqualTo(rs.getLong(4));
      }
    }
  }

  @Test
  void doctor_namesADatabaseThatIsNotThere_andADatabaseAtALaterVersion() throws Exception {
    Cli missing =
        Cli.runIn(
            Map.of("BOOK_CREATOR_STORE_URL", TestDatabase.SERVER + "bc_no_such_database"),
            "doctor",
            "--offline",
            "--data-dir",
            dir.resolve("data").toString());
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.STORE);
    assertThat(missing.out()).contains("the database does not exist");

    try (TestDatabase db = TestDatabase.create();
        var c = db.connect()) {
      Migrations.apply(c, "postgres");
      int later = Migrations.latest("postgres") + 1;
      c.createStatement()
          .execute(
              "INSERT INTO schema_version(version, name, applied_at) VALUES ("
                  + later
                  + ", 'V"
                  + later
                  + "__x.sql', 0)");
      Cli newer =
          Cli.runIn(
              Map.of(
                  "BOOK_CREATOR_STORE_URL",
                  TestDatabase.SERVER + db.name(),
                  "BOOK_CREATOR_STORE_USER",
                  "postgres"),
              "doctor",
              "--offline",
              "--data-dir",
              dir.resolve("data").toString());
      assertThat(newer.exitCode()).isEqualTo(ExitCodes.STORE);
      assertThat(newer.out()).contains("schema is version " + later).contains("newer");
    }
  }

  @Test
  void badUrlsAndAnUnreadablePasswordFile_areNamed() throws Exception {
    Cli withPassword =
        Cli.runIn(
            Map.of("BOOK_CREATOR_STORE_URL", "jdbc:postgresql://db/books?password=" + PASSWORD),
            "doctor",
            "--offline");
    assertThat(withPassword.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(withPassword.out() + withPassword.err())
        .contains("store.url")
        .contains("BOOK_CREATOR_STORE_PASSWORD")
        .doesNotContain(PASSWORD);

    Cli mysql =
        Cli.runIn(Map.of("BOOK_CREATOR_STORE_URL", "jdbc:mysql://db/books"), "doctor", "--offline");
    assertThat(mysql.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(mysql.out() + mysql.err()).contains("jdbc:postgresql://");

    Path missing = dir.resolve("no-such-password-file");
    Cli unreadable =
        Cli.runIn(
            Map.of(
                "BOOK_CREATOR_STORE_URL",
                "jdbc:postgresql://127.0.0.1/books",
                "BOOK_CREATOR_STORE_PASSWORD_FILE",
                missing.toString()),
            "doctor",
            "--offline");
    assertThat(unreadable.exitCode()).isEqualTo(ExitCodes.STORE);
    assertThat(unreadable.out()).contains("cannot read store.password_file " + missing);
  }

  @Test
  void thePasswordFilesFirstLine_signsIn() throws Exception {
    Path file = Files.writeString(dir.resolve("pw"), PASSWORD + "\nignored\n");
    Settings settings =
        Settings.load(
            null,
            Map.of(
                "BOOK_CREATOR_STORE_URL",
                "jdbc:postgresql://127.0.0.1/books",
                "BOOK_CREATOR_STORE_PASSWORD_FILE",
                file.toString()),
            Map.of());
    assertThat(settings.postgresStore().orElseThrow().password()).contains(PASSWORD);
    assertThat(Observability.redactor(settings, Map.of()).redact("pw " + PASSWORD))
        .doesNotContain(PASSWORD);
  }
}
