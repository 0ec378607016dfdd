package org.bookcreator.core.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What changed between two texts, line by line: the lines only in the first are removed, the lines
 * only in the second are added, the longest common subsequence of lines is kept. Used to show what
 * a revision changed. The common head and tail are set aside first; should what is left still be
 * larger than {@link #MAX_CELLS} line pairs, the middle is reported as all removed then all added
 * rather than spending quadratic time and memory on it.
 */
public final class LineDiff {
  /** The most line pairs compared for a common subsequence (4 Mi, about 16 MiB of table). */
  public static final long MAX_CELLS = 4L * 1024 * 1024;

  /** How a line fares. */
  public enum Op {
    KEPT(' '),
    REMOVED('-'),
    ADDED('+');

    private final char mark;

    Op(char mark) {
      this.mark = mark;
    }

    public char mark() {
      return mark;
    }
  }

  /** One line of a diff. */
  public record Line(Op op, String text) {
    public Line {
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(text, "text");
    }
  }

  /** A diff: its lines in order, and how many were added and removed. */
  public record Result(List<Line> lines, int added, int removed) {
    public Result {
      lines = List.copyOf(lines);
    }

    public boolean unchanged() {
      return added == 0 && removed == 0;
    }

    /**
     * The diff as text, one line each marked {@code -}, {@code +} or a space; runs of kept lines
     * further than {@code context} lines from a change are shown as {@code @@ N unchanged
     * line(s) @@}.
     */
    public String text(int context) {
      if (context < 0) throw new IllegalArgumentException("context must be >= 0, was " + context);
      StringBuilder out = new StringBuilder();
      int n = lines.size();
      int i = 0;
      while (i < n) {
        if (lines.get(i).op() != Op.KEPT) {
          append(out, lines.get(i++));
          continue;
        }
        int end = i;
        while (end < n && lines.get(end).op() == Op.KEPT) end++;
        int head = i == 0 ? 0 : context;
        int tail = end == n ? 0 : context;
        if (end - i <= head + tail + 1) {
          for (int k = i; k < end; k++) append(out, lines.get(k));
        } else {
          for (int k = i; k < i + head; k++) append(out, lines.get(k));
          out.append("@@ ").append(end - i - head - tail).append(" unchanged line(s) @@\n");
          for (int k = end - tail; k < end; k++) append(out, lines.get(k));
        }
        i = end;
      }
      return out.toString();
    }

    private static void append(StringBuilder out, Line line) {
      out.append(line.op().mark()).append(' ').append(line.text()).append('\n');
    }
  }

  private LineDiff() {}

  /**
   * The diff from {@code before} to {@code after}; lines end at {@code \n} (a {@code \r} is cut).
   */
  public static Result of(String before, String after) {
    return of(lines(before), lines(after));
  }

  public static Result of(List<String> a, List<String> b) {
    int start = 0;
    while (start < a.size() && start < b.size() && a.get(start).equals(b.get(start))) start++;
    int endA = a.size();
    int endB = b.size();
    while (endA > start && endB > start && a.get(endA - 1).equals(b.get(endB - 1))) {
      endA--;
      endB--;
    }
    List<Line> out = new ArrayList<>();
    for (int i = 0; i < start; i++) out.add(new Line(Op.KEPT, a.get(i)));
    middle(a.subList(start, endA), b.subList(start, endB), out);
    for (int i = endA; i < a.size(); i++) out.add(new Line(Op.KEPT, a.get(i)));
    int added = 0;
    int removed = 0;
    for (Line l : out) {
      if (l.op() == Op.ADDED) added++;
      if (l.op() == Op.REMOVED) removed++;
    }
    return new Result(out, added, removed);
  }

  private static void middle(List<String> a, List<String> b, List<Line> out) {
    int n = a.size();
    int m = b.size();
    if ((long) n * m > MAX_CELLS) {
      for (String s : a) out.add(new Line(Op.REMOVED, s));
      for (String s : b) out.add(new Line(Op.ADDED, s));
      return;
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    int[][] lcs = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        lcs[i][j] =
            a.get(i).equals(b.get(j))
                ? lcs[i + 1][j + 1] + 1
                : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    int i = 0;
    int j = 0;
    while (i < n && j < m) {
      if (a.get(i).equals(b.get(j))) {
        out.add(new Line(Op.KEPT, a.get(i)));
        i++;
        j++;
      } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
        out.add(new Line(Op.REMOVED, a.get(i++)));
      } else {
        out.add(new Line(Op.ADDED, b.get(j++)));
      }
    }
    while (i < n) out.add(new Line(Op.REMOVED, a.get(i++)));
    while (j < m) out.add(new Line(Op.ADDED, b.get(j++)));
  }

  static List<String> lines(String text) {
    if (text.isEmpty()) return List.of();
    List<String> out = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      out.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
    }
    // A final newline ends the last line; it does not start an empty one.
    if (text.endsWith("\n")) out.remove(out.size() - 1);
    return out;
  }
}
