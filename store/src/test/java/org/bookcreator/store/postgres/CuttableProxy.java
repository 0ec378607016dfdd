package org.bookcreator.store.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of the test PostgreSQL server (127.0.0.1:5432) that can be cut and restored,
 * to make the database unreachable for one store without stopping the server others use. Cut, it
 * closes every connection it carries and closes each new one at once (a client sees the connection
 * fail, SQLSTATE class 08).
 */
public final class CuttableProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile boolean cut;

  public CuttableProxy() throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("proxy-accept").start(this::accept);
  }

  /** A store URL to the test database {@code name} through this proxy. */
  public String url(String name) {
    return "jdbc:postgresql://127.0.0.1:" + listener.getLocalPort() + "/" + name;
  }

  /** Closes every connection and refuses new ones until {@link #restore}. */
  public void cut() {
    cut = true;
    for (Socket s : open) close(s);
    open.clear();
  }

  public void restore() {
    cut = false;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        if (cut) {
          close(client);
          continue;
        }
        Socket server = new Socket(InetAddress.getLoopbackAddress(), 5432);
        open.add(client);
        open.add(server);
        Thread.ofVirtual().start(() -> pipe(client, server));
        Thread.ofVirtual().start(() -> pipe(server, client));
      } catch (IOException e) {
        if (listener.isClosed()) return;
      }
    }
  }

  private static void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException closed) {
      // one side went away: the other goes too
    } finally {
      close(from);
      close(to);
    }
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    cut();
  }
}
