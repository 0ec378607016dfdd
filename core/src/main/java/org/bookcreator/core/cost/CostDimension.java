package org.bookcreator.core.cost;

import java.util.Arrays;
import java.util.Locale;

/** What a cost report can be grouped by. */
public enum CostDimension {
  PROJECT,
  RUN,
  STAGE,
  AGENT,
  PROVIDER,
  MODEL,
  CATEGORY,
  DAY;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static CostDimension parse(String s) {
    for (CostDimension d : values()) {
      if (d.id().equals(s.strip().toLowerCase(Locale.ROOT))) return d;
    }
    throw new IllegalArgumentException(
        "cannot group by '"
            + s
            + "' (one of: "
            + String.join(", ", Arrays.stream(values()).map(CostDimension::id).toList())
            + ")");
  }
}
