package org.bookcreator.core.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Label matchers as Alertmanager has them, and when a silence applies. */
class SilenceTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  private static final Alert OPENAI_DOWN =
      new Alert(
          "fp1",
          "ProviderDown",
          Map.of("provider", "openai"),
          Severity.CRITICAL,
          AlertState.FIRING,
          "down",
          "down",
          "provider-errors",
          T0,
          Optional.of(T0),
          Optional.empty(),
          Optional.empty());

  private static Silence silence(String... matchers) {
    return new Silence(
        "sil_1",
        List.of(matchers).stream().map(Silence.Matcher::parse).toList(),
        T0,
        T0.plusSeconds(3600),
        "maintenance",
        "cli",
        T0);
  }

  @Test
  void matchers_compareLikeAlertmanager_withAlertnameAndSeverityAsLabels() {
    assertThat(silence("alertname=ProviderDown").matches(OPENAI_DOWN)).isTrue();
    assertThat(silence("alertname=ProviderDown", "provider=anthropic").matches(OPENAI_DOWN))
        .as("every matcher must match")
        .isFalse();
    assertThat(silence("provider!=anthropic", "severity=critical").matches(OPENAI_DOWN)).isTrue();
    assertThat(silence("provider=~open.*").matches(OPENAI_DOWN)).isTrue();
    assertThat(silence("provider=~open").matches(OPENAI_DOWN))
        .as("a regular expression matches the whole value")
        .isFalse();
    assertThat(silence("provider!~anth.*", "alertname=\"ProviderDown\"").matches(OPENAI_DOWN))
        .isTrue();
    assertThat(silence("alertname=ProviderDown", "run_id=").matches(OPENAI_DOWN))
        .as("a label the alert lacks has the empty value")
        .isTrue();
  }

  @Test
  void aSilence_appliesFromItsStart_untilItsEnd_only() {
    Silence s = silence("alertname=ProviderDown");

    assertThat(Silence.silencing(OPENAI_DOWN, List.of(s), T0)).containsExactly("sil_1");
    assertThat(Silence.silencing(OPENAI_DOWN, List.of(s), T0.plusSeconds(3599))).hasSize(1);
    assertThat(Silence.silencing(OPENAI_DOWN, List.of(s), T0.plusSeconds(3600))).isEmpty();
    assertThat(Silence.silencing(OPENAI_DOWN, List.of(s), T0.minusSeconds(1))).isEmpty();
  }

  @Test
  void badMatchers_areRefused_namingWhatIsWrong() {
    assertThatThrownBy(() -> Silence.Matcher.parse("provider"))
        .hasMessageContaining("'provider' has no operator");
    assertThatThrownBy(() -> Silence.Matcher.parse("9lives=x"))
        .hasMessageContaining("'9lives' is not a label name");
    assertThatThrownBy(() -> Silence.Matcher.parse("provider=~open("))
        .hasMessageContaining("not a regular expression");
  }

  @Test
  void aMatcher_writesAsItWasParsed() {
    assertThat(List.of("a=b", "a!=b", "a=~b.*", "a!~b", "a="))
        .allSatisfy(t -> assertThat(Silence.Matcher.parse(t)).hasToString(t));
  }
}
