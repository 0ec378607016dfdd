package org.bookcreator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InstanceTest {
  private static final String PID = "-" + ProcessHandle.current().pid();

  @Test
  void choose_keepsADeploymentsName() {
    assertThat(Instance.choose("worker-2")).isEqualTo("worker-2");
    assertThat(Instance.choose("api.eu-1:8080")).isEqualTo("api.eu-1:8080");
  }

  @Test
  void choose_defaultsToHostAndProcessId() {
    assertThat(Instance.choose(null)).endsWith(PID).doesNotStartWith("-");
    assertThat(Instance.choose("  ")).endsWith(PID);
  }

  @Test
  void choose_refusesNamesThatCouldForgeALogLineOrALabel() {
    assertThat(Instance.choose("w1\n{\"level\":\"ERROR\"}")).endsWith(PID);
    assertThat(Instance.choose("w\u0000")).endsWith(PID);
    assertThat(Instance.choose("a".repeat(65))).endsWith(PID);
    assertThat(Instance.choose("-starts-with-dash")).endsWith(PID);
    assertThat(Instance.valid("w1\n")).isFalse();
    assertThat(Instance.valid("")).as("empty: the default").isTrue();
  }
}
