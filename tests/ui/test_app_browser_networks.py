"""The app's choice of network and its side-by-side view in a real browser (issue 19, acceptance
4): under Advanced settings a visitor picks one of the paper's Table V networks or all of them;
the page names the network's scene, says that it hears no loudness, and side by side shows where
the networks agree, every network's radar and the networks × events heat map. At a laptop's and
a phone's width; screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import pytest
from app_server import AppServer
from playwright.sync_api import expect
from test_app_browser import (  # noqa: F401 (the fixture `browser`)
    ANALYSIS_MS,
    PLOTS_RENDERED,
    UI_MS,
    browser,
    caption_source,
    upload,
)
from test_app_browser_windows import VIEWPORTS, shoot

from llm_ssd.env import ENV_WEIGHTS
from ui.describe import ADVANCED
from ui.networks import ALL_LABEL, NETWORK_LABEL

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def networks_app(browser, tmp_path_factory, tablev_weights):  # noqa: F811
    """The app with SoundAQnet's and the three published Table V networks' weights."""
    env = {ENV_WEIGHTS: str(tablev_weights)}
    with AppServer(tmp_path_factory.mktemp("networks-app"), env) as server:
        yield server


@pytest.fixture(params=list(VIEWPORTS))
def sized(request, browser, networks_app):  # noqa: F811
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(UI_MS)
    page.goto(networks_app.url)
    expect(page.get_by_role("button", name="Describe")).to_be_visible()
    yield page, request.param
    context.close()


def choose_network(page, option: str) -> None:
    page.get_by_text(ADVANCED, exact=True).click()
    page.get_by_label(NETWORK_LABEL).click()
    page.get_by_role("option", name=option).click()


def test_the_network_choice_lists_what_is_here_and_how_to_get_the_rest(sized, reference_clip):
    page, size = sized
    page.get_by_text(ADVANCED, exact=True).click()
    expect(page.get_by_text("Networks without weights here")).to_contain_text(
        "MobileNetV2, YAMNet, CNN-Transformer, PANNs (CNN14 body): trained with llm-ssd train fit"
    )
    page.get_by_label(NETWORK_LABEL).click()
    for option in ("SoundAQnet (Table V: 96.09 %", "AD_CNN (Table V: 89.30 %", "Baseline CNN",
                   "Hierarchical CNN", ALL_LABEL):  # fmt: skip
        expect(page.get_by_role("option", name=option)).to_be_visible()
    expect(page.get_by_role("option", name="YAMNet")).to_have_count(0)
    page.get_by_role("option", name="Baseline CNN").click()
    upload(page, reference_clip)
    page.get_by_role("button", name="Describe").click()
    expect(page.get_by_test_id("label-output-value")).to_have_text("park", timeout=ANALYSIS_MS)
    toast = page.get_by_test_id("toast-body").filter(has_text="hears the log-mel only")
    expect(toast.first).to_be_visible(timeout=ANALYSIS_MS)
    page.wait_for_function(PLOTS_RENDERED, arg=[5, []], timeout=ANALYSIS_MS)
    expect(caption_source(page)).to_be_visible(timeout=ANALYSIS_MS)
    shoot(page, f"07-baseline-cnn-{size}")


def test_all_networks_side_by_side(sized, reference_clip):
    page, size = sized
    choose_network(page, ALL_LABEL)
    upload(page, reference_clip)
    page.get_by_role("button", name="Describe").click()
    line = page.get_by_text("4 of 4 networks: park; they disagree most on")
    expect(line).to_be_visible(timeout=ANALYSIS_MS)
    page.wait_for_function(PLOTS_RENDERED, arg=[5, []], timeout=ANALYSIS_MS)
    for alt in ("Sound events of each network", "Perceived affective qualities of each network"):
        expect(page.locator(f'[data-testid="matplotlib"] img[alt^="{alt}"]')).to_have_count(1)
    expect(caption_source(page)).to_be_visible(timeout=ANALYSIS_MS)
    shoot(page, f"08-all-networks-{size}")
