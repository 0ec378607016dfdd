package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SampleBriefsTest {
  @Test
  void extract_intoARelativeFolderStartingWithDot_writesEveryBrief() throws Exception {
    // The default data directory is "./data": the samples go to "./data/samples", relative to the
    // working directory.
    Path relative = Path.of(".", "target", "sample-briefs-test-" + System.nanoTime());

    var briefs = SampleBriefs.extract(relative);

    assertThat(briefs)
        .hasSize(6)
        .allSatisfy(b -> assertThat(Files.readString(b)).contains("title"));
  }
}
