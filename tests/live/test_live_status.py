"""The Listen live status line says when the microphone's audio did not all arrive: Gradio's
stream keeps only the latest chunk it has not taken yet, so an app too busy to take every
chunk (one every 0.1 s) loses some, and the picture and the recording then have gaps."""

from __future__ import annotations

import numpy as np

from llm_ssd.live.session import LiveSession
from llm_ssd.live.status import status_line

RATE = 8000
CHUNK = 0.25
WARNING = "The app received {heard} s of the {sent} s since you pressed Record"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def stream(live: LiveSession, clock: Clock, seconds: float, every: int = 1) -> None:
    """`seconds` of chunks on the clock, of which one in `every` arrives."""
    for i in range(round(seconds / CHUNK)):
        clock.now += CHUNK
        if i % every == 0:
            live.hear(np.full(int(CHUNK * RATE), 0.1, np.float32), RATE)


def session(clock: Clock) -> LiveSession:
    return LiveSession(lambda *a: a, background=False, limit=120.0, clock=clock)


def test_the_status_says_how_much_audio_never_arrived():
    clock = Clock()
    live = session(clock)
    stream(live, clock, 25.0)
    assert "⚠️" not in status_line(live)  # all of it came
    stream(live, clock, 25.0, every=2)
    line = status_line(live)
    assert WARNING.format(heard=38, sent=50) in line, line  # 25 + 12.5 of 49.75 s
    assert "Fewer people listening live at once helps" in line


def test_a_little_lateness_and_a_stopped_session_say_nothing():
    clock = Clock()
    live = session(clock)
    stream(live, clock, 10.0)
    clock.now += 2.0  # the next chunks are late, not lost
    assert "⚠️" not in status_line(live)
    stream(live, clock, 20.0, every=3)
    assert "⚠️" in status_line(live)
    live.stop()
    assert "⚠️" not in status_line(live) and status_line(live).startswith("Stopped after")
