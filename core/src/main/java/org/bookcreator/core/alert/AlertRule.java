package org.bookcreator.core.alert;

import java.time.Duration;
import java.util.List;

/**
 * A condition worth telling someone about. Each evaluation asks the rule what it sees now; an
 * instance seen for {@link #holdFor()} fires, and resolves when the rule stops seeing it. Rules
 * read, never write, and must be cheap: the evaluator runs them all every interval.
 */
public interface AlertRule {
  /** CamelCase, the same name the Prometheus rules use where they can express the condition. */
  String name();

  Severity severity();

  /** How long a condition must hold before it fires ({@code for} in Prometheus terms). */
  Duration holdFor();

  /** The runbook's file name under docs/runbooks, without {@code .md}. */
  String runbook();

  /** What the rule sees now; an instance per set of labels. */
  List<Signal> check(AlertInputs in);

  /** A one-line statement of the condition and its thresholds, for {@code alerts rules}. */
  String condition();
}
