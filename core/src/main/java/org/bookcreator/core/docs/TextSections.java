package org.bookcreator.core.docs;

import java.util.ArrayList;
import java.util.List;

/** Splits Markdown at its headings, and plain text into blocks of about 1,500 characters. */
public final class TextSections {
  private TextSections() {}

  public static List<DocumentParser.Section> split(
      String text, boolean markdown, String firstHeading) throws DocumentParser.DocumentException {
    List<DocumentParser.Section> out = new ArrayList<>();
    String heading = firstHeading;
    StringBuilder body = new StringBuilder();
    for (String line : text.split("\\R")) {
      if (markdown && line.startsWith("#")) {
        if (!body.toString().isBlank())
          out.add(new DocumentParser.Section(heading, body.toString().strip()));
        heading = line.replaceFirst("^#+\\s*", "").strip();
        body.setLength(0);
      } else if (!markdown && line.isBlank() && body.length() > 1500) {
        out.add(new DocumentParser.Section(heading, body.toString().strip()));
        body.setLength(0);
      } else {
        body.append(line).append('\n');
      }
    }
    if (!body.toString().isBlank())
      out.add(new DocumentParser.Section(heading, body.toString().strip()));
    if (out.isEmpty()) throw new DocumentParser.DocumentException("document is empty");
    return out;
  }
}
