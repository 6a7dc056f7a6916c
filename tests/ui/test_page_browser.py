"""The page as a class meets it (issue 15, acceptance 1 and 5), in headless Chromium: screenshots
at a projector's and a phone's width on a first visit, after an example and after a 3-minute
clip; every plot's text alternative holds its numbers; the caption is a focusable read-only
text; and the keyboard alone reaches the examples, the audio input and Describe, and runs it."""

from __future__ import annotations

import re

import numpy as np
import pytest
import soundfile as sf
from test_app_browser import (  # noqa: F401 - fixtures
    ANALYSIS_MS,
    ROOT,
    app,
    audio_box,
    browser,
    caption_box,
    caption_source,
    page,
    screenshot,
)

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the `browser` fixture reports it
    Page = None

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}
EXAMPLE = "Real recording: birds singing (OpenSoundscape)"
LONG_SOURCE = ROOT / "examples" / "real_dcase_scene.flac"
LONG_SECONDS = 180
MAX_TABS = 60
"""Tab presses allowed to reach Describe from the top of the page."""
ALT_SUFFIX = "plot visualising provided data"
FOCUSED = """() => {
    const el = document.activeElement;
    return [el.tagName, el.innerText?.trim().slice(0, 60) || "", el.getAttribute("aria-label")
            || "", el.closest("[data-testid]")?.getAttribute("data-testid") || "",
            el.className || ""];
}"""


def is_describe(focused: list[str]) -> bool:
    """Whether the focus is on the Describe button (not the Describe tab)."""
    tag, text, *_, classes = focused
    return tag == "BUTTON" and text == "Describe" and "primary" in classes


def at_each_size(page: Page, name: str) -> None:
    for size, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(400)
        screenshot(page, f"08-{name}-{size}-{width}x{height}")


def wait_for_caption(page: Page) -> None:
    expect(caption_source(page)).to_be_visible(timeout=ANALYSIS_MS)


def alt_texts(page: Page) -> list[str]:
    imgs = page.locator('[data-testid="matplotlib"] img:visible')
    return [imgs.nth(i).get_attribute("alt") or "" for i in range(imgs.count())]


def test_first_visit_an_example_and_every_plot_described_with_its_numbers(page):
    at_each_size(page, "first-visit")
    alts = alt_texts(page)
    assert alts and all(not a.startswith("undefined") for a in alts), alts
    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_text(EXAMPLE).first.click()
    expect(audio_box(page).get_by_role("button", name="Clear", exact=True)).to_be_visible()
    page.get_by_role("button", name="Describe").click()
    wait_for_caption(page)
    at_each_size(page, "after-example")
    alts = alt_texts(page)
    assert len(alts) == 5 and all(a.endswith(ALT_SUFFIX) for a in alts), alts
    text = " ".join(alts)
    for needle in ("pleasant", "ISO Pleasantness", "most likely first", "N5", "Log-mel"):
        assert needle in text, needle
    numbers = re.findall(r"\d+\.\d+", text)
    assert len(numbers) >= 8 + 15 + 3, numbers  # every rating, every event, the loudness
    box = caption_box(page)
    assert box.evaluate("(el) => [el.disabled, el.readOnly]") == [False, True]
    box.focus()
    assert page.evaluate("() => document.activeElement.id || document.activeElement.tagName")


def test_a_three_minute_clip_is_described_and_shown(page, tmp_path):
    audio, rate = sf.read(LONG_SOURCE, dtype="float32")
    repeats = int(np.ceil(LONG_SECONDS * rate / len(audio)))
    long_clip = tmp_path / "three_minutes.flac"
    sf.write(long_clip, np.tile(audio, (repeats, 1) if audio.ndim == 2 else repeats)[
        : LONG_SECONDS * rate], rate)  # fmt: skip
    page.get_by_test_id("file-upload").set_input_files(long_clip)
    expect(audio_box(page).get_by_role("button", name="Clear", exact=True)).to_be_visible()
    page.get_by_role("button", name="Describe").click()
    wait_for_caption(page)
    at_each_size(page, "three-minute-clip")
    assert any("3 min 00 s" in a for a in alt_texts(page))


def test_the_keyboard_alone_reaches_examples_audio_and_describe_and_runs_it(page):
    page.locator("body").click(position={"x": 2, "y": 2})
    seen: list[list[str]] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
        if is_describe(seen[-1]):
            break
    texts = [" ".join(s) for s in seen]
    assert any(EXAMPLE in t for t in texts), texts
    assert any("upload" in t.lower() or "audio" in t.lower() for t in texts), texts
    assert is_describe(seen[-1]), texts
    # back to the example with Shift+Tab, choose it with Enter, then Tab on to Describe and Enter
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab")
        if EXAMPLE in " ".join(page.evaluate(FOCUSED)):
            break
    page.keyboard.press("Enter")
    expect(audio_box(page).get_by_role("button", name="Clear", exact=True)).to_be_visible()
    for _ in range(MAX_TABS):
        if is_describe(page.evaluate(FOCUSED)):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    wait_for_caption(page)
    assert caption_box(page).input_value().startswith("In this")
