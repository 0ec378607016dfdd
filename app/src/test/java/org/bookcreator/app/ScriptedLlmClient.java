package org.bookcreator.app;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.bookcreator.core.llm.LlmClient;
import org.bookcreator.core.llm.LlmRequest;
import org.bookcreator.core.llm.LlmResult;
import org.bookcreator.core.run.TaskKind;

/**
 * A provider for pipeline tests: answers like the real simulated provider, except for the kinds a
 * test scripts, where it plays back a chosen sequence (the last answer repeats). This stands in for
 * a real provider only to force exact failure sequences that no real provider produces on demand.
 */
final class ScriptedLlmClient implements LlmClient {
  private final LlmClient fallback;
  private final Map<TaskKind, List<Function<LlmRequest, LlmResult>>> scripts =
      new ConcurrentHashMap<>();
  private final Map<TaskKind, AtomicInteger> counters = new ConcurrentHashMap<>();
  final List<LlmRequest> requests = Collections.synchronizedList(new ArrayList<>());

  ScriptedLlmClient(LlmClient fallback) {
    this.fallback = fallback;
  }

  @SafeVarargs
  final ScriptedLlmClient on(TaskKind kind, Function<LlmRequest, LlmResult>... answers) {
    scripts.put(kind, List.of(answers));
    counters.put(kind, new AtomicInteger());
    return this;
  }

  int calls(TaskKind kind) {
    return (int) requests.stream().filter(r -> r.kind() == kind).count();
  }

  @Override
  public String provider() {
    return fallback.provider();
  }

  @Override
  public LlmResult complete(LlmRequest request) {
    requests.add(request);
    List<Function<LlmRequest, LlmResult>> script = scripts.get(request.kind());
    if (script == null) return fallback.complete(request);
    int i = counters.get(request.kind()).getAndIncrement();
    return script.get(Math.min(i, script.size() - 1)).apply(request);
  }
}
