package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bookcreator.telemetry.Redactor;
import org.bookcreator.telemetry.TelemetryConfig;
import org.bookcreator.telemetry.sdk.TelemetrySdk;
import org.junit.jupiter.api.Test;

/**
 * Spans leave over OTLP/HTTP when the standard variables say where. The receiver is a plain HTTP
 * server on loopback standing in for an OpenTelemetry Collector (none can run here); it checks what
 * a collector would: the path, the protobuf content type, the configured header, a body.
 */
class OtlpExportTest {
  record Received(String path, String contentType, String header, int bytes) {}

  @Test
  void spans_areExported_toTheConfiguredEndpoint_withHeaders() throws Exception {
    List<Received> received = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          byte[] body = ex.getRequestBody().readAllBytes();
          received.add(
              new Received(
                  ex.getRequestURI().getPath(),
                  ex.getRequestHeaders().getFirst("Content-Type"),
                  ex.getRequestHeaders().getFirst("X-Team"),
                  body.length));
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    server.start();
    try {
      var processors =
          Observability.otlp(
              Map.of(
                  "OTEL_EXPORTER_OTLP_ENDPOINT",
                  "http://127.0.0.1:" + server.getAddress().getPort() + "/",
                  "OTEL_EXPORTER_OTLP_HEADERS",
                  "X-Team=books%20team"));
      assertThat(processors).hasSize(1);
      try (TelemetrySdk telemetry =
          TelemetrySdk.create(
              new TelemetryConfig("book-creator", false, true, 1.0, false, Set.of()),
              Redactor.none(),
              processors)) {
        telemetry.recordSpan(
            "run",
            "run_otlp",
            "run_otlp",
            null,
            Instant.now().minusSeconds(1),
            Instant.now(),
            Attributes.empty(),
            null);
        telemetry
            .startSpan(
                "invoke_agent writer",
                SpanKind.INTERNAL,
                telemetry.contextOf("run_otlp", "run_otlp"),
                Attributes.empty())
            .end();
        telemetry.flush();
      }
    } finally {
      server.stop(0);
    }

    assertThat(received)
        .isNotEmpty()
        .allSatisfy(
            r -> {
              assertThat(r.path()).isEqualTo("/v1/traces");
              assertThat(r.contentType()).isEqualTo("application/x-protobuf");
              assertThat(r.header()).isEqualTo("books team");
              assertThat(r.bytes()).isPositive();
            });
  }

  @Test
  void noEndpoint_meansNoExporter() {
    assertThat(Observability.otlp(Map.of())).isEmpty();
    assertThat(
            Observability.otlp(
                Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:1/v1/traces")))
        .hasSize(1);
  }
}
