package org.bookcreator.notify;

import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.alert.Notifier;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

/**
 * Mails notifications over SMTP (Jakarta Mail): a plain-text message with the webhook document's
 * content, to every recipient at once, subject {@code [FIRING] ProviderDown (openai) — Book
 * Creator}. Every attempt carries the notification's id in {@code X-Book-Creator-Notification} and
 * in the {@code Message-ID}, so a receiver can drop a second copy.
 *
 * <p>Security: {@code STARTTLS} (required: the login never goes out in clear), {@code TLS} from the
 * first byte (SMTPS, usually port 465), or {@code NONE} for a relay on this machine. The server's
 * certificate must be valid for the host. Outcomes: accepted by the server, delivered; an unknown
 * or unreachable host, a timeout, a TLS failure or a 4xx reply, tried again; a refused login, a
 * server without the required STARTTLS, or 5xx replies for every refusal, final. When the server
 * refuses some recipients but not others, the others get the message (and the failure names who did
 * not). The password never appears in a reason or in {@link #toString()}.
 */
public final class EmailNotifier implements Notifier {
  /** The notification's id: the same on every attempt. */
  public static final String NOTIFICATION_HEADER = "X-Book-Creator-Notification";

  private static final String MASK = "****";

  /** How the connection to the SMTP server is protected. */
  public enum Security {
    /** Plain connection upgraded with STARTTLS before anything else; refused if not offered. */
    STARTTLS,
    /** TLS from the first byte (SMTPS). */
    TLS,
    /** No encryption: only for a relay on this machine. */
    NONE;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @param name the notifier's name in routes and the outbox
   * @param to recipients, at least one
   * @param from the sender's address (also the envelope sender)
   * @param username the login, with {@code password}; empty: no authentication
   * @param timeout for connecting, and for each read and write
   */
  public record Settings(
      String name,
      List<String> to,
      String from,
      String host,
      int port,
      Security security,
      Optional<String> username,
      Optional<String> password,
      Duration timeout) {
    public Settings {
      Objects.requireNonNull(name, "name");
      to = List.copyOf(to);
      if (to.isEmpty()) throw new IllegalArgumentException("an e-mail notifier needs a recipient");
      to.forEach(a -> address("recipient", a));
      address("sender", Objects.requireNonNull(from, "from"));
      if (Objects.requireNonNull(host, "host").isBlank())
        throw new IllegalArgumentException("the SMTP host must be set");
      if (port < 1 || port > 65535)
        throw new IllegalArgumentException("the SMTP port must be 1..65535, got " + port);
      Objects.requireNonNull(security, "security");
      username = Objects.requireNonNullElse(username, Optional.empty());
      password = Objects.requireNonNullElse(password, Optional.empty());
      if (username.isPresent() != password.isPresent())
        throw new IllegalArgumentException(
            "the SMTP username and password go together: set both or neither");
      if (password.isPresent() && security == Security.NONE && !loopback(host))
        throw new IllegalArgumentException(
            "security none would send the SMTP password in clear to "
                + host
                + "; use starttls or tls (none is for a relay on this machine)");
      Objects.requireNonNull(timeout, "timeout");
    }

    /** The settings with the password masked. */
    @Override
    public String toString() {
      return "EmailNotifier.Settings[name=%s, to=%s, from=%s, smtp=%s:%d, security=%s, username=%s, password=%s, timeout=%s]"
          .formatted(
              name,
              to,
              from,
              host,
              port,
              security.id(),
              username.orElse(""),
              password.isPresent() ? MASK : "",
              timeout);
    }
  }

  private final Settings settings;
  private final InstantSource clock;
  private final Session session;

  /** A notifier that trusts the certificates the JDK trusts. */
  public EmailNotifier(Settings settings, InstantSource clock) {
    this(settings, clock, Optional.empty());
  }

  /**
   * A notifier whose TLS connections use {@code tls}: for a relay whose certificate a private
   * authority signed. The host must still match the certificate.
   */
  public EmailNotifier(Settings settings, InstantSource clock, Optional<SSLSocketFactory> tls) {
    this.settings = settings;
    this.clock = clock;
    this.session = Session.getInstance(properties(settings, tls));
  }

