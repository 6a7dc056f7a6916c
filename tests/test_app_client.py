"""The app's named API endpoint, through gradio_client (as a Space's users would call it)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from app_server import ROOT, AppServer
from fake_openai import FakeOpenAI

from llm_ssd.labels import EVENTS, PAQS
from llm_ssd.weights import DEFAULT_CHECKPOINT

gradio_client = pytest.importorskip("gradio_client")
PARALLEL_CALLS = 8
PLANTED_KEY = "sk-planted-operator-5e6f7a8b9c0d"
VISITOR_KEY = "sk-visitor-1a2b3c4d"
SERVER_MODEL = "fake-model"
REAL_STREET = ROOT / "examples" / "real_dcase_scene.flac"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with AppServer(tmp_path_factory.mktemp("app")) as server:
        yield server


@pytest.fixture(scope="module")
def llm():
    """The operator's (fake) LLM server, for the public app."""
    with FakeOpenAI(model=SERVER_MODEL) as server:
        yield server


@pytest.fixture(scope="module")
def public_app(tmp_path_factory, llm):
    """The app as on a Space: on all interfaces, with the operator's key, server and model."""
    env = {
        "GRADIO_SERVER_NAME": "0.0.0.0",
        "OPENAI_API_KEY": PLANTED_KEY,
        "OPENAI_BASE_URL": llm.base_url,
        "LLM_SSD_MODEL": SERVER_MODEL,
        "LLM_SSD_TIMEOUT": "5",
    }
    with AppServer(tmp_path_factory.mktemp("public-app"), env) as server:
        yield server


def describe(app, path, model="", base_url="", api_key=""):
    client = gradio_client.Client(app.url, verbose=False)
    return client.predict(
        gradio_client.handle_file(str(path)),
        DEFAULT_CHECKPOINT,
        model,
        base_url,
        1.0,
        "English",
        api_key,
        api_name="/describe",
    )


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


def test_public_app_keeps_the_server_key_for_its_own_server_and_model(
    public_app, llm, reference_clip
):
    llm.requests.clear()
    *_, record, caption, source = describe(public_app, reference_clip, SERVER_MODEL, llm.base_url)
    assert caption == llm.text and record["caption_error"] is None
    assert source == f"Caption from: **model {SERVER_MODEL} via 127.0.0.1:{llm.port}**"
    (request,) = llm.requests
    assert request["headers"]["authorization"] == f"Bearer {PLANTED_KEY}"

    # Another model: the operator's key is not used, and the visitor is told why.
    *_, record, caption, source = describe(public_app, reference_clip, "gpt-4.5", llm.base_url)
    assert len(llm.requests) == 1
    assert caption.startswith("In this park") and "offline template" in source
    note = f"Using another model than {SERVER_MODEL} needs your own API key;"
    assert f"⚠️ {note}" in source and record["caption_error"].startswith(note)

    # Another model with the visitor's own key: that key, never the operator's.
    *_, caption, source = describe(public_app, reference_clip, "gpt-4.5", llm.base_url, VISITOR_KEY)
    assert caption == llm.text and "⚠️" not in source
    assert llm.requests[-1]["headers"]["authorization"] == f"Bearer {VISITOR_KEY}"
    assert llm.requests[-1]["body"]["model"] == "gpt-4.5"
    assert all(PLANTED_KEY not in str(r["headers"]) for r in llm.requests[1:])


def test_public_app_refuses_a_visitor_url_on_its_own_machine(public_app, reference_clip):
    with FakeOpenAI() as internal:
        *_, record, caption, source = describe(
            public_app, reference_clip, base_url=internal.base_url, api_key=VISITOR_KEY
        )
    assert internal.requests == []
    assert caption.startswith("In this park") and "offline template" in source
    assert f"⚠️ The LLM server address 127.0.0.1:{internal.port} is on a local" in source
    assert "private network" in record["caption_error"]


def test_compare_endpoint_gives_the_difference_and_both_records(app, reference_clip):
    """Issue 12, acceptance 4: the reference park against the real street-like example."""
    from llm_ssd.compare import difference_sentence

    client = gradio_client.Client(app.url, verbose=False)
    difference, paq, circumplex, events, record = client.predict(
        gradio_client.handle_file(str(reference_clip)),
        gradio_client.handle_file(str(REAL_STREET)),
        api_name="/compare",
    )
    assert all(isinstance(p, dict) and p.get("plot") for p in (paq, circumplex, events))
    a, b = record["A"], record["B"]
    assert a["scene"] == "park" and b["scene"] == "street_traffic"
    sentence = difference_sentence((a["isop"], a["isoe"]), (b["isop"], b["isoe"]))
    assert record["difference"] == sentence
    assert sentence.startswith("B is much less pleasant")
    assert difference.startswith(f"### {sentence}\nA sounds most like a park")
    assert a["nearest_places"][0]["place"] and b["nearest_places"][0]["place"]


def test_compare_endpoint_needs_two_clips(app, reference_clip):
    client = gradio_client.Client(app.url, verbose=False)
    with pytest.raises(gradio_client.exceptions.AppError, match="Two clips are needed"):
        client.predict(gradio_client.handle_file(str(reference_clip)), None, api_name="/compare")
