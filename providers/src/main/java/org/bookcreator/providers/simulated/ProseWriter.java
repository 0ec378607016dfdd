package org.bookcreator.providers.simulated;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates chapter prose that reads like a book skeleton: paragraphs of real sentences built from
 * the chapter's title and summary and the category's vocabulary. Sentence patterns are dealt like
 * cards (no pattern twice before all were used) and their slots are filled afresh each time.
 * Deterministic for a given random.
 */
final class ProseWriter {
  private static final Pattern SLOT = Pattern.compile("\\{([a-z0-9]+)}");

  private ProseWriter() {}

  static String chapter(
      String category, String chapterTitle, String summary, int targetWords, SplittableRandom r) {
    Lexicon lx = Lexicon.forCategory(category);
    String hero = pick(lx.bank("name"), r);
    String friend;
    do {
      friend = pick(lx.bank("name"), r);
    } while (friend.equals(hero));
    String theme = pick(lx.bank("theme"), r);
    Deck middles = new Deck(lx.middles(), r);
    StringBuilder sb = new StringBuilder();
    if (!lx.narrative() && chapterTitle != null)
      sb.append("### ").append(chapterTitle).append(": the key ideas\n\n");
    int words = 0;
    boolean first = true;
    while (words < targetWords) {
      StringBuilder para = new StringBuilder();
      if (first) {
        para.append(fill(pick(lx.openings(), r), lx, hero, friend, theme, r));
        if (summary != null && !summary.isBlank())
          para.append(' ').append(summaryLine(summary, lx.narrative()));
        first = false;
      }
      int sentences = 3 + r.nextInt(3);
      for (int i = 0; i < sentences; i++) {
        if (para.length() > 0) para.append(' ');
        para.append(fill(middles.next(), lx, hero, friend, theme, r));
      }
      sb.append(para).append("\n\n");
      words += para.toString().split("\\s+").length;
    }
    sb.append(fill(pick(lx.closings(), r), lx, hero, friend, theme, r));
    return sb.toString().strip();
  }

  private static String fill(
      String pattern, Lexicon lx, String hero, String friend, String theme, SplittableRandom r) {
    Matcher m = SLOT.matcher(pattern);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value =
          switch (m.group(1)) {
            case "name" -> hero;
            case "friend" -> friend;
            case "theme" -> theme;
            case "theme2" -> pick(lx.bank("theme"), r);
            default -> pick(lx.bank(m.group(1)), r);
          };
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    String s = out.toString();
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static String summaryLine(String summary, boolean narrative) {
    String s =
        summary
            .strip()
            .replaceFirst(
                "^(Opens the book|Develops the middle of the book|Brings the book to its"
                    + " close):\\s*",
                "");
    if (!s.endsWith(".")) s = s + ".";
    s = Character.toUpperCase(s.charAt(0)) + s.substring(1);
    return narrative ? s : "In brief: " + s;
  }

  static <T> T pick(List<T> list, SplittableRandom r) {
    return list.get(r.nextInt(list.size()));
  }

  /** Hands out items in a shuffled order, reshuffling only when all were used. */
  private static final class Deck {
    private final List<String> items;
    private final SplittableRandom r;
    private final List<String> order = new ArrayList<>();

    Deck(List<String> items, SplittableRandom r) {
      this.items = items;
      this.r = r;
    }

    String next() {
      if (order.isEmpty()) {
        order.addAll(items);
        for (int i = order.size() - 1; i > 0; i--) Collections.swap(order, i, r.nextInt(i + 1));
      }
      return order.remove(order.size() - 1);
    }
  }
}