  private static Properties properties(Settings s, Optional<SSLSocketFactory> tls) {
    Properties p = new Properties();
    String timeout = Long.toString(s.timeout().toMillis());
    p.put("mail.transport.protocol", "smtp");
    p.put("mail.smtp.host", s.host());
    p.put("mail.smtp.port", Integer.toString(s.port()));
    // The envelope sender is the bare address, without the display name.
    p.put("mail.smtp.from", address("sender", s.from()).getAddress());
    p.put("mail.smtp.connectiontimeout", timeout);
    p.put("mail.smtp.timeout", timeout);
    p.put("mail.smtp.writetimeout", timeout);
    p.put("mail.smtp.auth", Boolean.toString(s.username().isPresent()));
    // Recipients the server accepts get the message even when it refuses others.
    p.put("mail.smtp.sendpartial", "true");
    p.put("mail.smtp.ssl.checkserveridentity", "true");
    switch (s.security()) {
      case STARTTLS -> {
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
      }
      case TLS -> p.put("mail.smtp.ssl.enable", "true");
      case NONE -> {}
    }
    tls.ifPresent(f -> p.put("mail.smtp.ssl.socketFactory", f));
    return p;
  }

  @Override
  public String name() {
    return settings.name();
  }

  @Override
  public Delivery deliver(Notification n) {
    try {
      MimeMessage message = message(n);
      try (Transport t = connect()) {
        t.sendMessage(message, message.getAllRecipients());
      }
      return new Delivery.Delivered();
    } catch (MessagingException e) {
      return failure(e);
    }
  }

  /**
   * Connects, starts TLS and logs in as a delivery would, then quits without sending anything: what
   * {@code doctor} asks. Empty when all of that worked, else what went wrong (never the password).
   */
  public Optional<String> connectionProblem() {
    try (Transport t = connect()) {
      return Optional.empty();
    } catch (MessagingException e) {
      return Optional.of(failure(e).reason());
    }
  }

  /** Where mail goes, for messages: {@code smtp.example.com:587 (starttls)}. */
  public String server() {
    return settings.host() + ":" + settings.port() + " (" + settings.security().id() + ")";
  }

  /** The SMTP login, if any. */
  public Optional<String> username() {
    return settings.username();
  }

  private Transport connect() throws MessagingException {
    Transport t = session.getTransport("smtp");
    t.connect(
        settings.host(),
        settings.port(),
        settings.username().orElse(null),
        settings.password().orElse(null));
    return t;
  }

  private MimeMessage message(Notification n) throws MessagingException {
    String messageId = "<" + n.id() + "@" + domain(settings.from()) + ">";
    MimeMessage m =
        new MimeMessage(session) {
          @Override
          protected void updateMessageID() throws MessagingException {
            // The same on every attempt, unlike the random one Jakarta Mail would make.
            setHeader("Message-ID", messageId);
          }
        };
    m.setFrom(new InternetAddress(settings.from()));
    List<Address> to = new ArrayList<>();
    for (String a : settings.to()) to.add(new InternetAddress(a));
    m.setRecipients(Message.RecipientType.TO, to.toArray(Address[]::new));
    m.setSubject(NotificationText.headline(n) + " — Book Creator", "UTF-8");
    m.setSentDate(Date.from(clock.instant()));
    m.setHeader(NOTIFICATION_HEADER, n.id());
    // RFC 3834: no vacation replies to a machine.
    m.setHeader("Auto-Submitted", "auto-generated");
    m.setText(NotificationText.plain(n), StandardCharsets.UTF_8.name());
    return m;
  }

  /** What went wrong, and whether trying again may help; never the password. */
  private Delivery.Failed failure(MessagingException e) {
    String where = "SMTP " + server();
    Delivery.Failed f =
        switch (e) {
          case AuthenticationFailedException a ->
              new Delivery.Failed(
                  where
                      + " refused the login of "
                      + settings.username().orElse("(no user)")
                      + ": "
                      + reply(a)
                      + "; check notify.email.username and notify.email.password",
                  false);
          case SendFailedException s -> refused(where, s);
          default -> connectionFailure(where, e);
        };
    return new Delivery.Failed(masked(f.reason()), f.retryable());
  }

