package org.bookcreator.app;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bookcreator.core.support.VisibleText;

/** Small formatting helpers for terminal output. */
final class Text {
  private Text() {}

  static String money(BigDecimal usd) {
    String amount = usd.abs().setScale(4, RoundingMode.HALF_EVEN).toPlainString();
    return (usd.signum() < 0 ? "-$" : "$") + amount;
  }

  static String duration(Duration d) {
    long s = d.toSeconds();
    if (s < 60) return String.format("%.1fs", d.toMillis() / 1000.0);
    if (s < 3600) return String.format("%dm%02ds", s / 60, s % 60);
    return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
  }

  /**
   * Replaces control and invisible format characters (bidi overrides) with spaces, so that user
   * text can neither break a terminal line nor display as something else.
   */
  static String clean(String s) {
    return VisibleText.clean(s);
  }

  static String clip(String s, int max) {
    String c = clean(s);
    return c.length() <= max ? c : c.substring(0, Math.max(0, max - 1)) + "…";
  }

  /** A plain text table; numeric-looking columns are right-aligned. */
  static String table(List<String> header, List<List<String>> rows) {
    int n = header.size();
    int[] w = new int[n];
    boolean[] right = new boolean[n];
    for (int i = 0; i < n; i++) {
      w[i] = header.get(i).length();
      right[i] = !rows.isEmpty();
    }
    for (List<String> r : rows) {
      for (int i = 0; i < n; i++) {
        w[i] = Math.max(w[i], r.get(i).length());
        if (!r.get(i).matches("[$0-9.,%smh-]*")) right[i] = false;
      }
    }
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < all.size(); k++) {
      List<String> r = all.get(k);
      for (int i = 0; i < n; i++) {
        String cell = r.get(i);
        String pad = " ".repeat(w[i] - cell.length());
        sb.append(right[i] && k > 0 ? pad + cell : cell + pad);
        if (i < n - 1) sb.append("  ");
      }
      sb.append('\n');
      if (k == 0) {
        for (int i = 0; i < n; i++) {
          sb.append("-".repeat(w[i]));
          if (i < n - 1) sb.append("  ");
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }
}
