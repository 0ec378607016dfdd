package org.bookcreator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

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

  @Test
  void plainText_isUntouched() {
    String text = "The keeper's daughter climbed the stairs at dusk.";

    assertThat(Redactor.none().redact(text)).isEqualTo(text);
    assertThat(Redactor.none().redact(null)).isNull();
  }
}
