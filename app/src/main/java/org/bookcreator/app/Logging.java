package org.bookcreator.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/** Configures Logback once the data directory is known: a log file there, warnings on stderr. */
final class Logging {
  private Logging() {}

  /**
   * @param logDir where {@code book-creator.log} rotates, or null for console only
   * @param consoleLevel the least level shown on stderr (WARN keeps progress displays clean)
   */
  static void init(Path logDir, String consoleLevel) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    ctx.putProperty("CONSOLE_LEVEL", consoleLevel);
    String resource = logDir == null ? "/logback-console.xml" : "/logback-file.xml";
    if (logDir != null) ctx.putProperty("LOG_DIR", logDir.toAbsolutePath().toString());
    URL config = Logging.class.getResource(resource);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(ctx);
    try {
      configurator.doConfigure(config);
    } catch (JoranException e) {
      System.err.println("book-creator: logging setup failed, continuing without file logs: " + e.getMessage());
    }
  }
}
