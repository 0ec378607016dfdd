package org.bookcreator.providers.simulated;

import java.util.List;
import java.util.Map;

/**
 * Word banks and sentence patterns for the simulated writers: narrative for stories, expository for
 * everything else. Patterns name their slots in braces ({hero}, {place}, ...); the writer fills
 * each slot afresh, so sentences rarely repeat even when patterns do.
 */
record Lexicon(
    Map<String, List<String>> slots,
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

  List<String> bank(String slot) {
    return slots.get(slot);
  }

  static final Lexicon NARRATIVE =
      new Lexicon(
          Map.of(
              "name",
                  List.of(
                      "Mara", "Tobias", "Elin", "Jonah", "Ada", "Rafe", "Nell", "Osric", "Ivy",
                      "Caleb", "Wren", "Silas"),
              "place",
                  List.of(
                      "the harbour",
                      "the lighthouse gallery",
                      "the salt marsh",
                      "the old boathouse",
                      "the cliff path",
                      "the village square",
                      "the lantern room",
                      "the tide pools",
                      "the keeper's cottage",
                      "the north jetty",
                      "the chapel ruins",
                      "the fish market",
                      "the dunes",
                      "the signal station"),
              "object",
                  List.of(
                      "a brass compass",
                      "a cracked lantern",
                      "a folded map",
                      "a ship's bell",
                      "a tin of matches",
                      "a logbook",
                      "a coil of rope",
                      "a sealed letter",
                      "a weathered oar",
                      "a pocket watch",
                      "a glass float",
                      "an iron key",
                      "a faded photograph",
                      "a carved whistle"),
              "theme",
                  List.of(
                      "courage",
                      "belonging",
                      "loss",
                      "trust",
                      "home",
                      "change",
                      "friendship",
                      "memory",
                      "hope",
                      "forgiveness"),
              "time",
                  List.of(
                      "at dusk",
                      "before dawn",
                      "long after midnight",
                      "in the grey morning",
                      "as the tide turned",
                      "while the bell rang",
                      "on the last day of summer",
                      "when the fog rolled in"),
              "feeling",
                  List.of(
                      "uneasy",
                      "oddly calm",
                      "wide awake",
                      "close to tears",
                      "certain of nothing",
                      "braver than expected",
                      "strangely hopeful",
                      "cold to the bone"),
              "sound",
                  List.of(
                      "the gulls",
                      "the foghorn",
                      "the wind in the rigging",
                      "a door banging somewhere",
                      "the slap of water",
                      "footsteps on the stairs",
                      "the old clock",
                      "rain on the glass"),
              "weather",
                  List.of(
                      "The wind had dropped",
                      "A thin rain was falling",
                      "The sky was the colour of slate",
                      "Stars were showing through the clouds",
                      "The fog lay thick on the water",
                      "The air smelled of salt and tar")),
          List.of(
              "The %s",
              "A Night at %s",
              "What %s Kept",
              "Beyond %s",
              "The Way to %s",
              "Storm over %s",
              "Morning at %s",
              "The Secret of %s",
              "Lights over %s",
              "Return to %s"),
          List.of(
              "{name} had not meant to go to {place} {time}, but the wind had other plans.",
              "The first thing {name} noticed at {place} was the silence, thick as fog.",
              "{weather} when {name} reached {place}, feeling {feeling}.",
              "Rain drummed on the roof while {name} turned {object} over and over in cold hands."),
          List.of(
              "{name} remembered what {friend} had said about {theme}, and the words felt heavier"
                  + " now.",
              "Somewhere below {place}, the sea worked patiently at the rocks.",
              "{friend} laughed, but it was a thin sound, and it did not last.",
              "There was {object} on the table, exactly where nobody should have left it.",
              "The path to {place} was narrower than {name} recalled, and the dark made it narrower"
                  + " still.",
              "Each step brought back a memory of {theme}: a voice, a song, the smell of tar.",
              "\"We can't stay at {place},\" {friend} said quietly. \"Not {time}.\"",
              "{name} looked at {object} and understood, at last, why it mattered so much.",
              "The lamp flickered once, twice, and then steadied, as if it had decided something.",
              "For a long moment neither of them spoke, and {sound} filled the silence for them.",
              "{weather}, and {name} felt {feeling}.",
              "{friend} held out {object} without a word.",
              "It was {friend} who first heard {sound}, {time}.",
              "\"Do you trust me?\" {name} asked, and {friend} took a long time to answer.",
              "{name} thought of {place} and of everything it had cost them.",
              "By then {sound} had stopped, and the quiet was worse.",
              "{friend} pointed toward {place}, where a small light was moving.",
              "Nobody in the village talked about {theme}, least of all {friend}.",
              "{name} slipped {object} into a pocket and decided to tell no one, not yet.",
              "Later, {name} would say that was the moment everything changed."),
          List.of(
              "When {name} finally turned back toward {place}, the sky had begun to clear.",
              "{name} slept that night with {object} close by, and dreamed of {theme}.",
              "Whatever came next, {name} knew it would begin at {place}.",
              "Far out on the water, a light blinked twice, and then went dark."),
          true);

  static final Lexicon EXPOSITORY =
      new Lexicon(
          Map.of(
              "name",
                  List.of(
                      "practitioners",
                      "researchers",
                      "early adopters",
                      "small teams",
                      "first-time readers",
                      "experienced professionals",
                      "historians",
                      "critics",
                      "managers",
                      "students"),
              "place",
                  List.of(
                      "in practice",
                      "in the field",
                      "at scale",
                      "in everyday work",
                      "over the long term",
                      "in the first weeks",
                      "under pressure",
                      "across different contexts",
                      "in small organisations",
                      "at home"),
              "object",
                  List.of(
                      "a simple checklist",
                      "a worked example",
                      "a case study",
                      "a short experiment",
                      "a decision table",
                      "a timeline",
                      "a diagram",
                      "a set of guiding questions",
                      "a weekly review",
                      "a one-page summary"),
              "theme",
                  List.of(
                      "clarity",
                      "evidence",
                      "trade-offs",
                      "habits",
                      "systems",
                      "feedback",
                      "resilience",
                      "context",
                      "measurement",
                      "attention"),
              "time",
                  List.of(
                      "within a month",
                      "over a year",
                      "in the first week",
                      "across a decade",
                      "in a single afternoon"),
              "feeling",
                  List.of(
                      "surprising",
                      "counter-intuitive",
                      "obvious in hindsight",
                      "easy to overlook",
                      "well documented"),
              "sound",
                  List.of(
                      "the data",
                      "the historical record",
                      "the interviews",
                      "the survey results",
                      "the field notes"),
              "weather",
                  List.of(
                      "The pattern is consistent",
                      "The numbers tell a clear story",
                      "The record is uneven",
                      "The evidence is mixed at first glance",
                      "The details matter here")),
          List.of(
              "Understanding %s",
              "The Case for %s",
              "%s in Practice",
              "Foundations of %s",
              "Rethinking %s",
              "Measuring %s",
              "The Limits of %s",
              "Building %s",
              "Why %s Matters",
              "Getting Started with %s"),
          List.of(
              "This chapter examines {theme} and why it matters {place}.",
              "Few ideas are as misunderstood as {theme}, and the misunderstanding is costly.",
              "To see why {theme} deserves attention, start with how {name} actually work.",
              "Every discussion of {theme} eventually returns to one question: what changes"
                  + " {place}?"),
          List.of(
              "Consider {object}: it shows how {theme} plays out when the stakes are real.",
              "{weather}, even if the details vary from one setting to the next.",
              "{name} often describe the same pattern: early enthusiasm, a plateau, then slow,"
                  + " durable progress.",
              "A useful way to think about {theme} is as a series of small, deliberate choices.",
              "It helps to separate what is known about {theme} from what is merely assumed.",
              "The common objection is that this takes too long; {place}, it usually saves time.",
              "Three factors stand out: the starting conditions, the feedback available, and the"
                  + " patience to persist.",
              "None of this is new, but {name} rarely apply it with discipline.",
              "Where the approach fails, it usually fails for a predictable reason: the context was"
                  + " ignored.",
              "The result is {feeling}: {theme} improves most when nobody is measuring it"
                  + " directly.",
              "{sound} point in the same direction {time}.",
              "Try {object} {time} and note what changes.",
              "For {name}, the first step is simply to notice where {theme} already shows up.",
              "A second lesson follows from the first: {theme} depends on {theme2}.",
              "It is {feeling} how much of this comes down to {theme2}.",
              "{name} who kept {object} reported fewer surprises {time}.",
              "The practical lesson is straightforward, even if applying it {place} is not.",
              "What looks like a lack of {theme} is often a lack of {theme2}.",
              "{weather}; what remains is to act on it.",
              "Keep the goal modest: one change, tested {time}, then reviewed."),
          List.of(
              "The next chapter builds on this foundation and turns to {theme2}.",
              "In short, {theme} is less a destination than a way of working.",
              "Keep {object} in mind; it will be useful again later in the book.",
              "The exercise at the end of this chapter puts these ideas to work."),
          false);
}
