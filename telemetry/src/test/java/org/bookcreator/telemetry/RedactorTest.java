package org.bookcreator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactorTest {
  private final Redactor redactor = new Redactor(List.of("canary-7f3a9c1d", "abc"));

  @Test
  void configuredSecrets_areMasked_wherever_theyAppear() {
    assertThat(redactor.redact("key=canary-7f3a9c1d; again canary-7f3a9c1d!"))
        .doesNotContain("canary-7f3a9c1d")
        .contains(Redactor.MASK);
  }

  @Test
  void shortConfiguredValues_areIgnored_soOrdinaryTextSurvives() {
    assertThat(redactor.redact("abc is the alphabet")).isEqualTo("abc is the alphabet");
  }

  @Test
  void credentialShapes_areMasked_evenWhenNotConfigured() {
    assertThat(Redactor.none().redact("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig"))
        .doesNotContain("eyJhbGciOiJIUzI1NiJ9");
    assertThat(Redactor.none().redact("using sk-proj-ABCDEFGHIJKLMNOPQRST for calls"))
        .doesNotContain("sk-proj-ABCDEFGH");
    assertThat(Redactor.none().redact("{\"api_key\": \"hunter2hunter2\"}"))
        .doesNotContain("hunter2hunter2")
        .contains("api_key");
    assertThat(Redactor.none().redact("password=swordfish1"))
        .isEqualTo("password=" + Redactor.MASK);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "password=swordfish1",
        "PASSWORD = 'sunshine'",
        "{\"password\": \"sunshine\"}",
        "{\"passwd\":12345678}",
        "password: hunter22",
        "passwd: Tr0ub4dor",
        "db_password=sunshine",
        "client_secret: \"sunshine\"",
        "secret: correcthorsebatterystaple",
        "Authorization: Basic dXNlcjpzdW5zaGluZQ==",
        "aws key AKIAIOSFODNN7EXAMPLE in the notes",
        "temporary key ASIAIOSFODNN7EXAMPLE",
        "claude key sk-ant-api03-abcdefghijklmnop"
      })
  void secretAssignments_andKeyShapes_areMasked(String text) {
    String masked = Redactor.none().redact(text);

    assertThat(masked).contains(Redactor.MASK);
    assertThat(masked)
        .doesNotContain("swordfish1")
        .doesNotContain("sunshine")
        .doesNotContain("12345678")
        .doesNotContain("hunter22")
        .doesNotContain("Tr0ub4dor")
        .doesNotContain("correcthorse")
        .doesNotContain("dXNlcjpzdW5zaGluZQ")
        .doesNotContain("IOSFODNN7EXAMPLE")
        .doesNotContain("abcdefghijklmnop");
  }

  @Test
  void credentials_rightAfterAJsonEscape_areMasked() {
    String json = "{\"text\":\"notes\\npassword: hunter22\\nsk-proj-ABCDEFGHIJKLMNOP\"}";

    assertThat(Redactor.none().redact(json))
        .isEqualTo("{\"text\":\"notes\\npassword: [REDACTED]\\n[REDACTED]\"}");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "passwd: unsupported",
        "login failed (password: required)",
        "Secret: Unknown.",
        "the api key: missing; set OPENAI_API_KEY",
        "Authorization: Basic",
        "her secretary: Jane Doe",
        "a passwordless login",
        "AKIA is how AWS key ids start"
      })
  void ordinaryWords_afterACredentialName_areKept(String text) {
    assertThat(Redactor.none().redact(text)).isEqualTo(text);
  }

  @Test
  void plainText_isUntouched() {
    String text = "The keeper's daughter climbed the stairs at dusk.";

    assertThat(Redactor.none().redact(text)).isEqualTo(text);
    assertThat(Redactor.none().redact(null)).isNull();
  }

  /**
   * The pre-scan looks at a keyword's second letter before comparing it whole; it must say "may
   * hold" exactly where comparing every keyword at every position does, on text made of keywords,
   * their pieces, their case variants and letters that fold to ASCII (the Kelvin sign, the long s).
   */
  @Test
  void mayHoldCredential_agreesWithComparingEveryKeywordEverywhere() {
    String[] pieces = {
      "a",
      "A",
      "p",
      "P",
      "e",
      "E",
      "k",
      "K",
      "s",
      "S",
      "-",
      " ",
      "x",
      "X",
      "u",
      "c",
      "b",
      "B",
      "api",
      "ApI",
      "sk-",
      "Sk-",
      "secret",
      "SeCrEt",
      "bearer",
      "BEARER",
      "authorization",
      "Authorizatio",
      "access",
      "acces",
      "AKIA",
      "AKI",
      "akia",
      "ASIA",
      "asia",
      "passw",
      "PASS",
      "x-api",
      "X-Ap",
      "\u212a",
      "\u017f",
      "\u0131",
      "word",
      "\u00e9"
    };
    java.util.Random random = new java.util.Random(42);
    int holding = 0;
    for (int n = 0; n < 20_000; n++) {
      StringBuilder text = new StringBuilder();
      int parts = random.nextInt(6);
      for (int j = 0; j < parts; j++) text.append(pieces[random.nextInt(pieces.length)]);
      String t = text.toString();
      boolean expected = anyKeywordAnywhere(t);
      if (expected) holding++;
      assertThat(Redactor.mayHoldCredential(t)).as("\"%s\"", t).isEqualTo(expected);
    }
    assertThat(holding).as("the texts include keywords").isGreaterThan(1_000);
  }

  /** Every keyword compared at every position, as the scan did before it looked ahead. */
  private static boolean anyKeywordAnywhere(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c == 'B' || c == 'b') && s.regionMatches(true, i, "bearer", 0, 6)) return true;
      if (c == 's' && s.regionMatches(i, "sk-", 0, 3)) return true;
      if ((c == 's' || c == 'S') && s.regionMatches(true, i, "secret", 0, 6)) return true;
      if (c == 'A' || c == 'a') {
        if (s.regionMatches(true, i, "api", 0, 3)
            || s.regionMatches(i, "AKIA", 0, 4)
            || s.regionMatches(i, "ASIA", 0, 4)
            || s.regionMatches(true, i, "authorization", 0, 13)
            || s.regionMatches(true, i, "access", 0, 6)) return true;
      }
      if ((c == 'P' || c == 'p') && s.regionMatches(true, i, "passw", 0, 5)) return true;
      if ((c == 'X' || c == 'x') && s.regionMatches(true, i, "x-api", 0, 5)) return true;
    }
    return false;
  }
}
