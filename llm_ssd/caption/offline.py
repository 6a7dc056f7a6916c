"""The offline caption: a deterministic template from the same selected events and scene as the
LLM prompt and from the qualities' ratings, used when no LLM is configured or the LLM fails.

It is written from the phrase tables of `phrases` (English, German, French, Spanish,
Dutch, Italian, Portuguese, Chinese); for any other language it is English and says so. It
never touches the network and never imports the LLM client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from llm_ssd.audio.level import said_too_quiet as too_quiet_warned
from llm_ssd.caption.phrases import PHRASES
from llm_ssd.caption.prompt import select_events
from llm_ssd.labels import DEFAULT_LANGUAGE, EVENTS, PAQ_OPPOSITES, PAQS, Likert
from llm_ssd.reading.feelings import may_say
from llm_ssd.reading.story import (
    changes,
    lay_scene,
    one_scene,
    scene_doubt,
    stretches,
    with_article,
)
from llm_ssd.result import Analysis

OFFLINE_SOURCE = "offline template"
"""The caption's source when this template wrote it."""
GENERAL_EVENTS: dict[str, tuple[str, ...]] = {
    "Animal": ("Bird",),
    "Human sounds": ("Speech",),
    "Natural sounds": ("Wind", "Water", "Bird"),
    "Sounds of things": ("Vehicle", "Traffic"),
    "Outside, rural or natural": ("Wind", "Water", "Bird", "Natural sounds", "Animal"),
    "Environment and background": EVENTS,
}
"""The offline caption leaves out a general event when one of these more specific ones is said
too; the LLM prompt keeps every selected event, as the method does."""
STRONG_EVENT = 0.7
"""Events at least this probable are "heard"; weaker selected ones "may also" be heard."""
MAX_FEELINGS = 3
"""The caption names at most this many feelings, the strongest first."""
CHUNK = re.compile(r".+?(?:\s+|[，。、]|$)")
"""A word with the space after it, or a Chinese phrase with its punctuation: the pieces the
offline caption is streamed in."""


class Feeling(NamedTuple):
    """A quality the caption names positively, and how strongly."""

    quality: str
    degree: str | None
    """The phrase-table key of its degree word ("very", "rather"), or None for none."""
    strength: float
    """How far its rating lies from neutral, in Likert steps."""
    direct: bool
    """Rated itself (agreed), rather than read off its opposite's disagreement."""


def offline_caption(analysis: Analysis, language: str = DEFAULT_LANGUAGE) -> str:
    """A deterministic caption of `analysis`, in `language` where a phrase table has it, else
    in English with a note saying so; for a clip too quiet to describe, only that."""
    table = offline_language(language)
    if said_too_quiet(analysis):
        sentences = [phrase(table or DEFAULT_LANGUAGE, "too_quiet")]
    else:
        sentences = [
            events_sentence(analysis, table or DEFAULT_LANGUAGE),
            feelings_sentence(analysis.paq, table or DEFAULT_LANGUAGE),
        ]
        if changes(analysis):
            sentences.append(change_sentence(analysis, table or DEFAULT_LANGUAGE))
    if table is None:
        sentences.append(english_only_note())
    return phrase(table or DEFAULT_LANGUAGE, "sentence_gap").join(sentences)


def offline_chunks(analysis: Analysis, language: str = DEFAULT_LANGUAGE) -> Iterator[str]:
    """The offline caption in word-sized chunks, like an LLM's stream."""
    yield from CHUNK.findall(offline_caption(analysis, language))


def offline_language(language: str | None) -> str | None:
    """The phrase table for a language typed by a person ("German", "deutsch", "de"), by its
    English name; the default language when none is given; None when there is no table."""
    wanted = (language or "").strip().casefold() or DEFAULT_LANGUAGE.casefold()
    for name, table in PHRASES.items():
        if wanted in {alias.casefold() for alias in (name, *table["names"])}:
            return name
    return None


def phrase(language: str, key: str) -> Any:
    """A language's phrase for `key`, or the English one while it has none."""
    return PHRASES[language].get(key, PHRASES[DEFAULT_LANGUAGE][key])


def english_only_note() -> str:
    """What an English caption given for another language says about it."""
    languages = join_words(list(PHRASES), " and ")
    return (
        "(This offline caption is in English: without an LLM, captions are written in "
        f"{languages} only.)"
    )


def events_sentence(analysis: Analysis, language: str) -> str:
    """Where the listener is and which sounds are heard there, surely or perhaps."""
    names = phrase(language, "events")
    events = specific_events(select_events(analysis.event_probabilities))
    heard = [names[name] for name, p in events if p >= STRONG_EVENT]
    maybe = [names[name] for name, p in events if p < STRONG_EVENT]
    shape = ("nothing", "maybe", "heard", "heard_maybe")[2 * bool(heard) + bool(maybe)]
    conjunction, separator = phrase(language, "and"), phrase(language, "list_sep")
    return phrase(language, shape).format(
        place=place_phrase(analysis, language),
        heard=join_words(heard, conjunction, separator),
        maybe=join_words(maybe, conjunction, separator),
    )


