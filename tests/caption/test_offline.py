"""The offline template: a deterministic caption that reads naturally, names each sound once and
says the strongest feelings positively, never stacking negations (issue 15)."""

from __future__ import annotations

import itertools
import random
import re

import pytest
from analyses import make_analysis, published_analysis

from llm_ssd.caption.offline import (
    MAX_FEELINGS,
    Feeling,
    feelings_sentence,
    join_words,
    offline_caption,
    offline_chunks,
    strongest_feelings,
)
from llm_ssd.caption.phrases import PHRASES
from llm_ssd.labels import PAQ_OPPOSITES, PAQS, Likert

LEVEL_RATINGS = {Likert.STRONGLY_DISAGREE: 1.2, Likert.DISAGREE: 2.2, Likert.NEUTRAL: 3.0,
                 Likert.AGREE: 3.9, Likert.STRONGLY_AGREE: 4.8}  # fmt: skip
"""A rating inside each Likert level."""
NEGATIONS: dict[str, tuple[str, ...]] = {
    "English": ("not", "neither", "nor", "no", "never", "n't"),
    "German": ("nicht", "kein", "keine", "weder", "noch", "nie"),
    "French": ("ne", "pas", "ni", "aucun", "jamais"),
    "Spanish": ("no", "ni", "nunca", "ningún"),
    "Dutch": ("niet", "geen", "noch", "nooit"),
    "Italian": ("non", "né", "nessun", "mai"),
    "Portuguese": ("não", "nem", "nenhum", "nunca"),
    "Chinese": ("不", "没", "非", "无"),
}
"""Words that negate, per language: a feeling sentence never holds one (but the neutral one)."""
SEED = 15


def rated(levels: dict[str, Likert]) -> dict[str, float]:
    """PAQ ratings at the given levels, the other qualities neutral."""
    return {q: LEVEL_RATINGS[levels.get(q, Likert.NEUTRAL)] for q in PAQS}


def words(text: str, language: str) -> list[str]:
    if language == "Chinese":
        return list(text)  # one character a word, enough for the negation check
    return re.findall(r"[\w']+", text.lower())


@pytest.mark.parametrize(
    ("events", "paq", "scene", "expected"),
    [
        (
            {"Bird": 0.95, "Speech": 0.9, "Traffic": 0.45, "Wind": 0.2},
            {"pleasant": 4.1, "calm": 4.0, "annoying": 1.9, "chaotic": 1.2},
            "park",
            "In this park, you hear birds and speech, and may also hear traffic. "
            "It feels pleasant and calm.",
        ),
        (
            {"Wind": 0.2, "Bird": 0.1},
            {},
            "public_square",
            "In this public square, no particular sound stands out. "
            "It feels neither one way nor the other.",
        ),
        (
            {"Traffic": 0.35, "Vehicle": 0.31, "Speech": 0.29},
            {"pleasant": 2.0, "calm": 1.4, "annoying": 4.6},
            "street_traffic",
            "In this street, you may hear traffic and vehicles. "
            "It feels very annoying and rather chaotic.",
        ),
        (
            {"Music": 0.8},
            {"pleasant": 2.2, "monotonous": 2.4},
            "park",
            "In this park, you hear music. It feels rather annoying and rather vibrant.",
        ),
        (
            {"Water": 0.7, "Outside, rural or natural": 0.75},
            {"annoying": 1.0},
            "park",
            "In this park, you hear water. It feels rather pleasant.",
        ),
        (
            {"Outside, rural or natural": 0.75, "Environment and background": 0.5},
            {"calm": 4.0},
            "park",
            "In this park, you hear sounds of the outdoors. It feels calm.",
        ),
        (
            {"Bird": 0.9},
            {"pleasant": 2.0, "annoying": 2.0},  # both sides of an axis denied: nothing to say
            "park",
            "In this park, you hear birds. It feels neither one way nor the other.",
        ),
    ],
)
def test_offline_caption_reads_naturally(events, paq, scene, expected):
    assert offline_caption(make_analysis(events=events, paq=paq, scene=scene)) == expected


