package org.bookcreator.app;

import java.nio.file.Files;
import java.time.InstantSource;
import java.util.Optional;
import org.bookcreator.core.ops.RunService;
import org.bookcreator.core.ops.RunService.Driver;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Ids;
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

  /**
   * The use cases over a store this process does not drive: another process's orchestrator (or the
   * next foreground command) carries the runs on.
   */
  static RunService runs(Settings settings, Store store) {
    return new RunService(
        store, Ids.system(), InstantSource.system(), settings.simulation().seed(), Driver.NONE);
  }

  static Optional<Store> open(Settings settings) {
    if (!Files.exists(settings.dataDir().resolve(SqliteStore.DB_FILE))) return Optional.empty();
    return Optional.of(SqliteStore.open(settings.dataDir(), false));
  }
}
