"""The app's length limit (issue 11): LLM_SSD_APP_MAX_MINUTES, validated, stated on the page."""

from __future__ import annotations

import pytest

import app
from llm_ssd.env import ENV_APP_MAX_MINUTES
from ui import page


@pytest.mark.parametrize(("value", "minutes"), [("", 10.0), ("2.5", 2.5), (" 30 ", 30.0)])
def test_the_limit_comes_from_the_environment(monkeypatch, value, minutes):
    monkeypatch.setenv(ENV_APP_MAX_MINUTES, value)
    assert page.max_minutes() == minutes


@pytest.mark.parametrize("value", ["0", "-3", "inf", "nan", "ten"])
def test_a_limit_that_is_not_a_positive_number_is_warned_about(monkeypatch, value):
    monkeypatch.setenv(ENV_APP_MAX_MINUTES, value)
    with pytest.warns(UserWarning, match=f"{ENV_APP_MAX_MINUTES}='{value}' is not a positive"):
        assert page.max_minutes() == page.DEFAULT_MAX_MINUTES


def test_the_page_states_the_limit_in_every_language():
    assert app.INTRO.endswith(str(page.WORDS("intro")))
    english = f"Recordings up to {page.MAX_MINUTES:g} minutes and {page.MAX_FILE_MIB} MiB"
    assert english in page.PAGE_WORDS_FILLED["en"]["intro"]
    for locale, words in page.PAGE_WORDS_FILLED.items():
        assert f"{page.MAX_MINUTES:g}" in words["intro"], locale
        assert f"{page.MAX_FILE_MIB} Mi" in words["intro"], locale  # MiB, Mio
