"""The prompt rules of the captioning method: events, Likert phrases, qualities, scene, language."""

from __future__ import annotations

import math
import re

import pytest
from analyses import make_analysis, published_analysis

from llm_ssd.caption.prompt import (
    affect_statements,
    build_prompt,
    event_threshold,
    select_events,
    select_qualities,
)
from llm_ssd.labels import EVENTS, PAQS, Likert

EVENTS_LINE = re.compile(r"^Sound events: (.*)$", re.MULTILINE)
EVENT_ITEM = re.compile(r"^(.+) \((\d\.\d\d)\)$")
RATING_LINE = re.compile(r"^- I (.+) with (\w+)$", re.MULTILINE)


def above(x: float) -> float:
    """The next float above x."""
    return math.nextafter(x, math.inf)


def prompt_text(analysis, **kwargs) -> str:
    messages = build_prompt(analysis, **kwargs)
    assert [m["role"] for m in messages] == ["system"]
    return messages[0]["content"]


def listed_events(text: str) -> list[tuple[str, float]]:
    """The (event, probability) pairs listed on the prompt's events line."""
    (line,) = EVENTS_LINE.findall(text)
    if line == "none":
        return []
    return [(m.group(1), float(m.group(2))) for m in map(EVENT_ITEM.match, line.split("; ")) if m]


def listed_ratings(text: str) -> dict[str, str]:
    """quality -> the agreement words of the prompt's rating lines."""
    return {quality: phrase for phrase, quality in RATING_LINE.findall(text)}


@pytest.mark.parametrize(
    ("top", "threshold"),
    [
        (0.99, 0.4),
        (above(0.4), 0.4),
        (0.4, 0.3),
        (above(0.3), 0.3),
        (0.3, 0.2),
        (above(0.2), 0.2),
        (0.2, None),
        (0.0, None),
    ],
)
def test_threshold_is_the_first_one_some_probability_exceeds(top, threshold):
    assert event_threshold({"Bird": top, "Wind": 0.05}) == threshold


@pytest.mark.parametrize(
    ("probabilities", "expected"),
    [
        # 0.4: an event exactly at the threshold stays, one just below goes
        ({"Bird": 0.9, "Wind": 0.4, "Water": 0.399, "Speech": 0.41}, ["Bird", "Speech", "Wind"]),
        # nothing above 0.4: 0.3 is used; 0.4 itself counts as "not above 0.4"
        ({"Bird": 0.4, "Wind": 0.3, "Water": 0.299, "Music": 0.1}, ["Bird", "Wind"]),
        # nothing above 0.3: 0.2
        ({"Bird": 0.3, "Wind": 0.2, "Water": 0.199}, ["Bird", "Wind"]),
        ({"Wind": 0.21, "Bird": 0.2}, ["Wind", "Bird"]),
        # nothing above 0.2: no clear event
        ({"Wind": 0.2, "Bird": 0.15}, []),
        ({}, []),
    ],
)
def test_select_events_keeps_those_at_or_above_the_threshold_most_probable_first(
    probabilities, expected
):
    assert [name for name, _ in select_events(probabilities)] == expected


def test_select_events_sorts_before_rounding_to_two_decimals():
    # all three round to 1.0: their order must still follow the unrounded values
    events = select_events({"Bird": 0.9953, "Animal": 0.99983, "Speech": 0.9982, "Wind": 0.4567})
    assert events == [("Animal", 1.0), ("Speech", 1.0), ("Bird", 1.0), ("Wind", 0.46)]


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        (1.0, "Strongly Disagree"),
        (1.5, "Strongly Disagree"),
        (above(1.5), "Disagree"),
        (2.5, "Disagree"),
        (above(2.5), "Neutral"),
        (3.0, "Neutral"),
        (3.5, "Neutral"),
        (above(3.5), "Agree"),
        (4.5, "Agree"),
        (above(4.5), "Strongly Agree"),
        (5.0, "Strongly Agree"),
    ],
)
def test_likert_boundaries(value, phrase):
    assert Likert.of(value).phrase == phrase


def test_likert_levels_are_one_to_five_with_neutral_in_the_middle():
    assert [int(level) for level in Likert] == [1, 2, 3, 4, 5]
    assert Likert.NEUTRAL == 3 and Likert.of(3.0) is Likert.NEUTRAL
    assert [level.phrase for level in Likert] == [
        "Strongly Disagree",
        "Disagree",
        "Neutral",
        "Agree",
        "Strongly Agree",
    ]


