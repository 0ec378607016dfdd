package org.bookcreator.core.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.run.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransitionsTest {

  @ParameterizedTest
  @CsvSource({
    "QUEUED,RUNNING",
    "QUEUED,CANCELLED",
    "RUNNING,COMPLETED",
    "RUNNING,FAILED",
    "RUNNING,PAUSED",
    "RUNNING,CANCELLED",
    "PAUSED,RUNNING",
    "FAILED,RUNNING"
  })
  void run_legalMoves_areAllowed(RunState from, RunState to) {
    RunState.TABLE.require(from, to, "r1");

    assertThat(RunState.TABLE.allows(from, to)).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
    "COMPLETED,RUNNING",
    "CANCELLED,RUNNING",
    "QUEUED,COMPLETED",
    "PAUSED,COMPLETED",
    "RUNNING,QUEUED",
    "QUEUED,QUEUED"
  })
  void run_illegalMoves_areRejected_withBothStatesNamed(RunState from, RunState to) {
    assertThatThrownBy(() -> RunState.TABLE.require(from, to, "r1"))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessageContaining("run r1")
        .hasMessageContaining(from + " -> " + to);
  }

  @Test
  void terminalRunStates_allowNothing_andSayWhy() {
    assertThat(RunState.TABLE.targets(RunState.COMPLETED)).isEmpty();
    assertThatThrownBy(() -> RunState.TABLE.require(RunState.COMPLETED, RunState.FAILED, "r1"))
        .hasMessageContaining("none, it is final");
  }

  @Test
  void stage_movesForward_orIsRewoundToPendingByARestart() {
    assertThat(StageState.TABLE.allows(StageState.PENDING, StageState.RUNNING)).isTrue();
    assertThat(StageState.TABLE.allows(StageState.RUNNING, StageState.COMPLETED)).isTrue();
    assertThat(StageState.TABLE.allows(StageState.FAILED, StageState.RUNNING)).isTrue();
    assertThat(StageState.TABLE.allows(StageState.COMPLETED, StageState.PENDING)).isTrue();
    assertThat(StageState.TABLE.allows(StageState.COMPLETED, StageState.RUNNING)).isFalse();
    assertThat(StageState.TABLE.allows(StageState.PENDING, StageState.COMPLETED)).isFalse();
  }

  @Test
  void aRunningRun_mayBeRestarted_inPlace() {
    assertThat(RunState.TABLE.allows(RunState.RUNNING, RunState.RUNNING)).isTrue();
  }

  @Test
  void task_reclaimIsLegal_andACompletedTaskCanOnlyBeSuperseded() {
    assertThat(TaskState.TABLE.allows(TaskState.LEASED, TaskState.LEASED)).isTrue();
    assertThat(TaskState.TABLE.allows(TaskState.LEASED, TaskState.QUEUED)).isTrue();
    assertThat(TaskState.TABLE.targets(TaskState.COMPLETED)).containsExactly(TaskState.SUPERSEDED);
    assertThat(TaskState.TABLE.targets(TaskState.SUPERSEDED)).isEmpty();
    assertThat(TaskState.TABLE.allows(TaskState.QUEUED, TaskState.COMPLETED)).isFalse();
  }
}
