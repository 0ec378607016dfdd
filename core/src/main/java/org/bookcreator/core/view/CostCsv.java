package org.bookcreator.core.view;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.bookcreator.core.cost.CostDimension;
import org.bookcreator.core.cost.CostLine;
import org.bookcreator.core.support.VisibleText;

/**
 * A cost report's lines and total as CSV, exact amounts: what {@code cost report --format csv}
 * prints and {@code GET /api/costs.csv} answers, written here once so the two cannot differ.
 */
public final class CostCsv {
  private CostCsv() {}

  /** The columns: the grouping's dimensions, then the figures of a line. */
  public static List<String> header(List<CostDimension> dims) {
    List<String> h = new ArrayList<>(dims.stream().map(CostDimension::id).toList());
    h.addAll(
        List.of(
            "calls",
            "failed",
            "unpriced",
            "input_tokens",
            "output_tokens",
            "cache_read_tokens",
            "cache_write_tokens",
            "reasoning_tokens",
            "cost_usd",
            "wasted",
            "interrupted",
            "interrupted_est_usd"));
    return h;
  }

  /** The header, a row per line, and the total (its first key cell {@code TOTAL}). */
  public static String of(List<CostDimension> dims, List<CostLine> lines, CostLine total) {
    StringBuilder sb = new StringBuilder(String.join(",", header(dims))).append('\n');
    for (CostLine l : lines) sb.append(row(l, l.keys())).append('\n');
    List<String> totalKeys = new ArrayList<>();
    for (int i = 0; i < dims.size(); i++) totalKeys.add(i == 0 ? "TOTAL" : "");
    sb.append(row(total, totalKeys)).append('\n');
    return sb.toString();
  }

  private static String row(CostLine l, List<String> keys) {
    List<String> r = new ArrayList<>(keys.stream().map(CostCsv::cell).toList());
    r.addAll(figures(l, BigDecimal::toPlainString));
    return String.join(",", r);
  }

  /** A line's figures in the order of {@link #header}, amounts written by {@code money}. */
  public static List<String> figures(CostLine l, Function<BigDecimal, String> money) {
    return List.of(
        Long.toString(l.calls()),
        Long.toString(l.failedCalls()),
        Long.toString(l.unpricedCalls()),
        Long.toString(l.inputTokens()),
        Long.toString(l.outputTokens()),
        Long.toString(l.cacheReadTokens()),
        Long.toString(l.cacheWriteTokens()),
        Long.toString(l.reasoningTokens()),
        money.apply(l.costUsd()),
        Long.toString(l.wastedCalls()),
        Long.toString(l.interruptedCalls()),
        money.apply(l.interruptedEstimatedCostUsd()));
  }

  /**
   * A CSV cell: control and invisible characters shown as spaces, never a spreadsheet formula (a
   * leading {@code = + - @} gets a {@code '}), quoted when it holds a comma or a quote.
   */
  public static String cell(String s) {
    String c = VisibleText.clean(s);
    if (!c.isEmpty() && "=+-@".indexOf(c.charAt(0)) >= 0) c = "'" + c;
    return c.contains(",") || c.contains("\"") ? "\"" + c.replace("\"", "\"\"") + "\"" : c;
  }
}
