package org.bookcreator.telemetry.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.bookcreator.telemetry.LogConfig;
import org.bookcreator.telemetry.LogContext;
import org.bookcreator.telemetry.Redactor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class LogSetupTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir Path dir;

  @AfterEach
  void reset() {
    LogSetup.install(
        LogConfig.console("test", LogConfig.Console.OFF, "WARN"), Redactor.none(), () -> {});
  }

  /**
   * The file's records once at least {@code expected} were written by the asynchronous appender.
   */
  private List<JsonNode> lines(int expected) throws Exception {
    Path file = dir.resolve(LogSetup.FILE_NAME);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline
        && (!Files.exists(file) || Files.readAllLines(file).size() < expected)) {
      Thread.sleep(10);
    }
    LogSetup.stop();
    return Files.readAllLines(file).stream().map(JSON::readTree).toList();
  }

  private long lines0() throws Exception {
    Path file = dir.resolve(LogSetup.FILE_NAME);
    return Files.exists(file) ? Files.readAllLines(file).size() : 0;
  }

  private LogConfig fileConfig(int queue, Map<String, String> levels) {
    return new LogConfig(
        "book-creator",
        Optional.of(dir),
        LogConfig.Console.OFF,
        false,
        "WARN",
        "INFO",
        levels,
        1 << 20,
        3,
        queue);
  }

  @Test
  void webServerChatter_isQuietByDefault_butItsWarningsShow_andLevelsOverrideIt() throws Exception {
    LogSetup.install(fileConfig(1024, Map.of("io.javalin", "INFO")), Redactor.none(), () -> {});

    LoggerFactory.getLogger("org.eclipse.jetty.server.Server").info("Started Server@1");
    LoggerFactory.getLogger("org.eclipse.jetty.server.Server").warn("jetty warns");
    LoggerFactory.getLogger("io.javalin.Javalin").info("javalin asked for");
    LoggerFactory.getLogger("org.bookcreator.test").info("ours");

    List<JsonNode> lines = lines(3);
    assertThat(lines)
        .extracting(l -> l.path("message").asString())
        .containsExactly("jetty warns", "javalin asked for", "ours");
  }

  @Test
  void contextFlows_intoEveryLine_acrossThreads() throws Exception {
    LogSetup.install(fileConfig(1024, Map.of()), Redactor.none(), () -> {});
    Logger log = LoggerFactory.getLogger("org.bookcreator.test");

    try (LogContext.Scope ignored =
        LogContext.with(LogContext.RUN_ID, "run_9", LogContext.STAGE, "editing")) {
      log.info("on the caller");
      Thread t = Thread.ofVirtual().start(LogContext.wrap(() -> log.info("on a virtual thread")));
      t.join();
    }
    log.info("after the scope");

    List<JsonNode> lines = lines(3);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).path("run_id").asString()).isEqualTo("run_9");
    assertThat(lines.get(1).path("run_id").asString()).isEqualTo("run_9");
    assertThat(lines.get(1).path("stage").asString()).isEqualTo("editing");
    assertThat(lines.get(2).has("run_id")).isFalse();
  }

  @Test
  void javaUtilLogging_andUncaughtExceptions_landInTheSameStream() throws Exception {
    LogSetup.install(fileConfig(1024, Map.of()), Redactor.none(), () -> {});

    java.util.logging.Logger.getLogger("some.library").warning("library warning");
    Thread t =
        new Thread(
            () -> {
              throw new IllegalStateException("nobody caught me");
            },
            "doomed");
    t.start();
    t.join();

    List<JsonNode> lines = lines(2);
    assertThat(lines)
        .anySatisfy(
            n -> {
              assertThat(n.path("logger").asString()).isEqualTo("some.library");
              assertThat(n.path("level").asString()).isEqualTo("WARN");
            });
    assertThat(lines)
        .anySatisfy(
            n -> {
              assertThat(n.path("message").asString()).contains("doomed");
              assertThat(n.path("error_type").asString()).isEqualTo("IllegalStateException");
            });
  }

  @Test
  void perPackageLevels_apply() throws Exception {
    LogSetup.install(
        fileConfig(
            1024, Map.of("org.bookcreator.noisy", "ERROR", "org.bookcreator.detail", "DEBUG")),
        Redactor.none(),
        () -> {});

    LoggerFactory.getLogger("org.bookcreator.noisy.X").info("hidden");
    LoggerFactory.getLogger("org.bookcreator.detail.Y").debug("shown");

    assertThat(lines(1)).extracting(n -> n.path("message").asString()).containsExactly("shown");
  }

  @Test
  void aFullQueue_dropsWithoutBlocking_andCountsEveryDrop() throws Exception {
    AtomicLong dropped = new AtomicLong();
    LogSetup.install(fileConfig(16, Map.of()), Redactor.none(), dropped::incrementAndGet);
    Logger log = LoggerFactory.getLogger("org.bookcreator.flood");

    int n = 50_000;
    for (int i = 0; i < n; i++) log.info("line {} {}", i, "x".repeat(200));

    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline && lines0() + dropped.get() < n) Thread.sleep(10);
    long written = lines(0).size();
    assertThat(dropped.get()).isPositive();
    assertThat(written + dropped.get()).isEqualTo(n);
  }

  @Test
  void aFileLeftEndingMidRecord_getsItsLineEnded_beforeTheNewProcessWrites() throws Exception {
    Path file = dir.resolve(LogSetup.FILE_NAME);
    String cut = "{\"ts\":\"2026-01-01T00:00:00.000Z\",\"level\":\"ERROR\",\"message\":\"disk fu";
    Files.writeString(file, "{\"ts\":\"2026-01-01T00:00:00.000Z\",\"message\":\"whole\"}\n" + cut);

    LogSetup.install(fileConfig(1024, Map.of()), Redactor.none(), () -> {});
    LoggerFactory.getLogger("org.bookcreator.test").info("after the full disk");
    lines0AtLeast(3);
    LogSetup.stop();

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(1)).as("the cut record stays, on a line of its own").isEqualTo(cut);
    assertThat(JSON.readTree(lines.get(2)).path("message").asString())
        .isEqualTo("after the full disk");
  }

  @Test
  void aRecordCutShort_isCutOffTheEnd_soTheNextStartsAFreshLine() throws Exception {
    Path file = dir.resolve(LogSetup.FILE_NAME);
    Files.writeString(file, "{\"a\":1}\n{\"b\":2}\n{\"c\":\"cut sh");

    FreshLineFileAppender.cutTornRecord(file);
    String afterCut = Files.readString(file);
    FreshLineFileAppender.cutTornRecord(file);

    assertThat(afterCut).isEqualTo("{\"a\":1}\n{\"b\":2}\n");
    assertThat(Files.readString(file)).as("a whole last line is kept").isEqualTo(afterCut);
  }

  private void lines0AtLeast(long expected) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline && lines0() < expected) Thread.sleep(10);
  }
}
