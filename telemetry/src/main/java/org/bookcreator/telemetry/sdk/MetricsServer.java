package org.bookcreator.telemetry.sdk;

import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Serves {@code /metrics} (Prometheus text or OpenMetrics, as the scraper asks) and {@code
 * /-/healthy} on a small HTTP server bound to one address. Port 0 picks a free port; {@link
 * #port()} says which.
 */
public final class MetricsServer implements AutoCloseable {
  private final HTTPServer server;

  private MetricsServer(HTTPServer server) {
    this.server = server;
  }

  public static MetricsServer start(TelemetrySdk telemetry, String host, int port) {
    try {
      return new MetricsServer(
          HTTPServer.builder()
              .hostname(host)
              .port(port)
              .registry(telemetry.registry())
              .registerHealthHandler(true)
              .buildAndStart());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve /metrics on "
              + host
              + ":"
              + port
              + ": "
              + e.getMessage()
              + " (is the port taken? choose another with serve --worker-port N or"
              + " worker.metrics_port, 0 for any free port, -1 for none)",
          e);
    }
  }

  /**
   * A handler serving this telemetry's metrics, to mount at {@code /metrics} on another HTTP
   * server: it negotiates the format (Prometheus text or OpenMetrics), filters by {@code name[]}
   * and compresses as the scraper asks, through whatever exchange that server adapts to it.
   */
  public static PrometheusScrapeHandler handler(TelemetrySdk telemetry) {
    return new PrometheusScrapeHandler(telemetry.registry());
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
