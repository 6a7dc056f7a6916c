"""A class on their phones (issue 20, acceptance 1, 3, 4 and 5), in headless Chromium at a
projector's 1366×768 and a phone's 390×844: Describe with nothing loaded says so; Describe in
the first screen; the first figure within a screen of the caption; every figure's smallest text
at least 11 CSS px on the phone, from the rendered image's size and the figure's own font
sizes; quiet clips told honestly; a park-then-street recording headlined as both places.
Screenshots go to test-artifacts/browser/20-*.png."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from playwright.sync_api import Page, expect
from test_app_browser import (  # noqa: F401 (the fixtures `browser` and `app`)
    ANALYSIS_MS,
    ARTIFACTS,
    UI_MS,
    app,
    browser,
    caption_box,
    caption_source,
    upload,
)
from test_app_browser_windows import three_minutes  # noqa: F401 (a fixture)

from llm_ssd.analysis import analyze
from llm_ssd.audio.checks import PASCAL_PER_UNIT, REFERENCE_PRESSURE
from llm_ssd.figures.legibility import MIN_TEXT_PX, POINTS_PER_INCH, smallest_text_pt
from llm_ssd.figures.panels import DPI, all_figures
from llm_ssd.figures.timeline import timeline_figure
from llm_ssd.reading.reliability import LESS_RELIABLE, NOT_A_RESULT
from llm_ssd.reading.words import PAGE_WORDS
from ui.describe import EXAMPLES, NO_CLIP
from ui.page import EXAMPLES_DIR

pytestmark = pytest.mark.browser

LAPTOP, PHONE = (1366, 768), (390, 844)
EXAMPLE = "real_birds.flac"
MESSAGE_MS = 10_000
"""A generous wait for the no-clip message (the issue asks for 2 s; the time is printed)."""
RATE = 16000
DBFS_TO_SPL = 20 * np.log10(PASCAL_PER_UNIT / REFERENCE_PRESSURE)
GEOMETRY = """() => {
  const describe = [...document.querySelectorAll("button.primary")]
    .find((b) => b.innerText.trim() === "Describe").getBoundingClientRect();
  const caption = document.querySelector("#caption").getBoundingClientRect();
  const imgs = [...document.querySelectorAll('[data-testid="matplotlib"] img')]
    .filter((img) => img.offsetParent !== null)
    .map((img) => ({top: img.getBoundingClientRect().top + window.scrollY,
                    shown: img.getBoundingClientRect().width, natural: img.naturalWidth}));
  return {describe: describe.bottom + window.scrollY, caption: caption.bottom + window.scrollY,
          imgs};
}"""


def at(page: Page, size: tuple[int, int], name: str) -> dict:
    """Resize, let the layout settle, screenshot the top and the whole page; the geometry."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.wait_for_timeout(500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tag = f"{size[0]}x{size[1]}"
    page.screenshot(path=ARTIFACTS / f"20-{name}-{tag}-top.png")
    page.screenshot(path=ARTIFACTS / f"20-{name}-{tag}.png", full_page=True)
    return page.evaluate(GEOMETRY)


def describe(page: Page) -> None:
    page.get_by_role("button", name="Describe").click()
    expect(caption_source(page)).to_be_visible(timeout=ANALYSIS_MS)


@pytest.fixture
def page(browser, app):  # noqa: F811
    context = browser.new_context(viewport={"width": LAPTOP[0], "height": LAPTOP[1]})
    page = context.new_page()
    page.set_default_timeout(UI_MS)
    page.goto(app.url)
    expect(page.get_by_role("button", name="Describe")).to_be_visible()
    yield page
    context.close()


def test_describe_with_nothing_loaded_says_so(page):
    start = time.monotonic()
    page.get_by_role("button", name="Describe").click()
    toast = page.get_by_test_id("toast-body").filter(has_text=NO_CLIP)
    expect(toast).to_be_visible(timeout=MESSAGE_MS)
    print(f"no-clip message after {time.monotonic() - start:.2f} s")
    assert at(page, LAPTOP, "first-visit")["describe"] <= LAPTOP[1]
    at(page, PHONE, "first-visit")


