package org.bookcreator.app;

import java.time.InstantSource;
import org.bookcreator.core.ops.RunService;
import org.bookcreator.core.pipeline.Pipeline;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Ids;
import org.bookcreator.telemetry.Redactor;

/** The run service over a test's own store and pipeline, as the composition root wires it. */
final class TestRuns {
  private TestRuns() {}

  static RunService over(Store store, Pipeline pipeline) {
    return new RunService(
        store, Ids.system(), InstantSource.system(), 0, Redactor.none(), pipeline::wake);
  }

  /** Starts a run of a project already in the store. */
  static Run start(Store store, Pipeline pipeline, Project project, long seed) {
    return over(store, pipeline).start(project.id(), seed, "test");
  }
}
