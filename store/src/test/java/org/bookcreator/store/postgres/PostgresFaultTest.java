package org.bookcreator.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bookcreator.core.store.StoreContractTest.aProject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.core.store.StoreUnreachableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL store when the database goes away and comes back, and when its pool runs dry: the
 * real server, made unreachable for one store by a proxy in front of it ({@link CuttableProxy}) or
 * by ending the store's sessions, never stopped.
 */
class PostgresFaultTest {
  private static final String PASSWORD = "pw-never-printed-5c1d";

  private TestDatabase db;
  private CuttableProxy proxy;

  @BeforeEach
  void create() throws Exception {
    db = TestDatabase.migrated();
    proxy = new CuttableProxy();
  }

  @AfterEach
  void drop() throws Exception {
    proxy.close();
    db.close();
  }

  private PostgresDatabase.Settings throughProxy(Duration outageLimit) {
    return new PostgresDatabase.Settings(
        proxy.url(db.name()),
        Optional.of(TestDatabase.USER),
        Optional.of(PASSWORD),
        4,
        Duration.ofSeconds(1),
        outageLimit);
  }

  @Test
  void aCallDuringAnOutage_waitsItOut_andGoesThroughOnceWhenTheDatabaseReturns() throws Exception {
    try (PostgresStore store = PostgresStore.open(throughProxy(Duration.ofSeconds(60)), false)) {
      store.createProject(aProject("p0"));
      proxy.cut();

      CompletableFuture<Void> during =
          CompletableFuture.runAsync(() -> store.createProject(aProject("p1")));
      Thread.sleep(1_500);
      boolean doneWhileCut = during.isDone();
      Optional<String> notReady = store.unavailable();
      proxy.restore();
      during.get(30, TimeUnit.SECONDS);

      assertThat(doneWhileCut).isFalse();
      assertThat(notReady)
          .hasValueSatisfying(
              why ->
                  assertThat(why)
                      .contains("unreachable since")
                      .contains("cannot be reached")
                      .doesNotContain(PASSWORD));
      assertThat(store.unavailable()).isEmpty();
      assertThat(store.projects()).extracting(p -> p.id()).containsExactlyInAnyOrder("p0", "p1");
    }
  }

  @Test
  void anOutageLongerThanTheLimit_failsTheCall_sayingTheServerCannotBeReached() throws Exception {
    try (PostgresStore store = PostgresStore.open(throughProxy(Duration.ofSeconds(2)), false)) {
      proxy.cut();
      long start = System.nanoTime();

      assertThatThrownBy(() -> store.createProject(aProject("p1")))
          .isInstanceOf(StoreUnreachableException.class)
          .hasMessageContaining("cannot be reached")
          .hasMessageNotContaining(PASSWORD);
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertThat(waitedMs).isBetween(1_500L, 30_000L);
      proxy.restore();
      assertThat(store.project("p1")).isEmpty();
    }
  }

  @Test
  void sessionsEndedByTheServer_areReplacedWithoutFailingTheCalls() throws Exception {
    try (PostgresStore store = PostgresStore.open(throughProxy(Duration.ofSeconds(60)), false)) {
      store.createProject(aProject("p0"));

      int ended = terminateSessions();
      store.createProject(aProject("p1"));

      assertThat(ended).isPositive();
      assertThat(store.projects()).hasSize(2);
    }
  }

  @Test
  void aPoolWithEveryConnectionBusy_timesOutNamingThePoolSize_andCountsIt() throws Exception {
    PostgresDatabase.Settings one =
        new PostgresDatabase.Settings(
            TestDatabase.SERVER + db.name(),
            Optional.of(TestDatabase.USER),
            Optional.empty(),
            1,
            Duration.ofSeconds(1),
            Duration.ofSeconds(60));
    try (PostgresStore store = PostgresStore.open(one, false);
        Connection locker = db.connect()) {
      store.createProject(aProject("p0"));
      locker.setAutoCommit(false);
      try (Statement s = locker.createStatement()) {
        s.execute("LOCK TABLE projects IN ACCESS EXCLUSIVE MODE");
      }
      CompletableFuture<Optional<?>> holder =
          CompletableFuture.supplyAsync(() -> store.project("p0")); // waits on the lock
      Thread.sleep(500);
      PostgresDatabase.PoolStats busy = store.poolStats();

      assertThatThrownBy(() -> store.projects())
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("no connection of the pool came free within 1000 ms")
          .hasMessageContaining("store.pool_size = 1");
      locker.rollback();

      assertThat(holder.get(10, TimeUnit.SECONDS)).isPresent();
      assertThat(busy.active()).isEqualTo(1);
      assertThat(store.poolStats().timeouts()).isEqualTo(1);
      assertThat(store.projects()).hasSize(1);
    }
  }

  /** Ends the store's sessions on the server, as an administrator or a failover would. */
  private int terminateSessions() throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement p =
            c.prepareStatement(
                "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE datname = ? AND application_name = 'book-creator'")) {
      p.setString(1, db.name());
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }
}
