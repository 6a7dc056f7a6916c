"""A class on their phones (issue 20, acceptance 1, 3, 4 and 5), in headless Chromium at a
projector's 1366×768 and a phone's 390×844: Describe with nothing loaded says so; Describe in
the first screen; the first figure within a screen of the caption; every figure's smallest text
at least 11 CSS px on the phone, from the rendered image's size and the figure's own font
sizes; quiet clips told honestly; a park-then-street recording headlined as both places. And
the minor items: a file that is not sound gets a plain message (no MIME types); the navbar's
other page and "Rated" legible (WCAG AA); a rating's radio buttons one tab stop per question,
moved through with the arrow keys; the Results tables scroll with a visible cue on a phone; at
150 % zoom (911×512 CSS px) the page fills the screen with no long empty column; the page in
German. Screenshots go to test-artifacts/browser/20-*.png."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from playwright.sync_api import Page, expect
from test_app_browser import (  # noqa: F401 (the fixtures `browser` and `app`)
    ANALYSIS_MS,
    ARTIFACTS,
    SETTLED,
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
from llm_ssd.ratings.rubric import CRITERIA
from llm_ssd.reading.reliability import LESS_RELIABLE, NOT_A_RESULT
from llm_ssd.reading.words import PAGE_WORDS
from ui.describe import EXAMPLES, NO_CLIP
from ui.page import EXAMPLES_DIR, PAGE_WORDS_FILLED, RESULTS_PATH
from ui.style import WIDE_TABLE

pytestmark = pytest.mark.browser

LAPTOP, PHONE = (1366, 768), (390, 844)
ZOOMED = (911, 512)
"""1366×768 at 150 % zoom, in CSS pixels."""
ZOOM = 1.5
FILLED = 0.9
"""Part of the screen's width the page's content uses at 150 % zoom (Gradio's column: 0.77)."""
MOST_EMPTY = 0.5
"""Of the screen's height: the longest stretch a column of a row may stand empty."""
AA = 4.5
"""WCAG AA contrast for text."""
ENGLISH = PAGE_WORDS["en"]
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


EMPTY_COLUMNS = """() => [...document.querySelectorAll(".row")]
  .filter((row) => row.offsetParent !== null)
  .flatMap((row) => {
    const bottom = row.getBoundingClientRect().bottom;
    return [...row.children].filter((col) => col.offsetParent !== null).map((col) => {
      const kids = [...col.children].filter((k) => k.getBoundingClientRect().height > 0);
      const used = Math.max(col.getBoundingClientRect().top,
                            ...kids.map((k) => k.getBoundingClientRect().bottom));
      return bottom - used;
    });
  })"""
COLOURS = """(el) => { const s = getComputedStyle(el);
  return [s.color, s.backgroundColor, s.opacity]; }"""
TABLES = """(cls) => [...document.querySelectorAll("." + cls)].map((block) => ({
  scrolls: block.dataset.scrolls, cue: getComputedStyle(block, "::after").content,
  shade: getComputedStyle(block.querySelector(".table-wrap"), "::after").content}))"""
TO_THE_END = """(cls) => document.querySelectorAll("." + cls + " .virtual-table-viewport")
  .forEach((box) => { box.scrollLeft = box.scrollWidth; })"""


def luminance(css: str) -> float:
    """WCAG's relative luminance of a CSS rgb()/rgba() colour."""
    channels = [float(c) / 255 for c in re.findall(r"[\d.]+", css)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(text: str, ground: str) -> float:
    light, dark = sorted((luminance(text), luminance(ground)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def shots(page: Page, size: tuple[int, int], name: str) -> None:
    """Resize, let the layout settle, screenshot the top and the whole page."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.wait_for_timeout(500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tag = f"{size[0]}x{size[1]}"
    page.screenshot(path=ARTIFACTS / f"20-{name}-{tag}-top.png")
    page.screenshot(path=ARTIFACTS / f"20-{name}-{tag}.png", full_page=True)


def at(page: Page, size: tuple[int, int], name: str) -> dict:
    """`shots`, then the Describe tab's geometry."""
    shots(page, size, name)
    return page.evaluate(GEOMETRY)


def describe(page: Page) -> None:
    """Press Describe and wait for its last update: the caption comes first and the figures
    after it (issue 21), the downloads only with the last of them."""
    page.get_by_role("button", name="Describe").click()
    expect(caption_source(page)).to_be_visible(timeout=ANALYSIS_MS)
    last = page.get_by_role("cell", name=re.compile(r"_circumplex\.png$"))
    expect(last).to_have_count(1, timeout=ANALYSIS_MS)


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
    results = page.get_by_role("navigation").get_by_role("link", name="Results")
    text, ground = results.evaluate(COLOURS)[0], page.locator("body").evaluate(COLOURS)[1]
    assert contrast(text, ground) >= AA, (text, ground)  # not a disabled-looking grey


def test_a_file_that_is_not_sound_gets_a_plain_message(page, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a sound")
    page.get_by_test_id("file-upload").set_input_files(notes)
    plain = ENGLISH["not_audio"].format(name=notes.name)
    expect(page.get_by_test_id("toast-text").filter(has_text=plain)).to_be_visible()
    assert "audio/" not in page.locator("body").inner_text()  # no MIME types anywhere


def test_at_150_percent_zoom_the_page_fills_the_screen(browser, app):  # noqa: F811
    size = {"width": ZOOMED[0], "height": ZOOMED[1]}
    context = browser.new_context(viewport=size, device_scale_factor=ZOOM)
    try:
        page = context.new_page()
        page.set_default_timeout(UI_MS)
        page.goto(app.url)
        expect(page.get_by_role("button", name="Describe")).to_be_visible()
        page.wait_for_timeout(500)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "20-first-visit-zoom150.png", full_page=True)
        width = page.locator("main").evaluate("(m) => m.getBoundingClientRect().width")
        assert width >= FILLED * ZOOMED[0], width
        for viewport in (ZOOMED, LAPTOP):
            page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
            page.wait_for_timeout(500)
            empty = max(page.evaluate(EMPTY_COLUMNS))
            assert empty <= MOST_EMPTY * viewport[1], (viewport, empty)
    finally:
        context.close()


def rate_by_keyboard(page: Page) -> None:
    """Rate the caption with the keyboard alone: the arrow keys choose within a question, one
    Tab goes on to the next question; "Rated" afterwards is legible."""
    page.get_by_text(ENGLISH["rate_fold"]).click()
    form = page.locator(".rating-form").first
    form.locator('input[type="radio"]').first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    question = page.evaluate("() => document.activeElement.closest('fieldset').innerText")
    assert question.startswith(CRITERIA[1].name), question  # recall, not precision's 2
    page.keyboard.press("ArrowRight")
    checked = form.locator('input[type="radio"]:checked')
    assert [checked.nth(i).get_attribute("value") for i in range(checked.count())] == ["3", "2"]
    form.get_by_role("button", name="Submit rating").click()
    rated = form.get_by_role("button", name="Rated")
    expect(rated).to_be_disabled()
    rated.evaluate(SETTLED)
    text, ground, opacity = rated.evaluate(COLOURS)
    assert contrast(text, ground) >= AA and float(opacity) == 1, (text, ground, opacity)


def results_tables(page: Page, url: str) -> None:
    """The Results page's tables: on a phone they scroll, shaded at the right edge and with a
    line saying so until scrolled to their end; at laptop width they fit, with no cue."""
    page.goto(url + RESULTS_PATH)
    rated = page.locator("#class-results").get_by_role("gridcell", name="offline template")
    expect(rated).to_be_visible()
    cue = f'"{ENGLISH["scroll_cue"]}"'
    shots(page, PHONE, "results")
    expect(page.locator(f".{WIDE_TABLE}[data-scrolls=more]")).to_have_count(2)  # both filled
    assert page.evaluate(TABLES, WIDE_TABLE) == [
        {"scrolls": "more", "cue": cue, "shade": '""'}] * 2  # fmt: skip
    page.evaluate(TO_THE_END, WIDE_TABLE)
    expect(page.locator(f".{WIDE_TABLE}[data-scrolls=end]")).to_have_count(2)
    assert {t["shade"] for t in page.evaluate(TABLES, WIDE_TABLE)} == {"none"}
    shots(page, LAPTOP, "results")
    assert page.evaluate(TABLES, WIDE_TABLE) == [
        {"scrolls": "no", "cue": "none", "shade": "none"}] * 2  # fmt: skip


def test_results_come_first_and_every_figure_is_legible_on_a_phone(page, app):  # noqa: F811
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
    page.set_viewport_size({"width": LAPTOP[0], "height": LAPTOP[1]})
    rate_by_keyboard(page)
    results_tables(page, app.url)


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
        words = PAGE_WORDS_FILLED["de"]
        for key in ("intro", "line_scene", "line_paq", "line_mel", "examples", "nothing_loaded"):
            first = re.split(r"[*(:]", words[key])[0].strip()  # up to its first bold word
            expect(page.get_by_text(first).first).to_be_visible()
        expect(page.get_by_role("tab", name=words["listen_live"])).to_be_visible()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "20-german-390x844-top.png")
        page.screenshot(path=ARTIFACTS / "20-german-390x844.png", full_page=True)
    finally:
        context.close()