def test_results_come_first_and_every_figure_is_legible_on_a_phone(page):
    page.get_by_text(EXAMPLES[EXAMPLE]).first.click()
    expect(page.get_by_text(f"Loaded: {EXAMPLE}")).to_be_visible()
    describe(page)
    smallest_pt = min(map(smallest_text_pt, all_figures(analyze(EXAMPLES_DIR / EXAMPLE))))
    for size, name in ((LAPTOP, "example"), (PHONE, "example")):
        shown = at(page, size, name)
        assert len(shown["imgs"]) == 5
        first = min(img["top"] for img in shown["imgs"])
        assert first - shown["caption"] <= size[1], (size, first, shown["caption"])
    for img in shown["imgs"]:  # at the phone's width
        inches = img["natural"] / DPI
        px = smallest_pt / POINTS_PER_INCH * img["shown"] / inches
        assert px >= MIN_TEXT_PX, (img, smallest_pt, px)


@pytest.mark.parametrize(("dbfs", "notice"), [(-96, NOT_A_RESULT), (-70, LESS_RELIABLE)])
def test_a_quiet_clip_is_told_honestly(page, tmp_path, dbfs, notice):
    noise = np.random.default_rng(20).standard_normal(RATE * 5)
    path = tmp_path / f"quiet{-dbfs}.wav"
    sf.write(path, (noise / noise.std() * 10 ** (dbfs / 20)).astype(np.float32), RATE)
    assert dbfs + DBFS_TO_SPL < 35  # below the reliability level, as the README says
    upload(page, path)
    describe(page)
    shown = page.locator("#notice")
    expect(shown).to_be_visible()
    expect(shown).to_contain_text(notice.split("**")[1])
    places = page.get_by_test_id("markdown").filter(has_text="people rated it")
    if notice == NOT_A_RESULT:
        expect(page.get_by_test_id("label-output-value")).to_have_count(0)
        expect(places).to_have_count(0)
    else:
        expect(page.get_by_test_id("label-output-value")).not_to_be_empty()
        expect(places).to_have_count(1)
    at(page, PHONE, f"quiet{-dbfs}")


def test_a_park_then_a_street_is_headlined_as_both(page, three_minutes: Path):  # noqa: F811
    upload(page, three_minutes)
    describe(page)
    expect(page.get_by_test_id("label-output-value")).to_have_text("park → street")
    caption = caption_box(page).input_value()
    assert caption.count("then becomes") == 1 and caption.endswith("street."), caption
    for size in (LAPTOP, PHONE):
        shown = at(page, size, "long-recording")
        assert len(shown["imgs"]) == 6  # the timeline too
    analysis = analyze(three_minutes)
    figures = [*all_figures(analysis), timeline_figure(analysis)]
    smallest_pt = min(map(smallest_text_pt, figures))
    for img in shown["imgs"]:  # at the phone's width
        px = smallest_pt / POINTS_PER_INCH * img["shown"] / (img["natural"] / DPI)
        assert px >= MIN_TEXT_PX, (img, smallest_pt, px)


def test_the_page_speaks_german_when_the_browser_asks(browser, app):  # noqa: F811
    context = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, locale="de-DE")
    try:
        page = context.new_page()
        page.set_default_timeout(UI_MS)
        page.goto(app.url)
        german = PAGE_WORDS["de"]
        expect(page.get_by_role("button", name=german["describe"], exact=True)).to_be_visible()
        expect(page.get_by_role("tab", name=german["compare"])).to_be_visible()
        expect(page.get_by_text(german["rate_fold"])).to_be_attached()
        language = page.get_by_label(german["caption_language"])
        expect(language).to_have_value("German")  # the caption follows the browser's language
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "20-german-390x844-top.png")
    finally:
        context.close()
