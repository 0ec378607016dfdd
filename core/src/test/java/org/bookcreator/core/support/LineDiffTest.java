package org.bookcreator.core.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.bookcreator.core.support.LineDiff.Line;
import org.bookcreator.core.support.LineDiff.Op;
import org.junit.jupiter.api.Test;

class LineDiffTest {
  @Test
  void of_sameText_isUnchanged() {
    LineDiff.Result d = LineDiff.of("a\nb\nc\n", "a\nb\nc\n");

    assertThat(d.unchanged()).isTrue();
    assertThat(d.lines()).extracting(Line::op).containsOnly(Op.KEPT);
  }

  @Test
  void of_aLineReplacedInTheMiddle_removesItAndAddsTheNewOne() {
    LineDiff.Result d = LineDiff.of("one\ntwo\nthree", "one\n2\nthree");

    assertThat(d.lines())
        .containsExactly(
            new Line(Op.KEPT, "one"),
            new Line(Op.REMOVED, "two"),
            new Line(Op.ADDED, "2"),
            new Line(Op.KEPT, "three"));
    assertThat(d.added()).isEqualTo(1);
    assertThat(d.removed()).isEqualTo(1);
  }

  @Test
  void of_insertionsAndDeletionsAround_keepTheCommonSubsequence() {
    LineDiff.Result d = LineDiff.of("a\nb\nc\nd", "x\na\nc\nd\ny");

    assertThat(d.text(5)).isEqualTo("+ x\n  a\n- b\n  c\n  d\n+ y\n");
  }

  @Test
  void of_fromEmpty_addsEveryLine_andToEmpty_removesEveryLine() {
    assertThat(LineDiff.of("", "a\nb").text(3)).isEqualTo("+ a\n+ b\n");
    assertThat(LineDiff.of("a\nb\n", "").text(3)).isEqualTo("- a\n- b\n");
  }

  @Test
  void of_windowsLineEnds_compareEqualToUnixOnes() {
    assertThat(LineDiff.of("a\r\nb\r\n", "a\nb\n").unchanged()).isTrue();
  }

  @Test
  void text_collapsesLongRunsOfKeptLines_beyondTheContext() {
    List<String> before = new ArrayList<>();
    for (int i = 0; i < 20; i++) before.add("line " + i);
    List<String> after = new ArrayList<>(before);
    after.set(10, "changed");

    String text = LineDiff.of(before, after).text(1);

    assertThat(text)
        .isEqualTo(
            "@@ 9 unchanged line(s) @@\n  line 9\n- line 10\n+ changed\n  line 11\n"
                + "@@ 8 unchanged line(s) @@\n");
  }

  @Test
  void of_middleBeyondTheBound_isReportedAsRemovedThenAdded() {
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    for (int i = 0; i < 2100; i++) {
      a.add("a" + i);
      b.add("b" + i);
    }
    a.add(0, "same");
    b.add(0, "same");

    LineDiff.Result d = LineDiff.of(a, b);

    assertThat(d.lines().get(0)).isEqualTo(new Line(Op.KEPT, "same"));
    assertThat(d.lines().get(1)).isEqualTo(new Line(Op.REMOVED, "a0"));
    assertThat(d.lines().get(2101)).isEqualTo(new Line(Op.ADDED, "b0"));
    assertThat(d.removed()).isEqualTo(2100);
    assertThat(d.added()).isEqualTo(2100);
  }
}
