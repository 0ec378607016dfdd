package org.bookcreator.core.store;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a longer list: its items, how many match in all, and where the page starts.
 *
 * @param total how many items match the filter, over all pages
 */
public record Page<T>(List<T> items, long total, int limit, int offset) {
  public Page {
    items = List.copyOf(items);
  }

  public <R> Page<R> map(Function<? super T, ? extends R> f) {
    return new Page<>(items.stream().<R>map(f).toList(), total, limit, offset);
  }
}
