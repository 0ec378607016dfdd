package org.bookcreator.telemetry.sdk;

import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Serves {@code /metrics} (Prometheus text or OpenMetrics, as the scraper asks) and {@code
 * /-/healthy} on a small HTTP server bound to one address. Port 0 picks a free port; {@link
 * #address()} says which address and port it listens on.
 */
public final class MetricsServer implements AutoCloseable {
  private final HTTPServer server;
  private final InetAddress bound;

  private MetricsServer(HTTPServer server, InetAddress bound) {
    this.server = server;
    this.bound = bound;
  }

  /**
   * Starts listening on {@code host} (a name or an address; {@code 0.0.0.0} is every interface).
   *
   * @throws UncheckedIOException when the host does not resolve or the address cannot be bound (the
   *     port is taken, the address is not this machine's), with its cause
   */
  public static MetricsServer start(TelemetrySdk telemetry, String host, int port) {
    try {
      InetAddress address = InetAddress.getByName(host);
      return new MetricsServer(
          HTTPServer.builder()
              .inetAddress(address)
              .port(port)
              .registry(telemetry.registry())
              .registerHealthHandler(true)
              .buildAndStart(),
          address);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve /metrics on " + host + ":" + port + ": " + e.getMessage(), e);
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

  /** The address and port this server listens on: the port is the real one when 0 was asked. */
  public InetSocketAddress address() {
    return new InetSocketAddress(bound, port());
  }

  @Override
  public void close() {
    server.close();
  }
}
