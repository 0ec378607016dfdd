package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.ops.RunService;
import org.bookcreator.core.project.Brief;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.telemetry.Redactor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider that echoes secrets back, in its answers, in the error bodies of every status code and
 * in response headers, gets them stored nowhere: not in the ledger's responses, the events, the
 * manuscript, the logs or the spans. The provider is {@link OpenAiWireServer}, a local server
 * speaking OpenAI's wire format (OpenAI itself cannot be reached from a test).
 */
class ProviderEchoSecretsTest {
  /** The key configured for the provider: masked because it is configured. */
  private static final String KEY = "echo-canary-KEY-0123456789abcdef";

  /** Someone else's key, never configured: masked because of its shape. */
  private static final String FOREIGN = "sk-proj-foreignCANARY0123456789abcdefXYZ";

  private static final List<Integer> STATUSES =
      List.of(200, 400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504);

  @TempDir Path dir;

  @Test
  void keysEchoedByTheProvider_inEveryStatusAndHeader_areNowhereOnDisk() throws Exception {
    try (OpenAiWireServer server =
        OpenAiWireServer.start(
            Optional.empty(),
            Duration.ZERO,
            (n, exchange) -> {
              if (n > STATUSES.size()) return false;
              int status = STATUSES.get(n - 1);
              String echo = "you sent " + KEY + " and " + FOREIGN;
              String body =
                  status == 200
                      ? "{\"id\":\"chatcmpl-echo\",\"object\":\"chat.completion\",\"model\":"
                          + "\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                          + "\"assistant\",\"content\":\""
                          + echo
                          + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":10,"
                          + "\"completion_tokens\":5,\"total_tokens\":15}}"
                      : "{\"error\":{\"message\":\"" + echo + "\",\"type\":\"echo\"}}";
              exchange.getResponseHeaders().set("Content-Type", "application/json");
              exchange.getResponseHeaders().set("X-Echo", KEY);
              exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer " + FOREIGN);
              if (status == 429) exchange.getResponseHeaders().set("Retry-After", "0");
              byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
              exchange.sendResponseHeaders(status, bytes.length);
              exchange.getResponseBody().write(bytes);
              return true;
            })) {
      Path data = dir.resolve("data");
      Map<Setting<?>, String> flags = new HashMap<>();
      flags.put(Setting.DATA_DIR, data.toString());
      flags.put(Setting.PROVIDER, "openai");
      flags.put(Setting.WORKER_PORT, "-1");
      flags.put(Setting.BACKOFF_BASE, "1ms");
      flags.put(Setting.BACKOFF_MAX, "5ms");
      Settings settings =
          Settings.load(
              null, Map.of("OPENAI_BASE_URL", server.baseUrl(), "OPENAI_API_KEY", KEY), flags);
      Brief brief =
          new Brief(
              "Lights Over HTTP",
              "non-fiction",
              Optional.empty(),
              "A short history of lighthouses.",
              1,
              Optional.empty(),
              List.of());
      List<LedgerEntry> ledger;
      try (Engine engine =
          Engine.open(settings, Observability.Mode.FOREGROUND, Engine.Use.PIPELINE)) {
        engine.pipeline().start(true);
        Project project = engine.runs.createProject(brief, "test");
        Run run = engine.runs.start(project.id(), "test");
        // Fatal answers (401, 403, ...) fail the run: restart it until the server has sent every
        // status, then let it complete.
        for (int round = 0; ; round++) {
          Run ended = engine.pipeline().completion(run.id()).get(60, TimeUnit.SECONDS);
          if (ended.state() == RunState.COMPLETED) break;
          assertThat(round).as("run keeps failing: " + ended.reason()).isLessThan(20);
          engine.runs.restart(RunService.RestartRequest.of(run.id(), "next status"));
        }
        assertThat(server.received()).isGreaterThan(STATUSES.size());
        ledger = engine.store.calls(run.id());
      }

      assertThat(ledger)
          .as("the echoing answers were recorded, masked")
          .filteredOn(e -> e.outcome().equals(LedgerEntry.ERROR))
          .hasSizeGreaterThanOrEqualTo(STATUSES.size() - 1);
      try (Engine reader = Engine.require(settings)) {
        assertThat(
                ledger.stream()
                    .map(e -> reader.store.call(e.callId()).orElseThrow().response().orElse(""))
                    .filter(r -> r.contains(Redactor.MASK)))
            .hasSizeGreaterThanOrEqualTo(STATUSES.size());
      }
      List<Path> leaks;
      try (Stream<Path> files = Files.walk(dir)) {
        leaks =
            files
                .filter(Files::isRegularFile)
                .filter(f -> holds(f, KEY) || holds(f, FOREIGN))
                .toList();
      }
      assertThat(leaks)
          .as("files holding a planted key; log lines: %s", leakedLines(data))
          .isEmpty();
    }
  }

  private static List<String> leakedLines(Path data) throws java.io.IOException {
    Path log = data.resolve("logs/book-creator.log");
    if (!Files.exists(log)) return List.of();
    return Files.readAllLines(log).stream()
        .filter(l -> l.contains(KEY) || l.contains(FOREIGN))
        .toList();
  }

  private static boolean holds(Path file, String secret) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(secret);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
