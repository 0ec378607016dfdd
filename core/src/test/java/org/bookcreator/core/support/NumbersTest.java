package org.bookcreator.core.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NumbersTest {
  @ParameterizedTest
  @CsvSource({"0, 0", "7, 7", "' 12 ', 12", "-1, -1", "65535, 65535"})
  void plainWholeNumbers_inRange_areRead(String text, long expected) {
    assertThat(Numbers.whole(text, -1, 65535)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-0",
        "0x10",
        "010",
        "+5",
        "1e3",
        "1.0",
        "",
        "NaN",
        "Infinity",
        "-5",
        "65536",
        "99999999999999999999",
        "9223372036854775808",
        "1_000",
        "٣"
      })
  void everythingElse_isRefused_namingTheRangeAndTheText(String text) {
    assertThatThrownBy(() -> Numbers.whole(text, -1, 65535))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("must be a whole number -1..65535, got '" + text.strip() + "'");
  }

  @ParameterizedTest
  @CsvSource({"0.5, 0.5", ".25, 0.25", "1, 1", "0, 0", "10.000, 10.000"})
  void plainDecimals_inRange_areRead(String text, String expected) {
    assertThat(Numbers.decimal(text, BigDecimal.ZERO, BigDecimal.TEN))
        .isEqualTo(new BigDecimal(expected));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-0",
        "-0.0",
        "1e400",
        "1E-3",
        "NaN",
        "-Infinity",
        "0x1p3",
        "1,5",
        "+1",
        "10.5",
        "."
      })
  void otherDecimals_areRefused(String text) {
    assertThatThrownBy(() -> Numbers.decimal(text, BigDecimal.ZERO, BigDecimal.TEN))
        .hasMessage("must be a number 0..10, got '" + text + "'");
  }

  @ParameterizedTest
  @CsvSource({"12.50, 12.5", "1000000, 1000000", "0.000001, 0.000001", "0.02, 0.02"})
  void budgets_inDollars_areReadExactly(String text, String expected) {
    assertThat(Numbers.budgetUsd(text)).isEqualTo(new BigDecimal(expected));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0",
        "-0",
        "-1",
        "1000000.01",
        "1e400",
        "NaN",
        "Infinity",
        "0.0000001",
        "1e-400",
        "99999999999999999999",
        "0x10",
        "12,50"
      })
  void absurdOrMalformedBudgets_areRefused_namingTheRule(String text) {
    assertThatThrownBy(() -> Numbers.budgetUsd(text))
        .hasMessageStartingWith(
            "must be a number of US dollars greater than 0 and at most 1000000, with at most 6"
                + " decimal places")
        .hasMessageEndingWith("got '" + text + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1E+400", "1E-400", "0E-7"})
  void budgetsReadAsNumbers_followTheSameRule(String number) {
    assertThatThrownBy(() -> Numbers.budgetUsd(new BigDecimal(number), number))
        .hasMessageContaining("at most 1000000")
        .hasMessageEndingWith("got '" + number + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"12345678901234567890123456789012345678901234567890", "a\u202Eb"})
  void theTextQuoted_isClippedAndShowsNoInvisibleCharacter(String text) {
    assertThatThrownBy(() -> Numbers.whole(text, 0, 1))
        .message()
        .doesNotContain("\u202E")
        .hasSizeLessThan(100);
  }
}
