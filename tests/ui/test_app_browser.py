"""The app in a real browser (issue 5, acceptance 1, 3 and 4): headless Chromium through Playwright.

Starts `python app.py` on 127.0.0.1 with no API key, uploads a clip through the hidden file input,
presses Describe and waits for the scene, the five plots and the offline caption; then a text file
renamed .wav (the core's error in a toast) and a good clip again. A second test points the "LLM
settings" at a local fake OpenAI-compatible server and watches the caption grow in the textbox.
Screenshots go to test-artifacts/browser/ (a FAILED-*.png and the app's log too when a test fails).

Debian's Chromium (/usr/bin/chromium) is driven through `executable_path`: Playwright cannot
download its own browser here. Without it or without Playwright the tests skip, except under CI
(CI=true), where they fail instead.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from pathlib import Path

import pytest
from app_server import ROOT, AppServer
from fake_openai import FakeOpenAI

from ui.describe import ADVANCED

try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:  # reported by the `browser` fixture (skip, or fail under CI)
    sync_playwright = None

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
REFERENCE_CLIP = ROOT.parent / "shared" / "reference" / "stimulus_13.flac"
PARK_EXAMPLE = ROOT / "examples" / "park_birdsong.flac"  # park (0.63), examples/README.md
STREET_EXAMPLE = ROOT / "examples" / "street_traffic.flac"  # street_traffic (0.996)
N_PLOTS = 5
ANALYSIS_MS = 120_000
"""Upper bound for one Describe (a cold, 2-core machine); a warm run takes a few seconds."""
UI_MS = 30_000
"""Upper bound for the page to react (render, upload, a toast)."""
BAD_FILE_MESSAGE = "is not an audio file that can be read"
FAKE_MODEL = "fake-model"
POLL_MS = 25
"""How often the page records the caption while it streams."""

PLOTS_RENDERED = """([n, previous]) => {
    const imgs = [...document.querySelectorAll('[data-testid="matplotlib"] img')]
        .filter((img) => img.offsetParent !== null);  // the tab shown, not a hidden one
    return imgs.length === n && imgs.every(
        (img) => img.getAttribute("src") && img.complete && img.naturalWidth > 0
            && !previous.includes(img.getAttribute("src")));
}"""
SETTLED = "(el) => Promise.all(el.getAnimations().map((a) => a.finished))"
"""Wait for an element's own animations (a toast's fade-in), not its subtree's (its timer bar)."""
PLOT_SOURCES = """() => [...document.querySelectorAll('[data-testid="matplotlib"] img')]
    .map((img) => img.getAttribute("src"))"""
RECORD_CAPTION = """(textarea, ms) => {
    window.__captions = [];
    window.__sources = [];
    const source = () => [...document.querySelectorAll('[data-testid="markdown"]')]
        .map((md) => md.innerText.trim())
        .find((text) => text.startsWith("Caption from") || text.startsWith("Writing")) || "";
    const record = () => {
        const list = window.__captions;
        if (list[list.length - 1] !== textarea.value) list.push(textarea.value);
        const s = source();
        if (window.__sources[window.__sources.length - 1] !== s) window.__sources.push(s);
    };
    record();
    window.__recorder = setInterval(record, ms);
}"""


def ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def chromium_path() -> Path | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium with a fresh profile; skips (fails under CI) when it's missing."""
    executable = chromium_path()
    missing = [
        what
        for what, absent in (
            ("the Python package playwright (pip install playwright)", sync_playwright is None),
            ("Chromium at /usr/bin/chromium (apt-get install chromium)", executable is None),
        )
        if absent
    ]
    if missing:
        reason = "browser test needs " + " and ".join(missing)
        if ci():
            pytest.fail(f"{reason}; CI is set, so the browser test must run", pytrace=False)
        pytest.skip(reason)
    expect.set_options(timeout=UI_MS)  # assertions wait as long as actions (their own: 5 s)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def app(browser, tmp_path_factory):
    """`python app.py` with no OpenAI settings: captions come from the offline template.

    (Asks for `browser` so that a missing browser skips before the app is started.)"""
    with AppServer(tmp_path_factory.mktemp("browser-app")) as server:
        yield server


@pytest.fixture
def page(browser, app, request):
    """A fresh browser context on the app; on failure, a screenshot and the app log as artefacts."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(UI_MS)
    failed_before = request.session.testsfailed
    for stale in ARTIFACTS.glob(f"FAILED-{request.node.name}*"):
        stale.unlink()
    try:
        page.goto(app.url)
        expect(page.get_by_role("button", name="Describe")).to_be_visible()
        yield page
    finally:
        if request.session.testsfailed > failed_before:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = request.node.name
            try:
                page.screenshot(path=ARTIFACTS / f"FAILED-{name}.png", full_page=True)
            finally:
                (ARTIFACTS / f"FAILED-{name}-app.log").write_text(app.log())
        context.close()


@pytest.fixture
def good_clip() -> tuple[Path, str]:
    """The reference clip (a park), or the synthetic park example when ../shared is absent."""
    return (REFERENCE_CLIP if REFERENCE_CLIP.exists() else PARK_EXAMPLE), "park"


def screenshot(page: Page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=full_page)


def audio_box(page: Page):
    """The audio input's block (the outputs have "Clear" buttons of their own after an error)."""
    label = page.get_by_test_id("block-label").filter(has_text=re.compile(r"^\s*Sound clip\s*$"))
    return page.locator(".block", has=label)


