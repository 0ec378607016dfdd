package org.bookcreator.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.store.jdbc.Migrations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PostgresMigrationsTest {
  private TestDatabase db;

  @BeforeEach
  void create() {
    db = TestDatabase.create();
  }

  @AfterEach
  void drop() throws SQLException {
    db.close();
  }

  @Test
  void appliesEveryVersionOnce_andASecondOpenChangesNothing() throws SQLException {
    int latest = Migrations.latest("postgres");
    try (Connection c = db.connect()) {
      assertThat(Migrations.apply(c, "postgres")).isEqualTo(latest);
      assertThat(Migrations.apply(c, "postgres")).isEqualTo(latest);
      assertThat(count(c, "SELECT COUNT(*) FROM schema_version")).isEqualTo(latest);
      assertThat(c.getAutoCommit()).as("the caller's commit mode is given back").isTrue();
    }
  }

  @Test
  void sideSets_keepTheirOwnVersionTable() throws SQLException {
    try (Connection c = db.connect()) {
      Migrations.apply(c, "postgres");
      Migrations.apply(c, "postgres-logs");
      Migrations.apply(c, "postgres-spans");
      assertThat(count(c, "SELECT MAX(version) FROM schema_version_logs"))
          .isEqualTo(Migrations.latest("postgres-logs"));
      assertThat(count(c, "SELECT MAX(version) FROM schema_version_spans"))
          .isEqualTo(Migrations.latest("postgres-spans"));
      assertThat(count(c, "SELECT MAX(version) FROM schema_version"))
          .isEqualTo(Migrations.latest("postgres"));
    }
  }

  @Test
  void fourProcessesOpeningANewDatabaseAtOnce_migrateItOnce() throws Exception {
    int openers = 4;
    CyclicBarrier start = new CyclicBarrier(openers);
    ExecutorService pool = Executors.newFixedThreadPool(openers);
    try {
      List<Future<Integer>> versions = new ArrayList<>();
      for (int i = 0; i < openers; i++) {
        Callable<Integer> open =
            () -> {
              try (Connection c = db.connect()) {
                start.await();
                return Migrations.apply(c, "postgres");
              }
            };
        versions.add(pool.submit(open));
      }
      for (Future<Integer> v : versions) {
        assertThat(v.get()).isEqualTo(Migrations.latest("postgres"));
      }
    } finally {
      pool.shutdownNow();
    }
    try (Connection c = db.connect()) {
      assertThat(count(c, "SELECT COUNT(*) FROM schema_version"))
          .isEqualTo(Migrations.latest("postgres"));
    }
  }

  @Test
  void aNewerSchema_isRefusedWithWhatToDo() throws SQLException {
    try (Connection c = db.connect()) {
      Migrations.apply(c, "postgres");
      int next = Migrations.latest("postgres") + 1;
      try (Statement s = c.createStatement()) {
        s.execute(
            "INSERT INTO schema_version(version, name, applied_at) VALUES ("
                + next
                + ", 'V"
                + next
                + "__future.sql', 0)");
      }
      assertThatThrownBy(() -> Migrations.apply(c, "postgres"))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("schema is version " + next)
          .hasMessageContaining("use a newer Book Creator with this database");
    }
  }

  @Test
  void aFailedMigration_leavesNothingBehind() throws SQLException {
    try (Connection c = db.connect()) {
      try (Statement s = c.createStatement()) {
        // A table the first version creates, made beforehand: version 1 fails part way.
        s.execute("CREATE TABLE workers (id TEXT)");
      }
      assertThatThrownBy(() -> Migrations.apply(c, "postgres")).isInstanceOf(SQLException.class);
      assertThat(count(c, "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'projects'"))
          .as("PostgreSQL's DDL is transactional: version 1 is rolled back whole")
          .isZero();
    }
  }

  private static int count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
