package org.bookcreator.notify;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.alert.Notifier;
import org.bookcreator.core.alert.Severity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows notifications on the desktop of the user running Book Creator: {@code notify-send} on Linux
 * (urgency critical for critical alerts, which most desktops keep until dismissed), {@code
 * osascript}'s {@code display notification} on macOS. One popup per notification, titled {@code
 * [FIRING] ProviderDown (openai)}, with the alerts' summaries and the runbook. Texts are passed as
 * separate arguments, never through a shell or into a script's source, with control characters
 * removed.
 *
 * <p>Where there is nothing to show a popup on (no {@code DISPLAY}, {@code WAYLAND_DISPLAY} or
 * {@code DBUS_SESSION_BUS_ADDRESS}; no {@code notify-send}; no notification service on the session
 * bus), the notifier logs one warning saying so, the first time, and reports the notification
 * delivered: a popup nobody can see is not retried for a day. A tool that fails otherwise, or takes
 * longer than the timeout, is a retryable failure.
 */
public final class DesktopNotifier implements Notifier {
  private static final Logger log = LoggerFactory.getLogger(DesktopNotifier.class);

  /** Session variables any of which says a desktop session may be there. */
  public static final List<String> SESSION_VARIABLES =
      List.of("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS");

  /** What notify-send prints when the session bus has no notification service to talk to. */
  private static final List<String> NO_SERVICE =
      List.of(
          "Cannot autolaunch",
          "ServiceUnknown",
          "not provided by any .service files",
          "StartServiceByName",
          "Could not connect",
          "Failed to connect");

  private static final int BODY_ALERTS = 3;
  private static final int BODY_MAX = 500;

  /** The desktop's kind, which decides the tool. */
  public enum Platform {
    LINUX("notify-send"),
    MACOS("osascript"),
    OTHER("");

    final String tool;

    Platform(String tool) {
      this.tool = tool;
    }

    /** From {@code os.name}. */
    public static Platform of(String osName) {
      String os = osName.toLowerCase(Locale.ROOT);
      if (os.contains("linux")) return LINUX;
      if (os.contains("mac")) return MACOS;
      return OTHER;
    }
  }

  /**
   * @param name the notifier's name in routes and the outbox
   * @param environment the process's environment: the session variables and the {@code PATH} the
   *     tool is looked up in; the tool runs with exactly this environment
   * @param timeout how long the tool may take
   */
  public record Settings(
      String name, Platform platform, Map<String, String> environment, Duration timeout) {
    public Settings {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(platform, "platform");
      environment = Map.copyOf(environment);
      Objects.requireNonNull(timeout, "timeout");
    }
  }

  private final Settings settings;
  private final AtomicBoolean toldNothingToShow = new AtomicBoolean();

  public DesktopNotifier(Settings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return settings.name();
  }

  @Override
  public Delivery deliver(Notification n) {
    Optional<String> unavailable = unavailable();
    if (unavailable.isPresent()) return nothingToShow(unavailable.get());
    Path tool = tool().orElseThrow();
    ProcessBuilder command = new ProcessBuilder(arguments(tool, n)).redirectErrorStream(true);
    command.environment().clear();
    command.environment().putAll(settings.environment());
    Process p;
    try {
      p = command.start();
    } catch (IOException e) {
      return new Delivery.Failed(tool + " did not start: " + e.getMessage(), true);
    }
    try (InputStream out = p.getInputStream()) {
      if (!p.waitFor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Delivery.Failed(
            tool.getFileName() + " did not finish within " + settings.timeout().toMillis() + " ms",
            true);
      }
      // A few lines at most: they fit in the pipe, so reading after the exit cannot block.
      String said =
          NotificationText.line(new String(out.readAllBytes(), StandardCharsets.UTF_8)).strip();
      if (p.exitValue() == 0) return new Delivery.Delivered();
      if (NO_SERVICE.stream().anyMatch(said::contains))
        return nothingToShow(
            "no notification service answers on the desktop session ("
                + NotificationText.clip(said, 160)
                + ")");
      return new Delivery.Failed(
          tool.getFileName() + " exited " + p.exitValue() + ": " + NotificationText.clip(said, 200),
          true);
    } catch (IOException e) {
      return new Delivery.Failed(tool.getFileName() + " failed: " + e.getMessage(), true);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Delivery.Failed("interrupted", true);
    }
  }

