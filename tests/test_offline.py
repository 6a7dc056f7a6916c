"""The offline template: a deterministic caption that reads naturally and names each sound once."""

from __future__ import annotations

import pytest
from analyses import make_analysis, published_analysis

from llm_ssd.offline import join_words, offline_caption, offline_chunks


@pytest.mark.parametrize(
    ("events", "paq", "scene", "expected"),
    [
        (
            {"Bird": 0.95, "Speech": 0.9, "Traffic": 0.45, "Wind": 0.2},
            {"pleasant": 4.1, "calm": 4.0, "annoying": 1.9, "chaotic": 1.2},
            "park",
            "In this park, you hear birds and speech, and may also hear traffic. "
            "It feels pleasant and calm, not annoying, and not at all chaotic.",
        ),
        (
            {"Wind": 0.2, "Bird": 0.1},
            {},
            "public_square",
            "In this public square, no particular sound stands out. "
            "It feels neither clearly pleasant nor clearly not pleasant.",
        ),
        (
            {"Traffic": 0.35, "Vehicle": 0.31, "Speech": 0.29},
            {"pleasant": 2.0, "calm": 1.4, "annoying": 4.6},
            "street_traffic",
            "In this street, you may hear traffic and vehicles. "
            "It feels very annoying, not pleasant, and not at all calm.",
        ),
        (
            {"Music": 0.8},
            {"pleasant": 2.2, "monotonous": 2.4},
            "park",
            "In this park, you hear music. It does not feel pleasant or monotonous.",
        ),
        (
            {"Water": 0.7, "Outside, rural or natural": 0.75},
            {"annoying": 1.0},
            "park",
            "In this park, you hear water. It does not feel annoying at all.",
        ),
        (
            {"Outside, rural or natural": 0.75, "Environment and background": 0.5},
            {"calm": 4.0},
            "park",
            "In this park, you hear sounds of the outdoors. It feels calm.",
        ),
    ],
)
def test_offline_caption_reads_naturally(events, paq, scene, expected):
    assert offline_caption(make_analysis(events=events, paq=paq, scene=scene)) == expected


def test_offline_caption_of_the_reference_clip_names_each_sound_once(published):
    """Published outputs select 8 events; the general ones ("animals" beside "birds",
    "human sounds" beside "speech", ...) are left out of the offline sentence."""
    text = offline_caption(published_analysis(published))
    assert text.startswith("In this park, you hear speech and birds, and may also hear vehicles.")
    for general in ("animals", "human sounds", "background", "outdoors", "objects"):
        assert general not in text


def test_offline_chunks_are_words_that_join_to_the_caption():
    analysis = make_analysis(events={"Bird": 0.9, "Wind": 0.5}, paq={"calm": 4.2})
    chunks = list(offline_chunks(analysis))
    assert "".join(chunks) == offline_caption(analysis)
    assert all(chunk.endswith(" ") for chunk in chunks[:-1]) and " " not in chunks[-1]


@pytest.mark.parametrize(
    ("items", "joined"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_join_words(items, joined):
    assert join_words(items, "and") == joined
