package org.bookcreator.providers.simulated;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bookcreator.core.agent.Prompts;
import org.bookcreator.core.llm.ErrorType;
import org.bookcreator.core.llm.LlmClient;
import org.bookcreator.core.llm.LlmRequest;
import org.bookcreator.core.llm.LlmResult;
import org.bookcreator.core.llm.Message;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A provider that needs nothing installed: it answers every role with output shaped like a real
 * model's (JSON for structured roles, prose for writers and editors) and fails the way real
 * providers fail, at configurable rates. Every answer is a pure function of the seed, the book and
 * the call key, so the same run replays identically whatever the thread scheduling.
 */
public final class SimulatedLlmClient implements LlmClient {
  public static final String PROVIDER = "simulated";
  public static final String DEFAULT_MODEL = "sim-standard";

  /** The {@code server.address} of simulated calls, which reach no server. */
  public static final String SERVER_ADDRESS = "simulated.local";

  private final SimulationConfig config;

  public SimulatedLlmClient(SimulationConfig config) {
    this.config = config;
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public String serverAddress() {
    return SERVER_ADDRESS;
  }

  @Override
  public LlmResult complete(LlmRequest request) {
    Map<String, String> h = request.hints();
    SplittableRandom r =
        new SplittableRandom(
            mix(config.seed(), h.getOrDefault("book_title", "") + "|" + request.callKey()));
    String model = request.model().equals("default") ? DEFAULT_MODEL : request.model();
    Duration latency = latency(r);
    double roll = r.nextDouble();
    double edge = config.timeoutRate();
    if (roll < edge) {
      Duration waited =
          latency.isZero()
              ? Duration.ZERO
              : request.timeout().compareTo(latency.multipliedBy(4)) < 0
                  ? request.timeout()
                  : latency.multipliedBy(4);
      sleep(waited);
      return new LlmResult.Retryable(
          ErrorType.TIMEOUT,
          "no response within " + request.timeout().toSeconds() + " s (simulated)",
          model,
          Optional.empty(),
          waited);
    }
    if (roll < (edge += config.rateLimitRate())) {
      return new LlmResult.Retryable(
          ErrorType.RATE_LIMITED,
          "429 Too Many Requests (simulated)",
          model,
          Optional.of(config.retryAfter()),
          Duration.ZERO);
    }
    if (roll < (edge += config.serverErrorRate())) {
      sleep(latency.dividedBy(4));
      return new LlmResult.Retryable(
          ErrorType.SERVER_ERROR,
          "503 Service Unavailable (simulated)",
          model,
          Optional.empty(),
          latency.dividedBy(4));
    }
    String text;
    if (roll < (edge += config.malformedRate())) {
      text = malformed(request.kind(), r);
    } else if (roll < (edge += config.schemaViolationRate())) {
      text = violating(request.kind(), r);
    } else {
      text = answer(request, r);
    }
    sleep(latency);
    long in = 0;
    for (Message m : request.messages()) in += tokens(m.content());
    return new LlmResult.Completed(text, model, Usage.of(in, tokens(text)), latency);
  }

  /** Roughly four characters per token, as with common English tokenisers. */
  static long tokens(String text) {
    return Math.max(1, (text.length() + 3) / 4);
  }

  private Duration latency(SplittableRandom r) {
    if (config.latencyMedian().isZero()) {
      r.nextDouble();
      return Duration.ZERO;
    }
    double gaussian =
        Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    double millis = config.latencyMedian().toMillis() * Math.exp(config.latencySigma() * gaussian);
    return Duration.ofMillis(Math.max(1, Math.min((long) millis, 120_000)));
  }

  private static void sleep(Duration d) {
    if (d.isZero() || d.isNegative()) return;
    try {
      TimeUnit.MILLISECONDS.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static long mix(long seed, String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b;
      h *= 0x100000001b3L;
    }
    long z = h ^ (seed * 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private String malformed(TaskKind kind, SplittableRandom r) {
    if (kind.schema().isEmpty()) return r.nextBoolean() ? "" : "I'm sorry, I can't help with that.";
    String good = Json.write(Json.object().put("partial", true));
    return r.nextBoolean()
        ? "Sure! Here is the JSON you asked for: {\"score\": 7, "
        : good.substring(0, good.length() - 2);
  }

  private static String violating(TaskKind kind, SplittableRandom r) {
    if (kind.schema().isEmpty()) return "Chapter text follows.";
    ObjectNode o = Json.object();
    switch (kind) {
      case CRITIQUE_OUTLINE, CRITIQUE_CHAPTER -> {
        o.put("score", 11 + r.nextInt(90));
        o.put("verdict", "maybe");
      }
      default -> o.put("unexpected", "field");
    }
    return Json.write(o);
  }

  private String answer(LlmRequest req, SplittableRandom r) {
    Map<String, String> h = req.hints();
    int chapters = Integer.parseInt(h.getOrDefault("chapters", "1"));
    String category = h.getOrDefault("category", "fiction");
    int iteration = Integer.parseInt(h.getOrDefault("iteration", "1"));
    Lexicon lx = Lexicon.forCategory(category);
    return switch (req.kind()) {
      case PLAN -> {
        ObjectNode o = Json.object();
        o.put(
            "premise",
            "A "
                + category
                + " book titled \""
                + h.get("book_title")
                + "\" that explores "
                + ProseWriter.pick(lx.bank("theme"), r)
                + " and "
                + ProseWriter.pick(lx.bank("theme"), r)
                + " across "
                + chapters
                + " chapters.");
        o.put(
            "tone",
            lx.narrative()
                ? "warm, atmospheric, quietly suspenseful"
                : "clear, practical, evidence-led");
        ArrayNode themes = o.putArray("themes");
        for (int i = 0; i < 3; i++) themes.add(ProseWriter.pick(lx.bank("theme"), r));
        o.put("chapter_count", chapters);
        o.put("words_per_chapter", config.wordsPerChapter());
        yield Json.write(o);
      }
      case OUTLINE, REVISE_OUTLINE -> {
        ObjectNode o = Json.object();
        o.put("title", h.get("book_title"));
        ArrayNode list = o.putArray("chapters");
        List<String> used = new ArrayList<>();
        for (int i = 1; i <= chapters; i++) {
          String title;
          int guard = 0;
          do {
            String subject =
                lx.narrative()
                    ? titleCase(ProseWriter.pick(lx.bank("place"), r).replaceFirst("^the ", ""))
                    : capitalise(ProseWriter.pick(lx.bank("theme"), r));
            title = String.format(ProseWriter.pick(lx.chapterPatterns(), r), subject);
          } while (used.contains(title) && ++guard < 10);
          used.add(title);
          ObjectNode c = list.addObject();
          c.put("number", i);
          c.put("title", title);
          c.put("summary", summary(lx, i, chapters, req.kind() == TaskKind.REVISE_OUTLINE, r));
        }
        yield Json.write(o);
      }
      case CRITIQUE_OUTLINE, CRITIQUE_CHAPTER -> {
        boolean outline = req.kind() == TaskKind.CRITIQUE_OUTLINE;
        double base = outline ? 6.6 : 7.2;
        double step = outline ? 1.1 : 0.9;
        double score = base + (iteration - 1) * step + (r.nextDouble() * 2.4 - 1.2);
        score = Math.max(0, Math.min(10, Math.round(score * 10) / 10.0));
        ObjectNode o = Json.object();
        o.put("score", score);
        o.put("verdict", score >= 8 ? "accept" : "revise");
        ArrayNode issues = o.putArray("issues");
        int n = score >= 8.5 ? 0 : 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) issues.add(issue(outline, h, r));
        yield Json.write(o);
      }
      case RESEARCH -> {
        ObjectNode o = Json.object();
        ArrayNode facts = o.putArray("facts");
        for (int i = 1; i <= factCount(chapters); i++) {
          ObjectNode f = facts.addObject();
          f.put("id", "F" + i);
          f.put("statement", fact(lx, r));
          f.put(
              "source",
              r.nextInt(3) == 0 ? "brief" : "reference notes, section " + (1 + r.nextInt(9)));
        }
        yield Json.write(o);
      }
      case MAP_FACTS -> {
        ObjectNode o = Json.object();
        ArrayNode list = o.putArray("chapters");
        int facts = factCount(chapters);
        for (int c = 1; c <= chapters; c++) {
          ObjectNode m = list.addObject();
          m.put("number", c);
          ArrayNode ids = m.putArray("fact_ids");
          for (int f = c; f <= facts; f += chapters) ids.add("F" + f);
        }
        yield Json.write(o);
      }
      case DRAFT_CHAPTER, REVISE_CHAPTER -> {
        int target = (int) (config.wordsPerChapter() * (0.8 + r.nextDouble() * 0.4));
        yield ProseWriter.chapter(
            category, h.get("chapter_title"), h.get("chapter_summary"), target, r);
      }
      case EDIT_CHAPTER -> edit(lastText(req), r);
      case FACT_CHECK -> {
        ObjectNode o = Json.object();
        o.put("checked", factCount(chapters));
        ArrayNode un = o.putArray("unsupported");
        int n = r.nextInt(10) < 7 ? 0 : 1 + r.nextInt(2);
        for (int i = 0; i < n; i++) {
          ObjectNode u = un.addObject();
          u.put("chapter", 1 + r.nextInt(chapters));
          u.put("claim", "A specific date or figure stated without a source");
          u.put("note", "Not found in the fact map; soften the claim or cite a reference.");
        }
        o.put("verdict", n == 0 ? "pass" : "flagged");
        yield Json.write(o);
      }
      case PARSE_DOCUMENTS, ASSEMBLE ->
          throw new IllegalArgumentException(req.kind() + " is not a model task");
    };
  }

  private static int factCount(int chapters) {
    return Math.min(3 * chapters, 60);
  }

  private static String summary(Lexicon lx, int i, int n, boolean revised, SplittableRandom r) {
    String position =
        i == 1
            ? "Opens the book"
            : i == n ? "Brings the book to its close" : "Develops the middle of the book";
    String body =
        lx.narrative()
            ? position
                + ": "
                + ProseWriter.pick(lx.bank("name"), r)
                + " finds "
                + ProseWriter.pick(lx.bank("object"), r)
                + " at "
                + ProseWriter.pick(lx.bank("place"), r)
                + " and must face a question of "
                + ProseWriter.pick(lx.bank("theme"), r)
                + "."
            : position
                + ": how "
                + ProseWriter.pick(lx.bank("theme"), r)
                + " shapes outcomes "
                + ProseWriter.pick(lx.bank("place"), r)
                + ", illustrated with "
                + ProseWriter.pick(lx.bank("object"), r)
                + ".";
    return revised
        ? body.replace(" must face ", " is forced to face ")
            .replace("shapes outcomes", "decides outcomes")
        : body;
  }

  private static String issue(boolean outline, Map<String, String> h, SplittableRandom r) {
    List<String> outlineIssues =
        List.of(
            "The middle chapters repeat the same beat; merge or sharpen them.",
            "The opening chapter does not establish the stakes quickly enough.",
            "The final chapter resolves too abruptly; seed its payoff earlier.",
            "Chapter titles are uneven in tone.");
    List<String> chapterIssues =
        List.of(
            "The opening paragraph is slow; start closer to the action.",
            "Several sentences repeat the same rhythm; vary them.",
            "The chapter summary's main point arrives too late.",
            "The ending needs a clearer hook into the next chapter.");
    String base = ProseWriter.pick(outline ? outlineIssues : chapterIssues, r);
    return h.containsKey("chapter") ? "Chapter " + h.get("chapter") + ": " + base : base;
  }

  private static String fact(Lexicon lx, SplittableRandom r) {
    return lx.narrative()
        ? "Setting detail: "
            + capitalise(ProseWriter.pick(lx.bank("place"), r))
            + " is where "
            + ProseWriter.pick(lx.bank("object"), r)
            + " is kept."
        : "Studies of "
            + ProseWriter.pick(lx.bank("theme"), r)
            + " report consistent gains when "
            + ProseWriter.pick(lx.bank("name"), r)
            + " use "
            + ProseWriter.pick(lx.bank("object"), r)
            + ".";
  }

  private static String lastText(LlmRequest req) {
    for (int i = req.messages().size() - 1; i >= 0; i--) {
      String c = req.messages().get(i).content();
      int s = c.indexOf(Prompts.TEXT_START);
      int e = c.lastIndexOf(Prompts.TEXT_END);
      if (s >= 0 && e > s) return c.substring(s + Prompts.TEXT_START.length(), e).strip();
    }
    return "";
  }

  private static String edit(String text, SplittableRandom r) {
    String edited = text.replace(" very ", " ").replace(" really ", " ");
    return edited.strip();
  }

  private static String titleCase(String s) {
    StringBuilder sb = new StringBuilder();
    for (String w : s.split(" ")) {
      if (sb.length() > 0) sb.append(' ');
      sb.append(capitalise(w));
    }
    return sb.toString();
  }

  private static String capitalise(String s) {
    return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
  }
}
