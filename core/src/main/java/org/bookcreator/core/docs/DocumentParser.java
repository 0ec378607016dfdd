package org.bookcreator.core.docs;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The port to document parsing: one reference document into sections with their headings. An
 * unusable document (unsupported type, too large, corrupt, not what its extension says) is a {@link
 * DocumentException} whose message names the problem; it never stops a run. Implementations must be
 * thread-safe.
 */
public interface DocumentParser {
  List<Section> parse(Path file) throws DocumentException;

  /** One section: a heading (or page label) and its text. */
  record Section(String heading, String text) {
    public Section {
      Objects.requireNonNull(heading, "heading");
      Objects.requireNonNull(text, "text");
    }
  }

  /** The document's type as a bounded label: md, txt, html, pdf, or other. */
  static String typeOf(Path file) {
    String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    if (n.endsWith(".md") || n.endsWith(".markdown")) return "md";
    if (n.endsWith(".txt")) return "txt";
    if (n.endsWith(".html") || n.endsWith(".htm")) return "html";
    if (n.endsWith(".pdf")) return "pdf";
    return "other";
  }

  /** A document that cannot be used, with the reason. */
  final class DocumentException extends Exception {
    public DocumentException(String message) {
      super(message);
    }
  }
}
