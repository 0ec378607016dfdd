package org.bookcreator.core.view;

import java.time.Instant;
import java.util.List;
import org.bookcreator.core.alert.Silence;

/**
 * A silence as people see it: its id (what {@code alerts unsilence} and {@code DELETE
 * /api/silences/{id}} take), its matchers as written ({@code alertname=RunFailed}), when it
 * applies, why, and who made it ({@code cli}, {@code api 127.0.0.1}).
 */
public record SilenceView(
    String id,
    List<String> matchers,
    Instant startsAt,
    Instant endsAt,
    String reason,
    String createdBy,
    Instant createdAt) {
  public SilenceView {
    matchers = List.copyOf(matchers);
  }

  public static SilenceView of(Silence s) {
    return new SilenceView(
        s.id(),
        s.matchers().stream().map(Silence.Matcher::toString).toList(),
        s.startsAt(),
        s.endsAt(),
        s.reason(),
        s.createdBy(),
        s.createdAt());
  }
}
