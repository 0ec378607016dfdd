package org.bookcreator.telemetry;

import java.util.regex.Pattern;

/**
 * The name of this process among all the processes that share a store: the {@code instance} of
 * every JSON log line and the {@code service.instance.id} of every span and metric series ({@code
 * target_info}), so a log line, a span and a series of one process can be matched. The {@code
 * instance.id} setting ({@code BOOK_CREATOR_INSTANCE_ID}) names it, a deployment's stable name such
 * as {@code worker-2}, through {@link #use} before telemetry starts; by default it is {@code
 * HOST-PID}, which names the machine and the process to look at.
 */
public final class Instance {
  /** What a chosen id may hold: it appears in log lines and labels. */
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");

  private static volatile String id = choose(null);

  private Instance() {}

  /** This process's instance id. */
  public static String id() {
    return id;
  }

  /** Whether {@code chosen} may name an instance: empty (the default), or a valid name. */
  public static boolean valid(String chosen) {
    return chosen.isEmpty() || VALID.matcher(chosen).matches();
  }

  /**
   * Names this process {@code chosen} (empty: {@code HOST-PID}); called once, by the composition
   * root, before telemetry starts.
   *
   * @throws IllegalArgumentException when it is not {@link #valid}
   */
  public static void use(String chosen) {
    if (!valid(chosen)) throw new IllegalArgumentException("invalid instance id: " + chosen);
    id = choose(chosen);
  }

  /** {@code chosen} when it is a valid name, else {@code HOST-PID}. */
  static String choose(String chosen) {
    if (chosen != null && !chosen.isBlank() && VALID.matcher(chosen).matches()) return chosen;
    return host() + "-" + ProcessHandle.current().pid();
  }

  /**
   * The machine's short name, without asking DNS (a lookup can stall start-up for seconds where
   * name resolution is broken): {@code HOSTNAME} or {@code COMPUTERNAME}, else {@code
   * /etc/hostname}, else {@code host}.
   */
  private static String host() {
    String h = System.getenv("HOSTNAME");
    if (h == null || h.isBlank()) h = System.getenv("COMPUTERNAME");
    if (h == null || h.isBlank()) {
      try {
        h = java.nio.file.Files.readString(java.nio.file.Path.of("/etc/hostname")).strip();
      } catch (java.io.IOException | RuntimeException e) {
        h = "";
      }
    }
    int dot = h.indexOf('.');
    String shortName = dot > 0 ? h.substring(0, dot) : h;
    return VALID.matcher(shortName).matches() ? shortName : "host";
  }
}
