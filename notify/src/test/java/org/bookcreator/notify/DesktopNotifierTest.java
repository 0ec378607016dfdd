package org.bookcreator.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bookcreator.notify.TestNotifications.alert;
import static org.bookcreator.notify.TestNotifications.firing;
import static org.bookcreator.notify.TestNotifications.providerDown;
import static org.bookcreator.notify.TestNotifications.runFailed;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.alert.Notifier;
import org.bookcreator.core.alert.Notifier.Delivery;
import org.bookcreator.core.alert.Severity;
import org.bookcreator.notify.DesktopNotifier.Platform;
import org.bookcreator.notify.DesktopSession.Shown;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The desktop notifier running the real {@code notify-send} against a real notification daemon
 * (dunst) on a private D-Bus session and X display ({@link DesktopSession}); and, with no desktop,
 * the one log line and nothing else.
 */
class DesktopNotifierTest extends NotifierContractTest {
  @TempDir Path dir;
  private DesktopSession desktop;
  private final Logger logger = (Logger) LoggerFactory.getLogger(DesktopNotifier.class);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

  @BeforeEach
  void listen() {
    lines.start();
    logger.addAppender(lines);
    logger.setLevel(Level.INFO);
  }

  @AfterEach
  void stop() throws Exception {
    logger.detachAppender(lines);
    if (desktop != null) desktop.close();
  }

  private DesktopSession desktop() throws Exception {
    if (desktop == null) desktop = DesktopSession.start(dir);
    return desktop;
  }

  /** The one line the notifier logged: a warning. */
  private String oneWarning() {
    assertThat(lines.list).hasSize(1);
    assertThat(lines.list.getFirst().getLevel()).isEqualTo(Level.WARN);
    return lines.list.getFirst().getFormattedMessage();
  }

  private static DesktopNotifier linux(Map<String, String> environment) {
    return new DesktopNotifier(
        new DesktopNotifier.Settings(
            "desktop", Platform.LINUX, environment, Duration.ofSeconds(10)));
  }

  @Override
  Notifier notifier() throws Exception {
    return linux(desktop().environment());
  }

  @Override
  List<String> received(int count) throws Exception {
    return desktop.shown(count).stream().map(s -> s.summary() + "\n" + s.body()).toList();
  }

