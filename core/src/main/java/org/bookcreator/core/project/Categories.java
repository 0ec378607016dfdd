package org.bookcreator.core.project;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The book categories a brief may name. The built-in list is documented in docs/briefs.md; a
 * configuration may add more ({@code categories.extra}). Category ids are lower-case words joined
 * by hyphens, which keeps them safe as metric labels.
 */
public record Categories(Set<String> ids) {
  public static final List<String> BUILT_IN =
      List.of(
          "fiction",
          "non-fiction",
          "technical",
          "children",
          "biography",
          "self-help",
          "history",
          "business");
  private static final Pattern ID = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

  public Categories {
    for (String id : ids) {
      if (!ID.matcher(id).matches() || id.length() > 40) {
        throw new IllegalArgumentException(
            "category id '"
                + id
                + "' must be lower-case words joined by hyphens, at most 40 characters");
      }
    }
    ids = Set.copyOf(new LinkedHashSet<>(ids));
  }

  public static Categories defaults() {
    return new Categories(Set.copyOf(BUILT_IN));
  }

  public Categories plus(List<String> extra) {
    Set<String> all = new LinkedHashSet<>(ids);
    extra.forEach(e -> all.add(e.trim().toLowerCase(Locale.ROOT)));
    return new Categories(all);
  }

  public boolean contains(String id) {
    return ids.contains(id);
  }

  /** The ids in a stable order: built-in first, then the rest alphabetically. */
  public List<String> sorted() {
    return ids.stream()
        .sorted(
            (a, b) -> {
              int ia = BUILT_IN.indexOf(a);
              int ib = BUILT_IN.indexOf(b);
              if (ia >= 0 && ib >= 0) return Integer.compare(ia, ib);
              if (ia >= 0) return -1;
              if (ib >= 0) return 1;
              return a.compareTo(b);
            })
        .toList();
  }
}
