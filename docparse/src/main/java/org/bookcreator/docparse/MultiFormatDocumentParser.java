package org.bookcreator.docparse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.io.RandomAccessReadBufferedFile;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.bookcreator.core.docs.DocumentParser;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Reference documents in Markdown, plain text, HTML (jsoup) and PDF (PDFBox) into sections. The
 * content must match the extension (a PDF starts with {@code %PDF-}, text is UTF-8 without NUL
 * bytes); files over the size limit, PDFs over the page limit, encrypted or corrupt PDFs and
 * unsupported types are refused with a message that names the problem. Thread-safe.
 */
public final class MultiFormatDocumentParser implements DocumentParser {
  private final long maxBytes;
  private final int maxPdfPages;

  /**
   * @param maxBytes largest file read
   * @param maxPdfPages most pages read from one PDF
   */
  public MultiFormatDocumentParser(long maxBytes, int maxPdfPages) {
    this.maxBytes = maxBytes;
    this.maxPdfPages = maxPdfPages;
  }

  public static MultiFormatDocumentParser defaults() {
    return new MultiFormatDocumentParser(20L * 1024 * 1024, 500);
  }

  @Override
  public List<Section> parse(Path file) throws DocumentException {
    try {
      if (!Files.isRegularFile(file)) throw new DocumentException("file not found");
      long size = Files.size(file);
      if (size > maxBytes)
        throw new DocumentException("file is " + size + " bytes, over the limit of " + maxBytes);
      if (size == 0) throw new DocumentException("document is empty");
      byte[] head = new byte[8];
      int n;
      try (InputStream in = Files.newInputStream(file)) {
        n = in.readNBytes(head, 0, head.length);
      }
      boolean pdfMagic =
          n >= 5 && new String(head, 0, 5, StandardCharsets.ISO_8859_1).equals("%PDF-");
      String type = DocumentParser.typeOf(file);
      return switch (type) {
        case "pdf" -> {
          if (!pdfMagic)
            throw new DocumentException(
                "not a PDF: the content does not start with %PDF- (wrong extension?)");
          yield pdf(file);
        }
        case "html" -> {
          refuseBinary(file, pdfMagic);
          yield html(file);
        }
        case "md", "txt" -> {
          refuseBinary(file, pdfMagic);
          yield org.bookcreator.core.docs.TextSections.split(
              Files.readString(file, StandardCharsets.UTF_8),
              type.equals("md"),
              file.getFileName().toString());
        }
        default ->
            throw new DocumentException(
                "unsupported document type '"
                    + extension(file)
                    + "' (supported: .md, .markdown, .txt, .html, .htm, .pdf)");
      };
    } catch (java.nio.charset.MalformedInputException e) {
      throw new DocumentException("not UTF-8 text");
    } catch (IOException e) {
      throw new DocumentException("cannot read: " + e.getMessage());
    }
  }

  private static String extension(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot < 0 ? "(none)" : n.substring(dot);
  }

  private static void refuseBinary(Path file, boolean pdfMagic)
      throws IOException, DocumentException {
    if (pdfMagic) throw new DocumentException("the content is a PDF, not text (wrong extension?)");
    byte[] sample;
    try (InputStream in = Files.newInputStream(file)) {
      sample = in.readNBytes(64 * 1024);
    }
    for (byte b : sample)
      if (b == 0) throw new DocumentException("binary content (NUL bytes) in a text document");
  }

  private List<Section> html(Path file) throws IOException, DocumentException {
    Document doc = Jsoup.parse(file.toFile(), "UTF-8");
    doc.select("script, style, noscript, template, iframe").remove();
    List<Section> out = new ArrayList<>();
    String heading = doc.title().isBlank() ? file.getFileName().toString() : doc.title().strip();
    StringBuilder body = new StringBuilder();
    for (Element e : doc.body().select("h1, h2, h3, p, li, pre, blockquote, td")) {
      if (e.is("h1, h2, h3")) {
        if (!body.toString().isBlank()) out.add(new Section(heading, body.toString().strip()));
        heading = e.text().strip();
        body.setLength(0);
      } else if (e.parents().stream().noneMatch(p -> p.is("li, blockquote, td"))) {
        body.append(e.text().strip()).append('\n');
      }
    }
    if (!body.toString().isBlank()) out.add(new Section(heading, body.toString().strip()));
    if (out.isEmpty()) throw new DocumentException("no text found in the HTML");
    return out;
  }

  private List<Section> pdf(Path file) throws DocumentException {
    try (PDDocument doc =
        Loader.loadPDF(
            new RandomAccessReadBufferedFile(file.toFile()),
            "",
            null,
            null,
            MemoryUsageSetting.setupTempFileOnly().streamCache)) {
      if (doc.isEncrypted()) throw new DocumentException("the PDF is encrypted");
      int pages = doc.getNumberOfPages();
      if (pages > maxPdfPages)
        throw new DocumentException(
            "the PDF has " + pages + " pages, over the limit of " + maxPdfPages);
      PDFTextStripper stripper = new PDFTextStripper();
      List<Section> out = new ArrayList<>();
      for (int p = 1; p <= pages; p++) {
        stripper.setStartPage(p);
        stripper.setEndPage(p);
        String text = stripper.getText(doc).strip();
        if (!text.isEmpty()) out.add(new Section("Page " + p, text));
      }
      if (out.isEmpty())
        throw new DocumentException(
            "no text found in the PDF (scanned images need OCR, which is not supported)");
      return out;
    } catch (org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException e) {
      throw new DocumentException("the PDF is encrypted");
    } catch (IOException e) {
      throw new DocumentException("corrupt PDF: " + e.getMessage());
    }
  }
}
