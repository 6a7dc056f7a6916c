"""Captions of change and of doubt (issue 11): the prompt and the offline template say how a
recording's place changes, and do not pretend to certainty the checkpoints do not share."""

from __future__ import annotations

import dataclasses

import pytest
from analyses import make_analysis, published_analysis

from llm_ssd.audio.checks import clock
from llm_ssd.caption.offline import offline_caption
from llm_ssd.caption.prompt import build_prompt
from llm_ssd.labels import SCENES
from llm_ssd.reading.story import (
    CHANGE_THRESHOLD,
    changes,
    headline,
    scene_doubt,
    stretches,
)
from llm_ssd.result import Ensemble, Prediction, Window


def prediction(scene: str, isop: float = 0.0, isoe: float = 0.0) -> Prediction:
    base = make_analysis(scene=scene)
    return Prediction(base.scene_probabilities, base.event_probabilities, isop, isoe, base.paq)


def recording(*parts: tuple[str, float, float]) -> object:
    """An analysis of 30-s windows, one per (scene, isop, isoe)."""
    windows = tuple(
        Window(30.0 * i, 30.0 * (i + 1), prediction(*part), 10.0) for i, part in enumerate(parts)
    )
    return dataclasses.replace(make_analysis(), windows=windows, duration=30.0 * len(parts))


def with_ensemble(analysis, *scenes: str):
    names = tuple(f"checkpoint{i}" for i in range(len(scenes)))
    return dataclasses.replace(analysis, ensemble=Ensemble(names, tuple(map(prediction, scenes))))


def prompt_text(analysis) -> str:
    return build_prompt(analysis)[0]["content"]


def test_one_story_has_one_stretch_and_the_one_window_caption():
    a = recording(("park", 0.4, -0.2), ("park", 0.4 + CHANGE_THRESHOLD, -0.2))
    assert len(stretches(a)) == 1 and not changes(a)
    text = prompt_text(a)
    assert text == prompt_text(make_analysis()) and "changes over time" not in text
    assert offline_caption(a) == offline_caption(make_analysis())


def test_a_park_then_a_street():
    a = recording(("park", 0.5, -0.4), ("park", 0.5, -0.4), ("street_traffic", -0.4, 0.4))
    assert [(s.start, s.end, s.scene, s.mood) for s in stretches(a)] == [
        (0.0, 60.0, "park", "calm"),
        (60.0, 90.0, "street_traffic", "chaotic"),
    ]
    text = prompt_text(a)
    assert "Imagine you are standing in this place." in text
    assert "The recording lasts 1:30 and changes over time" in text
    assert "- 0:00–1:00: park, feels calm (ISO pleasantness +0.50, eventfulness -0.40)" in text
    assert "- 1:00–1:30: street, feels chaotic (ISO pleasantness -0.40, eventfulness +0.40)" in text
    assert "3. Then say how the place changes over time" in text
    assert "covers all the steps" in text and 'Start with "In this place, ..."' in text
    caption = offline_caption(a)
    assert caption.startswith("In this place, ")
    assert caption.endswith(" It starts as a calm park, then becomes a chaotic street.")


def test_the_feeling_moves_within_one_scene():
    a = recording(("park", 0.6, -0.5), ("park", 0.6, 0.5))
    assert changes(a)
    assert 'Start with "In this park, ..."' in prompt_text(a)
    assert offline_caption(a).endswith(" It starts calm, then becomes vibrant.")


def test_a_move_within_one_direction_is_said_as_more_or_less():
    a = recording(("park", 0.3, 0.0), ("park", 0.7, 0.05))
    assert changes(a)
    assert offline_caption(a).endswith(" It grows more pleasant over time.")


def test_checkpoints_that_disagree_make_the_caption_unsure():
    a = with_ensemble(make_analysis(scene="park"), "park", "park", "park", "street_traffic")
    assert scene_doubt(a) == "probably a park, though it could be a street"
    text = prompt_text(a)
    assert (
        "The kind of place is uncertain: it is probably a park, though it could be a street."
        in text
    )
    assert "3. Say that it is probably a park, though it could be a street; do not present" in text
    caption = offline_caption(a)
    assert caption.startswith("In this place (probably a park, though it could be a street), ")


def test_checkpoints_that_agree_leave_the_caption_as_it_was(published):
    a = published_analysis(published)
    agreed = with_ensemble(a, *["park"] * 4)
    assert scene_doubt(agreed) is None
    assert prompt_text(agreed) == prompt_text(a) and offline_caption(agreed) == offline_caption(a)


@pytest.mark.parametrize(("seconds", "text"), [(0, "0:00"), (59.6, "1:00"), (3600, "60:00")])
def test_clock(seconds, text):
    assert clock(seconds) == text


def test_other_scenes_most_named_first():
    ensemble = Ensemble(tuple("abcd"), tuple(map(prediction, ["park", "park", *SCENES[::2]])))
    assert ensemble.scene == "park" and ensemble.agreement == 2
    assert ensemble.other_scenes() == ["public_square", "street_traffic"]


HALVES = (
    ("park", 0.5, -0.4),
    ("park", 0.15, -0.4),  # the feeling drifts within the park
    ("street_traffic", -0.3, 0.4),  # a street-like minute in the park
    ("park", 0.2, -0.4),
    ("street_traffic", -0.4, 0.4),
    ("street_traffic", -0.4, 0.0),
)
"""Issue 20: half park, half street, as noisy as a real walk: five stretches by the old rule."""


def test_a_recording_of_two_halves_reads_as_two_parts():
    a = recording(*HALVES)
    parts = stretches(a)
    assert [(s.start, s.end, s.scene) for s in parts] == [
        (0.0, 120.0, "park"),
        (120.0, 180.0, "street_traffic"),
    ]
    assert headline(a) == "park → street"
    caption = offline_caption(a)
    assert caption.count("then becomes") == 1 and caption.endswith(" street."), caption
    assert prompt_text(a).count("\n- 0:00–2:00: park") == 1 and "- 2:00–3:00: street" in (
        prompt_text(a)
    )


def test_a_blip_between_two_alike_stretches_joins_them():
    a = recording(("park", 0.5, -0.4), ("street_traffic", -0.4, 0.4), ("park", 0.5, -0.4))
    assert [(s.start, s.end, s.scene) for s in stretches(a)] == [(0.0, 90.0, "park")]
    assert headline(a) is None and not changes(a)


def test_one_place_has_no_headline():
    assert headline(recording(("park", 0.6, -0.5), ("park", 0.6, 0.5))) is None
    assert headline(make_analysis()) is None
