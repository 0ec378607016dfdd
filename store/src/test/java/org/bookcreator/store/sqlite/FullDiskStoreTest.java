package org.bookcreator.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bookcreator.core.store.StoreContractTest.aProject;

import java.nio.file.Path;
import org.bookcreator.core.store.DiskFullException;
import org.bookcreator.core.store.SmallDisk;
import org.bookcreator.core.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store on a disk that fills up for real (a small tmpfs; skipped where it cannot mount). */
class FullDiskStoreTest {
  @TempDir Path dir;
  private SmallDisk disk;

  @BeforeEach
  void mountASmallDisk() throws Exception {
    disk = SmallDisk.mount(dir.resolve("disk"), "4m");
  }

  @AfterEach
  void unmount() throws Exception {
    if (disk != null) disk.close();
  }

  @Test
  void aWriteOnAFullDisk_namesTheDirectoryAndTheSpaceLeft_andWritingWorksOnceSpaceReturns()
      throws Exception {
    Path data = disk.path().resolve("data");
    try (Store store = SqliteStore.open(data, true)) {
      store.createProject(aProject("before"));
      disk.fill();

      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 1000; i++) store.createProject(aProject("p" + i));
              })
          .isInstanceOf(DiskFullException.class)
          .hasMessageContaining("disk full: the data directory " + data + " has 0 B free")
          .hasMessageContaining("bin/book-creator resume");

      disk.free();
      // SQLite rolled the failed transaction back itself; the store's connection must be back in
      // step, so that the next transaction is one again.
      store.createProject(aProject("after"));
      assertThat(store.project("after")).isPresent();
      assertThat(store.project("before")).isPresent();
    }
  }
}
