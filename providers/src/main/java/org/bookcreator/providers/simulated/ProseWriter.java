package org.bookcreator.providers.simulated;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates chapter prose that reads like a book skeleton: paragraphs of real sentences built from
 * the chapter's title, summary and the category's vocabulary. Deterministic for a given random.
 */
final class ProseWriter {
  private ProseWriter() {}

  static String chapter(String category, String chapterTitle, String summary, int targetWords, SplittableRandom r) {
    Lexicon lx = Lexicon.forCategory(category);
    String hero = pick(lx.names(), r);
    String friend = pick(lx.names(), r);
    if (friend.equals(hero)) friend = lx.names().get((lx.names().indexOf(hero) + 1) % lx.names().size());
    String place = pick(lx.places(), r);
    String object = pick(lx.objects(), r);
    String theme = pick(lx.themes(), r);
    Object[] slots = {hero, place, object, theme, friend};
    StringBuilder sb = new StringBuilder();
    int words = 0;
    boolean first = true;
    while (words < targetWords) {
      StringBuilder para = new StringBuilder();
      if (first) {
        para.append(String.format(pick(lx.openings(), r), slots));
        if (summary != null && !summary.isBlank()) para.append(' ').append(summaryLine(summary, lx.narrative()));
        first = false;
      }
      int sentences = 3 + r.nextInt(4);
      for (int i = 0; i < sentences; i++) {
        if (para.length() > 0) para.append(' ');
        para.append(String.format(pick(lx.middles(), r), slots));
      }
      sb.append(para).append("\n\n");
      words += para.toString().split("\\s+").length;
    }
    sb.append(String.format(pick(lx.closings(), r), slots));
    if (!lx.narrative() && chapterTitle != null) {
      sb.insert(0, "### " + chapterTitle.replaceAll("^[^:]*:\\s*", "") + ": the key ideas\n\n");
    }
    return sb.toString().strip();
  }

  private static String summaryLine(String summary, boolean narrative) {
    String s = summary.strip();
    if (!s.endsWith(".")) s = s + ".";
    return narrative ? "It was the night when " + lowerFirst(s) : "In brief: " + s;
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  static <T> T pick(List<T> list, SplittableRandom r) {
    return list.get(r.nextInt(list.size()));
  }
}