def test_neutral_qualities_are_dropped_and_order_follows_the_paq_labels():
    paq = {"monotonous": 1.2, "calm": 4.8, "pleasant": 3.2, "annoying": 2.0, "vibrant": 4.0}
    assert select_qualities({q: 3.0 for q in PAQS} | paq) == [
        ("vibrant", Likert.AGREE),
        ("calm", Likert.STRONGLY_AGREE),
        ("annoying", Likert.DISAGREE),
        ("monotonous", Likert.STRONGLY_DISAGREE),
    ]
    assert affect_statements({q: 3.0 for q in PAQS} | paq) == [
        "I agree with vibrant",
        "I strongly agree with calm",
        "I disagree with annoying",
        "I strongly disagree with monotonous",
    ]


def test_all_neutral_keeps_only_pleasant():
    paq = {q: 2.6 + 0.1 * i for i, q in enumerate(PAQS)}  # 2.6 .. 3.3, all neutral
    paq["pleasant"] = 3.5
    assert select_qualities(paq) == [("pleasant", Likert.NEUTRAL)]
    text = prompt_text(make_analysis(paq=paq))
    assert listed_ratings(text) == {"pleasant": "neither agree nor disagree"}


def test_prompt_lists_the_selected_events_and_ratings():
    analysis = make_analysis(
        events={"Traffic": 0.8, "Vehicle": 0.55, "Speech": 0.38, "Bird": 0.1},
        paq={"pleasant": 1.4, "annoying": 4.2, "eventful": 3.1},
        scene="street_traffic",
    )
    text = prompt_text(analysis)
    assert listed_events(text) == [("Traffic", 0.8), ("Vehicle", 0.55)]
    assert "Speech" not in text and "Bird" not in text
    assert listed_ratings(text) == {"pleasant": "strongly disagree", "annoying": "agree"}
    assert "eventful" not in text
    assert 'Start with "In this street, ..."' in text
    assert "ISO 12913-1" in text and "200 tokens" in text
    assert "Write it in English." in text


def test_prompt_without_clear_events_asks_to_invent_none():
    analysis = make_analysis(events={"Wind": 0.2, "Bird": 0.19, "Traffic": 0.05})
    text = prompt_text(analysis)
    assert listed_events(text) == []
    assert "no particular sound event stands out" in text.lower()
    assert not [event for event in EVENTS if event in text]


@pytest.mark.parametrize("scene", ["public_square", "park", "street_traffic"])
def test_scene_in_lay_words(scene):
    lay = {"public_square": "public square", "park": "park", "street_traffic": "street"}[scene]
    text = prompt_text(make_analysis(events={"Bird": 0.9}, scene=scene))
    assert f'"In this {lay}, ..."' in text
    assert "_" not in text


def test_language_option_asks_for_another_language():
    analysis = make_analysis(events={"Bird": 0.9})
    text = prompt_text(analysis, language="French")
    assert "Write it in French." in text
    assert "English" not in text
    assert prompt_text(analysis) != text


def test_reference_clip_prompt_lists_published_events_and_qualities(published):
    ref = published
    text = prompt_text(published_analysis(published))

    pairs = zip(ref["event_labels"], ref["event_probabilities"], strict=True)
    above_04 = sorted(((p, e) for e, p in pairs if p > 0.4), reverse=True)
    listed = listed_events(text)
    assert [e for e, _ in listed] == [e for _, e in above_04]
    assert [p for _, p in listed] == [round(p, 2) for p, _ in above_04]
    assert [e for e, _ in listed] == [
        "Animal",
        "Human sounds",
        "Speech",
        "Bird",
        "Environment and background",
        "Outside, rural or natural",
        "Sounds of things",
        "Vehicle",
    ]
    for event in set(EVENTS) - {e for e, _ in listed}:
        assert event not in text  # e.g. Traffic (0.29) is below the threshold

    paq = dict(zip(ref["paq_labels"], ref["paq"], strict=True))
    non_neutral = {q for q, v in paq.items() if not 2.5 < v <= 3.5}
    assert non_neutral == {"pleasant", "chaotic", "calm", "annoying", "monotonous"}
    assert listed_ratings(text) == {
        "pleasant": "agree",
        "chaotic": "disagree",
        "calm": "agree",
        "annoying": "disagree",
        "monotonous": "disagree",
    }
    assert 'Start with "In this park, ..."' in text
