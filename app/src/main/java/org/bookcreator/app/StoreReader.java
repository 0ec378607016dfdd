package org.bookcreator.app;

import java.nio.file.Files;
import java.util.Optional;
import org.bookcreator.core.store.Store;
import org.bookcreator.store.sqlite.SqliteStore;

/** Opens the store for reading commands: without the process lock, and only if it exists. */
final class StoreReader {
  private StoreReader() {}

  /** Opens the store for reading, or fails with a message saying nothing has run there yet. */
  static Store require(Settings settings) {
    return open(settings)
        .orElseThrow(
            () ->
                new Main.UsageException(
                    "no store in "
                        + settings.dataDir()
                        + "; nothing has run yet (try bin/book-creator demo)"));
  }

  static Optional<Store> open(Settings settings) {
    if (!Files.exists(settings.dataDir().resolve(SqliteStore.DB_FILE))) return Optional.empty();
    return Optional.of(SqliteStore.open(settings.dataDir(), false));
  }
}
