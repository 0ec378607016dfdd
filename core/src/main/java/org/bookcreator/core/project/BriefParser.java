package org.bookcreator.core.project;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.bookcreator.core.support.Numbers;
import org.bookcreator.core.support.VisibleText;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a brief from YAML or JSON and validates it, reporting every problem at once. Unknown fields
 * are an error that names them; relative reference paths resolve against the brief's own folder.
 */
public final class BriefParser {
  /** Briefs are small; anything larger is almost certainly the wrong file. */
  public static final long MAX_BYTES = 1024 * 1024;

  public static final int MAX_BRIEF_TEXT = 50_000;
  public static final int MAX_REFERENCES = 200;

  private static final Set<String> FIELDS =
      Set.of(
          "title",
          "category",
          "audience",
          "brief",
          "chapters",
          "budget_usd",
          "pause_at_budget",
          "references");

  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          // parse() reads document by document and names a second one itself.
          .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          // parse() reads document by document and names a second one itself.
          .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private final Categories categories;

  public BriefParser(Categories categories) {
    this.categories = categories;
  }

  /** Reads and validates the brief file at {@code file}. */
  public Brief parse(Path file) {
    String source = file.toString();
    if (!Files.isRegularFile(file)) {
      throw new BriefException(source, List.of("file not found or not a regular file"));
    }
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new BriefException(
            source,
            List.of("file is " + Files.size(file) + " bytes; a brief is at most " + MAX_BYTES));
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new BriefException(source, List.of("cannot read file: " + e.getMessage()));
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new BriefException(source, List.of("file is not UTF-8 text"));
    }
    boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
    Path folder = file.toAbsolutePath().getParent();
    return parse(text, json, folder, source);
  }

  /** Validates brief text; {@code folder} resolves relative reference paths. */
  public Brief parse(String text, boolean json, Path folder, String source) {
    ObjectMapper mapper = json ? JSON : YAML;
    List<JsonNode> documents = new ArrayList<>();
    try (JsonParser p = mapper.createParser(text)) {
      while (p.nextToken() != null) documents.add(mapper.readTree(p));
    } catch (JacksonException e) {
      throw new BriefException(
          source,
          List.of((json ? "malformed JSON: " : "malformed YAML: ") + e.getOriginalMessage()));
    }
    // An empty document (a lone "---" at the end, say) holds nothing that could be lost.
    documents.removeIf(d -> d == null || d.isMissingNode() || d.isNull());
    if (documents.isEmpty()) throw new BriefException(source, List.of("the brief is empty"));
    if (documents.size() > 1) {
      throw new BriefException(
          source,
          List.of(
              json
                  ? "the brief holds " + documents.size() + " JSON values; a brief is one object"
                  : "the brief holds "
                      + documents.size()
                      + " YAML documents; a brief is one document (a line '---' starts another)"));
    }
    JsonNode root = documents.get(0);
    if (!root.isObject()) {
      throw new BriefException(
          source, List.of("the brief must be a mapping of fields, not " + kind(root)));
    }
    List<String> problems = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (Iterator<String> it = root.propertyNames().iterator(); it.hasNext(); ) {
      String name = it.next();
      if (!FIELDS.contains(name)) unknown.add(name);
    }
    if (!unknown.isEmpty()) {
      problems.add(
          "unknown field"
              + (unknown.size() > 1 ? "s " : " ")
              + quoteAll(unknown)
              + " (known fields: title, category, audience, brief, chapters, budget_usd,"
              + " pause_at_budget, references)");
    }

    String title = requiredString(root, "title", problems);
    if (title != null) {
      title = title.strip();
      if (title.isEmpty()) problems.add("title: must not be blank");
      else if (title.codePointCount(0, title.length()) > Brief.MAX_TITLE)
        problems.add(
            "title: at most 200 characters, got " + title.codePointCount(0, title.length()));
      else invisible("title", title).ifPresent(problems::add);
    }

    String category = requiredString(root, "category", problems);
    if (category != null) {
      category = category.strip().toLowerCase(Locale.ROOT);
      Optional<String> invisible = invisible("category", category);
      if (invisible.isPresent()) problems.add(invisible.get());
      else if (!categories.contains(category)) {
        problems.add(
            "category: unknown category '"
                + printable(category)
                + "' (one of: "
                + String.join(", ", categories.sorted())
                + ")");
      }
    }

    Optional<String> audience = Optional.empty();
    if (root.has("audience") && !root.get("audience").isNull()) {
      if (!root.get("audience").isString())
        problems.add("audience: must be text, got " + kind(root.get("audience")));
      else {
        String a = root.get("audience").asString().strip();
        Optional<String> invisible = invisible("audience", a);
        if (a.length() > 500) problems.add("audience: at most 500 characters");
        else if (invisible.isPresent()) problems.add(invisible.get());
        else if (!a.isEmpty()) audience = Optional.of(a);
      }
    }

    String body = requiredString(root, "brief", problems);
    if (body != null) {
      if (body.isBlank()) problems.add("brief: must describe the book, got blank text");
      else if (body.length() > MAX_BRIEF_TEXT)
        problems.add("brief: at most " + MAX_BRIEF_TEXT + " characters, got " + body.length());
    }

    int chapters = 0;
    JsonNode ch = root.get("chapters");
    if (ch == null || ch.isNull()) problems.add("chapters: required (a whole number 1..100)");
    else if (!ch.isIntegralNumber() || !ch.canConvertToInt())
      problems.add("chapters: must be a whole number 1..100, got " + printable(ch.toString()));
    else {
      chapters = ch.intValue();
      if (chapters < Brief.MIN_CHAPTERS || chapters > Brief.MAX_CHAPTERS)
        problems.add("chapters: must be 1..100, got " + chapters);
    }

    Optional<BigDecimal> budget = Optional.empty();
    JsonNode b = root.get("budget_usd");
    if (b != null && !b.isNull()) {
      if (!b.isNumber())
        problems.add("budget_usd: must be a number of US dollars, got " + printable(b.toString()));
      // NaN and the infinities arrive as doubles; other decimals, however large, as BigDecimal.
      else if ((b.isDouble() || b.isFloat()) && !Double.isFinite(b.doubleValue()))
        problems.add(
            "budget_usd: must be a finite number of US dollars, got " + printable(b.toString()));
      else {
        try {
          budget = Optional.of(Numbers.budgetUsd(b.decimalValue(), b.toString()));
        } catch (IllegalArgumentException e) {
          problems.add("budget_usd: " + e.getMessage());
        }
      }
    }

    boolean pause = true;
    JsonNode pa = root.get("pause_at_budget");
    if (pa != null && !pa.isNull()) {
      if (!pa.isBoolean())
        problems.add("pause_at_budget: must be true or false, got " + printable(pa.toString()));
      else pause = pa.booleanValue();
    }

    List<Path> references = new ArrayList<>();
    JsonNode refs = root.get("references");
    if (refs != null && !refs.isNull()) {
      if (!refs.isArray()) problems.add("references: must be a list of file paths");
      else if (refs.size() > MAX_REFERENCES)
        problems.add("references: at most " + MAX_REFERENCES + " files, got " + refs.size());
      else {
        for (int i = 0; i < refs.size(); i++) {
          JsonNode r = refs.get(i);
          if (!r.isString()
              || r.asString().isBlank()
              || VisibleText.firstInvisible(r.asString()).isPresent()) {
            problems.add("references[" + i + "]: must be a file path");
            continue;
          }
          try {
            Path p = Path.of(r.asString());
            Path resolved = (p.isAbsolute() || folder == null ? p : folder.resolve(p)).normalize();
            Optional<String> problem = reference(resolved, folder);
            if (problem.isPresent()) problems.add("references[" + i + "]: " + problem.get());
            else references.add(resolved);
          } catch (InvalidPathException e) {
            problems.add("references[" + i + "]: invalid path: " + e.getReason());
          }
        }
      }
    }

    if (!problems.isEmpty()) throw new BriefException(source, problems);
    return new Brief(title, category, audience, body.strip(), chapters, budget, references, pause);
  }

  private static String requiredString(JsonNode root, String field, List<String> problems) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      problems.add(field + ": required");
      return null;
    }
    if (!n.isString()) {
      problems.add(field + ": must be text, got " + kind(n));
      return null;
    }
    return n.asString();
  }

  /**
   * What is wrong with a reference, if anything. With the brief's folder known, a reference must
   * stay inside it once every link is followed: a brief cannot make the tool read (and send to a
   * provider) {@code /etc/passwd} through an absolute path, {@code ../} or a symbolic link.
   */
  private static Optional<String> reference(Path resolved, Path folder) {
    if (!Files.exists(resolved)) return Optional.of("file not found: " + resolved);
    Path real;
    try {
      real = resolved.toRealPath();
      if (folder != null && !real.startsWith(folder.toRealPath())) {
        return Optional.of(
            resolved
                + " is outside the brief's folder "
                + folder.toAbsolutePath().normalize()
                + (real.equals(resolved.toAbsolutePath()) ? "" : " (it leads to " + real + ")")
                + "; copy the file into that folder");
      }
    } catch (IOException e) {
      return Optional.of("cannot resolve " + resolved + ": " + e.getMessage());
    }
    if (Files.isDirectory(real)) return Optional.of(resolved + " is a directory, not a file");
    if (!Files.isRegularFile(real))
      return Optional.of(resolved + " is not a regular file (a device, FIFO or socket)");
    if (!Files.isReadable(real)) return Optional.of("file not readable: " + resolved);
    return Optional.empty();
  }

  private static String kind(JsonNode n) {
    if (n.isObject()) return "a mapping";
    if (n.isArray()) return "a list";
    if (n.isNumber()) return "a number";
    if (n.isBoolean()) return "true/false";
    if (n.isString()) return "text";
    return n.getNodeType().toString().toLowerCase(Locale.ROOT);
  }

  /**
   * The problem of a one-line field holding an invisible character (a line break, a bidi override
   * that makes it display differently from what it is), naming the character.
   */
  private static Optional<String> invisible(String field, String value) {
    return VisibleText.firstInvisible(value).stream()
        .mapToObj(
            c ->
                field
                    + ": must be one line of visible text; it holds "
                    + VisibleText.describe(c)
                    + ", which does not show (remove it)")
        .findFirst();
  }

  /** Escapes invisible characters so that an error message stays one readable line. */
  static String printable(String s) {
    return VisibleText.escape(s, 80);
  }

  private static String quoteAll(List<String> names) {
    return String.join(", ", names.stream().map(n -> "'" + printable(n) + "'").toList());
  }
}
