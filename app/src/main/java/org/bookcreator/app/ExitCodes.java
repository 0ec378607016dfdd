package org.bookcreator.app;

/** Process exit codes, documented in README.md and docs/cli.md. */
final class ExitCodes {
  static final int OK = 0;

  /** The run (or a run of the demo) failed or was cancelled. */
  static final int RUN_FAILED = 1;

  /** Bad command line, brief or configuration. */
  static final int BAD_INPUT = 2;

  /**
   * The data directory or store cannot be used (unreadable, locked by another process, corrupt).
   */
  static final int STORE = 3;

  /** A bug: an unexpected error. */
  static final int INTERNAL = 4;

  /** The run paused because its project's budget was reached; resume with a higher budget. */
  static final int PAUSED = 5;

  /** Interrupted (Ctrl-C); unfinished runs resume on the next start. */
  static final int INTERRUPTED = 130;

  private ExitCodes() {}
}
