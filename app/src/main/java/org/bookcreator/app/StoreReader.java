package org.bookcreator.app;

import java.nio.file.Files;
import java.util.Optional;
import org.bookcreator.core.store.Store;
import org.bookcreator.store.sqlite.SqliteStore;

/** Opens the store for reading commands: without the process lock, and only if it exists. */
final class StoreReader {
  private StoreReader() {}

  static Optional<Store> open(Settings settings) {
    if (!Files.exists(settings.dataDir().resolve(SqliteStore.DB_FILE))) return Optional.empty();
    return Optional.of(SqliteStore.open(settings.dataDir(), false));
  }
}