def place_phrase(analysis: Analysis, language: str) -> str:
    """The opening place: the scene, or "this place" when the windows name several scenes or
    the checkpoints disagree (in English with the doubt spelt out: "probably a park, though it
    could be a street")."""
    if one_scene(analysis):
        return phrase(language, "places")[analysis.scene]
    doubt = scene_doubt(analysis)
    place = phrase(language, "uncertain_place")
    return f"{place} ({doubt})" if doubt and language == DEFAULT_LANGUAGE else place


def change_sentence(analysis: Analysis, language: str) -> str:
    """How a recording whose windows tell more than one story changes: in English "It starts as
    an eventful street, then becomes a calm park."; in the other languages that it changes."""
    if language != DEFAULT_LANGUAGE:
        return phrase(language, "changes")
    parts = stretches(analysis)
    one = len({p.scene for p in parts}) == 1
    said = [p.mood if one else with_article(f"{p.mood} {lay_scene(p.scene)}") for p in parts]
    said = [x for i, x in enumerate(said) if i == 0 or x != said[i - 1]]
    if len(said) == 1:  # the same words throughout: say which way the feeling moved
        first, last = parts[0], parts[-1]
        moved = (last.isop - first.isop, "pleasant"), (last.isoe - first.isoe, "eventful")
        delta, quality = max(moved, key=lambda m: abs(m[0]))
        return f"It grows {'more' if delta > 0 else 'less'} {quality} over time."
    return (
        f"It starts {'' if one else 'as '}{said[0]}, then becomes " + ", then ".join(said[1:]) + "."
    )


def feelings_sentence(paq: dict[str, float], language: str) -> str:
    """How the place feels: the strongest feelings, each said positively; or that it feels
    neither one way nor the other."""
    feelings = strongest_feelings(paq)[:MAX_FEELINGS]
    if not feelings:
        return phrase(language, "neutral")
    adjectives = phrase(language, "qualities")
    words = [
        phrase(language, f.degree).format(quality=adjectives[f.quality])
        if f.degree
        else adjectives[f.quality]
        for f in feelings
    ]
    joined = join_words(words, phrase(language, "feelings_and"), phrase(language, "list_sep"))
    return phrase(language, "feels").format(feelings=joined)


def strongest_feelings(paq: dict[str, float]) -> list[Feeling]:
    """The qualities that can be said positively, strongest first.

    An agreed quality is named as such ("very" when strongly agreed). A disagreed quality is
    read as "rather" its circumplex opposite (not pleasant: rather annoying), but never when
    that opposite lies below the radar's neutral ring itself (`feelings.may_say`).
    Qualities rated themselves come before those read off their opposite; a quality found both
    ways is named as rated."""
    levels = {quality: Likert.of(paq[quality]) for quality in PAQS}
    best: dict[str, Feeling] = {}
    for quality in PAQS:
        level, strength = levels[quality], abs(paq[quality] - Likert.NEUTRAL)
        opposite = PAQ_OPPOSITES[quality]
        if level >= Likert.AGREE:
            very = level is Likert.STRONGLY_AGREE
            feeling = Feeling(quality, "very" if very else None, strength, True)
        elif level <= Likert.DISAGREE:
            feeling = Feeling(opposite, "rather", strength, False)
        else:
            continue
        if not may_say(feeling.quality, True, paq):
            continue
        known = best.get(feeling.quality)
        if known is None or (feeling.direct, feeling.strength) > (known.direct, known.strength):
            best[feeling.quality] = feeling
    return sorted(best.values(), key=lambda f: (not f.direct, -f.strength, PAQS.index(f.quality)))


def specific_events(events: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The events without those a more specific one already says ("animals" beside "birds")."""
    named = {name for name, _ in events}
    return [
        (name, p) for name, p in events if not (named - {name}) & set(GENERAL_EVENTS.get(name, ()))
    ]


def join_words(items: list[str], conjunction: str, separator: str = ", ") -> str:
    """Join words: "a", "a and b", "a, b and c" (the conjunction with its spaces, " and ")."""
    if len(items) <= 1:
        return "".join(items)
    return f"{separator.join(items[:-1])}{conjunction}{items[-1]}"


QUIET_CAPTION: str = PHRASES["English"]["too_quiet"]
"""What the English offline caption says instead of describing such a clip."""


def said_too_quiet(analysis: Analysis) -> bool:
    """Whether `analyze()` found this clip too quiet to describe (its warnings say so)."""
    return too_quiet_warned(analysis.warnings)
