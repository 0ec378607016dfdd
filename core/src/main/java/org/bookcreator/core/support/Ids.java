package org.bookcreator.core.support;

import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Random;

/**
 * Generates short, time-ordered, URL-safe ids such as {@code run_0mgk2x7a9f3kq2}. Injected so that
 * tests can make ids predictable. Thread-safe.
 */
public final class Ids {
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
  private final InstantSource clock;
  private final Random random;

  public Ids(InstantSource clock, Random random) {
    this.clock = clock;
    this.random = random;
  }

  public static Ids system() {
    return new Ids(InstantSource.system(), new SecureRandom());
  }

  public String next(String prefix) {
    StringBuilder sb = new StringBuilder(prefix).append('_');
    sb.append(Long.toString(clock.millis(), 36));
    synchronized (random) {
      for (int i = 0; i < 6; i++) {
        sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
      }
    }
    return sb.toString();
  }
}
