package org.bookcreator.notify;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made once per JVM with the JDK's keytool:
 * GreenMail's SMTPS serves it (GreenMail reads its keystore once per JVM, from system properties),
 * and a client trusts exactly it, so the host name check stays on.
 */
final class TestTls {
  private static final String PASSWORD = "test-tls-password";
  private static final Path KEYSTORE = generate();

  private TestTls() {}

  /** Makes GreenMail's SMTPS serve the certificate: call before starting it. */
  static void serveFromGreenMail() {
    System.setProperty("greenmail.tls.keystore.file", KEYSTORE.toString());
    System.setProperty("greenmail.tls.keystore.password", PASSWORD);
    System.setProperty("greenmail.tls.key.password", PASSWORD);
  }

  /** Sockets that trust the certificate and nothing else. */
  static SSLSocketFactory trustingIt() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(KEYSTORE)) {
      store.load(in, PASSWORD.toCharArray());
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, trust.getTrustManagers(), null);
    return tls.getSocketFactory();
  }

  private static Path generate() {
    try {
      Path dir = Files.createTempDirectory("book-creator-tls");
      Path keystore = dir.resolve("smtp.p12");
      Process keytool =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                  "-genkeypair",
                  "-alias",
                  "smtp",
                  "-keyalg",
                  "RSA",
                  "-keysize",
                  "2048",
                  "-validity",
                  "2",
                  "-dname",
                  "CN=localhost",
                  "-ext",
                  "SAN=ip:127.0.0.1,dns:localhost",
                  "-storetype",
                  "PKCS12",
                  "-keystore",
                  keystore.toString(),
                  "-storepass",
                  PASSWORD,
                  "-keypass",
                  PASSWORD)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("keytool.log").toFile())
              .start();
      if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0)
        throw new IllegalStateException(
            "keytool failed: " + Files.readString(dir.resolve("keytool.log")));
      keystore.toFile().deleteOnExit();
      dir.resolve("keytool.log").toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return keystore;
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a test certificate", e);
    }
  }
}
