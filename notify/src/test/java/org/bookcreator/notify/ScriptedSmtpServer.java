package org.bookcreator.notify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * An SMTP server on the loopback address that answers from a script: the replies GreenMail never
 * gives (a recipient refused with 550 or 451, a login refused with a reply that quotes the password
 * back). It speaks the protocol over a real socket, one connection at a time, and records each
 * message it accepted with its accepted recipients.
 */
final class ScriptedSmtpServer implements AutoCloseable {
  /** A message the server took: the recipients it accepted and the data. */
  record Accepted(List<String> recipients, String data) {}

  private final ServerSocket socket;
  private final UnaryOperator<String> rcptReply;
  private final UnaryOperator<String> authReply;
  private final List<Accepted> accepted = new CopyOnWriteArrayList<>();
  private final Thread loop;

  /**
   * @param rcptReply the reply to {@code RCPT TO} for an address, e.g. {@code 250 OK}
   * @param authReply the reply to a login, given the password the client sent
   */
  ScriptedSmtpServer(UnaryOperator<String> rcptReply, UnaryOperator<String> authReply)
      throws IOException {
    this.socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    this.rcptReply = rcptReply;
    this.authReply = authReply;
    this.loop = Thread.ofVirtual().name("scripted-smtp").start(this::serve);
  }

  int port() {
    return socket.getLocalPort();
  }

  List<Accepted> accepted() {
    return List.copyOf(accepted);
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket s = socket.accept()) {
        converse(s);
      } catch (IOException e) {
        // Closed, or the client hung up: wait for the next one.
      }
    }
  }

  private void converse(Socket s) throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    OutputStream out = s.getOutputStream();
    List<String> recipients = new ArrayList<>();
    say(out, "220 scripted ESMTP");
    for (String line; (line = in.readLine()) != null; ) {
      String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
      switch (verb) {
        case "EHLO", "HELO" -> say(out, "250-scripted\r\n250-AUTH PLAIN\r\n250 8BITMIME");
        case "AUTH" -> {
          String[] parts = line.split(" ");
          String credentials = parts.length > 2 ? parts[2] : ask(in, out);
          String[] fields =
              new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8)
                  .split("\0");
          say(out, authReply.apply(fields[fields.length - 1]));
        }
        case "MAIL", "NOOP" -> say(out, "250 OK");
        case "RSET" -> {
          recipients.clear();
          say(out, "250 OK");
        }
        case "RCPT" -> {
          String address = line.replaceAll("(?i).*TO:\\s*<([^>]*)>.*", "$1");
          String reply = rcptReply.apply(address);
          if (reply.startsWith("250")) recipients.add(address);
          say(out, reply);
        }
        case "DATA" -> {
          say(out, "354 go ahead");
          StringBuilder data = new StringBuilder();
          for (String d; (d = in.readLine()) != null && !d.equals("."); )
            data.append(d).append('\n');
          accepted.add(new Accepted(List.copyOf(recipients), data.toString()));
          recipients.clear();
          say(out, "250 OK queued");
        }
        case "QUIT" -> {
          say(out, "221 bye");
          return;
        }
        default -> say(out, "500 unknown command");
      }
    }
  }

  private static String ask(BufferedReader in, OutputStream out) throws IOException {
    say(out, "334 ");
    return in.readLine();
  }

  private static void say(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() throws Exception {
    socket.close();
    loop.join(5000);
  }
}
