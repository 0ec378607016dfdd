package org.bookcreator.app;

import java.math.BigDecimal;
import java.util.function.Supplier;
import org.bookcreator.core.support.Numbers;

/**
 * Numbers given as flags, read by {@link Numbers} as every other door reads them: a value it
 * refuses is bad input (exit code 2) naming the flag, the allowed range and the value.
 */
final class Flags {
  private Flags() {}

  static int wholeNumber(String flag, String text, int min, int max) {
    return read(flag, () -> Numbers.wholeInt(text, min, max));
  }

  static long wholeNumber(String flag, String text, long min, long max) {
    return read(flag, () -> Numbers.whole(text, min, max));
  }

  static BigDecimal budgetUsd(String flag, String text) {
    return read(flag, () -> Numbers.budgetUsd(text));
  }

  private static <T> T read(String flag, Supplier<T> value) {
    try {
      return value.get();
    } catch (IllegalArgumentException e) {
      throw new Main.UsageException(flag + ": " + e.getMessage());
    }
  }
}
