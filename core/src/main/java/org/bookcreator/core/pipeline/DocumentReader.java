package org.bookcreator.core.pipeline;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bookcreator.core.docs.DocumentParser;
import org.bookcreator.core.support.Json;
import org.bookcreator.telemetry.BookMetrics;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns the reference documents of a project into sections with source references ({@code
 * file#section-N}) through a {@link DocumentParser}, recording per-document metrics. A document
 * that cannot be used is reported and skipped, so one bad file never stops a run.
 */
final class DocumentReader {
  static final int MAX_SECTION_CHARS = 4000;

  record Result(ObjectNode json, List<String> errors) {}

  private final DocumentParser parser;
  private final BookMetrics metrics;

  DocumentReader(DocumentParser parser, BookMetrics metrics) {
    this.parser = parser;
    this.metrics = metrics;
  }

  Result read(List<String> paths) {
    ObjectNode root = Json.object();
    ArrayNode docs = root.putArray("documents");
    List<String> errors = new ArrayList<>();
    for (String p : paths) {
      Path file = Path.of(p);
      String type = DocumentParser.typeOf(file);
      long bytes = 0;
      try {
        bytes = Files.isRegularFile(file) ? Files.size(file) : 0;
      } catch (IOException ignored) {
        // the parser reports the problem
      }
      ObjectNode d = docs.addObject();
      d.put("path", p);
      long start = System.nanoTime();
      try {
        List<DocumentParser.Section> sections = parser.parse(file);
        d.put("status", "parsed");
        ArrayNode arr = d.putArray("sections");
        int i = 0;
        for (DocumentParser.Section s : sections) {
          i++;
          ObjectNode o = arr.addObject();
          o.put("id", file.getFileName() + "#section-" + i);
          o.put("heading", s.heading());
          o.put(
              "text",
              s.text().length() > MAX_SECTION_CHARS
                  ? s.text().substring(0, MAX_SECTION_CHARS)
                  : s.text());
          o.put("source", file.getFileName() + "#section-" + i);
        }
        metrics.documentParsed(type, "parsed", (System.nanoTime() - start) / 1e9, bytes);
      } catch (DocumentParser.DocumentException | RuntimeException e) {
        d.put("status", "error");
        String message =
            e instanceof DocumentParser.DocumentException ? e.getMessage() : "parser failed: " + e;
        d.put("error", message);
        errors.add(p + ": " + message);
        metrics.documentParsed(type, "error", (System.nanoTime() - start) / 1e9, bytes);
      }
    }
    return new Result(root, errors);
  }

  /** The built-in parser: Markdown and plain text only (the docparse module adds HTML and PDF). */
  static final class TextOnly implements DocumentParser {
    static final long MAX_BYTES = 10L * 1024 * 1024;

    @Override
    public List<Section> parse(Path file) throws DocumentException {
      String type = DocumentParser.typeOf(file);
      if (!type.equals("md") && !type.equals("txt")) {
        throw new DocumentException(
            "unsupported document type (supported here: .md, .markdown, .txt)");
      }
      return sections(file, type.equals("md"), MAX_BYTES);
    }

    static List<Section> sections(Path file, boolean markdown, long maxBytes)
        throws DocumentException {
      try {
        if (!Files.isRegularFile(file)) throw new DocumentException("file not found");
        long size = Files.size(file);
        if (size > maxBytes)
          throw new DocumentException("file is " + size + " bytes, over the limit of " + maxBytes);
        byte[] bytes = Files.readAllBytes(file);
        for (byte b : bytes)
          if (b == 0) throw new DocumentException("binary content (NUL bytes) in a text document");
        String text;
        try {
          text =
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .decode(ByteBuffer.wrap(bytes))
                  .toString();
        } catch (CharacterCodingException e) {
          throw new DocumentException("not UTF-8 text");
        }
        return org.bookcreator.core.docs.TextSections.split(
            text, markdown, file.getFileName().toString());
      } catch (IOException e) {
        throw new DocumentException("cannot read: " + e.getMessage());
      }
    }
  }
}
