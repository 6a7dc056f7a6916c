"""Captions agree with the radar (issue 20): over hundreds of varied analyses, neither the
offline caption (in each of its languages) nor the LLM prompt's statements name a quality
against the side of the neutral ring its rating lies on."""

from __future__ import annotations

import random
import re

import pytest
from analyses import make_analysis

from llm_ssd.caption.offline import offline_caption
from llm_ssd.caption.phrases import PHRASES
from llm_ssd.caption.prompt import build_prompt
from llm_ssd.labels import EVENTS, PAQS, SCENES
from llm_ssd.reading.feelings import NEUTRAL_RING, may_say
from llm_ssd.result import Analysis

N_ANALYSES = 240
SEED = 20
NEAR_RING = (2.3, 3.7)
"""Half the ratings are drawn near the ring, where the old template erred (2.9 "monotonous")."""
STATEMENT = re.compile(r"^- I (strongly )?(agree|disagree) with (\w+)$", re.MULTILINE)


def varied_analyses() -> list[Analysis]:
    rng = random.Random(SEED)
    found = []
    for _ in range(N_ANALYSES):
        paq = {
            q: round(rng.uniform(*NEAR_RING) if rng.random() < 0.5 else rng.uniform(1, 5), 1)
            for q in PAQS
        }
        events = {e: rng.random() ** 2 for e in EVENTS}
        found.append(make_analysis(events, paq, rng.choice(SCENES)))
    return found


ANALYSES = varied_analyses()


def named_qualities(caption: str, language: str) -> list[str]:
    """The qualities whose adjectives the caption holds, longest adjective first so that
    "eventful" is not found inside "uneventful"."""
    adjectives = sorted(PHRASES[language]["qualities"].items(), key=lambda kv: -len(kv[1]))
    text, found = caption.casefold(), []
    for quality, adjective in adjectives:
        pattern = re.escape(adjective.casefold())
        if language != "Chinese":
            pattern = rf"(?<!\w){pattern}(?!\w)"
        if re.search(pattern, text):
            found.append(quality)
            text = re.sub(pattern, " ", text)
    return found


def test_the_analyses_cover_both_sides_and_the_ring_band() -> None:
    ratings = [a.paq[q] for a in ANALYSES for q in PAQS]
    assert len(ANALYSES) >= 200
    assert sum(2.5 < r < NEUTRAL_RING for r in ratings) > 100  # neutral level, below the ring
    assert sum(NEUTRAL_RING < r <= 3.5 for r in ratings) > 100


@pytest.mark.parametrize("language", list(PHRASES))
def test_the_offline_caption_names_a_quality_only_on_its_side(language: str) -> None:
    named_any = 0
    for analysis in ANALYSES:
        caption = offline_caption(analysis, language)
        for quality in named_qualities(caption, language):
            named_any += 1
            assert may_say(quality, True, analysis.paq), (quality, analysis.paq, caption)
    assert named_any > N_ANALYSES  # the captions do name feelings


def test_the_prompt_states_each_quality_on_its_side() -> None:
    stated = 0
    for analysis in ANALYSES:
        content = build_prompt(analysis)[0]["content"]
        for _, verb, quality in STATEMENT.findall(content):
            stated += 1
            assert may_say(quality, verb == "agree", analysis.paq), (verb, quality, analysis.paq)
    assert stated > N_ANALYSES


@pytest.mark.parametrize(
    ("paq", "unsaid"),
    [
        ({"vibrant": 2.0, "monotonous": 2.9}, "monotonous"),  # below the ring: not "rather"
        ({"monotonous": 2.3, "vibrant": 2.9}, "vibrant"),  # the road works clip
        ({"vibrant": 2.2, "monotonous": 2.6}, "monotonous"),  # the courtyard
    ],
)
def test_a_quality_below_the_ring_is_not_read_off_its_opposite(paq: dict, unsaid: str) -> None:
    caption = offline_caption(make_analysis(paq=paq))
    assert unsaid not in named_qualities(caption, "English"), caption


def test_a_quality_above_the_ring_is_still_read_off_its_disagreed_opposite() -> None:
    caption = offline_caption(make_analysis(paq={"vibrant": 2.0, "monotonous": 3.2}))
    assert "rather monotonous" in caption, caption