def test_offline_caption_of_the_reference_clip_names_each_sound_once(published):
    """Published outputs select 8 events; the general ones ("animals" beside "birds",
    "human sounds" beside "speech", ...) are left out of the offline sentence."""
    text = offline_caption(published_analysis(published))
    assert text == (
        "In this park, you hear speech and birds, and may also hear vehicles. "
        "It feels pleasant, calm and rather vibrant."  # vibrant 3.4, monotonous denied (2.5)
    )
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
    assert join_words(items, " and ") == joined
    assert join_words(items, "和", "、") == joined.replace(", ", "、").replace(" and ", "和")


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ({}, []),
        ({"calm": Likert.AGREE}, [("calm", None, True)]),
        ({"calm": Likert.STRONGLY_AGREE}, [("calm", "very", True)]),
        ({"pleasant": Likert.DISAGREE}, [("annoying", "rather", False)]),
        ({"pleasant": Likert.STRONGLY_DISAGREE}, [("annoying", "rather", False)]),
        # the opposite's own rating contradicts: nothing to say
        ({"pleasant": Likert.DISAGREE, "annoying": Likert.DISAGREE}, []),
        # the opposite is rated itself: named as rated, once
        ({"calm": Likert.AGREE, "chaotic": Likert.STRONGLY_DISAGREE}, [("calm", None, True)]),
        # rated qualities before those read off their opposite, then the strongest first
        (
            {"eventful": Likert.STRONGLY_DISAGREE, "vibrant": Likert.AGREE,
             "pleasant": Likert.STRONGLY_AGREE},
            [("pleasant", "very", True), ("vibrant", None, True),
             ("uneventful", "rather", False)],
        ),
    ],
)  # fmt: skip
def test_strongest_feelings(levels, expected):
    feelings = strongest_feelings(rated(levels))
    assert [(f.quality, f.degree, f.direct) for f in feelings] == expected


def test_at_most_three_feelings_are_named():
    paq = rated(dict.fromkeys(("pleasant", "eventful", "vibrant", "calm"), Likert.AGREE))
    assert len(strongest_feelings(paq)) == 4
    assert feelings_sentence(paq, "English") == "It feels pleasant, eventful and vibrant."
    assert MAX_FEELINGS == 3


def likert_combinations() -> list[dict[str, Likert]]:
    """Every quality alone and every pair of qualities at every level, and 3000 random full
    combinations of the eight."""
    combos: list[dict[str, Likert]] = [{}]
    for size in (1, 2):
        for qualities in itertools.combinations(PAQS, size):
            for levels in itertools.product(Likert, repeat=size):
                combos.append(dict(zip(qualities, levels, strict=True)))
    rng = random.Random(SEED)
    combos += [{q: rng.choice(list(Likert)) for q in PAQS} for _ in range(3000)]
    return combos


@pytest.mark.parametrize("language", PHRASES)
def test_feelings_never_stack_negations_and_name_an_agreed_quality(language):
    """Issue 15: for every combination under test, the feeling sentence holds no negation (but
    the neutral sentence, said only when nothing can be said positively); where a quality is
    agreed, the strongest agreed one is named."""
    table = PHRASES[language]
    negations = set(NEGATIONS[language])
    for levels in likert_combinations():
        paq = rated(levels)
        sentence = feelings_sentence(paq, language)
        feelings = strongest_feelings(paq)
        if sentence == table["neutral"]:
            assert feelings == [], (levels, sentence)
            continue
        assert not negations & set(words(sentence, language)), (levels, sentence)
        agreed = [f for f in feelings if f.direct]
        if agreed:
            assert table["qualities"][agreed[0].quality] in sentence, (levels, sentence)
        assert any(level >= Likert.AGREE for level in levels.values()) or all(
            not f.direct for f in feelings
        )


def test_a_denied_quality_is_read_as_its_opposite_only_where_that_is_not_denied():
    for quality, opposite in PAQ_OPPOSITES.items():
        denied = strongest_feelings(rated({quality: Likert.DISAGREE}))
        assert denied == [Feeling(opposite, "rather", pytest.approx(0.8), False)]
        both = rated({quality: Likert.DISAGREE, opposite: Likert.STRONGLY_DISAGREE})
        assert strongest_feelings(both) == []
