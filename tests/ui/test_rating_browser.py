"""Rating captions in a real browser (issue 13, acceptance 1): headless Chromium through
Playwright, with the helpers and fixtures of test_app_browser.py.

A person rates the offline caption of a clip under it and finds the rating on the Results page
(and in the app's SQLite file); blind mode, with a local fake OpenAI-compatible server set in the
LLM settings, shows two captions A and B and stores which source wrote which. Screenshots at
1366×768 and 390×844 go to test-artifacts/browser/rating-*.png."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI
from rating_cases import GOOD
from test_app_browser import (  # noqa: F401 - browser and app are fixtures
    ANALYSIS_MS,
    ARTIFACTS,
    PARK_EXAMPLE,
    UI_MS,
    app,
    browser,
    upload,
)

from llm_ssd.ratings.store import RatingStore, ShownCaption
from ui.describe import ADVANCED, RATE_FOLD

try:
    from playwright.sync_api import Locator, Page, expect
except ImportError:  # the `browser` fixture skips (or fails under CI)
    expect = None

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
FAKE_MODEL = "fake-model"
RATER = "class-7B"
SETTLED = "() => !document.body.innerText.includes('queue:')"
"""No event of the page is still pending (Gradio shows "queue: …" over its outputs)."""


@contextmanager
def opened(browser, app, request, viewport: dict[str, int]) -> Iterator[Page]:  # noqa: F811
    """The app in a fresh context at `viewport`; a screenshot and the app log when a test fails."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(UI_MS)
    name = request.node.name
    for stale in ARTIFACTS.glob(f"FAILED-{name}*"):
        stale.unlink()
    try:
        page.goto(app.url)
        expect(page.get_by_role("button", name="Describe")).to_be_visible()
        yield page
    except BaseException:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"FAILED-{name}.png", full_page=True)
        (ARTIFACTS / f"FAILED-{name}-app.log").write_text(app.log())
        raise
    finally:
        context.close()


def shot(page: Page, name: str, what: Locator | None = None) -> None:
    """rating-NAME.png of the viewport (scrolled to `what`) and rating-NAME-full.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if what is not None:
        what.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / f"rating-{name}.png")
    page.screenshot(path=ARTIFACTS / f"rating-{name}-full.png", full_page=True)


def form(page: Page, header: str) -> Locator:
    """A rating form by its header ("Rate this caption", "Rate caption A"...)."""
    return page.locator(".rating-form").filter(has=page.get_by_role("heading", name=header))


def fill_form(rating: Locator, scores: dict[str, Any]) -> None:
    """Choose whole-number scores and type penalties into the sliders' number boxes."""
    for name, value in scores.items():
        radios = rating.locator("fieldset").filter(has_text=f"{name} (")
        if radios.count():
            radios.get_by_test_id(f"{value}-radio-label").click()
        else:
            number = rating.get_by_label(f"number input for {name} (")
            number.fill(str(value))
            number.press("Tab")


def textbox(page: Page, label: str) -> Locator:
    name = page.get_by_test_id("block-info").filter(has_text=re.compile(rf"^\s*{label}\s*$"))
    return page.locator("label", has=name).get_by_test_id("textbox")


def stored(db: Path, sql: str, *args: Any) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute(sql, args).fetchall()


