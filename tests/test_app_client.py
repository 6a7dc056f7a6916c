"""The app's named API endpoint, through gradio_client (as a Space's users would call it)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from app_server import AppServer

from llm_ssd.labels import EVENTS, PAQS

gradio_client = pytest.importorskip("gradio_client")
PARALLEL_CALLS = 8


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with AppServer(tmp_path_factory.mktemp("app")) as server:
        yield server


def describe(app, path):
    client = gradio_client.Client(app.url, verbose=False)
    return client.predict(gradio_client.handle_file(str(path)), api_name="/describe")


def check_against_published(result, published):
    scene, *_plots, record, caption, source = result
    assert scene["label"] == published["scene"] == record["scene"]
    events = [record["event_probabilities"][e] for e in EVENTS]
    np.testing.assert_allclose(events, published["event_probabilities"], atol=0.05, rtol=0)
    np.testing.assert_allclose([record["paq"][p] for p in PAQS], published["paq"], atol=0.05)
    assert record["isop"] == pytest.approx(published["isop"], abs=0.02)
    assert record["isoe"] == pytest.approx(published["isoe"], abs=0.02)
    return caption, source, record


def test_describe_endpoint_matches_published_and_captions_offline(app, reference_clip, published):
    result = describe(app, reference_clip)
    caption, source, record = check_against_published(result, published)
    assert all(isinstance(p, dict) and p.get("plot") for p in result[1:6])
    assert caption.startswith("In this park")
    assert "offline template" in source and record["caption_source"] == "offline template"
    assert record["caption"] == caption


def test_eight_parallel_calls_all_succeed(app, reference_clip, published):
    with ThreadPoolExecutor(PARALLEL_CALLS) as pool:
        results = list(pool.map(lambda _: describe(app, reference_clip), range(PARALLEL_CALLS)))
    for result in results:
        check_against_published(result, published)


def test_non_audio_file_gives_the_core_message(app, tmp_path):
    bad = tmp_path / "notes.wav"
    bad.write_text("not a sound file\n" * 50)
    with pytest.raises(gradio_client.exceptions.AppError, match="not an audio file"):
        describe(app, bad)
    assert app.process.poll() is None
