package org.bookcreator.app;

import java.io.PrintWriter;
import org.bookcreator.core.project.BriefException;
import org.bookcreator.core.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/book-creator}. Exit codes: see {@link ExitCodes} and docs/cli.md. */
@Command(
    name = "book-creator",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Writes books with a team of LLM agents, and shows everything it does.",
    subcommands = {
      RunCommand.class,
      DemoCommand.class,
      ServeCommand.class,
      ResumeCommand.class,
      ProjectsCommand.class,
      RunsCommand.class,
      TraceCommand.class,
      LogsCommand.class,
      DiagnoseCommand.class,
      DoctorCommand.class,
      StoreCommand.class,
      CostCommand.class,
      AlertsCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 ok, 1 run failed, 2 bad input (brief, flags, config), 3 data directory or"
          + " store",
      "unusable (locked, unreadable, corrupt), 4 internal error, 5 run paused (budget reached),",
      "130 interrupted.",
      "Docs: README.md, docs/cli.md, docs/configuration.md, docs/api.md.",
      "When something goes wrong: bin/book-creator diagnose RUN, then docs/runbooks."
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code = execute(args);
    org.bookcreator.telemetry.sdk.LogSetup.stop();
    System.exit(code);
  }

  /** Runs the command line and returns the exit code (tests call this instead of main). */
  public static int execute(String... args) {
    return execute(null, null, args);
  }

  /**
   * Like {@link #execute(String...)} with the command's output and errors sent to the writers
   * given.
   */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    if (out != null) cli.setOut(out);
    if (err != null) cli.setErr(err);
    cli.setExecutionExceptionHandler(Main::handle);
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          PrintWriter w = ex.getCommandLine().getErr();
          w.println("book-creator: " + ex.getMessage());
          w.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          return ExitCodes.BAD_INPUT;
        });
    return cli.execute(args);
  }

  private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    PrintWriter err = cli.getErr();
    return switch (e) {
      case BriefException b -> {
        err.println("book-creator: " + b.getMessage());
        yield ExitCodes.BAD_INPUT;
      }
      case Settings.ConfigException c -> {
        err.println("book-creator: " + c.getMessage());
        yield ExitCodes.BAD_INPUT;
      }
      case UsageException u -> {
        err.println("book-creator: " + u.getMessage());
        yield ExitCodes.BAD_INPUT;
      }
      case StoreException s -> {
        err.println("book-creator: " + s.getMessage());
        yield ExitCodes.STORE;
      }
      default -> {
        err.println("book-creator: internal error: " + e);
        e.printStackTrace(err);
        yield ExitCodes.INTERNAL;
      }
    };
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A wrong argument found after parsing (unknown run id, bad filter value). */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {
        "book-creator " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"
      };
    }
  }
}