  /** Refusals by SMTP reply: 4xx is tried again, 5xx is final. */
  private Delivery.Failed refused(String where, SendFailedException e) {
    Set<String> refusals = new LinkedHashSet<>();
    boolean retry = false;
    for (Exception x = e; x != null; x = next(x)) {
      int code =
          switch (x) {
            case SMTPAddressFailedException a -> a.getReturnCode();
            case SMTPSenderFailedException s -> s.getReturnCode();
            case SMTPSendFailedException s -> s.getReturnCode();
            default -> -1;
          };
      // With sendpartial the outer exception carries the final "250" of a partial send: no refusal.
      if (code < 400) continue;
      retry |= code / 100 == 4;
      refusals.add(reply(x));
    }
    if (refusals.isEmpty()) return connectionFailure(where, e);
    Address[] sent = e.getValidSentAddresses();
    String delivered =
        sent == null || sent.length == 0 ? "" : " (delivered to " + join(sent) + " all the same)";
    return new Delivery.Failed(
        where + " refused: " + String.join("; ", refusals) + delivered, retry);
  }

  private Delivery.Failed connectionFailure(String where, MessagingException e) {
    String text = String.valueOf(e.getMessage());
    if (text.contains("STARTTLS is required"))
      return new Delivery.Failed(
          where
              + " does not offer STARTTLS, so nothing was sent; use security tls (port 465) or"
              + " none for a relay on this machine",
          false);
    for (Throwable c = e; c != null; c = cause(c)) {
      switch (c) {
        case UnknownHostException u -> {
          return new Delivery.Failed(where + ": unknown host " + settings.host(), true);
        }
        case ConnectException x -> {
          return new Delivery.Failed(where + " refused the connection", true);
        }
        case SocketTimeoutException x -> {
          return new Delivery.Failed(
              where + " did not answer within " + settings.timeout().toSeconds() + "s", true);
        }
        case SSLException x -> {
          return new Delivery.Failed(
              where
                  + ": TLS failed ("
                  + NotificationText.line(String.valueOf(x.getMessage()))
                  + "); check notify.email.security and the port",
              true);
        }
        default -> {}
      }
    }
    return new Delivery.Failed(where + ": " + reply(e), true);
  }

  private static Exception next(Exception x) {
    return x instanceof MessagingException m ? m.getNextException() : null;
  }

  private static Throwable cause(Throwable t) {
    Throwable next =
        t instanceof MessagingException m && m.getNextException() != null
            ? m.getNextException()
            : t.getCause();
    return next == t ? null : next;
  }

  /** The server's reply (or the exception's message) on one line, at most 200 characters. */
  private static String reply(Exception e) {
    return NotificationText.clip(
        NotificationText.line(String.valueOf(e.getMessage())).strip(), 200);
  }

  private static String join(Address[] addresses) {
    List<String> out = new ArrayList<>();
    for (Address a : addresses) out.add(a.toString());
    return String.join(", ", out);
  }

  private String masked(String reason) {
    return settings
        .password()
        .filter(p -> !p.isEmpty())
        .map(p -> reason.replace(p, MASK))
        .orElse(reason);
  }

  private static String domain(String address) {
    int at = address.lastIndexOf('@');
    String d = at < 0 ? "" : address.substring(at + 1).replaceAll("[^A-Za-z0-9.-]", "");
    return d.isEmpty() ? "book-creator.invalid" : d;
  }

  private static InternetAddress address(String role, String text) {
    try {
      InternetAddress a = new InternetAddress(text, true);
      a.validate(); // a bare name without @domain passes the constructor, not this
      return a;
    } catch (AddressException e) {
      throw new IllegalArgumentException(
          "the " + role + " '" + NotificationText.line(text) + "' is not an e-mail address");
    }
  }

  private static boolean loopback(String host) {
    String h = host.strip().toLowerCase(Locale.ROOT);
    return h.equals("localhost")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")
        || h.equals("::1")
        || h.equals("[::1]");
  }

  @Override
  public String toString() {
    return "EmailNotifier[" + settings + "]";
  }
}
