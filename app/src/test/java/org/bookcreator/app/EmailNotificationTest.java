package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bookcreator.notify.EmailNotifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts reach a real SMTP server (GreenMail, in the test's JVM) through the settings as a user
 * writes them, with the password from the environment; a wrong password is given up at once and
 * never logged.
 */
class EmailNotificationTest {
  private static final String PASSWORD = "smtp-canary-Pa55-9c1d";

  @TempDir Path dir;
  private GreenMail smtp;

  @BeforeEach
  void start() {
    smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.setUser("alerts@example.com", "alerts", PASSWORD);
    smtp.start();
  }

  @AfterEach
  void stop() {
    smtp.stop();
  }

  private Cli failingRun(String password) throws Exception {
    Path config =
        FailingProviderRun.config(
            dir,
            """
            email:
              to: [ops@example.com, oncall@example.org]
              from: Book Creator <alerts@example.com>
              smtp_host: 127.0.0.1
              smtp_port: %d
              security: none
              username: alerts
            """
                .formatted(smtp.getSmtp().getPort()));
    return FailingProviderRun.run(
        dir, config, Map.of("BOOK_CREATOR_NOTIFY_EMAIL_PASSWORD", password));
  }

  @Test
  void aFailedRun_mailsRunFailedAndProviderDown_toEveryRecipient() throws Exception {
    Cli run = failingRun(PASSWORD);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.RUN_FAILED);
    MimeMessage[] mails = smtp.getReceivedMessages();
    List<String> subjects =
        Arrays.stream(mails).map(EmailNotificationTest::subject).distinct().toList();
    assertThat(subjects)
        .contains("[FIRING] ProviderDown (simulated) — Book Creator")
        .anySatisfy(s -> assertThat(s).startsWith("[FIRING] RunFailed ("));
    assertThat(mails).hasSize(2 * subjects.size());
    for (MimeMessage m : mails) {
      assertThat(m.getHeader(EmailNotifier.NOTIFICATION_HEADER))
          .singleElement()
          .asString()
          .startsWith("ntf_");
      assertThat((String) m.getContent()).contains("runbook: docs/runbooks/");
    }
    assertThat(Files.readString(dir.resolve("data/logs/book-creator.log")))
        .contains("delivered to email")
        .doesNotContain(PASSWORD);
  }

  @Test
  void aWrongPassword_isGivenUpAtOnce_withAnErrorThatNamesTheUserNotThePassword() throws Exception {
    String wrong = "wrong-canary-" + PASSWORD;

    Cli run = failingRun(wrong);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(smtp.getReceivedMessages()).isEmpty();
    String log = Files.readString(dir.resolve("data/logs/book-creator.log"));
    assertThat(log)
        .contains("given up after 1 attempt(s): SMTP 127.0.0.1:" + smtp.getSmtp().getPort())
        .contains("refused the login of alerts")
        .doesNotContain(wrong);
  }

  private static String subject(MimeMessage m) {
    try {
      return m.getSubject();
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }
}
