package org.bookcreator.telemetry.sdk;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import java.util.List;
import org.bookcreator.telemetry.LogConfig;
import org.bookcreator.telemetry.LogLine;
import org.bookcreator.telemetry.LogSink;
import org.bookcreator.telemetry.Redactor;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Sets up Logback in code (no XML): a JSON-lines file under the data directory, rotated by size,
 * written through a bounded queue that never blocks and counts its drops, each record on a line of
 * its own even after a write was cut short (see {@link FreshLineFileAppender}); an optional console
 * in JSON or text; java.util.logging and uncaught exceptions routed into the same stream.
 */
public final class LogSetup {
  public static final String FILE_NAME = "book-creator.log";

  private LogSetup() {}

  /**
   * Replaces the current logging configuration.
   *
   * @param onDrop called once per log event dropped because the queue was full
   */
  public static void install(LogConfig config, Redactor redactor, Runnable onDrop) {
    install(config, redactor, onDrop, null);
  }

  /**
   * The indexed copy of the logs fed to a store, while installed; flushed and closed by {@link
   * #stop()}.
   */
  private static final List<String> QUIET_LIBRARIES = List.of("org.eclipse.jetty", "io.javalin");

  private static volatile BatchingQueue<LogLine> storeQueue;

  /**
   * Replaces the current logging configuration; with a {@code store} (null: none), every record
   * written to the log file is also handed, in batches from a bounded queue, to the store's indexed
   * copy (dropped records are counted through {@code onDrop} too).
   */
  public static void install(LogConfig config, Redactor redactor, Runnable onDrop, LogSink store) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    BatchingQueue<LogLine> previous = storeQueue;
    storeQueue = null;
    if (previous != null) previous.close();
    LevelChangePropagator propagator = new LevelChangePropagator();
    propagator.setContext(ctx);
    propagator.setResetJUL(true);
    ctx.addListener(propagator);
    propagator.start();

    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(config.level(), Level.INFO));
    // The web server's start-up chatter (a dozen INFO lines per serve) says nothing an operator
    // needs; its warnings still show. logging.levels overrides this, e.g. org.eclipse.jetty=INFO.
    for (String quiet : QUIET_LIBRARIES) ctx.getLogger(quiet).setLevel(Level.WARN);
    config.levels().forEach((name, level) -> ctx.getLogger(name).setLevel(Level.toLevel(level)));

    if (config.dir().isPresent()) {
      Path dir = config.dir().get().toAbsolutePath();
      RollingFileAppender<ILoggingEvent> file = new FreshLineFileAppender<>();
      file.setContext(ctx);
      file.setName("file");
      file.setFile(dir.resolve(FILE_NAME).toString());
      FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
      rolling.setContext(ctx);
      rolling.setParent(file);
      rolling.setFileNamePattern(dir.resolve("book-creator.%i.log").toString());
      rolling.setMinIndex(1);
      rolling.setMaxIndex(config.keepFiles());
      rolling.start();
      SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
      trigger.setContext(ctx);
      trigger.setMaxFileSize(new FileSize(config.maxFileBytes()));
      trigger.start();
      file.setRollingPolicy(rolling);
      file.setTriggeringPolicy(trigger);
      java.util.function.Consumer<LogLine> tap = null;
      if (store != null) {
        BatchingQueue<LogLine> queue =
            new BatchingQueue<>("log-store", 16_384, 1000, 500, store::accept, onDrop);
        storeQueue = queue;
        tap = queue::offer;
      }
      file.setEncoder(started(new JsonLineEncoder(config.service(), redactor, tap), ctx));
      file.start();
      CountingAsyncAppender async = new CountingAsyncAppender(onDrop);
      async.setContext(ctx);
      async.setName("file-async");
      async.setQueueSize(config.queueSize());
      async.addAppender(file);
      async.start();
      root.addAppender(async);
    }

    if (config.console() != LogConfig.Console.OFF) {
      ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
      console.setContext(ctx);
      console.setName("console");
      console.setTarget(config.consoleToStdout() ? "System.out" : "System.err");
      ThresholdFilter threshold = new ThresholdFilter();
      threshold.setLevel(config.consoleLevel());
      threshold.start();
      console.addFilter(threshold);
      Encoder<ILoggingEvent> encoder =
          config.console() == LogConfig.Console.JSON
              ? new JsonLineEncoder(config.service(), redactor)
              : new TextLineEncoder(redactor);
      console.setEncoder(started(encoder, ctx));
      console.start();
      root.addAppender(console);
    }

    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    org.slf4j.Logger uncaught = LoggerFactory.getLogger("uncaught");
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, error) ->
            uncaught.error("uncaught exception in thread {}", thread.getName(), error));
  }

  private static Encoder<ILoggingEvent> started(Encoder<ILoggingEvent> encoder, LoggerContext ctx) {
    encoder.setContext(ctx);
    encoder.start();
    return encoder;
  }

  /** Flushes queued events and stops the appenders (at exit). */
  public static void stop() {
    ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    BatchingQueue<LogLine> queue = storeQueue;
    storeQueue = null;
    if (queue != null) queue.close();
  }

  /** Writes the records queued for the store's copy now (for tests and before reading it). */
  public static void flushStore() {
    BatchingQueue<LogLine> queue = storeQueue;
    if (queue == null) return;
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    if (ctx.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("file-async")
        instanceof ch.qos.logback.classic.AsyncAppender async) {
      // Wait (sleeping, not spinning: this runs at shutdown beside the pipeline) for the appender
      // to take what is queued; then a moment more for the event it may still be encoding.
      long deadline = System.nanoTime() + 2_000_000_000L;
      try {
        while (async.getNumberOfElementsInQueue() > 0 && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    queue.flush();
  }
}
