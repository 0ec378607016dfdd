package org.bookcreator.telemetry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hex ids derived from keys by SHA-256 (the first {@code bytes} bytes of the digest, never all
 * zero), remembered in a bounded map: every task looks up its run's trace id and its stage's span
 * id several times, and a digest costs microseconds. Thread-safe.
 */
final class KeyedIds {
  private static final HexFormat HEX = HexFormat.of();
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("this JVM has no SHA-256", e);
            }
          });

  private final int capacity;
  private final ConcurrentHashMap<String, String> cache = new ConcurrentHashMap<>();

  KeyedIds(int capacity) {
    this.capacity = capacity;
  }

  String get(String key, int bytes) {
    String cacheKey = bytes == 16 ? key : bytes + ":" + key;
    String id = cache.get(cacheKey);
    if (id != null) return id;
    id = compute(key, bytes);
    // Crude bound: a full cache starts over. Ids are pure functions of the key, so a miss only
    // costs time.
    if (cache.size() >= capacity) cache.clear();
    cache.put(cacheKey, id);
    return id;
  }

  static String compute(String key, int bytes) {
    byte[] d = SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8));
    if (d[0] == 0) d[0] = 1;
    return HEX.formatHex(d, 0, bytes);
  }
}
