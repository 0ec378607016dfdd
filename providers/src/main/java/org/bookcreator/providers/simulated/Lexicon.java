package org.bookcreator.providers.simulated;

import java.util.List;

/** Word banks for the simulated writers: narrative for stories, expository for everything else. */
record Lexicon(
    List<String> names,
    List<String> places,
    List<String> objects,
    List<String> themes,
    List<String> chapterPatterns,
    List<String> openings,
    List<String> middles,
    List<String> closings,
    boolean narrative) {

  static Lexicon forCategory(String category) {
    return switch (category) {
      case "fiction", "children" -> NARRATIVE;
      default -> EXPOSITORY;
    };
  }

  static final Lexicon NARRATIVE =
      new Lexicon(
          List.of("Mara", "Tobias", "Elin", "Jonah", "Ada", "Rafe", "Nell", "Osric", "Ivy", "Caleb"),
          List.of("the harbour", "the lighthouse gallery", "the salt marsh", "the old boathouse", "the cliff path",
              "the village square", "the lantern room", "the tide pools", "the keeper's cottage", "the north jetty"),
          List.of("a brass compass", "a cracked lantern", "a folded map", "a ship's bell", "a tin of matches",
              "a logbook", "a coil of rope", "a sealed letter", "a weathered oar", "a pocket watch"),
          List.of("courage", "belonging", "loss", "trust", "home", "change", "friendship", "memory"),
          List.of("The %s", "A Night at %s", "What %s Kept", "Beyond %s", "The Way to %s", "Storm over %s",
              "Morning at %s", "The Secret of %s"),
          List.of(
              "%1$s had not meant to go to %2$s that evening, but the wind had other plans.",
              "The first thing %1$s noticed at %2$s was the silence, thick as fog.",
              "By the time the light reached %2$s, %1$s was already awake and listening.",
              "Rain drummed on the roof while %1$s turned %3$s over and over in cold hands."),
          List.of(
              "%1$s remembered what %5$s had said about %4$s, and the words felt heavier now.",
              "Somewhere below, the sea worked patiently at the rocks, as it always had.",
              "%5$s laughed, but it was a thin sound, and it did not last.",
              "There was %3$s on the table, exactly where nobody should have left it.",
              "The path to %2$s was narrower than %1$s recalled, and the dark made it narrower still.",
              "Each step brought back a memory: a voice, a song, the smell of tar and salt.",
              "\"We can't stay here,\" %5$s said quietly. \"Not after tonight.\"",
              "%1$s looked at %3$s and understood, at last, why it mattered so much.",
              "The lamp flickered once, twice, and then steadied, as if it had decided something.",
              "For a long moment neither of them spoke, and the wind filled the silence for them."),
          List.of(
              "When %1$s finally turned back toward %2$s, the sky had begun to clear.",
              "%1$s slept that night with %3$s close by, and dreamed of %4$s.",
              "Whatever came next, %1$s knew it would begin at %2$s."),
          true);

  static final Lexicon EXPOSITORY =
      new Lexicon(
          List.of("practitioners", "researchers", "early adopters", "small teams", "first-time readers",
              "experienced professionals", "historians", "critics"),
          List.of("in practice", "in the field", "at scale", "in everyday work", "over the long term",
              "in the first weeks", "under pressure", "across different contexts"),
          List.of("a simple checklist", "a worked example", "a case study", "a short experiment",
              "a decision table", "a timeline", "a diagram", "a set of guiding questions"),
          List.of("clarity", "evidence", "trade-offs", "habits", "systems", "feedback", "resilience", "context"),
          List.of("Understanding %s", "The Case for %s", "%s in Practice", "Foundations of %s", "Rethinking %s",
              "Measuring %s", "The Limits of %s", "Building %s"),
          List.of(
              "This chapter examines %4$s and why it matters %2$s.",
              "Few ideas are as misunderstood as %4$s, and the misunderstanding is costly.",
              "To see why %4$s deserves attention, start with how %1$s actually work.",
              "Every discussion of %4$s eventually returns to one question: what changes %2$s?"),
          List.of(
              "Consider %3$s: it shows how %4$s plays out when the stakes are real.",
              "The evidence points in a consistent direction, even if the details vary.",
              "%1$s often describe the same pattern: early enthusiasm, a plateau, then slow, durable progress.",
              "A useful way to think about this is as a series of small, deliberate choices.",
              "It helps to separate what is known from what is merely assumed.",
              "The common objection is that this takes too long; in practice, it saves time %2$s.",
              "Three factors stand out: the starting conditions, the feedback available, and the patience to persist.",
              "None of this is new, but it is rarely applied with discipline.",
              "Where the approach fails, it usually fails for a predictable reason: the context was ignored.",
              "The practical lesson is straightforward, even if applying it is not."),
          List.of(
              "The next chapter builds on this foundation and turns to %4$s %2$s.",
              "In short, %4$s is less a destination than a way of working.",
              "Keep %3$s in mind; it will be useful again later in the book."),
          false);
}
