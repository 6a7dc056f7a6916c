"""A stalling or flooding LLM server cannot hold a caption past its deadlines or fill the memory
(issue 10, item 1): local servers that send SSE keep-alive comments forever, drip a word now and
then, or send one endless line."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
import tracemalloc

import pytest
from fake_openai import FakeOpenAI

from llm_ssd.caption import settings as caption_settings
from llm_ssd.caption.client import (
    CUT_MARK,
    MAX_CAPTION_CHARS,
    MAX_CAPTION_CHUNKS,
    MAX_RESPONSE_BYTES,
    stream_caption,
)
from llm_ssd.caption.offline import OFFLINE_SOURCE, offline_caption
from llm_ssd.caption.settings import CaptionSettings
from llm_ssd.caption.stream_guard import IDLE, TOTAL, RequestGuard

IDLE_S = 1.0
TOTAL_S = 2.0
SLACK = 1.0
"""Allowance on top of a deadline for the caption to come back (a loaded 2-core machine needs
well under half of it)."""
CLOSE_SLACK = 1.0
"""Seconds for the server to notice a connection the client closed (its next write fails)."""
MEMORY_BOUND = 16 * MAX_RESPONSE_BYTES
"""Peak Python memory allowed while a server floods the client (a few copies of the cap)."""


def settings_for(server: FakeOpenAI, idle: float = IDLE_S, total: float = TOTAL_S):
    return CaptionSettings(base_url=server.base_url, timeout=idle, deadline=total)


def run(analysis, settings):
    """The finished stream and the seconds it took."""
    start = time.monotonic()
    stream = stream_caption(analysis, settings)
    stream.result()
    return stream, start, time.monotonic() - start


def closed_by_client(server: FakeOpenAI, since: float, within: float) -> bool:
    """Whether the server saw its connection closed by the client within `within` s of `since`."""
    deadline = time.monotonic() + CLOSE_SLACK + 0.5
    while not server.disconnects and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(server.disconnects) == 1 and server.disconnects[0] - since < within + CLOSE_SLACK


def no_guard_thread_left() -> bool:
    return not any(t.name == "llm-request-guard" for t in threading.enumerate())


def test_keep_alive_comments_forever_end_at_the_idle_deadline(analysis):
    with FakeOpenAI(mode="keepalive") as server:
        stream, start, elapsed = run(analysis, settings_for(server))
        assert closed_by_client(server, start, IDLE_S)
    assert stream.error == f"No answer from 127.0.0.1:{server.port} within {IDLE_S:g} s."
    assert stream.text == offline_caption(analysis) and stream.source == OFFLINE_SOURCE
    assert IDLE_S * 0.9 < elapsed < IDLE_S + SLACK
    assert no_guard_thread_left()


def test_keep_alive_comments_end_at_a_shorter_total_deadline(analysis):
    with FakeOpenAI(mode="keepalive") as server:
        stream, start, elapsed = run(analysis, settings_for(server, idle=10 * TOTAL_S))
        assert closed_by_client(server, start, TOTAL_S)
    assert stream.error == f"No answer from 127.0.0.1:{server.port} within {TOTAL_S:g} s."
    assert TOTAL_S * 0.9 < elapsed < TOTAL_S + SLACK


def test_a_word_now_and_then_ends_at_the_total_deadline_keeping_the_words(analysis):
    with FakeOpenAI(mode="drip", chunk_delay=IDLE_S / 4) as server:
        stream, start, elapsed = run(analysis, settings_for(server))
        assert closed_by_client(server, start, TOTAL_S)
    arrived, _, rest = stream.text.partition(CUT_MARK)
    words = server.text.split(" ")
    assert arrived.split() == [words[i % len(words)] for i in range(len(arrived.split()))]
    assert len(arrived.split()) >= 4  # nothing that arrived is lost
    assert rest == offline_caption(analysis)
    assert stream.error == (
        f"The answer from 127.0.0.1:{server.port} took longer than {TOTAL_S:g} s and was cut off."
    )
    assert stream.source.endswith(f"(cut off), then {OFFLINE_SOURCE}")
    assert TOTAL_S * 0.9 < elapsed < TOTAL_S + SLACK


@pytest.mark.parametrize(
    ("mode", "idle", "said"),
    [
        ("keepalive", IDLE_S, f"within {IDLE_S:g} s."),
        ("drip", 10 * TOTAL_S, f"took longer than {TOTAL_S:g} s and was cut off."),
    ],
)
def test_a_body_without_framing_says_which_deadline_ended_it(analysis, mode, idle, said):
    """A body that ends when the connection closes (no chunked framing) looks complete once the
    guard shuts its socket: the message still names the deadline, not "an empty answer" or
    "cut off midway"."""
    with FakeOpenAI(mode=mode, chunked=False, chunk_delay=IDLE_S / 4) as server:
        stream, _, elapsed = run(analysis, settings_for(server, idle=idle))
    assert stream.error.endswith(said), stream.error
    assert elapsed < TOTAL_S + SLACK


def test_a_word_every_few_seconds_ends_at_the_idle_deadline(analysis):
    with FakeOpenAI(mode="drip", chunk_delay=3 * IDLE_S) as server:
        stream, _, elapsed = run(analysis, settings_for(server, total=10 * IDLE_S))
    assert stream.text.startswith(server.text.split(" ")[0] + " " + CUT_MARK)
    assert "stalled for more than 1 s and was cut off" in stream.error
    assert IDLE_S * 0.9 < elapsed < IDLE_S + SLACK


def test_an_endless_line_is_cut_at_the_byte_cap_with_bounded_memory(analysis):
    with FakeOpenAI(mode="flood") as server:
        tracemalloc.start()
        try:
            stream, start, elapsed = run(analysis, settings_for(server))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert closed_by_client(server, start, elapsed)
    size = MAX_RESPONSE_BYTES >> 10
    assert stream.error == (
        f"The answer from 127.0.0.1:{server.port} was larger than {size} KiB and was cut off."
    )
    assert stream.text == offline_caption(analysis)
    assert peak < MEMORY_BOUND
    assert elapsed < SLACK


def test_an_answer_past_the_character_cap_is_cut_there(analysis):
    text = " ".join(f"word{i}" for i in range(2 * MAX_CAPTION_CHARS // 5))
    with FakeOpenAI(text=text, chunks=100) as server:
        stream, _, _ = run(analysis, settings_for(server))
    arrived, _, rest = stream.text.partition(CUT_MARK)
    assert arrived == text[:MAX_CAPTION_CHARS]
    assert rest == offline_caption(analysis)
    assert f"was longer than {MAX_CAPTION_CHARS} characters and was cut off" in stream.error


def test_an_answer_in_too_many_pieces_is_cut(analysis):
    pieces = MAX_CAPTION_CHUNKS + 100
    with FakeOpenAI(text=" ".join(["a"] * pieces), chunks=pieces) as server:
        stream, _, _ = run(analysis, settings_for(server))
    arrived = stream.text.partition(CUT_MARK)[0]
    assert arrived == "a " * (MAX_CAPTION_CHUNKS - 1)  # the first event holds the role only
    assert f"came in more than {MAX_CAPTION_CHUNKS} pieces and was cut off" in stream.error


def test_closing_the_stream_closes_the_connection(analysis):
    with FakeOpenAI(mode="drip", chunk_delay=0.1) as server:
        stream = stream_caption(analysis, settings_for(server, total=30.0))
        received = [next(stream) for _ in range(3)]
        closed = time.monotonic()
        stream.close()  # what a caller that goes away does (GeneratorExit inside)
        assert closed_by_client(server, closed, 0.0)
    assert "".join(received) == stream.text
    assert no_guard_thread_left()


def test_the_app_closes_the_connection_when_its_visitor_goes_away(monkeypatch, analysis):
    from dataclasses import fields

    from matplotlib.figure import Figure

    from llm_ssd.figures.images import render

    page = pytest.importorskip("ui.describe")
    monkeypatch.setattr(page, "analyzed", lambda *args, **kwargs: analysis)
    blank = render(Figure(figsize=(1, 1)))
    monkeypatch.setattr(page, "drawn", lambda a, processes: [(i, blank) for i in range(5)])
    monkeypatch.setenv("LLM_SSD_DEADLINE", "30")
    with FakeOpenAI(mode="drip", chunk_delay=0.1) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        out = page.Outputs(*(object() for _ in fields(page.Outputs)))
        tab = page.DescribeTab(out, store=None, pending={})  # no caption gets to be rated
        updates = tab.describe("clip.wav", base_url=server.base_url)
        for update in updates:
            if len(update.get(out.caption, "").split()) >= 3:
                break  # the caption is streaming
        closed = time.monotonic()
        updates.close()  # Gradio closes the generator when the visitor disconnects
        assert closed_by_client(server, closed, 0.0)
    assert no_guard_thread_left()


def test_the_guard_postpones_the_idle_deadline_on_progress():
    with RequestGuard(total=5.0, idle=0.3, max_bytes=1) as guard:
        for _ in range(8):
            time.sleep(0.1)
            guard.progress()
        assert guard.expired is None
        time.sleep(0.5)
        assert guard.expired == IDLE
    with RequestGuard(total=0.2, idle=5.0, max_bytes=1) as guard:
        time.sleep(0.4)
        assert guard.expired == TOTAL


def test_deadlines_from_the_environment(monkeypatch, caplog):
    monkeypatch.setenv("LLM_SSD_TIMEOUT", "3")
    monkeypatch.setenv("LLM_SSD_DEADLINE", " 12.5 ")
    settings = CaptionSettings.from_env()
    assert (settings.timeout, settings.deadline) == (3.0, 12.5)
    monkeypatch.setenv("LLM_SSD_DEADLINE", "forever")
    with caplog.at_level(logging.WARNING, logger="llm_ssd.caption.client"):
        assert CaptionSettings.from_env().deadline == caption_settings.DEFAULT_DEADLINE
    assert "LLM_SSD_DEADLINE='forever' is not a positive number of seconds" in caplog.text


def test_the_command_line_honours_the_deadlines(tmp_path):
    import numpy as np
    import soundfile as sf

    clip = tmp_path / "noise.wav"
    sf.write(clip, 0.05 * np.random.default_rng(3).standard_normal(48000).astype("f4"), 16000)
    with FakeOpenAI(mode="keepalive") as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_SSD_"))}
        env |= {"OPENAI_BASE_URL": server.base_url, "LLM_SSD_TIMEOUT": "1", "LLM_SSD_DEADLINE": "2"}
        done = subprocess.run(
            [sys.executable, "-m", "llm_ssd", "describe", str(clip), "--caption"],
            capture_output=True, text=True, check=False, env=env, timeout=120,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["caption_error"] == f"No answer from 127.0.0.1:{server.port} within 1 s."
    assert record["caption_source"] == OFFLINE_SOURCE and record["scene"]
    assert len(server.disconnects) == 1
