"""The page's own words (issue 20): one table per offline caption language, all with the same
words, each locale naming a language the offline caption can write."""

from __future__ import annotations

from llm_ssd.caption.offline import offline_language
from llm_ssd.caption.phrases import PHRASES
from llm_ssd.reading.words import ENGLISH_WORDS, PAGE_WORDS


def test_every_offline_language_has_every_page_word():
    assert sorted(map(offline_language, PAGE_WORDS)) == sorted(PHRASES)
    for locale, words in PAGE_WORDS.items():
        assert set(words) == set(ENGLISH_WORDS), locale
        assert all(w.strip() == w and w for w in words.values()), locale
        if locale != "en":
            assert words["describe"] != ENGLISH_WORDS["describe"], locale  # translated
