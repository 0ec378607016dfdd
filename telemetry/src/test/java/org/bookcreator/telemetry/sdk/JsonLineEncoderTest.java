package org.bookcreator.telemetry.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.bookcreator.telemetry.Redactor;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonLineEncoderTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final LoggerContext ctx = new LoggerContext();
  private final Logger logger = ctx.getLogger("org.bookcreator.core.pipeline.Orchestrator");
  private final JsonLineEncoder encoder =
      new JsonLineEncoder("book-creator", new Redactor(List.of("canary-secret-42")));

  private LoggingEvent event(String message, Throwable t) {
    LoggingEvent e = new LoggingEvent("fqcn", logger, Level.INFO, message, t, null);
    e.setMDCPropertyMap(
        Map.of("run_id", "run_1", "stage", "outline", "project_id", "p\nINFO forged"));
    e.setTimeStamp(1_795_836_611_371L);
    e.setThreadName("worker-1");
    return e;
  }

  private String encode(LoggingEvent e) {
    return new String(encoder.encode(e), StandardCharsets.UTF_8);
  }

  @Test
  void record_hasTheDesignFields_onOneLine() {
    String line = encode(event("run started", null));

    assertThat(line).endsWith("\n");
    assertThat(line.strip()).doesNotContain("\n");
    JsonNode n = JSON.readTree(line);
    assertThat(n.path("ts").asString()).isEqualTo("2026-11-28T03:30:11.371Z");
    assertThat(n.path("level").asString()).isEqualTo("INFO");
    assertThat(n.path("logger").asString()).endsWith("Orchestrator");
    assertThat(n.path("thread").asString()).isEqualTo("worker-1");
    assertThat(n.path("service").asString()).isEqualTo("book-creator");
    assertThat(n.path("instance").asString()).isEqualTo(org.bookcreator.telemetry.Instance.id());
    assertThat(n.path("run_id").asString()).isEqualTo("run_1");
    assertThat(n.path("stage").asString()).isEqualTo("outline");
  }

  @Test
  void controlCharacters_cannotForgeOrBreakARecord() {
    String hostile =
        "title\nINFO {\"level\":\"ERROR\",\"message\":\"forged\"}\r\u0000\u001b[31m\u2028end";

    String line = encode(event("run of " + hostile + " started", null));

    assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
    assertThat(line).doesNotContain("\r").doesNotContain("\u0000").doesNotContain("\u001b");
    JsonNode n = JSON.readTree(line);
    assertThat(n.path("message").asString()).contains(hostile);
    assertThat(n.path("level").asString()).isEqualTo("INFO");
    assertThat(n.path("project_id").asString()).isEqualTo("p\nINFO forged");
  }

  @Test
  void keyValues_keepTheirTypes_andErrorsCarryTypeAndStack() {
    LoggingEvent e =
        event("llm call failed", new IllegalStateException("boom with canary-secret-42"));
    e.addKeyValuePair(new KeyValuePair("input_tokens", 120L));
    e.addKeyValuePair(new KeyValuePair("latency_ms", 35));
    e.addKeyValuePair(new KeyValuePair("cost_usd", "0.000120000000"));
    e.addKeyValuePair(new KeyValuePair("level", "forged"));

    JsonNode n = JSON.readTree(encode(e));

    assertThat(n.path("input_tokens").isIntegralNumber()).isTrue();
    assertThat(n.path("latency_ms").asInt()).isEqualTo(35);
    assertThat(n.path("cost_usd").asString()).isEqualTo("0.000120000000");
    assertThat(n.path("level").asString()).isEqualTo("INFO");
    assertThat(n.path("error_type").asString()).isEqualTo("IllegalStateException");
    assertThat(n.path("stack_trace").asString())
        .contains("IllegalStateException")
        .doesNotContain("canary-secret-42");
  }

  @Test
  void secrets_areRedacted_inMessageAndContext() {
    LoggingEvent e = event("calling with key canary-secret-42", null);

    assertThat(encode(e)).doesNotContain("canary-secret-42").contains(Redactor.MASK);
  }

  @Test
  void hugeMessages_areCut_andSaySo() {
    String line = encode(event("x".repeat(100_000), null));

    JsonNode n = JSON.readTree(line);
    assertThat(n.path("message").asString()).hasSizeLessThan(40_000).endsWith("more chars]");
  }
}
