package org.bookcreator.core.pipeline;

import io.opentelemetry.api.common.Attributes;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Stage;
import org.bookcreator.telemetry.SemConv;

/**
 * How a run maps onto a trace: the trace id and the run span are keyed by the run id, each stage
 * span by {@code RUN/stage}, so that workers (in any process, after any restart) can parent their
 * {@code invoke_agent} spans on a stage span that is only recorded when the stage ends.
 */
final class Tracing {
  private Tracing() {}

  static String stageKey(String runId, Stage stage) {
    return runId + "/" + stage.id();
  }

  static Attributes runAttributes(Project project, String runId) {
    return Attributes.builder()
        .put(SemConv.PROJECT_ID, project.id())
        .put(SemConv.RUN_ID, runId)
        .put(SemConv.CATEGORY, project.category())
        .build();
  }
}