  /**
   * Why no popup could be shown here, or empty when there is a desktop session and the tool: what
   * {@code doctor} reports.
   */
  public Optional<String> unavailable() {
    if (settings.platform() == Platform.OTHER)
      return Optional.of(
          "desktop notifications need Linux (notify-send) or macOS (osascript), not "
              + System.getProperty("os.name"));
    if (settings.platform() == Platform.LINUX
        && SESSION_VARIABLES.stream().allMatch(v -> blank(settings.environment().get(v))))
      return Optional.of(
          "no desktop session: none of " + String.join(", ", SESSION_VARIABLES) + " is set");
    if (tool().isEmpty())
      return Optional.of(
          settings.platform().tool
              + " is not on the PATH"
              + (settings.platform() == Platform.LINUX
                  ? " (Debian and Ubuntu: apt install libnotify-bin)"
                  : ""));
    return Optional.empty();
  }

  /** The tool that shows popups, found on the environment's {@code PATH}. */
  public Optional<Path> tool() {
    if (settings.platform() == Platform.OTHER) return Optional.empty();
    String path = settings.environment().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isBlank()) continue;
      Path candidate = Path.of(dir).resolve(settings.platform().tool);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
        return Optional.of(candidate);
    }
    return Optional.empty();
  }

  /** Said once per notifier (one per process): nothing will show, and nothing is retried. */
  private Delivery nothingToShow(String why) {
    if (toldNothingToShow.compareAndSet(false, true)) {
      log.atWarn()
          .addKeyValue("notifier", settings.name())
          .log(
              "desktop notifier {}: {}; its notifications are not shown by this process and count"
                  + " as delivered (set notify.desktop: false to turn it off)",
              settings.name(),
              why);
    }
    return new Delivery.Delivered();
  }

  /** The tool's argument list: no shell, every text one argument. */
  List<String> arguments(Path tool, Notification n) {
    String title = NotificationText.headline(n);
    boolean critical = n.alerts().stream().anyMatch(a -> a.severity() == Severity.CRITICAL);
    List<String> args = new ArrayList<>();
    args.add(tool.toString());
    if (settings.platform() == Platform.MACOS) {
      // The texts reach the script as argv, never as part of its source. The title always starts
      // with "[", so osascript's option parsing stops before the texts.
      args.addAll(
          List.of(
              "-e",
              "on run argv",
              "-e",
              "display notification (item 2 of argv) with title (item 1 of argv) subtitle (item 3"
                  + " of argv)",
              "-e",
              "end run",
              title,
              body(n, false),
              critical ? "critical" : "warning"));
    } else {
      args.addAll(
          List.of(
              "--app-name=Book Creator",
              "--urgency=" + (critical ? "critical" : "normal"),
              "--",
              title,
              body(n, true)));
    }
    return args;
  }

  /**
   * The summaries of the first few alerts, then the runbook. Most Linux notification services read
   * the body as markup, so {@code &}, {@code <} and {@code >} are escaped there.
   */
  static String body(Notification n, boolean markup) {
    List<String> lines = new ArrayList<>();
    for (Alert a : n.alerts().subList(0, Math.min(BODY_ALERTS, n.alerts().size())))
      lines.add(NotificationText.line(a.summary()));
    if (n.alerts().size() > BODY_ALERTS)
      lines.add("… and " + (n.alerts().size() - BODY_ALERTS) + " more");
    if (!n.alerts().isEmpty())
      lines.add("runbook: " + NotificationText.runbook(n.alerts().getFirst()));
    String body = NotificationText.clip(String.join("\n", lines), BODY_MAX);
    return markup ? body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") : body;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
