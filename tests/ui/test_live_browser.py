"""Listen live in a real browser (issue 23, acceptance 1, 3 and 5): Chromium's fake microphone
plays a known WAV into the page. Two visitors at once, each a browser of its own: one hears a
park and then a street, the other the street and then the park. Each sees its own scene change
and a trail on both sides of the circumplex (pleasant and annoying); then Stop offers the first
one's recording to Describe, which describes it. Screenshots of both widths mid-stream go to
test-artifacts/browser/live-*.png."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr
from app_server import ROOT, AppServer
from test_app_browser import ANALYSIS_MS, ARTIFACTS, CHROMIUM_ARGS, chromium_path, ci

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:
    sync_playwright = None

pytestmark = pytest.mark.browser

PARK = ROOT / "examples" / "real_birds.flac"  # park (0.999), ISOP +0.23 (examples/README.md)
STREET = ROOT / "examples" / "street_traffic.flac"  # street_traffic (0.996), ISOP -0.45
PART_SECONDS = 50
"""Each half of a fake microphone's file: long enough for a full 30-s window of it alone."""
FAKE_RATE = 48000
LISTEN_SECONDS = 480
"""The longest the test listens for both changes: the halves take 100 s, but the fake
microphone's chunks reach a busy 2-core server late, and its first update compiles too."""
SIZES = {"wide": (1366, 768), "phone": (390, 844)}
SCENE = '#live-scene [data-testid="label-output-value"]'
TRAIL = re.compile(r"ISO Pleasantness from ([+-]\d\.\d\d) to ([+-]\d\.\d\d)")


def looped(path: Path, seconds: float) -> np.ndarray:
    samples, rate = sf.read(path, dtype="float32")
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    return np.resize(soxr.resample(mono, rate, FAKE_RATE), int(seconds * FAKE_RATE))


def microphone_file(folder: Path, first: Path, then: Path) -> Path:
    """`first` then `then`, PART_SECONDS each, as the 16-bit WAV Chromium's fake device plays."""
    path = folder / f"{first.stem}-then-{then.stem}.wav"
    halves = [looped(first, PART_SECONDS), looped(then, PART_SECONDS)]
    sf.write(path, np.concatenate(halves), FAKE_RATE, subtype="PCM_16")
    return path


def scene_of(page) -> str | None:
    """The live scene's winner, or None before the first picture."""
    box = page.locator(SCENE)
    if not box.count():
        return None
    return box.inner_text().strip().splitlines()[0].strip() or None


def trail_of(page) -> tuple[float, float] | None:
    """The lowest and highest ISO Pleasantness on the trail, from the circumplex's alt text."""
    image = page.locator("#live-circumplex img")
    alt = (image.first.get_attribute("alt") or "") if image.count() else ""
    found = TRAIL.search(alt)
    return (float(found[1]), float(found[2])) if found else None


def status_of(page) -> str:
    return page.locator("#live-status").inner_text()


def changed(seen: list[str], expected: list[str]) -> bool:
    """Whether the scenes seen, in order, hold expected[0] and later expected[1]."""
    first, then = expected
    return first in seen and then in seen[seen.index(first) :]


def both_sides(trail: tuple[float, float] | None) -> bool:
    """Whether the trail has points on the pleasant side and on the annoying side."""
    return trail is not None and trail[0] < 0 < trail[1]


def test_two_visitors_listen_live_and_the_first_takes_the_recording_to_describe(tmp_path):
    executable = chromium_path()
    if sync_playwright is None or executable is None:
        reason = "the live browser test needs playwright and /usr/bin/chromium"
        if ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    files = {
        "wide": microphone_file(tmp_path, PARK, STREET),
        "phone": microphone_file(tmp_path, STREET, PARK),
    }
    expected = {"wide": ["park", "street"], "phone": ["street", "park"]}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with AppServer(tmp_path) as app, sync_playwright() as playwright:
        pages, browsers = {}, []
        try:
            for name, (width, height) in SIZES.items():
                fake = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                        f"--use-file-for-fake-audio-capture={files[name]}"]  # fmt: skip
                browser = playwright.chromium.launch(
                    executable_path=str(executable), headless=True, args=CHROMIUM_ARGS + fake
                )
                browsers.append(browser)
                context = browser.new_context(
                    viewport={"width": width, "height": height}, permissions=["microphone"]
                )
                page = context.new_page()
                page.set_default_timeout(30_000)
                page.goto(app.url)
                page.get_by_role("tab", name="Listen live").first.click()
                pages[name] = page
            for page in pages.values():
                page.get_by_role("button", name="Record", exact=True).click()
            seen = {name: [] for name in pages}
            trails = dict.fromkeys(pages)
            started = time.monotonic()
            while time.monotonic() - started < LISTEN_SECONDS and not all(
                changed(seen[name], expected[name]) and both_sides(trails[name]) for name in pages
            ):
                for name, page in pages.items():
                    scene = scene_of(page)
                    if scene and (not seen[name] or seen[name][-1] != scene):
                        seen[name].append(scene)
                    trails[name] = trail_of(page) or trails[name]
                    shot = ARTIFACTS / f"live-{name}.png"
                    if not shot.exists() and "the last 30 s" in status_of(page):
                        page.screenshot(path=shot, full_page=False)  # mid-stream, a full window
                time.sleep(1.0)
            for name in pages:
                assert changed(seen[name], expected[name]), (name, seen[name])
                assert both_sides(trails[name]), (name, trails[name])
            assert re.search(r"Heard up to \d+ s ago", status_of(pages["wide"]))

            page = pages["wide"]
            page.get_by_role("button", name="Stop").click()
            page.get_by_role("button", name="Describe this recording").click()
            expect(page.get_by_role("tab", name="Describe", selected=True).first).to_be_visible()
            page.get_by_role("button", name="Describe", exact=True).click()
            scene = page.locator('[data-testid="label-output-value"]').first
            expect(scene).to_have_text(re.compile("street|park"), timeout=ANALYSIS_MS)
            page.screenshot(path=ARTIFACTS / "live-then-describe.png", full_page=False)
        except Exception:
            for name, page in pages.items():
                page.screenshot(path=ARTIFACTS / f"FAILED-live-{name}.png", full_page=True)
            (ARTIFACTS / "FAILED-live-app.log").write_text(app.log())
            raise
        finally:
            for browser in browsers:
                browser.close()
