"""The offline caption: a deterministic template from the same selected events, scene and
qualities as the LLM prompt, used when no LLM is configured or the LLM fails.

It never touches the network and never imports the LLM client."""

from __future__ import annotations

from collections.abc import Iterator

from .labels import EVENT_LAY_NAMES, EVENTS, Likert
from .prompt import UNCERTAIN_SCENE, scene_name, select_events, select_qualities
from .result import Analysis
from .story import lay_scene, one_scene, scene_doubt, stretches, with_article

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


def offline_caption(analysis: Analysis) -> str:
    """A deterministic caption from the selected events, the scene and the kept qualities."""
    return (
        f"In this {_place(analysis)}, {_events_clause(analysis)}. {_feeling_sentence(analysis)}"
        + _change_sentence(analysis)
    )


def _place(analysis: Analysis) -> str:
    """The scene; "place" when it changes, with the doubt when the checkpoints disagree."""
    doubt = scene_doubt(analysis)
    place = scene_name(analysis) if one_scene(analysis) else UNCERTAIN_SCENE
    return f"{place} ({doubt})" if doubt else place


def _change_sentence(analysis: Analysis) -> str:
    """ " It starts as an eventful street, then becomes a calm park." for a recording whose
    windows tell more than one story; empty otherwise."""
    parts = stretches(analysis)
    if len(parts) < 2:
        return ""
    one = len({p.scene for p in parts}) == 1
    said = [p.mood if one else with_article(f"{p.mood} {lay_scene(p.scene)}") for p in parts]
    said = [x for i, x in enumerate(said) if i == 0 or x != said[i - 1]]
    if len(said) == 1:  # the same words throughout: say which way the feeling moved
        first, last = parts[0], parts[-1]
        moved = (last.isop - first.isop, "pleasant"), (last.isoe - first.isoe, "eventful")
        delta, quality = max(moved, key=lambda m: abs(m[0]))
        return f" It grows {'more' if delta > 0 else 'less'} {quality} over time."
    return (
        f" It starts {'' if one else 'as '}{said[0]}, then becomes "
        + ", then ".join(said[1:])
        + "."
    )


def offline_chunks(analysis: Analysis) -> Iterator[str]:
    """The offline caption in word-sized chunks, like an LLM's stream."""
    words = offline_caption(analysis).split(" ")
    for i, word in enumerate(words):
        yield word if i == len(words) - 1 else word + " "


def specific_events(events: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The events without those a more specific one already says ("animals" beside "birds")."""
    named = {name for name, _ in events}
    return [
        (name, p) for name, p in events if not (named - {name}) & set(GENERAL_EVENTS.get(name, ()))
    ]


def join_words(items: list[str], conjunction: str) -> str:
    """Join words: "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _events_clause(analysis: Analysis) -> str:
    events = specific_events(select_events(analysis.event_probabilities))
    if not events:
        return "no particular sound stands out"
    strong = [_lay_event(name) for name, p in events if p >= STRONG_EVENT]
    weak = [_lay_event(name) for name, p in events if p < STRONG_EVENT]
    if not strong:
        return f"you may hear {join_words(weak, 'and')}"
    clause = f"you hear {join_words(strong, 'and')}"
    return f"{clause}, and may also hear {join_words(weak, 'and')}" if weak else clause


def _feeling_sentence(analysis: Analysis) -> str:
    qualities = select_qualities(analysis.paq)
    if len(qualities) == 1 and qualities[0][1] is Likert.NEUTRAL:
        quality = qualities[0][0]
        return f"It feels neither clearly {quality} nor clearly not {quality}."
    agreed = [
        ("very " if level is Likert.STRONGLY_AGREE else "") + q
        for q, level in qualities
        if level > Likert.NEUTRAL
    ]
    not_ = join_words([q for q, level in qualities if level is Likert.DISAGREE], "or")
    not_at_all = join_words(
        [q for q, level in qualities if level is Likert.STRONGLY_DISAGREE], "or"
    )
    if agreed:
        sentence = f"It feels {join_words(agreed, 'and')}"
        if not_:
            sentence += f", not {not_}"
        if not_at_all:
            sentence += f"{', and' if not_ else ','} not at all {not_at_all}"
    elif not_ and not_at_all:
        sentence = f"It does not feel {not_}, and not at all {not_at_all}"
    elif not_:
        sentence = f"It does not feel {not_}"
    else:
        sentence = f"It does not feel {not_at_all} at all"
    return sentence + "."


def _lay_event(name: str) -> str:
    return EVENT_LAY_NAMES.get(name, name.lower())
