package org.bookcreator.core.alert;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Ids;
import org.bookcreator.core.support.Numbers;
import org.bookcreator.core.support.VisibleText;

/**
 * The silence use cases the command line and the API share: create one from its matchers, a
 * duration or an end, a reason and where it came from; list those that apply; end one early. Every
 * refusal is a {@link Invalid} naming the field and the problem. Thread-safe.
 */
public final class Silences {
  /** The longest a silence may last: longer is a typo, or a rule to switch off instead. */
  public static final Duration MAX_DURATION = Duration.ofDays(365);

  private static final int MAX_REASON = 500;
  private static final int MAX_MATCHERS = 20;

  private final Store store;
  private final Ids ids;
  private final InstantSource clock;

  public Silences(Store store, Ids ids, InstantSource clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.ids = Objects.requireNonNull(ids, "ids");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** What a new silence is made of, as a person wrote it. */
  public record Request(
      List<String> matchers,
      Optional<String> duration,
      Optional<String> endsAt,
      String reason,
      String createdBy) {
    public Request {
      matchers = List.copyOf(matchers);
      duration = Objects.requireNonNullElse(duration, Optional.empty());
      endsAt = Objects.requireNonNullElse(endsAt, Optional.empty());
      Objects.requireNonNull(createdBy, "createdBy");
    }
  }

  /** A refused request: which field ({@code matchers}, {@code duration}, ...) and why. */
  public static final class Invalid extends IllegalArgumentException {
    private final String field;
    private final String problem;

    Invalid(String field, String problem) {
      super(field + ": " + problem);
      this.field = field;
      this.problem = problem;
    }

    public String field() {
      return field;
    }

    public String problem() {
      return problem;
    }
  }

  /**
   * Checks and keeps a new silence, applying from now.
   *
   * @throws Invalid naming the field: no matcher, a matcher that does not parse, matchers that
   *     would silence every alert, neither or both of duration and end, a duration that is not one
   *     or out of range, an end in the past, a blank or long reason
   */
  public Silence create(Request r) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS); // as the store keeps it
    List<Silence.Matcher> matchers = matchers(r.matchers());
    Instant ends = ends(r, now);
    String reason = VisibleText.clean(Objects.requireNonNullElse(r.reason(), "").strip());
    if (reason.isEmpty())
      throw new Invalid("reason", "required: say why, it is shown with the silence");
    if (reason.length() > MAX_REASON)
      throw new Invalid("reason", "at most " + MAX_REASON + " characters");
    Silence s = new Silence(ids.next("sil"), matchers, now, ends, reason, r.createdBy(), now);
    store.addSilence(s);
    return s;
  }

  /** The silences that apply now, ending soonest first. */
  public List<Silence> active() {
    return store.activeSilences(clock.instant());
  }

  /**
   * Ends a silence now; one that had already ended stays as it was.
   *
   * @return the silence as it is afterwards; empty when there is no silence {@code id}
   */
  public Optional<Silence> end(String id) {
    return store.endSilence(id, clock.instant());
  }

  private static List<Silence.Matcher> matchers(List<String> texts) {
    if (texts.isEmpty())
      throw new Invalid("matchers", "at least one is required, e.g. alertname=RunFailed");
    if (texts.size() > MAX_MATCHERS)
      throw new Invalid("matchers", "at most " + MAX_MATCHERS + ", got " + texts.size());
    List<Silence.Matcher> out = new ArrayList<>();
    for (String t : texts) {
      try {
        out.add(Silence.Matcher.parse(Objects.requireNonNullElse(t, "")));
      } catch (IllegalArgumentException e) {
        throw new Invalid("matchers", e.getMessage());
      }
    }
    if (out.stream().allMatch(Silence.Matcher::matchesEmpty)) {
      throw new Invalid(
          "matchers",
          "these would silence every alert; at least one must need a label value, e.g."
              + " alertname=RunFailed");
    }
    return out;
  }

  private static Instant ends(Request r, Instant now) {
    if (r.duration().isPresent() == r.endsAt().isPresent())
      throw new Invalid("duration", "give either a duration (e.g. 2h) or an end time, not both");
    Instant ends;
    if (r.duration().isPresent()) {
      Duration d;
      try {
        d = Numbers.duration(r.duration().get());
      } catch (IllegalArgumentException e) {
        throw new Invalid("duration", e.getMessage() + ", got '" + clip(r.duration().get()) + "'");
      }
      if (d.isZero()) throw new Invalid("duration", "must be longer than 0");
      ends = now.plus(d);
    } else {
      try {
        ends = Instant.parse(r.endsAt().get().strip()).truncatedTo(ChronoUnit.MILLIS);
      } catch (java.time.format.DateTimeParseException e) {
        throw new Invalid(
            "ends_at",
            "expected an ISO-8601 time such as 2026-12-01T18:00:00Z, got '"
                + clip(r.endsAt().get())
                + "'");
      }
      if (!ends.isAfter(now)) throw new Invalid("ends_at", "must be in the future, got " + ends);
    }
    if (Duration.between(now, ends).compareTo(MAX_DURATION) > 0)
      throw new Invalid(
          r.duration().isPresent() ? "duration" : "ends_at",
          "a silence lasts at most " + MAX_DURATION.toDays() + "d");
    return ends;
  }

  private static String clip(String s) {
    return VisibleText.escape(s, 40);
  }
}
