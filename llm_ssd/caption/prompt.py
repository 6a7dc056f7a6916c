"""Turn one clip's predictions into the chat prompt of LLM-SSD's captioning step.

The rules follow the method (../shared/docs/captioning.md); the prompt wording is our own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from llm_ssd.audio.checks import clock
from llm_ssd.labels import DEFAULT_LANGUAGE, PAQS, SCENE_LAY_NAMES, Likert
from llm_ssd.reading.feelings import may_say
from llm_ssd.reading.story import lay_scene, one_scene, scene_doubt, stretches
from llm_ssd.result import Analysis

EVENT_THRESHOLDS: tuple[float, ...] = (0.4, 0.3, 0.2)
"""Candidate event thresholds, tried in order: the first one some probability exceeds is used."""

EVENT_DECIMALS = 2
"""Event probabilities are given to the model rounded to this many decimals."""

UNCERTAIN_SCENE = "place"
"""What the prompt calls the scene when it changes over the recording or is uncertain."""

SOUNDSCAPE_DEFINITION = (
    "ISO 12913-1 defines a soundscape as the acoustic environment as perceived or experienced "
    "and/or understood by a person or people, in context."
)


def event_threshold(probabilities: Mapping[str, float]) -> float | None:
    """The threshold of the 0.4/0.3/0.2 rule, or None when no probability exceeds 0.2."""
    for threshold in EVENT_THRESHOLDS:
        if any(p > threshold for p in probabilities.values()):
            return threshold
    return None


def select_events(probabilities: Mapping[str, float]) -> list[tuple[str, float]]:
    """Events at or above the rule's threshold, most probable first, probabilities rounded.

    Empty when no event exceeds the lowest threshold (no clear sound event).
    """
    threshold = event_threshold(probabilities)
    if threshold is None:
        return []
    kept = [(name, float(p)) for name, p in probabilities.items() if p >= threshold]
    kept.sort(key=lambda item: item[1], reverse=True)  # stable: ties keep the label order
    return [(name, round(p, EVENT_DECIMALS)) for name, p in kept]


def select_qualities(paq: Mapping[str, float]) -> list[tuple[str, Likert]]:
    """(quality, Likert level) of the non-neutral qualities, in `labels.PAQS` order.

    When every quality is neutral, only the first one (pleasant) is kept, as in the method. An
    agreement or disagreement is kept only in the direction its rating lies
    (`feelings.may_say`, the offline caption's rule too).
    """
    rated = [(quality, Likert.of(paq[quality])) for quality in PAQS]
    kept = [
        (quality, level)
        for quality, level in rated
        if level is not Likert.NEUTRAL and may_say(quality, level > Likert.NEUTRAL, paq)
    ]
    return kept or rated[:1]


def affect_statement(quality: str, level: Likert) -> str:
    """A first-person statement, e.g. "I agree with pleasant"."""
    if level is Likert.NEUTRAL:
        return f"I neither agree nor disagree with {quality}"
    return f"I {level.phrase.lower()} with {quality}"


def affect_statements(paq: Mapping[str, float]) -> list[str]:
    """The first-person statements of the qualities `select_qualities` keeps."""
    return [affect_statement(quality, level) for quality, level in select_qualities(paq)]


def scene_name(analysis: Analysis) -> str:
    """The predicted scene in lay words ("park", "street", "public square")."""
    return SCENE_LAY_NAMES.get(analysis.scene, analysis.scene.replace("_", " "))


def format_events(events: list[tuple[str, float]]) -> str:
    """The events with their rounded probabilities, e.g. "Bird (0.99); Wind (0.45)"."""
    return "; ".join(f"{name} ({p:.{EVENT_DECIMALS}f})" for name, p in events)


def system_message(
    scene: str,
    events: list[tuple[str, float]],
    statements: list[str],
    language: str = DEFAULT_LANGUAGE,
    notes: Sequence[tuple[str, str]] = (),
) -> str:
    """The text of the single system message; `notes` are (paragraph, step) pairs that a
    recording which changes, or an uncertain scene, adds after the ratings and the two steps."""
    if events:
        heard = (
            f"Imagine you are standing in this {scene}. These sound events are heard, the most "
            f"likely first, each with its probability of being heard:\n"
            f"Sound events: {format_events(events)}"
        )
        step_events = (
            "1. Say which of these sound events are present, following their order. Mention "
            "only events from the list and never add another sound. Name each event plainly and "
            'do not elaborate on it (write "vehicles", not "the steady hum of engines and '
            'honking horns"). Do not quote the probabilities.'
        )
    else:
        heard = (
            f"Imagine you are standing in this {scene}. No sound event stands out clearly here.\n"
            "Sound events: none"
        )
        step_events = (
            "1. Say that no particular sound event stands out. Do not name or invent any sound."
        )
    feelings = "\n".join(f"- {statement}" for statement in statements)
    context = "".join(f"{paragraph}\n\n" for paragraph, _ in notes)
    more_steps = "".join(f"{i}. {step}\n" for i, (_, step) in enumerate(notes, start=3))
    opening = f'"In this {scene}, ..."'
    if language != DEFAULT_LANGUAGE:
        opening = f"the {language} for {opening}"
    return (
        "You are an expert in soundscape analysis. "
        f"{SOUNDSCAPE_DEFINITION}\n\n"
        "Your task is to describe a soundscape from the sound events heard in it and from how "
        "a listener rated it.\n\n"
        f"{heard}\n\n"
        "The listener's ratings of this soundscape:\n"
        f"{feelings}\n\n"
        f"{context}"
        "Steps:\n"
        f"{step_events}\n"
        "2. Then describe how this soundscape feels, based on the listener's ratings.\n"
        f"{more_steps}\n"
        f"Write one short description that covers {'all the' if notes else 'both'} steps, "
        "within about 200 tokens, in simple, "
        f"everyday language that anyone understands. Write it in {language}. Start with {opening}"
    )


def build_prompt(analysis: Analysis, language: str = DEFAULT_LANGUAGE) -> list[dict[str, str]]:
    """The chat messages asking an LLM for this clip's soundscape caption."""
    notes = story_notes(analysis)
    content = system_message(
        scene_name(analysis) if one_scene(analysis) else UNCERTAIN_SCENE,
        select_events(analysis.event_probabilities),
        affect_statements(analysis.paq),
        language,
        notes,
    )
    return [{"role": "system", "content": content}]


def story_notes(analysis: Analysis) -> list[tuple[str, str]]:
    """(paragraph, step) pairs for a recording whose windows tell more than one story, and for a
    scene the ensemble's checkpoints do not agree on; none for one story told surely."""
    notes = []
    parts = stretches(analysis)
    if len(parts) > 1:
        lines = "\n".join(
            f"- {clock(p.start)}–{clock(p.end)}: {lay_scene(p.scene)}, feels {p.mood} "
            f"(ISO pleasantness {p.isop:+.2f}, eventfulness {p.isoe:+.2f})"
            for p in parts
        )
        notes.append(
            (
                f"The recording lasts {clock(analysis.duration)} and changes over time; the events "
                f"and ratings above are for the whole of it. Its parts, in order:\n{lines}",
                "Then say how the place changes over time, following its parts in order (for "
                'example: "It starts as a busy street, then becomes a calm park").',
            )
        )
    if doubt := scene_doubt(analysis):
        notes.append(
            (
                f"The kind of place is uncertain: it is {doubt}.",
                f"Say that it is {doubt}; do not present the kind of place as certain.",
            )
        )
    return notes
