package org.bookcreator.core.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.bookcreator.core.view.TaskQueries.Critique;
import org.junit.jupiter.api.Test;

class TaskQueriesTest {
  @Test
  void critique_parse_readsScoreVerdictAndIssues() {
    Critique c =
        Critique.parse(
            "{\"score\": 6.5, \"verdict\": \"revise\", \"issues\": [\"too short\", \"<b>x</b>\"]}");

    assertThat(c.score()).contains(6.5);
    assertThat(c.verdict()).contains("revise");
    assertThat(c.issues()).containsExactly("too short", "<b>x</b>");
  }

  @Test
  void critique_parse_leavesOutWhatIsMissingOrOfTheWrongType() {
    Critique c = Critique.parse("{\"score\": \"high\", \"issues\": [1, \"kept\"]}");

    assertThat(c.score()).isEmpty();
    assertThat(c.verdict()).isEmpty();
    assertThat(c.issues()).containsExactly("kept");
  }

  @Test
  void critique_parse_ofSomethingNotAnObject_isNothing() {
    assertThat(Critique.parse("not json {")).isEqualTo(Critique.NONE);
    assertThat(Critique.parse("[1,2]")).isEqualTo(Critique.NONE);
    assertThat(Critique.parse("")).isEqualTo(Critique.NONE);
  }

  @Test
  void readable_indentsJson_oneFieldALine_andLeavesProseAlone() {
    assertThat(TaskQueries.readable("{\"a\":1,\"b\":[2]}").lines().toList())
        .hasSizeGreaterThan(2)
        .contains("  \"a\" : 1,");
    assertThat(TaskQueries.readable("Once upon a time.\nThe end."))
        .isEqualTo("Once upon a time.\nThe end.");
    assertThat(TaskQueries.readable("{broken")).isEqualTo("{broken");
  }

  @Test
  void critique_none_hasNoIssues() {
    assertThat(Critique.NONE)
        .isEqualTo(new Critique(Optional.empty(), Optional.empty(), List.of()));
  }
}
