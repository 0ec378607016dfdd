package org.bookcreator.notify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private desktop for tests: a D-Bus session bus of its own, an X server (Xvfb) on a free
 * display, and the dunst notification daemon, whose rule runs a script that appends every
 * notification it shows to a file. Nothing of the machine's own session is used or touched; {@link
 * #close} stops the three processes.
 */
public final class DesktopSession implements AutoCloseable {
  static final List<String> PROGRAMS =
      List.of("dbus-daemon", "dbus-send", "Xvfb", "dunst", "notify-send");
  static final String PACKAGES = "dbus dbus-x11 xvfb xauth dunst libnotify-bin";

  private static final char FIELD = '\u001f';
  private static final char RECORD = '\u001e';

  /** A notification the daemon showed, as dunst hands it to its script. */
  public record Shown(String app, String summary, String body, String urgency) {}

  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final Map<String, String> environment = new HashMap<>();

  private DesktopSession(Path dir) {
    this.dir = dir;
    environment.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    environment.put("HOME", dir.toString());
    environment.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
  }

  /** A session bus and nothing else: no display, no notification daemon running. */
  static DesktopSession busOnly(Path dir) throws Exception {
    RequiredTools.require(List.of("dbus-daemon", "notify-send"), PACKAGES);
    DesktopSession s = new DesktopSession(dir);
    try {
      s.startBus();
      return s;
    } catch (Exception e) {
      s.close();
      throw e;
    }
  }

  /** A session bus, a display and dunst, ready to show notifications. */
  public static DesktopSession start(Path dir) throws Exception {
    RequiredTools.require(PROGRAMS, PACKAGES);
    DesktopSession s = new DesktopSession(dir);
    try {
      s.startBus();
      s.startDisplay();
      s.startDunst();
      return s;
    } catch (Exception e) {
      s.close();
      throw e;
    }
  }

  /** The environment of a program in this session: its bus, its display, the PATH. */
  public Map<String, String> environment() {
    return Map.copyOf(environment);
  }

  private void startBus() throws IOException {
    Process bus = spawn("dbus-daemon", "--session", "--nofork", "--print-address=1");
    environment.put("DBUS_SESSION_BUS_ADDRESS", firstLine(bus, "dbus-daemon"));
  }

  private void startDisplay() throws IOException {
    // -displayfd: Xvfb picks a free display and writes its number once it accepts clients.
    Process x = spawn("Xvfb", "-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "320x240x24");
    environment.put("DISPLAY", ":" + firstLine(x, "Xvfb"));
  }

  private void startDunst() throws Exception {
    Path shown = dir.resolve("shown");
    Path script = dir.resolve("record.sh");
    Files.writeString(
        script,
        "#!/bin/sh\nprintf '%s\\037%s\\037%s\\037%s\\036' \"$DUNST_APP_NAME\" \"$DUNST_SUMMARY\""
            + " \"$DUNST_BODY\" \"$DUNST_URGENCY\" >> '"
            + shown
            + "'\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    Path config =
        Files.writeString(
            dir.resolve("dunstrc"),
            "[global]\n    markup = full\n[record]\n    summary = \"*\"\n    script = "
                + script
                + "\n");
    spawn("dunst", "-config", config.toString());
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!notificationServiceUp()) {
      if (System.nanoTime() > deadline)
        throw new IllegalStateException(
            "dunst did not take org.freedesktop.Notifications within 15 s; see " + dir);
      Thread.sleep(50);
    }
  }

  private boolean notificationServiceUp() throws Exception {
    Process p =
        builder(
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.Notifications")
            .redirectErrorStream(true)
            .start();
    String reply = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(5, TimeUnit.SECONDS);
    return reply.contains("boolean true");
  }

  /**
   * What the daemon showed so far, waiting up to ten seconds for at least {@code count} (dunst runs
   * its script after it shows the notification).
   */
  public List<Shown> shown(int count) throws Exception {
    Path file = dir.resolve("shown");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<Shown> shown = List.of();
    while (System.nanoTime() < deadline) {
      shown = Files.exists(file) ? parse(Files.readString(file)) : List.of();
      if (shown.size() >= count) return shown;
      Thread.sleep(50);
    }
    return shown;
  }

  /**
   * What the daemon showed so far, once one of them is {@code wanted}, waiting up to {@code
   * patience}; what it showed by then otherwise. Notifications of one notifier arrive one after
   * another, in no promised order across alerts: wait for the one a test is about, not for a count.
   */
  public List<Shown> awaitShown(java.util.function.Predicate<Shown> wanted, Duration patience)
      throws Exception {
    Path file = dir.resolve("shown");
    long deadline = System.nanoTime() + patience.toNanos();
    List<Shown> shown = List.of();
    while (System.nanoTime() < deadline) {
      shown = Files.exists(file) ? parse(Files.readString(file)) : List.of();
      if (shown.stream().anyMatch(wanted)) return shown;
      Thread.sleep(50);
    }
    return shown;
  }

  private static List<Shown> parse(String text) {
    List<Shown> out = new ArrayList<>();
    for (String record : text.split(String.valueOf(RECORD))) {
      String[] f = record.split(String.valueOf(FIELD), -1);
      if (f.length == 4) out.add(new Shown(f[0], f[1], f[2], f[3]));
    }
    return out;
  }

  private ProcessBuilder builder(String... command) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(environment);
    return pb;
  }

  private Process spawn(String... command) throws IOException {
    Path log = dir.resolve(command[0] + ".log");
    Process p = builder(command).redirectError(log.toFile()).start();
    processes.add(p);
    return p;
  }

  private String firstLine(Process p, String what) throws IOException {
    String line =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
    if (line == null || line.isBlank())
      throw new IllegalStateException(what + " did not start; see " + dir.resolve(what + ".log"));
    return line.strip();
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : processes.reversed()) {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
