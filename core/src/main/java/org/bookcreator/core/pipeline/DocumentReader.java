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
import java.util.Locale;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Splits reference documents into sections with source references ({@code file#section-N}). This
 * first version reads Markdown and plain text; other types and unreadable files are reported per
 * document and skipped, so one bad file never stops a run.
 */
final class DocumentReader {
  static final long MAX_BYTES = 10L * 1024 * 1024;
  static final int MAX_SECTION_CHARS = 4000;

  record Result(ObjectNode json, List<String> errors) {}

  Result read(List<String> paths) {
    ObjectNode root = Json.object();
    ArrayNode docs = root.putArray("documents");
    List<String> errors = new ArrayList<>();
    for (String p : paths) {
      ObjectNode d = docs.addObject();
      d.put("path", p);
      try {
        List<String[]> sections = sections(Path.of(p));
        d.put("status", "parsed");
        ArrayNode arr = d.putArray("sections");
        int i = 0;
        for (String[] s : sections) {
          i++;
          ObjectNode o = arr.addObject();
          o.put("id", Path.of(p).getFileName() + "#section-" + i);
          o.put("heading", s[0]);
          o.put("text", s[1].length() > MAX_SECTION_CHARS ? s[1].substring(0, MAX_SECTION_CHARS) : s[1]);
          o.put("source", Path.of(p).getFileName() + "#section-" + i);
        }
      } catch (DocumentException | IOException e) {
        d.put("status", "error");
        d.put("error", e.getMessage());
        errors.add(p + ": " + e.getMessage());
      }
    }
    return new Result(root, errors);
  }

  private static List<String[]> sections(Path file) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean markdown = name.endsWith(".md") || name.endsWith(".markdown");
    if (!markdown && !name.endsWith(".txt")) {
      int dot = name.lastIndexOf('.');
      throw new DocumentException(
          "unsupported document type '" + (dot < 0 ? "(none)" : name.substring(dot)) + "' (supported: .md, .markdown, .txt)");
    }
    if (!Files.isRegularFile(file)) throw new DocumentException("file not found");
    long size = Files.size(file);
    if (size > MAX_BYTES) throw new DocumentException("file is " + size + " bytes, over the limit of " + MAX_BYTES);
    byte[] bytes = Files.readAllBytes(file);
    for (byte b : bytes) if (b == 0) throw new DocumentException("binary content (NUL bytes) in a text document");
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new DocumentException("not UTF-8 text");
    }
    List<String[]> out = new ArrayList<>();
    String heading = file.getFileName().toString();
    StringBuilder body = new StringBuilder();
    for (String line : text.split("\\R")) {
      if (markdown && line.startsWith("#")) {
        if (!body.toString().isBlank()) out.add(new String[] {heading, body.toString().strip()});
        heading = line.replaceFirst("^#+\\s*", "").strip();
        body.setLength(0);
      } else if (!markdown && line.isBlank() && body.length() > 1500) {
        out.add(new String[] {heading, body.toString().strip()});
        body.setLength(0);
      } else {
        body.append(line).append('\n');
      }
    }
    if (!body.toString().isBlank()) out.add(new String[] {heading, body.toString().strip()});
    if (out.isEmpty()) throw new DocumentException("document is empty");
    return out;
  }

  static final class DocumentException extends RuntimeException {
    DocumentException(String message) {
      super(message);
    }
  }
}
