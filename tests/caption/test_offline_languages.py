"""The offline caption in eight languages (issue 14): one phrase table per language with the same
keys, every sentence shape grammatical, and English with a note for any other language."""

from __future__ import annotations

import pytest
from analyses import make_analysis

from llm_ssd.caption.offline import (
    english_only_note,
    offline_caption,
    offline_chunks,
    offline_language,
    phrase,
)
from llm_ssd.caption.phrases import ENGLISH, PENDING_TRANSLATION, PHRASES
from llm_ssd.labels import EVENTS, LANGUAGES, PAQS, SCENES

OFFLINE_LANGUAGES = ("English", "German", "French", "Spanish", "Dutch", "Italian", "Portuguese",
                     "Chinese")  # fmt: skip
SHAPES = {
    # surely and perhaps heard, three feelings: very, plain, rather
    "park, heard and maybe, three feelings": (
        {"Bird": 0.95, "Speech": 0.9, "Traffic": 0.45},
        {"pleasant": 4.8, "calm": 4.0, "eventful": 1.8},
        "park",
    ),
    "street, maybe, one feeling": (
        {"Traffic": 0.35, "Vehicle": 0.31},
        {"calm": 2.2},
        "street_traffic",
    ),
    "square, nothing, neutral": ({"Wind": 0.2}, {}, "public_square"),
    "park, heard, two feelings": ({"Water": 0.8}, {"vibrant": 4.0, "annoying": 1.8}, "park"),
}
"""Every sentence shape: the three places, the four event sentences, the neutral sentence and
one, two and three feelings with each degree."""
EXPECTED: dict[str, tuple[str, ...]] = {
    "English": (
        "In this park, you hear birds and speech, and may also hear traffic. "
        "It feels very pleasant, calm and rather uneventful.",
        "In this street, you may hear traffic and vehicles. It feels rather chaotic.",
        "In this public square, no particular sound stands out. "
        "It feels neither one way nor the other.",
        "In this park, you hear water. It feels vibrant and rather pleasant.",
    ),
    "German": (
        "In diesem Park hört man Vögel und Stimmen, vielleicht auch Verkehr. "
        "Es wirkt sehr angenehm, ruhig und eher ereignislos.",
        "Auf dieser Straße hört man vielleicht Verkehr und Fahrzeuge. Es wirkt eher chaotisch.",
        "Auf diesem öffentlichen Platz sticht kein bestimmtes Geräusch hervor. "
        "Es wirkt weder so noch so.",
        "In diesem Park hört man Wasser. Es wirkt lebendig und eher angenehm.",
    ),
    "French": (
        "Dans ce parc, on entend des oiseaux et des voix, et peut-être aussi de la circulation. "
        "L'endroit paraît très agréable, calme et plutôt peu animé.",
        "Dans cette rue, on entend peut-être de la circulation et des véhicules. "
        "L'endroit paraît plutôt chaotique.",
        "Sur cette place publique, aucun son ne ressort particulièrement. "
        "L'impression reste neutre.",
        "Dans ce parc, on entend de l'eau. L'endroit paraît vivant et plutôt agréable.",
    ),
    "Spanish": (
        "En este parque, oyes pájaros y voces, y quizá también tráfico. "
        "El ambiente es muy agradable, tranquilo y más bien estático.",
        "En esta calle, quizá oigas tráfico y vehículos. El ambiente es más bien caótico.",
        "En esta plaza pública, no destaca ningún sonido en particular. La impresión es neutra.",
        "En este parque, oyes agua. El ambiente es vibrante y más bien agradable.",
    ),
    "Dutch": (
        "In dit park hoor je vogels en stemmen, en misschien ook verkeer. "
        "Het voelt heel aangenaam, kalm en eerder rustig aan.",
        "In deze straat hoor je misschien verkeer en voertuigen. Het voelt eerder chaotisch aan.",
        "Op dit openbare plein valt geen bepaald geluid op. Het voelt neutraal aan.",
        "In dit park hoor je water. Het voelt levendig en eerder aangenaam aan.",
    ),
    "Italian": (
        "In questo parco, senti gli uccelli e le voci, e forse anche il traffico. "
        "L'ambiente è molto piacevole, calmo e piuttosto statico.",
        "In questa strada, forse senti il traffico e i veicoli. L'ambiente è piuttosto caotico.",
        "In questa piazza pubblica, nessun suono spicca in particolare. L'impressione è neutra.",
        "In questo parco, senti l'acqua. L'ambiente è vivace e piuttosto piacevole.",
    ),
    "Portuguese": (
        "Neste parque, você ouve pássaros e vozes, e talvez também trânsito. "
        "O ambiente é muito agradável, calmo e um tanto parado.",
        "Nesta rua, talvez você ouça trânsito e veículos. O ambiente é um tanto caótico.",
        "Nesta praça pública, nenhum som se destaca em particular. A impressão é neutra.",
        "Neste parque, você ouve água. O ambiente é vibrante e um tanto agradável.",
    ),
    "Chinese": (
        "在这个公园里，你能听到鸟鸣和说话声，也可能会听到车流声。"
        "这里感觉很愉快、平静而且比较平淡。",
        "在这条街上，你可能会听到车流声和车辆声。这里感觉比较混乱。",
        "在这个公共广场上，没有哪种声音特别突出。这里的感觉比较中性。",
        "在这个公园里，你能听到水声。这里感觉有活力而且比较愉快。",
    ),
}


