package org.bookcreator.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bookcreator.notify.TestNotifications.firing;
import static org.bookcreator.notify.TestNotifications.providerDown;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.alert.Notifier;
import org.bookcreator.core.alert.Notifier.Delivery;
import org.bookcreator.notify.EmailNotifier.Security;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The e-mail notifier against GreenMail, a real SMTP server in the test's JVM (plain SMTP and
 * SMTPS, with a login), and against {@link ScriptedSmtpServer} for the refusals GreenMail never
 * gives. GreenMail 2.1 has no STARTTLS: what is tested is that a server without it gets nothing.
 */
class EmailNotifierTest extends NotifierContractTest {
  private static final String USER = "alerts";
  private static final String PASSWORD = "smtp-Pa55word-canary";
  private static final InstantSource CLOCK =
      InstantSource.fixed(Instant.parse("2026-11-30T10:01:00Z"));

  private GreenMail smtp;

  @BeforeEach
  void start() {
    TestTls.serveFromGreenMail();
    smtp =
        new GreenMail(
            new ServerSetup[] {
              new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
              new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS)
            });
    smtp.setUser("alerts@example.com", USER, PASSWORD);
    smtp.start();
  }

  @AfterEach
  void stop() {
    smtp.stop();
  }

  /** Where and how to mail, as a test needs it: defaults a test changes one at a time. */
  private record Smtp(
      String host,
      int port,
      Security security,
      Optional<String> password,
      List<String> to,
      Duration timeout) {
    /** Plain SMTP on the loopback address, no login, to ops@example.com. */
    static Smtp at(int port) {
      return new Smtp(
          "127.0.0.1",
          port,
          Security.NONE,
          Optional.empty(),
          List.of("ops@example.com"),
          Duration.ofSeconds(5));
    }

    Smtp host(String h) {
      return new Smtp(h, port, security, password, to, timeout);
    }

    Smtp security(Security s) {
      return new Smtp(host, port, s, password, to, timeout);
    }

    /** Logs in as {@link #USER}. */
    Smtp login(String p) {
      return new Smtp(host, port, security, Optional.of(p), to, timeout);
    }

    Smtp to(String... recipients) {
      return new Smtp(host, port, security, password, List.of(recipients), timeout);
    }

    Smtp timeout(Duration t) {
      return new Smtp(host, port, security, password, to, t);
    }

    EmailNotifier.Settings settings() {
      return new EmailNotifier.Settings(
          "email",
          to,
          "Book Creator <alerts@example.com>",
          host,
          port,
          security,
          password.map(p -> USER),
          password,
          timeout);
    }

    /** A notifier that trusts what the JDK trusts. */
    EmailNotifier notifier() {
      return new EmailNotifier(settings(), CLOCK);
    }

    /** A notifier that trusts the test's certificate, which GreenMail's SMTPS serves. */
    EmailNotifier trustingTestCertificate() throws Exception {
      return new EmailNotifier(settings(), CLOCK, Optional.of(TestTls.trustingIt()));
    }
  }

  private Smtp plain() {
    return Smtp.at(smtp.getSmtp().getPort());
  }

  private Smtp tls() {
    return Smtp.at(smtp.getSmtps().getPort()).security(Security.TLS);
  }

  @Override
  Notifier notifier() {
    return plain().notifier();
  }

  @Override
  List<String> received(int count) throws Exception {
    smtp.waitForIncomingEmail(5000, count);
    List<String> texts = new ArrayList<>();
    for (MimeMessage m : smtp.getReceivedMessages())
      texts.add(m.getSubject() + "\n" + m.getContent());
    return texts;
  }

  /** How many messages are in the mailbox of {@code address}. */
  private int inbox(String address) throws Exception {
    GreenMailUser user = smtp.getUserManager().getUserByEmail(address);
    return user == null
        ? 0
        : smtp.getManagers().getImapHostManager().getInbox(user).getMessageCount();
  }

  private static Delivery.Failed failed(Delivery outcome) {
    assertThat(outcome).isInstanceOf(Delivery.Failed.class);
    return (Delivery.Failed) outcome;
  }

  @Test
  void aNotificationToSeveralRecipients_reachesEach_withSubjectIdHeaderAndMessageId()
      throws Exception {
    EmailNotifier notifier = plain().to("ops@example.com", "oncall@example.org").notifier();

    Delivery outcome = notifier.deliver(firing("ntf_mail1", providerDown("openai")));

    assertThat(outcome).isEqualTo(new Delivery.Delivered());
    assertThat(smtp.waitForIncomingEmail(5000, 2)).isTrue();
    assertThat(smtp.getReceivedMessages()).hasSize(2);
    assertThat(inbox("ops@example.com")).isEqualTo(1);
    assertThat(inbox("oncall@example.org")).isEqualTo(1);
    MimeMessage m = smtp.getReceivedMessages()[0];
    assertThat(m.getRecipients(Message.RecipientType.TO))
        .extracting(Object::toString)
        .containsExactly("ops@example.com", "oncall@example.org");
    assertThat(m.getSubject()).isEqualTo("[FIRING] ProviderDown (openai) — Book Creator");
    assertThat(m.getHeader(EmailNotifier.NOTIFICATION_HEADER)).containsExactly("ntf_mail1");
    assertThat(m.getMessageID()).isEqualTo("<ntf_mail1@example.com>");
    assertThat(m.getHeader("Auto-Submitted")).containsExactly("auto-generated");
    assertThat(m.getContentType()).startsWith("text/plain").containsIgnoringCase("utf-8");
    assertThat(m.getSentDate().toInstant()).isEqualTo(CLOCK.instant());
    assertThat((String) m.getContent())
        .contains("ProviderDown (critical, firing)")
        .contains("summary: Provider openai is down: every call failed")
        .contains("description: 12 of 12 calls failed in the last 2 m.")
        .contains("labels: provider=openai")
        .contains("runbook: docs/runbooks/provider-errors.md")
        .contains("fired at: 2026-11-30T10:00:00Z")
        .contains("ntf_mail1");
  }

  @Test
  void overTls_withALogin_theMessageArrives() throws Exception {
    EmailNotifier notifier = tls().login(PASSWORD).trustingTestCertificate();

    Delivery outcome = notifier.deliver(firing("ntf_tls1", providerDown("openai")));

    assertThat(outcome).isEqualTo(new Delivery.Delivered());
    assertThat(received(1)).singleElement().asString().contains("Provider openai is down");
  }

  @Test
  void overTls_aCertificateNobodyVouchesFor_isRefused_andRetryable() {
    EmailNotifier notifier = tls().login(PASSWORD).notifier();

    Delivery.Failed failed = failed(notifier.deliver(firing("ntf_tls2", providerDown("openai"))));

    assertThat(failed.retryable()).isTrue();
    assertThat(failed.reason()).contains("TLS failed").doesNotContain(PASSWORD);
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }

  @Test
  void aWrongPassword_isFinal_andTheReasonNamesTheUserButNotThePassword() throws Exception {
    String wrong = "wrong-" + PASSWORD;
    EmailNotifier notifier = tls().login(wrong).trustingTestCertificate();

    Delivery.Failed failed = failed(notifier.deliver(firing("ntf_auth1", providerDown("openai"))));

    assertThat(failed.retryable()).isFalse();
    assertThat(failed.reason())
        .contains("refused the login of " + USER)
        .contains("535")
        .doesNotContain(wrong);
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }

  @Test
  void starttls_toAServerThatDoesNotOfferIt_isFinal_andSendsNothing() {
    EmailNotifier notifier = plain().security(Security.STARTTLS).login(PASSWORD).notifier();

    Delivery outcome = notifier.deliver(firing("ntf_starttls", providerDown("openai")));

    assertThat(outcome)
        .isEqualTo(
            new Delivery.Failed(
                "SMTP 127.0.0.1:"
                    + smtp.getSmtp().getPort()
                    + " (starttls) does not offer STARTTLS, so nothing was sent; use security tls"
                    + " (port 465) or none for a relay on this machine",
                false));
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }

  @Test
  void aClosedPort_isARetryableFailure() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }

    Delivery outcome =
        Smtp.at(closed).notifier().deliver(firing("ntf_closed", providerDown("openai")));

    assertThat(outcome)
        .isEqualTo(
            new Delivery.Failed(
                "SMTP 127.0.0.1:" + closed + " (none) refused the connection", true));
  }

  @Test
  void aServerThatNeverAnswers_isARetryableFailure_afterTheTimeout() throws Exception {
    // Connections queue in the backlog and are never greeted.
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      EmailNotifier notifier =
          Smtp.at(silent.getLocalPort()).timeout(Duration.ofMillis(1500)).notifier();

      long start = System.nanoTime();
      Delivery.Failed failed =
          failed(notifier.deliver(firing("ntf_silent", providerDown("openai"))));

      assertThat(failed.retryable()).isTrue();
      assertThat(failed.reason()).contains("did not answer within");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }
  }

  @Test
  void aRecipientRefusedPermanently_isFinal_andNamed() throws Exception {
    try (ScriptedSmtpServer server =
        new ScriptedSmtpServer(a -> "550 5.1.1 <" + a + ">: user unknown", p -> "235 OK")) {
      EmailNotifier notifier = Smtp.at(server.port()).to("gone@example.com").notifier();

      Delivery.Failed failed = failed(notifier.deliver(firing("ntf_550", providerDown("openai"))));

      assertThat(failed.retryable()).isFalse();
      assertThat(failed.reason()).contains("550 5.1.1 <gone@example.com>: user unknown");
      assertThat(server.accepted()).isEmpty();
    }
  }

  @Test
  void aRecipientRefusedForNow_isRetryable() throws Exception {
    try (ScriptedSmtpServer server =
        new ScriptedSmtpServer(a -> "451 4.3.0 try again later", p -> "235 OK")) {
      EmailNotifier notifier = Smtp.at(server.port()).to("busy@example.com").notifier();

      Delivery.Failed failed = failed(notifier.deliver(firing("ntf_451", providerDown("openai"))));

      assertThat(failed.retryable()).isTrue();
      assertThat(failed.reason()).contains("451 4.3.0 try again later");
    }
  }

  @Test
  void oneRecipientRefused_theOthersStillGetTheMessage() throws Exception {
    try (ScriptedSmtpServer server =
        new ScriptedSmtpServer(
            a -> a.startsWith("gone") ? "550 5.1.1 user unknown" : "250 OK", p -> "235 OK")) {
      EmailNotifier notifier =
          Smtp.at(server.port()).to("ops@example.com", "gone@example.com").notifier();

      Delivery.Failed failed =
          failed(notifier.deliver(firing("ntf_partial", providerDown("openai"))));

      assertThat(server.accepted())
          .singleElement()
          .satisfies(m -> assertThat(m.recipients()).containsExactly("ops@example.com"));
      assertThat(failed.retryable()).isFalse();
      assertThat(failed.reason())
          .contains("550 5.1.1 user unknown")
          .contains("delivered to ops@example.com all the same");
    }
  }

  @Test
  void aServerThatQuotesThePasswordBack_neverGetsItIntoTheReason() throws Exception {
    try (ScriptedSmtpServer server =
        new ScriptedSmtpServer(a -> "250 OK", p -> "535 5.7.8 '" + p + "' is not the password")) {
      EmailNotifier notifier = Smtp.at(server.port()).host("localhost").login(PASSWORD).notifier();

      Delivery.Failed failed = failed(notifier.deliver(firing("ntf_echo", providerDown("openai"))));
      Optional<String> problem = notifier.connectionProblem();

      assertThat(failed.reason()).contains("'****' is not the password").doesNotContain(PASSWORD);
      assertThat(problem).hasValueSatisfying(p -> assertThat(p).doesNotContain(PASSWORD));
    }
  }

  @Test
  void connectionProblem_logsInAndQuits_withoutSendingMail() throws Exception {
    EmailNotifier good = tls().login(PASSWORD).trustingTestCertificate();
    EmailNotifier badLogin = tls().login("nope-" + PASSWORD).trustingTestCertificate();

    assertThat(good.connectionProblem()).isEmpty();
    assertThat(badLogin.connectionProblem())
        .hasValueSatisfying(p -> assertThat(p).contains("refused the login of " + USER));
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }

  @Test
  void settings_checkAddressesAndLogin_andNeverShowThePassword() {
    EmailNotifier.Settings s =
        Smtp.at(587)
            .host("smtp.example.com")
            .security(Security.STARTTLS)
            .login(PASSWORD)
            .settings();

    assertThat(s.toString()).contains("password=****").doesNotContain(PASSWORD);
    assertThat(new EmailNotifier(s, CLOCK).toString()).doesNotContain(PASSWORD);
    assertThatThrownBy(() -> Smtp.at(587).to("not an address").settings())
        .hasMessage("the recipient 'not an address' is not an e-mail address");
    assertThatThrownBy(() -> Smtp.at(25).host("smtp.example.com").login(PASSWORD).settings())
        .hasMessageContaining(
            "security none would send the SMTP password in clear to smtp.example.com")
        .hasMessageNotContaining(PASSWORD);
    assertThatThrownBy(
            () ->
                new EmailNotifier.Settings(
                    "email",
                    List.of("ops@example.com"),
                    "alerts@example.com",
                    "smtp.example.com",
                    587,
                    Security.STARTTLS,
                    Optional.empty(),
                    Optional.of(PASSWORD),
                    Duration.ofSeconds(5)))
        .hasMessage("the SMTP username and password go together: set both or neither");
  }
}
