package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bookcreator.core.store.FileDamage;
import org.bookcreator.core.support.Json;
import org.bookcreator.store.sqlite.SqliteStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** bin/book-creator doctor against real files, real sockets and a local provider endpoint. */
class DoctorTest {
  @TempDir Path dir;

  @Test
  void aHealthySetup_passes_andABusyPortIsAWarning() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Path config =
          Files.writeString(
              dir.resolve("c.yaml"),
              "http:\n  port: " + busy.getLocalPort() + "\nworker:\n  metrics_port: 0\n");

      Cli doctor =
          Cli.run(
              "doctor",
              "--offline",
              "--json",
              "--config",
              config.toString(),
              "--data-dir",
              dir.resolve("data").toString());
      JsonNode checks = Json.parse(doctor.out());

      assertThat(doctor.exitCode()).as(doctor.out()).isZero();
      assertThat(checks.findValuesAsString("status")).doesNotContain("fail");
      assertThat(checks)
          .anySatisfy(
              c -> {
                assertThat(c.get("status").asString()).isEqualTo("warn");
                assertThat(c.get("check").asString())
                    .contains(":" + busy.getLocalPort() + " is in use");
              });
    }
  }

  @Test
  void everyDamagedDatabase_isNamed_withTheRunbook_andLeftAsItWas() throws Exception {
    Path data = dir.resolve("data");
    Cli run =
        Cli.run("run", CliTest.example("dragon.yaml").toString(), "--data-dir", data.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    Path spans = data.resolve(SqliteStore.SPANS_FILE);
    Path logs = data.resolve(SqliteStore.LOGS_FILE);
    FileDamage.garbageAfterFirstPage(spans);
    FileDamage.cutInHalf(logs);
    byte[] spansBefore = Files.readAllBytes(spans);
    byte[] logsBefore = Files.readAllBytes(logs);

    Cli doctor = Cli.run("doctor", "--offline", "--json", "--data-dir", data.toString());
    JsonNode checks = Json.parse(doctor.out());

    assertThat(doctor.exitCode()).as(doctor.out()).isEqualTo(ExitCodes.STORE);
    assertThat(checks.findValuesAsString("check"))
        .anySatisfy(
            c -> assertThat(c).startsWith("book-creator.db passes SQLite's integrity check"));
    for (Path damaged : List.of(spans, logs)) {
      assertThat(checks)
          .anySatisfy(
              c -> {
                assertThat(c.get("status").asString()).isEqualTo("fail");
                assertThat(c.get("check").asString())
                    .contains(damaged.toString())
                    .contains("looks damaged");
                assertThat(c.get("fix").asString()).contains("docs/runbooks/damaged-store.md");
              });
    }
    assertThat(Files.readAllBytes(spans)).isEqualTo(spansBefore);
    assertThat(Files.readAllBytes(logs)).isEqualTo(logsBefore);
  }

  @Test
  void anUnknownConfigKey_failsWithExitCode2_namingIt() throws Exception {
    Path config = Files.writeString(dir.resolve("c.yaml"), "pipeline:\n  wokers: 3\n");

    Cli doctor =
        Cli.run(
            "doctor",
            "--offline",
            "--config",
            config.toString(),
            "--data-dir",
            dir.resolve("data").toString());

    assertThat(doctor.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(doctor.out()).contains("FAIL").contains("wokers");
  }

  @Test
  void aProviderThatRefusesTheKey_fails_withoutPrintingTheKey() throws Exception {
    HttpServer provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    provider.createContext(
        "/v1/models",
        ex -> {
          boolean good =
              "Bearer sk-doctor-good-0123456789"
                  .equals(ex.getRequestHeaders().getFirst("Authorization"));
          ex.sendResponseHeaders(good ? 200 : 401, -1);
          ex.close();
        });
    provider.start();
    try {
      Path config =
          Files.writeString(
              dir.resolve("c.yaml"),
              "provider: openai\nhttp:\n  port: 0\nworker:\n  metrics_port: 0\n");
      String base = "http://127.0.0.1:" + provider.getAddress().getPort() + "/v1";

      Cli bad =
          Cli.runWithEnv(
              java.util.Map.of(
                  "OPENAI_BASE_URL", base, "OPENAI_API_KEY", "sk-doctor-bad-0123456789"),
              "doctor",
              "--config",
              config.toString(),
              "--data-dir",
              dir.resolve("data").toString());
      Cli good =
          Cli.runWithEnv(
              java.util.Map.of(
                  "OPENAI_BASE_URL", base, "OPENAI_API_KEY", "sk-doctor-good-0123456789"),
              "doctor",
              "--config",
              config.toString(),
              "--data-dir",
              dir.resolve("data").toString());

      assertThat(bad.exitCode()).isEqualTo(ExitCodes.RUN_FAILED);
      assertThat(bad.out())
          .contains("refuses the key (HTTP 401)")
          .contains("OPENAI_API_KEY")
          .doesNotContain("sk-doctor-bad");
      assertThat(good.exitCode()).as(good.out()).isZero();
      assertThat(good.out()).contains("openai at " + base + " answers (HTTP 200)");
    } finally {
      provider.stop(0);
    }
  }

  @Test
  void eachConfiguredNotifier_isCheckedByName_andNothingIsSent() throws Exception {
    String password = "smtp-doctor-canary-3b9e";
    GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.setUser("alerts@example.com", "alerts", password);
    smtp.start();
    try {
      Cli doctor = doctorOfNotifiers(smtp.getSmtp().getPort(), password);

      assertThat(notifyChecks(doctor))
          .containsExactly(
              "ok: email notifier: SMTP 127.0.0.1:"
                  + smtp.getSmtp().getPort()
                  + " (none) accepts the connection and the login of alerts; no mail sent",
              "warn: desktop notifier: no desktop session: none of DISPLAY, WAYLAND_DISPLAY,"
                  + " DBUS_SESSION_BUS_ADDRESS is set; its notifications will not show");
      assertThat(smtp.getReceivedMessages()).isEmpty();
      assertThat(doctor.out()).doesNotContain(password);
    } finally {
      smtp.stop();
    }
  }

  @Test
  void anSmtpServerThatIsNotThere_failsTheEmailCheck_withWhatToFix() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }

    Cli doctor = doctorOfNotifiers(closed, "pw-0123456789");

    assertThat(doctor.exitCode()).as(doctor.out()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(notifyChecks(doctor))
        .contains(
            "fail: email notifier: SMTP 127.0.0.1:" + closed + " (none) refused the connection");
  }

  @Test
  void aWebhookHost_isCheckedWithAConnection_andNothingIsPosted() throws Exception {
    java.util.concurrent.atomic.AtomicInteger posted =
        new java.util.concurrent.atomic.AtomicInteger();
    HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext(
        "/",
        ex -> {
          posted.incrementAndGet();
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    hook.start();
    try {
      int port = hook.getAddress().getPort();
      Path config =
          Files.writeString(
              dir.resolve("hook.yaml"),
              "notify:\n  webhooks: http://127.0.0.1:" + port + "/hooks/T0KEN-doctor\n");

      Cli doctor =
          Cli.run(
              "doctor",
              "--json",
              "--config",
              config.toString(),
              "--data-dir",
              dir.resolve("data").toString());

      assertThat(notifyChecks(doctor))
          .containsExactly(
              "ok: webhook notifier: http://127.0.0.1:"
                  + port
                  + "/… accepts connections; nothing sent");
      assertThat(posted).hasValue(0);
      assertThat(doctor.out()).doesNotContain("T0KEN-doctor");
    } finally {
      hook.stop(0);
    }
  }

  /**
   * The doctor over e-mail (a login, the password in the environment) and desktop notifiers, in an
   * environment of nothing but the PATH and the password: no desktop session.
   */
  private Cli doctorOfNotifiers(int smtpPort, String password) throws Exception {
    return Cli.runIn(
        Map.of(
            "PATH",
            System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
            "BOOK_CREATOR_NOTIFY_EMAIL_PASSWORD",
            password),
        "doctor",
        "--json",
        "--config",
        notifyConfig(smtpPort).toString(),
        "--data-dir",
        dir.resolve("data").toString());
  }

  private Path notifyConfig(int smtpPort) throws Exception {
    return Files.writeString(
        dir.resolve("notify.yaml"),
        """
        notify:
          email:
            to: ops@example.com
            from: alerts@example.com
            smtp_host: 127.0.0.1
            smtp_port: %d
            security: none
            username: alerts
          desktop: true
        """
            .formatted(smtpPort));
  }

  /** The doctor's notifier checks as {@code status: check}. */
  private static List<String> notifyChecks(Cli doctor) {
    List<String> out = new java.util.ArrayList<>();
    for (JsonNode c : Json.parse(doctor.out())) {
      if (c.get("area").asString().equals("notify"))
        out.add(c.get("status").asString() + ": " + c.get("check").asString());
    }
    return out;
  }
}
