package org.bookcreator.app;

import java.net.URI;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.bookcreator.store.postgres.PostgresDatabase;

/**
 * An empty database of its own for one benchmark measurement, created on the PostgreSQL server
 * {@code store.url} names (signing in as {@code store.user}, which needs CREATEDB) and dropped,
 * with whatever is still connected to it, on close. The database {@code store.url} names is only
 * connected to, never written.
 */
final class ScratchDatabase implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PostgresDatabase.Settings server;
  private final PostgresDatabase.Settings settings;
  final String name;

  private ScratchDatabase(
      PostgresDatabase.Settings server, PostgresDatabase.Settings settings, String name) {
    this.server = server;
    this.settings = settings;
    this.name = name;
  }

  /** Creates {@code bc_bench_<16 hex digits>} next to the database of {@code server}. */
  static ScratchDatabase create(PostgresDatabase.Settings server) {
    byte[] bytes = new byte[8];
    RANDOM.nextBytes(bytes);
    String name = "bc_bench_" + HexFormat.of().formatHex(bytes);
    PostgresDatabase.administer(
        server,
        "CREATE DATABASE " + name,
        "cannot create the benchmark's scratch database on PostgreSQL at "
            + server.where()
            + " (store.user needs CREATEDB)");
    return new ScratchDatabase(
        server,
        new PostgresDatabase.Settings(
            urlOf(server.url(), name),
            server.user(),
            server.password(),
            server.poolSize(),
            server.connectTimeout()),
        name);
  }

  /** {@code url} naming {@code database} instead of its own, its parameters kept. */
  static String urlOf(String url, String database) {
    URI uri = URI.create(url.substring("jdbc:".length()));
    String authority = uri.getRawAuthority();
    String query = uri.getRawQuery();
    return "jdbc:postgresql://" + authority + "/" + database + (query == null ? "" : "?" + query);
  }

  /** The settings that select this database as the store, sign-in included. */
  java.util.Map<Setting<?>, String> flags() {
    java.util.Map<Setting<?>, String> flags = new java.util.HashMap<>();
    flags.put(Setting.STORE_URL, settings.url());
    settings.user().ifPresent(u -> flags.put(Setting.STORE_USER, u));
    settings.password().ifPresent(p -> flags.put(Setting.STORE_PASSWORD, p));
    return flags;
  }

  /** The same as environment variables, for a child process. */
  java.util.Map<String, String> environment() {
    java.util.Map<String, String> env = new java.util.HashMap<>();
    env.put("BOOK_CREATOR_STORE_URL", settings.url());
    settings.user().ifPresent(u -> env.put("BOOK_CREATOR_STORE_USER", u));
    settings.password().ifPresent(p -> env.put("BOOK_CREATOR_STORE_PASSWORD", p));
    return env;
  }

  @Override
  public void close() {
    PostgresDatabase.administer(
        server,
        "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)",
        "cannot drop the benchmark's scratch database "
            + name
            + " on PostgreSQL at "
            + server.where()
            + "; drop it by hand");
  }
}