def test_rate_a_caption_and_see_it_on_the_results_page(browser, app, request):  # noqa: F811
    other = RatingStore(app.db)  # another class's rating, for the rater filter to leave out
    other.rate(other.register_caption(ShownCaption("Some words.", "offline template")),
               GOOD | {"precision": 1}, "other-class")  # fmt: skip
    with opened(browser, app, request, DESKTOP) as page:
        upload(page, PARK_EXAMPLE)
        page.get_by_text(RATE_FOLD, exact=True).click()  # the form is folded under the figures
        page.get_by_label("Rater code (optional").fill(RATER)
        page.get_by_role("button", name="Describe").click()
        rating = form(page, "Rate this caption")
        expect(rating).to_be_visible(timeout=ANALYSIS_MS)
        expect(form(page, "Rate caption B")).to_be_hidden()
        fill_form(rating, {"Precision": 4, "Recall": 3, "Fluency": -0.1, "Irrelevance": -0.5})
        rating.get_by_role("button", name="Submit rating").click()
        done = re.compile(r"Stored as rating \d+ \(overall 2\.90\)")  # (4 + 3) / 2 - 0.6
        expect(rating.get_by_text(done)).to_be_visible()
        expect(rating.get_by_role("button", name="Rated")).to_be_disabled()
        shot(page, "1366x768-rated", rating)

        page.get_by_role("link", name="Results").click()
        expect(page).to_have_url(re.compile(r"/results$"))
        row = page.locator("#class-results").get_by_role("row").filter(has_text="offline")
        expect(row).to_contain_text(
            re.compile(r"offline template\s*2\s*2\s*0\s*2\.5\s*3"), timeout=ANALYSIS_MS
        )
        page.get_by_label("Rater code").click()
        page.get_by_role("option", name=RATER).click()
        expect(row).to_contain_text(re.compile(r"offline template\s*1\s*1\s*0\s*4\s*3"))
        expect(page.locator('[data-testid="matplotlib"] img')).to_be_visible()
        page.wait_for_function(SETTLED)
        shot(page, "1366x768-results")

    ((scores, source, position, caption),) = stored(
        app.db,
        "SELECT printf('%g %g %g %g %g', precision, recall, fluency, conciseness, irrelevance), "
        "c.source, c.position, c.text FROM ratings r JOIN captions c ON c.id = r.caption_id "
        "WHERE r.rater = ?",
        RATER,
    )
    assert (scores, source, position) == ("4 3 -0.1 0 -0.5", "offline template", None)
    assert caption.startswith("In this park")


def test_blind_mode_shows_two_captions_and_stores_their_sources(browser, app, request):  # noqa: F811
    with FakeOpenAI(model=FAKE_MODEL) as llm, opened(browser, app, request, PHONE) as page:
        page.get_by_text(ADVANCED, exact=True).click()
        page.get_by_label("Model", exact=True).fill(FAKE_MODEL)
        page.get_by_label("Base URL of an OpenAI-compatible server").fill(llm.base_url)
        upload(page, PARK_EXAMPLE)
        page.get_by_text(RATE_FOLD, exact=True).click()
        page.get_by_label("Rater code (optional").fill("blind-7B")
        page.get_by_label("Blind mode: rate two captions, A and B").check()
        page.get_by_role("button", name="Describe").click()
        form_a, form_b = form(page, "Rate caption A"), form(page, "Rate caption B")
        expect(form_b).to_be_visible(timeout=ANALYSIS_MS)
        expect(
            page.get_by_text("A and B are the AI model's caption and the offline")
        ).to_be_visible()
        text_a = textbox(page, "Caption A").input_value()
        text_b = textbox(page, "Caption B").input_value()
        assert {text_a, text_b} >= {llm.text} and text_a != text_b
        assert all(FAKE_MODEL not in t for t in page.get_by_test_id("markdown").all_inner_texts())
        shot(page, "390x844-blind", textbox(page, "Caption A"))
        fill_form(form_a, {"Precision": 5, "Recall": 4})
        form_a.get_by_role("button", name="Submit rating").click()
        expect(form_a.get_by_text("Stored as rating")).to_be_visible()
        fill_form(form_b, {"Precision": 2, "Recall": 2, "Conciseness": -0.3})
        form_b.get_by_role("button", name="Submit rating").click()
        expect(form_b.get_by_text("Stored as rating")).to_be_visible()
        shot(page, "390x844-blind-rated", form_b)
        page.set_viewport_size(DESKTOP)
        shot(page, "1366x768-blind-rated", form_a)
        page.get_by_role("link", name="Results").click()
        expect(page.locator("#class-results")).to_contain_text(
            f"model {FAKE_MODEL}", timeout=ANALYSIS_MS
        )  # the page loads, then its table is refreshed through a queue a busy app may hold
        page.wait_for_function(SETTLED)
        page.set_viewport_size(PHONE)
        shot(page, "390x844-results")

    rows = stored(
        app.db,
        "SELECT c.position, c.text, c.source, c.model, c.pair, r.precision, r.conciseness "
        "FROM ratings r JOIN captions c ON c.id = r.caption_id WHERE r.rater = 'blind-7B' "
        "ORDER BY c.position",
    )
    (a, b) = rows
    assert (a[0], a[1], a[5]) == ("A", text_a, 5)
    assert (b[0], b[1], b[5], b[6]) == ("B", text_b, 2, -0.3)
    assert a[4] == b[4] is not None  # shown together
    llm_row = a if a[1] == llm.text else b
    template_row = b if llm_row is a else a
    assert llm_row[2:4] == (f"model {FAKE_MODEL} via 127.0.0.1:{llm.port}", FAKE_MODEL)
    assert template_row[2:4] == ("offline template", None)
