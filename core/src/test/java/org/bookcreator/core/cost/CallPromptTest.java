package org.bookcreator.core.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.bookcreator.core.llm.Message;
import org.bookcreator.telemetry.Redactor;
import org.junit.jupiter.api.Test;

class CallPromptTest {
  private static final String KEY = "sk-live-0123456789abcdefXYZ";

  @Test
  void of_headsEachMessageByItsRole_andMasksConfiguredSecrets() {
    Redactor redactor = new Redactor(List.of(KEY));

    CallPrompt p =
        CallPrompt.of(
            List.of(Message.system("You plan books."), Message.user("Use key " + KEY + " now.")),
            redactor::redact);

    assertThat(p.text())
        .isEqualTo("[system]\nYou plan books.\n\n[user]\nUse key " + Redactor.MASK + " now.");
    assertThat(p.text()).doesNotContain(KEY);
    assertThat(p.truncated()).isFalse();
    assertThat(p.chars()).isEqualTo(p.text().length());
  }

  @Test
  void of_aPromptBeyondTheLimit_keepsItsHead_andEndsInTheMarker() {
    String long_ = "x".repeat(CallPrompt.LIMIT * 2);

    CallPrompt p = CallPrompt.of(List.of(Message.user(long_)), s -> s);

    assertThat(p.text().length()).isLessThanOrEqualTo(CallPrompt.LIMIT);
    assertThat(p.text()).startsWith("[user]\nxxx");
    assertThat(p.text())
        .endsWith(" of " + (long_.length() + "[user]\n".length()) + " characters]")
        .contains(CallPrompt.TRUNCATED + "kept the first ");
    assertThat(p.chars()).isEqualTo(long_.length() + "[user]\n".length());
    assertThat(p.truncated()).isTrue();
  }

  @Test
  void bounded_neverSplitsASurrogatePair() {
    String text = "a".repeat(60) + "\ud83d\udcd6".repeat(40);

    for (int limit = 80; limit < 120; limit++) {
      String kept = CallPrompt.bounded(text, limit).text();
      String head = kept.substring(0, kept.indexOf(CallPrompt.TRUNCATED));
      assertThat(Character.isHighSurrogate(head.charAt(head.length() - 1))).isFalse();
      assertThat(kept.length()).isLessThanOrEqualTo(limit);
    }
  }
}
