package org.bookcreator.notify;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bookcreator.core.alert.Notifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The webhook notifier against a real HTTP server on the loopback address. */
class WebhookNotifierTest extends NotifierContractTest {
  private HttpServer receiver;
  private final List<String> bodies = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
  }

  @Override
  Notifier notifier() {
    URI url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
    return new WebhookNotifier(
        new WebhookNotifier.Settings(
            "webhook", url, WebhookNotifier.Format.JSON, Optional.empty(), Duration.ofSeconds(5)),
        InstantSource.system());
  }

  @Override
  List<String> received(int count) {
    // The server answered before send() returned: nothing to wait for.
    return List.copyOf(bodies);
  }
}
