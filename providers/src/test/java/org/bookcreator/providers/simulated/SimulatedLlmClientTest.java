package org.bookcreator.providers.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.agent.OutputSchemas;
import org.bookcreator.core.agent.Prompts;
import org.bookcreator.core.llm.ErrorType;
import org.bookcreator.core.llm.LlmRequest;
import org.bookcreator.core.llm.LlmResult;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class SimulatedLlmClientTest {
  private final OutputSchemas schemas = new OutputSchemas();

  private static LlmRequest request(TaskKind kind, String key, String category) {
    ObjectNode in = Json.object();
    ObjectNode book = in.putObject("book");
    book.put("title", "The Test Book");
    book.put("category", category);
    book.put("brief", "A brief.");
    book.put("chapters", 6);
    ObjectNode ch = in.putObject("chapter");
    ch.put("number", 2);
    ch.put("title", "The Second Chapter");
    ch.put("summary", "Develops the middle of the book.");
    in.putArray("facts");
    in.put("iteration", 1);
    in.put("text", "Some draft text to edit. ".repeat(40));
    in.put("number", 2);
    in.put("title", "The Second Chapter");
    Map<String, String> hints = Prompts.hints(kind, in);
    String schema = kind.schema().map(new OutputSchemas()::text).orElse(null);
    return new LlmRequest(
        "default",
        kind,
        key,
        Prompts.build(kind, in, schema),
        Optional.ofNullable(schema),
        hints,
        Duration.ofSeconds(30));
  }

  private static final List<TaskKind> MODEL_KINDS =
      List.of(
          TaskKind.PLAN,
          TaskKind.OUTLINE,
          TaskKind.CRITIQUE_OUTLINE,
          TaskKind.REVISE_OUTLINE,
          TaskKind.RESEARCH,
          TaskKind.MAP_FACTS,
          TaskKind.DRAFT_CHAPTER,
          TaskKind.CRITIQUE_CHAPTER,
          TaskKind.REVISE_CHAPTER,
          TaskKind.EDIT_CHAPTER,
          TaskKind.FACT_CHECK);

  @Test
  void everyStructuredAnswer_isValidAgainstItsSchema_inEveryCategory() {
    SimulatedLlmClient client = new SimulatedLlmClient(SimulationConfig.instant(1));
    for (String category : List.of("fiction", "technical", "children", "history")) {
      for (TaskKind kind : MODEL_KINDS) {
        for (int i = 0; i < 20; i++) {
          LlmResult r = client.complete(request(kind, "k" + i, category));
          assertThat(r).isInstanceOf(LlmResult.Completed.class);
          String text = ((LlmResult.Completed) r).text();
          if (kind.schema().isPresent()) {
            assertThat(schemas.violation(kind.schema().get(), text))
                .as("%s %s: %s", category, kind, text)
                .isEmpty();
          } else {
            assertThat(text.split("\\s+").length).as("%s prose", kind).isGreaterThan(30);
          }
        }
      }
    }
  }

  @Test
  void outline_hasExactlyTheRequestedChapters() {
    var r =
        (LlmResult.Completed)
            new SimulatedLlmClient(SimulationConfig.instant(1))
                .complete(request(TaskKind.OUTLINE, "o", "fiction"));

    assertThat(Json.parse(r.text()).path("chapters")).hasSize(6);
  }

  @Test
  void sameSeedAndCall_giveTheSameAnswer_otherSeedsDiffer() {
    LlmRequest req = request(TaskKind.DRAFT_CHAPTER, "chapter-2/draft-1/a0/c0", "fiction");

    String a =
        ((LlmResult.Completed) new SimulatedLlmClient(SimulationConfig.instant(1)).complete(req))
            .text();
    String b =
        ((LlmResult.Completed) new SimulatedLlmClient(SimulationConfig.instant(1)).complete(req))
            .text();
    String c =
        ((LlmResult.Completed) new SimulatedLlmClient(SimulationConfig.instant(2)).complete(req))
            .text();

    assertThat(a).isEqualTo(b).isNotEqualTo(c);
  }

  @Test
  void chapterProse_readsLikeABook_notLoremIpsum() {
    var r =
        (LlmResult.Completed)
            new SimulatedLlmClient(SimulationConfig.instant(3))
                .complete(request(TaskKind.DRAFT_CHAPTER, "d", "fiction"));

    assertThat(r.text()).doesNotContainIgnoringCase("lorem").contains(".").contains("\n\n");
    long words = r.text().split("\\s+").length;
    assertThat(words).isBetween(400L, 800L);
    List<String> sentences = List.of(r.text().split("(?<=[.!?\"])\\s+"));
    assertThat(sentences.stream().distinct().count())
        .as("mostly distinct sentences")
        .isGreaterThan(sentences.size() * 6 / 10);
  }

  @Test
  void tokenUsage_followsTextLength() {
    var r =
        (LlmResult.Completed)
            new SimulatedLlmClient(SimulationConfig.instant(3))
                .complete(request(TaskKind.DRAFT_CHAPTER, "d", "fiction"));

    assertThat(r.usage().outputTokens()).isEqualTo(SimulatedLlmClient.tokens(r.text()));
    assertThat(r.usage().inputTokens()).isGreaterThan(50);
  }

  @Test
  void faults_occurAtTheirConfiguredRates() {
    SimulatedLlmClient client =
        new SimulatedLlmClient(SimulationConfig.instant(5).withFaults(0.1, 0.1, 0.1, 0.1, 0.1));
    Map<String, Integer> counts = new HashMap<>();
    int n = 4000;
    for (int i = 0; i < n; i++) {
      LlmRequest req = request(TaskKind.CRITIQUE_OUTLINE, "call-" + i, "fiction");
      String kind =
          switch (client.complete(req)) {
            case LlmResult.Retryable rt -> rt.type().id();
            case LlmResult.Fatal f -> "fatal";
            case LlmResult.Completed c ->
                schemas
                    .violation("critique", c.text())
                    .map(v -> v.startsWith("not valid JSON") ? "malformed" : "schema")
                    .orElse("ok");
          };
      counts.merge(kind, 1, Integer::sum);
    }

    for (String k : List.of("timeout", "rate_limited", "server_error", "malformed", "schema")) {
      assertThat(counts.getOrDefault(k, 0)).as(k).isBetween(n / 10 - 100, n / 10 + 100);
    }
    assertThat(counts.get("ok")).isBetween(n / 2 - 150, n / 2 + 150);
  }

  @Test
  void rateLimits_carryARetryAfter() {
    SimulatedLlmClient client =
        new SimulatedLlmClient(SimulationConfig.instant(5).withFaults(0, 1, 0, 0, 0));

    LlmResult r = client.complete(request(TaskKind.PLAN, "x", "fiction"));

    assertThat(r)
        .isInstanceOfSatisfying(
            LlmResult.Retryable.class,
            rt -> {
              assertThat(rt.type()).isEqualTo(ErrorType.RATE_LIMITED);
              assertThat(rt.retryAfter()).contains(Duration.ofMillis(200));
            });
  }

  @Test
  void latency_followsTheConfiguredMedian() {
    SimulatedLlmClient client =
        new SimulatedLlmClient(SimulationConfig.instant(5).withLatency(Duration.ofMillis(20), 0.3));
    long sum = 0;
    for (int i = 0; i < 30; i++)
      sum += client.complete(request(TaskKind.PLAN, "l" + i, "fiction")).latency().toMillis();

    assertThat(sum / 30).isBetween(12L, 35L);
  }
}
