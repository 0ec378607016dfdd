package org.bookcreator.core.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every threshold of every built-in rule can be changed, and a wrong one is named. */
class RuleThresholdsTest {
  private static final Duration HEARTBEAT = BuiltInRules.DEFAULT_HEARTBEAT;

  @Test
  void noOverrides_areTheDefaults_andEveryRuleTakesFor() {
    BuiltInRules.Configured c = BuiltInRules.configured(HEARTBEAT, RuleThresholds.none());

    assertThat(c.rules().stream().map(AlertRule::condition))
        .containsExactlyElementsOf(
            BuiltInRules.defaults().stream().map(AlertRule::condition).toList());
    assertThat(c.thresholds().keySet())
        .containsExactlyElementsOf(c.rules().stream().map(AlertRule::name).toList());
    assertThat(c.thresholds().values()).allSatisfy(t -> assertThat(t).containsKey("for"));
    assertThat(c.thresholds().get("ProviderErrorRateHigh"))
        .containsExactly(
            Map.entry("window", "5m"),
            Map.entry("min_calls", "10"),
            Map.entry("max_share", "0.2"),
            Map.entry("for", "2m"));
    assertThat(c.thresholds().get("StoreDiskLow")).containsEntry("min_free", "1GiB");
  }

  /**
   * Each threshold, given a different value, is the value in force and changes what the rule says
   * it checks (its condition) or how long it waits (its {@code for}).
   */
  @Test
  void everyThreshold_canBeChanged_andReachesTheRule() {
    BuiltInRules.Configured defaults = BuiltInRules.configured(HEARTBEAT, RuleThresholds.none());
    int changed = 0;
    for (var rule : defaults.thresholds().entrySet()) {
      AlertRule before = find(defaults, rule.getKey());
      for (var param : rule.getValue().entrySet()) {
        String other = bump(param.getValue());
        String key = rule.getKey() + "." + param.getKey();
        BuiltInRules.Configured c =
            BuiltInRules.configured(HEARTBEAT, RuleThresholds.parse(key + "=" + other));
        AlertRule after = find(c, rule.getKey());

        assertThat(c.thresholds().get(rule.getKey())).as(key).containsEntry(param.getKey(), other);
        if (param.getKey().equals("for")) {
          assertThat(after.holdFor()).as(key).isNotEqualTo(before.holdFor());
        } else {
          assertThat(after.condition()).as(key).isNotEqualTo(before.condition());
        }
        changed++;
      }
    }
    assertThat(changed).isGreaterThan(30);
  }

  @Test
  void sharesAndSizes_acceptTheirUsualSpellings() {
    BuiltInRules.Configured c =
        BuiltInRules.configured(
            HEARTBEAT,
            RuleThresholds.parse(
                "ProviderErrorRateHigh.max_share=35%, StoreDiskLow.min_free=512MiB,"
                    + " ProviderDown.for=90s"));

    assertThat(find(c, "ProviderErrorRateHigh").condition()).contains("exceed 35%");
    assertThat(find(c, "StoreDiskLow").condition()).contains("512 MiB free");
    assertThat(find(c, "ProviderDown").holdFor()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.thresholds().get("ProviderDown")).containsEntry("for", "90s");
  }

  @Test
  void unknownRulesAndThresholds_areNamed_withWhatThereIs() {
    assertThatThrownBy(() -> configure("ProviderDwn.window=5m"))
        .hasMessageContaining("no alert rule named ProviderDwn")
        .hasMessageContaining("ProviderDown");
    assertThatThrownBy(() -> configure("ProviderDown.max_share=0.5"))
        .hasMessageContaining("ProviderDown has no threshold max_share")
        .hasMessageContaining("its thresholds are window, min_calls, for");
  }

  @Test
  void badValues_areNamed_everyOneAtOnce() {
    assertThatThrownBy(
            () ->
                configure(
                    "ProviderDown.window=5 minutes, ProviderDown.min_calls=0,"
                        + " ProviderErrorRateHigh.max_share=1.5, StoreDiskLow.min_free=lots,"
                        + " SchemaViolationsHigh.max_share=0%"))
        .hasMessageContaining("ProviderDown.window: expected a duration")
        .hasMessageContaining("ProviderDown.min_calls: must be a whole number 1..")
        .hasMessageContaining("ProviderErrorRateHigh.max_share: must be a number 0..1")
        .hasMessageContaining("StoreDiskLow.min_free: expected a size")
        .hasMessageContaining("SchemaViolationsHigh.max_share: must be more than 0");
  }

  @Test
  void malformedEntries_areRefusedWhenRead_controlCharactersShownAsSpaces() {
    assertThatThrownBy(() -> RuleThresholds.parse("ProviderDown.window"))
        .hasMessageContaining("'ProviderDown.window': expected RULE.PARAM=VALUE");
    assertThatThrownBy(() -> RuleThresholds.parse("ProviderDown.window=1m,ProviderDown.window=2m"))
        .hasMessageContaining("ProviderDown.window is given twice");
    assertThatThrownBy(() -> RuleThresholds.parse("Provider\u001b[31mDown.for=1m"))
        .hasMessageNotContaining("\u001b")
        .hasMessageContaining("expected RULE.PARAM=VALUE");
    assertThatThrownBy(() -> RuleThresholds.parse("x".repeat(100_000) + "=1"))
        .hasMessageContaining("…")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
  }

  private static BuiltInRules.Configured configure(String text) {
    return BuiltInRules.configured(HEARTBEAT, RuleThresholds.parse(text));
  }

  private static AlertRule find(BuiltInRules.Configured c, String name) {
    return c.rules().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  private static final Pattern LAST_NUMBER = Pattern.compile("([0-9]+)(?!.*[0-9])");

  /** The same value with its last number one higher: 5m → 6m, 0.95 → 0.96, 1GiB → 2GiB. */
  private static String bump(String value) {
    Matcher m = LAST_NUMBER.matcher(value);
    assertThat(m.find()).as(value).isTrue();
    String next = String.valueOf(Long.parseLong(m.group(1)) + 1);
    String out = value.substring(0, m.start()) + next + value.substring(m.end());
    return List.of("1.1", "0.10").contains(out) ? "0.5" : out;
  }
}
