"""The app's timeline and ensemble in a real browser (issue 11, acceptance 5): a 3-minute clip
shows the timeline panel; the ensemble shows how many checkpoints name the scene. Screenshots at
a laptop's and a phone's size go to test-artifacts/browser/."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from playwright.sync_api import Page, expect
from test_app_browser import (  # noqa: F401 (the fixtures `browser` and `app`)
    ANALYSIS_MS,
    ARTIFACTS,
    PARK_EXAMPLE,
    PLOTS_RENDERED,
    REFERENCE_CLIP,
    STREET_EXAMPLE,
    UI_MS,
    app,
    browser,
    caption_box,
    caption_source,
    upload,
)

from llm_ssd.audio.decode import load_audio
from llm_ssd.figures.panels import DPI
from llm_ssd.figures.timeline import TIMELINE_SIZE
from ui.describe import ADVANCED, ENSEMBLE_LABEL

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": (1366, 768), "phone": (390, 844)}
N_PLOTS_WITH_TIMELINE = 6


@pytest.fixture(params=list(VIEWPORTS))
def sized_page(request, browser, app):  # noqa: F811 (fixtures imported above)
    """The app in a fresh context at a laptop's or a phone's viewport."""
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(UI_MS)
    page.goto(app.url)
    expect(page.get_by_role("button", name="Describe")).to_be_visible()
    yield page, request.param
    context.close()


@pytest.fixture(scope="module")
def three_minutes(tmp_path_factory) -> Path:
    """90 s of the park example, then 90 s of the street example (both 32 kHz), mono FLAC."""
    park, rate = load_audio(PARK_EXAMPLE)
    street, _ = load_audio(STREET_EXAMPLE)
    path = tmp_path_factory.mktemp("clips") / "park_then_street.flac"
    sf.write(path, np.concatenate([np.tile(park, 6), np.tile(street, 6)]), rate)
    return path


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def test_a_three_minute_clip_shows_the_timeline(sized_page, three_minutes):
    page, size = sized_page
    upload(page, three_minutes)
    page.get_by_role("button", name="Describe").click()
    page.wait_for_function(PLOTS_RENDERED, arg=[N_PLOTS_WITH_TIMELINE, []], timeout=ANALYSIS_MS)
    expect(caption_source(page)).to_be_visible(timeout=ANALYSIS_MS)
    caption = caption_box(page).input_value()
    assert " It starts as " in caption and ", then becomes " in caption, caption
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="matplotlib"] img')]
        .map((img) => [img.naturalWidth, img.naturalHeight])"""
    )
    timeline = [round(inches * DPI) for inches in TIMELINE_SIZE]
    assert timeline in sizes, sizes
    shoot(page, f"05-timeline-{size}")


def test_the_ensemble_shows_how_many_checkpoints_name_the_scene(sized_page):
    page, size = sized_page
    clip = REFERENCE_CLIP if REFERENCE_CLIP.exists() else PARK_EXAMPLE
    upload(page, clip)
    page.get_by_text(ADVANCED, exact=True).click()  # the ensemble is an advanced setting
    page.get_by_label(ENSEMBLE_LABEL).check()
    page.get_by_role("button", name="Describe").click()
    line = "4 of 4 checkpoints: park" if clip == REFERENCE_CLIP else " of 4 checkpoints: "
    expect(page.get_by_text(line)).to_be_visible(timeout=ANALYSIS_MS)
    page.wait_for_function(PLOTS_RENDERED, arg=[5, []], timeout=ANALYSIS_MS)
    expect(caption_source(page)).to_be_visible(timeout=ANALYSIS_MS)
    shoot(page, f"06-ensemble-{size}")
