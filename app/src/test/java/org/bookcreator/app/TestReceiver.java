package org.bookcreator.app;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.JsonNode;

/**
 * A real HTTP receiver for notifications, on a free port of 127.0.0.1: it keeps every POST (its
 * path, idempotency key and JSON body) and answers 200.
 */
final class TestReceiver implements AutoCloseable {
  /** One POST it received. */
  record Received(String path, String key, JsonNode body) {}

  private final HttpServer server;
  private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();

  TestReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          received.add(
              new Received(
                  exchange.getRequestURI().getPath(),
                  exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                  Json.parse(body)));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
  }

  /** The URL of {@code path} here, e.g. {@code http://127.0.0.1:40123/hook}. */
  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** What {@code path} received so far, oldest first. */
  List<Received> at(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  /**
   * Waits (at most {@code timeout}) until {@code path} received a POST that {@code matches}, and
   * answers it.
   */
  Received await(String path, Predicate<JsonNode> matches, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (Received r : at(path)) if (matches.test(r.body())) return r;
      if (System.nanoTime() > deadline)
        throw new AssertionError(
            "nothing matching arrived at " + path + " within " + timeout + "; got " + at(path));
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