def upload(page: Page, path: Path) -> None:
    """Clear the audio box if it holds a clip, then give `path` to its hidden file input."""
    clear = audio_box(page).get_by_role("button", name="Clear", exact=True)
    if clear.count():
        clear.click()
    file_input = page.get_by_test_id("file-upload")
    file_input.wait_for(state="attached")
    file_input.set_input_files(path)
    expect(clear).to_be_visible()  # the player (with its Clear button) replaces the drop zone


def caption_box(page: Page):
    # Not get_by_label: the copy button inside the <label> takes the label, not the textarea.
    name = page.get_by_test_id("block-info").filter(has_text=re.compile(r"^\s*Caption\s*$"))
    return page.locator("label", has=name).get_by_test_id("textbox")


def caption_source(page: Page):
    return page.get_by_test_id("markdown").filter(has_text="Caption from:")


def describe_and_wait(page: Page, scene: str, previous_plots: list[str] = ()) -> list[str]:
    """Press Describe and wait for the scene, five new plot images and the final caption source;
    returns the plots' image sources."""
    page.get_by_role("button", name="Describe").click()
    expect(page.get_by_test_id("label-output-value")).to_have_text(scene, timeout=ANALYSIS_MS)
    page.wait_for_function(PLOTS_RENDERED, arg=[N_PLOTS, list(previous_plots)], timeout=ANALYSIS_MS)
    expect(caption_source(page)).to_be_visible(timeout=ANALYSIS_MS)
    # The handler's last update (the download files, with every output again for API clients)
    # re-renders the plots: wait for it, or a plot found before it is detached under the test.
    row = page.get_by_role("row", name=re.compile(r"_circumplex\.png "))  # stem and .png apart
    expect(row).to_be_visible(timeout=ANALYSIS_MS)
    return page.evaluate(PLOT_SOURCES)


def test_describe_a_clip_then_a_bad_file_then_a_good_one(page, app, good_clip, tmp_path):
    clip, scene = good_clip
    upload(page, clip)
    plots = describe_and_wait(page, scene)
    caption = caption_box(page).input_value()
    assert caption.strip(), "the caption is empty"
    expect(caption_source(page)).to_have_text("Caption from: offline template")
    assert page.get_by_test_id("toast-body").count() == 0, "a good clip raised a toast"
    screenshot(page, "01-good-clip")

    bad = tmp_path / "notes.wav"
    bad.write_text("This is a text file, not a sound.\n" * 40)
    upload(page, bad)
    page.get_by_role("button", name="Describe").click()
    toast = page.get_by_test_id("toast-body").filter(has_text="Error")
    expect(toast).to_be_visible(timeout=ANALYSIS_MS)
    expect(toast.get_by_test_id("toast-text")).to_have_count(1)  # said once, not twice
    expect(toast.get_by_test_id("toast-text")).to_contain_text(f"notes.wav {BAD_FILE_MESSAGE}")
    toast.evaluate(SETTLED)  # faded in, for the screenshot
    screenshot(page, "02-bad-file-error")
    screenshot(page, "02-bad-file-error-toast", full_page=False)  # full page leaves the toast out
    assert app.process.poll() is None, f"app.py died on a bad file:\n{app.log()}"
    toast.get_by_test_id("toast-close").click()
    expect(page.get_by_test_id("toast-body")).to_have_count(0)

    # Another clip, another scene: the outputs must be new, not the first run's left in place.
    upload(page, STREET_EXAMPLE)
    describe_and_wait(page, "street", previous_plots=plots)
    again = caption_box(page).input_value()
    assert again.strip() and again != caption, f"no new caption: {again!r}"
    expect(caption_source(page)).to_have_text("Caption from: offline template")
    expect(page.get_by_test_id("toast-body")).to_have_count(0)
    screenshot(page, "03-good-clip-again")


def test_caption_streams_from_an_openai_compatible_server(page, good_clip):
    clip, scene = good_clip
    with FakeOpenAI(chunks=8, chunk_delay=0.15, model=FAKE_MODEL) as server:
        page.get_by_text(ADVANCED, exact=True).click()
        page.get_by_label("Model", exact=True).fill(FAKE_MODEL)
        page.get_by_label("Base URL of an OpenAI-compatible server").fill(server.base_url)
        upload(page, clip)
        caption_box(page).evaluate(RECORD_CAPTION, POLL_MS)
        page.get_by_role("button", name="Describe").click()
        expect(page.get_by_test_id("label-output-value")).to_have_text(scene, timeout=ANALYSIS_MS)
        expected_source = f"Caption from: model {FAKE_MODEL} via 127.0.0.1:{server.port}"
        expect(caption_source(page)).to_have_text(expected_source, timeout=ANALYSIS_MS)
        captions = [c for c in page.evaluate("window.__captions") if c]
        sources = page.evaluate("window.__sources")
        screenshot(page, "04-streamed-caption")

    assert len(server.requests) == 1 and server.requests[0]["body"]["model"] == FAKE_MODEL
    assert captions and captions[-1] == server.text, f"final caption {captions[-1:]!r}"
    partial = captions[:-1]
    assert len(partial) >= 3, f"the caption did not visibly stream: {captions!r}"
    for shorter, longer in itertools.pairwise(captions):
        assert longer.startswith(shorter) and len(longer) > len(shorter), captions
    assert any(s.startswith(f"Writing… (model {FAKE_MODEL}") for s in sources), sources


VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}
"""Issue 12, acceptance 3: screenshots at these sizes."""
PLACES_LINE = re.compile(
    r"Closest to .+, .+: \d+ people rated it \(\d\.\d\d away\); then .+ and .+\."
)
DIFFERENCE = re.compile(r"B is .*(more|less|about as) .* A")
N_COMPARE_PLOTS = 3


def screenshots(page: Page, name: str, element=None) -> None:
    """Full-page screenshots at each of `VIEWPORTS`, and of `element` alone when given."""
    for size, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)  # let the layout settle
        screenshot(page, f"{name}-{size}-{width}x{height}")
        if element is not None:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            element.screenshot(path=ARTIFACTS / f"{name}-{size}-plot.png")


def block_with_label(page: Page, label: str):
    name = page.get_by_test_id("block-label").filter(has_text=re.compile(rf"^\s*{label}\s*$"))
    return page.locator(".block", has=name)


def test_examples_list_real_recordings_first(page):
    labels = page.get_by_text(re.compile(r"^(Real recording|Synthetic)")).all_inner_texts()
    assert labels and labels[0].startswith("Real recording"), labels
    real = [i for i, text in enumerate(labels) if text.startswith("Real recording")]
    assert len(real) >= 2 and real == list(range(len(real))), labels


def test_circumplex_names_the_nearest_surveyed_places(page, good_clip):
    clip, scene = good_clip
    upload(page, clip)
    describe_and_wait(page, scene)
    places = page.get_by_test_id("markdown").filter(has_text="people rated it")
    expect(places).to_have_count(1)
    assert PLACES_LINE.fullmatch(places.inner_text().strip()), places.inner_text()
    expect(page.get_by_text("The coloured dots and ellipses are real places")).to_be_visible()
    page.get_by_text("How to read this", exact=True).click()
    expect(page.get_by_text("What it cannot know.")).to_be_visible()
    circumplex = page.get_by_test_id("matplotlib").nth(1)  # the PAQ radar, then the circumplex
    circumplex.scroll_into_view_if_needed()
    screenshots(page, "05-nearest-places", circumplex)


def test_compare_tab_shows_two_clips_and_the_difference(page, good_clip):
    clip, _ = good_clip
    page.get_by_role("tab", name="Compare").click()
    for label, path in (("Clip A", clip), ("Clip B", ROOT / "examples" / "real_dcase_scene.flac")):
        block = block_with_label(page, label)
        block.get_by_test_id("file-upload").set_input_files(path)
        expect(block.get_by_role("button", name="Clear", exact=True)).to_be_visible()
    page.get_by_role("button", name="Compare", exact=True).click()
    sentence = page.get_by_test_id("markdown").filter(has_text=DIFFERENCE)
    expect(sentence).to_be_visible(timeout=ANALYSIS_MS)
    page.wait_for_function(PLOTS_RENDERED, arg=[N_COMPARE_PLOTS, []], timeout=ANALYSIS_MS)
    assert "B is much less pleasant" in sentence.inner_text(), sentence.inner_text()
    circumplex = page.locator('[data-testid="matplotlib"]:visible').nth(1)
    circumplex.scroll_into_view_if_needed()
    screenshots(page, "06-compare", circumplex)


def test_a_silent_clip_is_said_too_quiet_in_a_toast_and_the_caption(page, tmp_path):
    import numpy as np
    import soundfile as sf

    from llm_ssd.audio.level import QUIET_WARNING
    from llm_ssd.caption.offline import QUIET_CAPTION

    silent = tmp_path / "silence.wav"
    sf.write(silent, np.zeros(16000 * 3, np.float32), 16000)
    upload(page, silent)
    page.get_by_role("button", name="Describe").click()
    toast = page.get_by_test_id("toast-body").filter(has_text="too quiet to describe")
    expect(toast).to_be_visible(timeout=ANALYSIS_MS)
    expect(toast.get_by_test_id("toast-text")).to_have_text(QUIET_WARNING)
    expect(caption_source(page)).to_have_text("Caption from: offline template", timeout=ANALYSIS_MS)
    assert caption_box(page).input_value() == QUIET_CAPTION
    expect(page.locator("#notice")).to_contain_text("Not a result")  # issue 20: no scene shown
    expect(page.get_by_test_id("label-output-value")).to_have_count(0)
    toast.evaluate(SETTLED)
    screenshot(page, "07-silent-clip", full_page=False)