  @Test
  void aCriticalAlert_showsCritical_aWarningNormal_underTheAppsName() throws Exception {
    DesktopNotifier notifier = linux(desktop().environment());

    Delivery critical = notifier.deliver(firing("ntf_d1", providerDown("openai")));
    Delivery warning = notifier.deliver(firing("ntf_d2", runFailed("run_a1")));

    assertThat(List.of(critical, warning)).containsOnly(new Delivery.Delivered());
    List<Shown> shown = desktop.shown(2);
    assertThat(shown)
        .extracting(Shown::app, Shown::summary, Shown::urgency)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "Book Creator", "[FIRING] ProviderDown (openai)", "CRITICAL"),
            org.assertj.core.groups.Tuple.tuple(
                "Book Creator", "[FIRING] RunFailed (prj_1, run_a1, outline)", "NORMAL"));
    assertThat(shown.getFirst().body())
        .isEqualTo(
            "Provider openai is down: every call failed\n"
                + "runbook: docs/runbooks/provider-errors.md");
  }

  @Test
  void textsThatLookLikeShellOrOptions_arriveAsTheyAre_withoutControlCharacters() throws Exception {
    Path pwned = dir.resolve("pwned");
    String summary =
        "-u low $(touch " + pwned + ") `touch " + pwned + "`; <b>bold</b> & co\u0007\u001b[31m";
    Notification n =
        firing(
            "ntf_d3",
            alert(
                "ProviderDown",
                Severity.CRITICAL,
                Map.of("provider", "--help"),
                summary,
                "d",
                "provider-errors"));
    DesktopNotifier notifier = linux(desktop().environment());

    Delivery outcome = notifier.deliver(n);

    assertThat(outcome).isEqualTo(new Delivery.Delivered());
    Shown shown = desktop.shown(1).getFirst();
    assertThat(shown.summary()).isEqualTo("[FIRING] ProviderDown (--help)");
    assertThat(shown.urgency()).isEqualTo("CRITICAL");
    assertThat(shown.body())
        .startsWith(
            "-u low $(touch "
                + pwned
                + ") `touch "
                + pwned
                + "`; &lt;b&gt;bold&lt;/b&gt; &amp; co  [31m")
        .doesNotContain("\u0007")
        .doesNotContain("\u001b");
    assertThat(pwned).doesNotExist();
  }

  @Test
  void withoutADesktopSession_oneLogLine_andEveryNotificationCountsAsDelivered() {
    DesktopNotifier notifier = linux(Map.of("PATH", System.getenv().getOrDefault("PATH", "")));

    Delivery first = notifier.deliver(firing("ntf_n1", providerDown("openai")));
    Delivery second = notifier.deliver(firing("ntf_n2", runFailed("run_a1")));

    assertThat(List.of(first, second)).containsOnly(new Delivery.Delivered());
    assertThat(oneWarning())
        .isEqualTo(
            "desktop notifier desktop: no desktop session: none of DISPLAY,"
                + " WAYLAND_DISPLAY, DBUS_SESSION_BUS_ADDRESS is set; its notifications"
                + " are not shown by this process and count as delivered (set"
                + " notify.desktop: false to turn it off)");
    assertThat(notifier.unavailable())
        .hasValueSatisfying(u -> assertThat(u).startsWith("no desktop session"));
  }

  @Test
  void aSessionBusWithoutANotificationService_oneLogLine_andCountsAsDelivered() throws Exception {
    try (DesktopSession bus = DesktopSession.busOnly(dir)) {
      DesktopNotifier notifier = linux(bus.environment());

      Delivery first = notifier.deliver(firing("ntf_b1", providerDown("openai")));
      Delivery second = notifier.deliver(firing("ntf_b2", providerDown("openai")));

      assertThat(List.of(first, second)).containsOnly(new Delivery.Delivered());
      assertThat(oneWarning()).contains("no notification service answers on the desktop session");
    }
  }

  @Test
  void withoutNotifySend_oneLogLine_namingThePackage() throws Exception {
    DesktopNotifier notifier =
        linux(
            Map.of(
                "PATH", Files.createDirectory(dir.resolve("empty")).toString(), "DISPLAY", ":99"));

    Delivery outcome = notifier.deliver(firing("ntf_p1", providerDown("openai")));

    assertThat(outcome).isEqualTo(new Delivery.Delivered());
    assertThat(oneWarning())
        .contains("notify-send is not on the PATH (Debian and Ubuntu: apt install libnotify-bin)");
  }

  @Test
  void aToolThatFails_orHangs_isARetryableFailure() throws Exception {
    Path bin = Files.createDirectory(dir.resolve("bin"));
    Path tool = bin.resolve("notify-send");
    Map<String, String> env = Map.of("PATH", bin + ":/usr/bin:/bin", "DISPLAY", ":99");
    Files.writeString(tool, "#!/bin/sh\necho 'something broke' >&2\nexit 3\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
    DesktopNotifier failing = linux(env);
    Delivery failed = failing.deliver(firing("ntf_f1", providerDown("openai")));
    Files.writeString(tool, "#!/bin/sh\nexec sleep 30\n");
    DesktopNotifier hanging =
        new DesktopNotifier(
            new DesktopNotifier.Settings("desktop", Platform.LINUX, env, Duration.ofMillis(500)));

    Delivery hung = hanging.deliver(firing("ntf_f2", providerDown("openai")));

    assertThat(failed)
        .isEqualTo(new Delivery.Failed("notify-send exited 3: something broke", true));
    assertThat(hung)
        .isEqualTo(new Delivery.Failed("notify-send did not finish within 500 ms", true));
    assertThat(lines.list).isEmpty();
  }

  @Test
  void onMacOs_theTextsAreArgumentsOfTheScript_neverPartOfIt() {
    DesktopNotifier mac =
        new DesktopNotifier(
            new DesktopNotifier.Settings(
                "desktop", Platform.MACOS, Map.of(), Duration.ofSeconds(10)));
    Notification n =
        firing(
            "ntf_m1",
            alert(
                "ProviderDown",
                Severity.CRITICAL,
                Map.of("provider", "x\" & do shell script \"touch /tmp/p"),
                "say \"hi\"\nthere",
                "d",
                "provider-errors"));

    List<String> args = mac.arguments(Path.of("/usr/bin/osascript"), n);

    assertThat(args)
        .containsExactly(
            "/usr/bin/osascript",
            "-e",
            "on run argv",
            "-e",
            "display notification (item 2 of argv) with title (item 1 of argv) subtitle (item 3 of"
                + " argv)",
            "-e",
            "end run",
            "[FIRING] ProviderDown (x\" & do shell script \"touch /tmp/p)",
            "say \"hi\" there\nrunbook: docs/runbooks/provider-errors.md",
            "critical");
  }
}
