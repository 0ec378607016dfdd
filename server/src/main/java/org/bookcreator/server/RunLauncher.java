package org.bookcreator.server;

import java.time.InstantSource;
import org.bookcreator.core.ops.RunControl;
import org.bookcreator.core.pipeline.Pipeline;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Ids;

/**
 * How the API starts and restarts runs: through the pipeline of this process (the all-in-one role),
 * or, for an API-only process, by writing them to the shared store, where the orchestrator of a
 * worker process picks them up on its next sweep.
 */
public interface RunLauncher {
  /** Creates a run of the project and sets it going. */
  Run start(Project project, String reason);

  /**
   * Carries out a restart plan; throws {@link RunControl.Conflict} when the run changed meanwhile.
   */
  Run restart(org.bookcreator.core.run.RestartPlan plan, String reason);

  static RunLauncher inProcess(Pipeline pipeline, long seed) {
    return new RunLauncher() {
      @Override
      public Run start(Project project, String reason) {
        return pipeline.submit(project, seed, reason);
      }

      @Override
      public Run restart(org.bookcreator.core.run.RestartPlan plan, String reason) {
        return pipeline.restart(plan, reason);
      }
    };
  }

  static RunLauncher viaStore(Store store, Ids ids, InstantSource clock, long seed) {
    return new RunLauncher() {
      @Override
      public Run start(Project project, String reason) {
        return store.createRun(ids.next("run"), project.id(), seed, reason, clock.instant());
      }

      @Override
      public Run restart(org.bookcreator.core.run.RestartPlan plan, String reason) {
        return RunControl.restart(store, plan, reason, clock.instant());
      }
    };
  }
}
