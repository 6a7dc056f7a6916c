"""One app, every path that takes a file (issue 25): one length limit for Describe and Compare
(case 4) with a refusal a web visitor can act on (case 20), the upload store emptied at start
(case 13), no Hugging Face token sent anywhere but the router when OAUTH_CLIENT_ID is set off a
Space (case 21), and the README's `/rate` example run exactly as written (case 19)."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from app_server import ROOT, AppServer
from fake_openai import FakeOpenAI

from ui.uploads import FOLDER_NAME

gradio_client = pytest.importorskip("gradio_client")
LIMIT_MINUTES = 0.1
"""The app's limit here: 6 s, so that a clip over it is small."""
SERVER_HF_TOKEN = "hf_PLANTEDserver9a8b7c6d5e4f"
ROUTER_MODEL = "fake-org/Fake-Instruct"
RATE = 16000


class Recorder:
    """An HTTP server on 127.0.0.1 that records every request and answers 404: the hub, for
    Gradio's and huggingface_hub's calls (HF_ENDPOINT)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def answer(self) -> None:
                recorder.requests.append((self.command, self.path, dict(self.headers)))
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_HEAD = answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Recorder:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def noise(path: Path, seconds: float) -> Path:
    rng = np.random.default_rng(int(seconds * 10))
    sf.write(path, (0.1 * rng.standard_normal(int(seconds * RATE))).astype(np.float32), RATE)
    return path


@pytest.fixture(scope="module")
def hub():
    with Recorder() as server:
        yield server


@pytest.fixture(scope="module")
def router():
    with FakeOpenAI(model=ROUTER_MODEL) as server:
        yield server


@pytest.fixture(scope="module")
def app(tmp_path_factory, hub, router):
    """The app off a Space with a small length limit, OAUTH_CLIENT_ID and the server's HF_TOKEN
    (its captions through the fake router), the hub pointed at the recorder, and a file that an
    earlier run, killed, left in the upload store."""
    folder = tmp_path_factory.mktemp("paths-app")
    stale = folder / "gradio" / FOLDER_NAME / "0123abcd" / "left-by-a-killed-run.wav"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"RIFF" + bytes(1000))
    env = {
        "LLM_SSD_APP_MAX_MINUTES": str(LIMIT_MINUTES),
        "OAUTH_CLIENT_ID": "local-oauth-client",
        "HF_TOKEN": SERVER_HF_TOKEN,
        "HF_ENDPOINT": hub.url,
        "LLM_SSD_HF_BASE_URL": router.base_url,
        "LLM_SSD_HF_MODEL": ROUTER_MODEL,
    }
    with AppServer(folder, env) as server:
        server.stale = stale
        yield server


def client(app: AppServer):
    return gradio_client.Client(app.url, verbose=False)


def test_compare_refuses_a_clip_over_the_apps_limit_as_describe_does(app, tmp_path):
    """Case 4: Compare called `analyze()` without the app's limit; case 20: the refusal reads
    m:ss and says what a visitor can do (trim it), not the command line's flag."""
    long_clip, short_clip = noise(tmp_path / "long.wav", 8.0), noise(tmp_path / "short.wav", 3.0)
    said = "long.wav is 0:08 long; the limit is 0:06 (m:ss). Trim it to the part you want described"
    with pytest.raises(gradio_client.exceptions.AppError) as described:
        client(app).predict(audio=gradio_client.handle_file(str(long_clip)), api_name="/describe")
    with pytest.raises(gradio_client.exceptions.AppError) as compared:
        client(app).predict(
            gradio_client.handle_file(str(short_clip)),
            gradio_client.handle_file(str(long_clip)),
            api_name="/compare",
        )
    assert said in str(described.value) and f"Clip B: {said}" in str(compared.value)
    assert "--max-duration" not in str(described.value) + str(compared.value)


def readme_rate_example() -> str:
    """The README's gradio_client example of `/rate`, as written."""
    readme = (ROOT / "README.md").read_text()
    (block,) = [
        b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if 'api_name="/rate"' in b
    ]
    return "\n".join(line.removeprefix("  ") for line in block.splitlines())


def test_the_readmes_rate_example_rates_the_caption_it_was_shown(app, tmp_path):
    """Case 19: the example's unpacking picked caption B's id, empty outside blind mode."""
    clip = noise(tmp_path / "park.wav", 3.0)
    code = readme_rate_example()
    assert '"http://127.0.0.1:7860/"' in code and '"park.wav"' in code
    code = code.replace("http://127.0.0.1:7860/", app.url).replace('"park.wav"', repr(str(clip)))
    names: dict = {}
    exec(compile(code, "README.md", "exec"), names)  # the example, only its server and clip changed
    assert names["caption_id"] and names["caption"] and names["record"]["scene"]
    with sqlite3.connect(app.db) as con:
        rows = con.execute("SELECT caption_id, rater, precision FROM ratings").fetchall()
    assert rows == [(names["caption_id"], "class-7B", 4)]


def test_off_a_space_the_hugging_face_token_goes_to_the_router_alone(app, hub, router, tmp_path):
    """Case 21: with OAUTH_CLIENT_ID set locally, Gradio's mocked sign-in sent HF_TOKEN to the
    hub's whoami at start-up. Off a Space no sign-in is offered, and nothing reaches the hub."""
    router.requests.clear()
    out = client(app).predict(
        audio=gradio_client.handle_file(str(noise(tmp_path / "clip.wav", 3.0))),
        api_name="/describe",
    )
    assert out[-2] == router.text  # the server's token through the router, as it should
    assert router.requests[0]["headers"]["authorization"] == f"Bearer {SERVER_HF_TOKEN}"
    config = json.loads(urllib.request.urlopen(app.url + "config", timeout=30).read())
    assert "loginbutton" not in {c["type"] for c in config["components"]}
    assert hub.requests == [] and SERVER_HF_TOKEN not in app.log()


def test_the_upload_store_is_emptied_at_start_and_is_the_apps_own(app, tmp_path):
    """Case 13: a SIGTERM or a crash left every upload behind for good; now the next start
    empties the app's own folder (never the rest of GRADIO_TEMP_DIR)."""
    assert not app.stale.exists()
    store = app.stale.parents[1]
    before = {p for p in store.rglob("*") if p.is_file()}
    clip = noise(tmp_path / "upload-me.wav", 3.0)
    client(app).predict(audio=gradio_client.handle_file(str(clip)), api_name="/describe")
    uploaded = {p for p in store.rglob("*") if p.is_file()} - before
    assert "upload-me.wav" in {p.name for p in uploaded}
