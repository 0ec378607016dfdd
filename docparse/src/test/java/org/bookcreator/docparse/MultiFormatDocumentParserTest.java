package org.bookcreator.docparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.bookcreator.core.docs.DocumentParser;
import org.bookcreator.core.docs.DocumentParser.DocumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultiFormatDocumentParserTest {
  @TempDir Path dir;
  private final MultiFormatDocumentParser parser = new MultiFormatDocumentParser(1024 * 1024, 3);

  private Path pdf(String name, String... pages) throws Exception {
    Path file = dir.resolve(name);
    try (PDDocument doc = new PDDocument()) {
      for (String text : pages) {
        PDPage page = new PDPage();
        doc.addPage(page);
        try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
          cs.beginText();
          cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
          cs.newLineAtOffset(72, 700);
          cs.showText(text);
          cs.endText();
        }
      }
      doc.save(file.toFile());
    }
    return file;
  }

  @Test
  void pdf_pagesBecomeSections() throws Exception {
    List<DocumentParser.Section> s =
        parser.parse(
            pdf(
                "history.pdf",
                "The first pier was built in 1820.",
                "The lighthouse was lit in 1851."));

    assertThat(s).extracting(DocumentParser.Section::heading).containsExactly("Page 1", "Page 2");
    assertThat(s.get(1).text()).contains("lighthouse was lit in 1851");
  }

  @Test
  void html_headingsSplit_scriptsAndStylesAreDropped() throws Exception {
    Path f =
        Files.writeString(
            dir.resolve("notes.html"),
            """
            <html><head><title>Harbour notes</title><style>p{color:red}</style></head><body>
            <script>alert('x')</script><p>Intro text.</p>
            <h2>The storm</h2><p>Half the fleet was lost.</p><ul><li>Boats rebuilt</li></ul>
            </body></html>\
            """);

    List<DocumentParser.Section> s = parser.parse(f);

    assertThat(s)
        .extracting(DocumentParser.Section::heading)
        .containsExactly("Harbour notes", "The storm");
    assertThat(s.get(1).text()).contains("Half the fleet was lost.").contains("Boats rebuilt");
    assertThat(s.toString()).doesNotContain("alert").doesNotContain("color:red");
  }

  @Test
  void markdownAndText_stillWork() throws Exception {
    Path md = Files.writeString(dir.resolve("a.md"), "# One\nfirst\n# Two\nsecond\n");

    assertThat(parser.parse(md))
        .extracting(DocumentParser.Section::heading)
        .containsExactly("One", "Two");
  }

  @Test
  void hostileAndBadFiles_getAClearError() throws Exception {
    Path corrupt = dir.resolve("corrupt.pdf");
    byte[] junk = new byte[4096];
    new Random(1).nextBytes(junk);
    Files.write(corrupt, concat("%PDF-1.7\n".getBytes(), junk));
    assertThatThrownBy(() -> parser.parse(corrupt))
        .isInstanceOf(DocumentException.class)
        .hasMessageContaining("PDF");

    Path renamed = Files.writeString(dir.resolve("notes.pdf"), "just text, not a PDF");
    assertThatThrownBy(() -> parser.parse(renamed))
        .hasMessageContaining("does not start with %PDF-");

    Path pdfAsText = Files.copy(pdf("x.pdf", "hello"), dir.resolve("x.txt"));
    assertThatThrownBy(() -> parser.parse(pdfAsText)).hasMessageContaining("is a PDF, not text");

    Path garbage = dir.resolve("garbage.md");
    Files.write(garbage, junk);
    assertThatThrownBy(() -> parser.parse(garbage)).hasMessageContaining("binary content");

    Path huge = dir.resolve("huge.txt");
    Files.write(huge, new byte[1024 * 1024 + 1]);
    assertThatThrownBy(() -> parser.parse(huge)).hasMessageContaining("over the limit");

    Path tooManyPages = pdf("long.pdf", "1", "2", "3", "4");
    assertThatThrownBy(() -> parser.parse(tooManyPages))
        .hasMessageContaining("4 pages, over the limit of 3");

    Path bomb = dir.resolve("bomb.docx");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(bomb))) {
      z.putNextEntry(new ZipEntry("word/document.xml"));
      z.write(new byte[512 * 1024]);
      z.closeEntry();
    }
    assertThatThrownBy(() -> parser.parse(bomb))
        .hasMessageContaining("unsupported document type '.docx'");

    assertThatThrownBy(() -> parser.parse(dir.resolve("missing.md")))
        .hasMessageContaining("file not found");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