def caption(shape: str, language: str) -> str:
    events, paq, scene = SHAPES[shape]
    return offline_caption(make_analysis(events=events, paq=paq, scene=scene), language)


def test_the_offline_languages_are_those_the_issue_asks_for_and_in_the_app_list():
    assert tuple(PHRASES) == OFFLINE_LANGUAGES == tuple(EXPECTED)
    assert set(PHRASES) <= set(LANGUAGES)


@pytest.mark.parametrize("language", OFFLINE_LANGUAGES)
def test_every_table_has_every_key_and_every_label(language):
    table = PHRASES[language]
    assert set(table) == set(ENGLISH) - (PENDING_TRANSLATION if language != "English" else set())
    assert set(table["places"]) == set(SCENES)
    assert set(table["events"]) == set(EVENTS)
    assert set(table["qualities"]) == set(PAQS)
    for names in (table["events"], table["qualities"], table["places"]):
        assert all(name.strip() == name and name for name in names.values())
        assert len(set(names.values())) == len(names), "two labels share a name"


@pytest.mark.parametrize("language", OFFLINE_LANGUAGES)
@pytest.mark.parametrize("shape", range(len(SHAPES)))
def test_every_sentence_shape_reads_as_written(language, shape):
    assert caption(list(SHAPES)[shape], language) == EXPECTED[language][shape]


@pytest.mark.parametrize("language", OFFLINE_LANGUAGES)
def test_each_event_and_quality_gets_its_own_lay_name(language):
    table = PHRASES[language]
    for event in EVENTS:
        text = offline_caption(make_analysis(events={event: 0.9}), language)
        assert table["events"][event] in text
    for quality in PAQS:
        text = offline_caption(make_analysis(paq={quality: 4.0}), language)
        assert table["qualities"][quality] in text


@pytest.mark.parametrize(
    ("language", "name", "lay"),
    [
        ("German", "Bird", "Vögel"),
        ("German", "Traffic", "Verkehr"),
        ("French", "Water", "de l'eau"),
        ("Spanish", "Speech", "voces"),
        ("Dutch", "Vehicle", "voertuigen"),
        ("Italian", "Music", "la musica"),
        ("Portuguese", "Animal", "animais"),
        ("Chinese", "Bird", "鸟鸣"),
    ],
)
def test_some_lay_names(language, name, lay):
    assert PHRASES[language]["events"][name] == lay


@pytest.mark.parametrize(
    ("typed", "table"),
    [
        ("German", "German"),
        (" deutsch ", "German"),
        ("de", "German"),
        ("FRANÇAIS", "French"),
        ("español", "Spanish"),
        ("Nederlands", "Dutch"),
        ("italiano", "Italian"),
        ("pt", "Portuguese"),
        ("中文", "Chinese"),
        ("", "English"),
        (None, "English"),
        ("Japanese", None),
        ("Klingon", None),
    ],
)
def test_a_typed_language_finds_its_table(typed, table):
    assert offline_language(typed) == table


@pytest.mark.parametrize("language", ["Japanese", "Swahili", "Deutschland"])
def test_any_other_language_gets_english_with_a_note(language):
    analysis = make_analysis(events={"Bird": 0.9}, paq={"calm": 4.0})
    text = offline_caption(analysis, language)
    assert text == f"{offline_caption(analysis)} {english_only_note()}"
    assert english_only_note() == (
        "(This offline caption is in English: without an LLM, captions are written in English, "
        "German, French, Spanish, Dutch, Italian, Portuguese and Chinese only.)"
    )
    assert language not in text  # the typed text is never echoed


def test_a_phrase_missing_from_a_table_falls_back_to_english(monkeypatch):
    monkeypatch.setitem(ENGLISH, "a_new_sentence", "It is very quiet here.")
    assert phrase("German", "a_new_sentence") == "It is very quiet here."
    assert phrase("German", "neutral") == "Es wirkt weder so noch so."


def test_chinese_streams_in_phrases():
    analysis = make_analysis(events={"Bird": 0.9}, paq={"calm": 4.2})
    chunks = list(offline_chunks(analysis, "Chinese"))
    assert chunks == ["在这个公园里，", "你能听到鸟鸣。", "这里感觉平静。"]
