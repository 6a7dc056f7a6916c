"""One visitor's live session: what has been heard, when to analyse it, and the latest picture.

Every chunk the microphone sends asks for an update. One starts only when none of this session
runs, `interval` seconds have passed since the last one started, and one of the shared `slots`
(the analyses the machine runs at once) is free; otherwise the request is skipped, never queued.
The picture is therefore at most `interval` plus one analysis behind the microphone (two
intervals while an analysis takes less than one), or two analyses when one takes longer."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from llm_ssd.analysis import analyze
from llm_ssd.audio.checks import NETWORK_MIN_DURATION
from llm_ssd.errors import LLMSSDError
from llm_ssd.live.recording import Recording
from llm_ssd.model.windows import WINDOW_SECONDS
from llm_ssd.result import Analysis

INTERVAL = 5.0
"""Seconds between updates. One update (the 30-s analysis, then the scene, events, radar and
circumplex drawn) took 3.2-4.0 s on the 2-core machine at a load average of 6 (analysis 1.7-2.3 s
with the app's thread share, drawing 1.4-1.8 s): 5 s keeps an update within its interval, so the
picture stays under two intervals (10 s) behind, and leaves the cores some time for Describe."""
LIMIT = 300.0
"""A live session ends by itself after 5 minutes: enough for a class to go quiet, talk and
clap; its recording (29 MB at 48 kHz) then goes to Describe, within the app's length limit."""
TRAIL_SECONDS = 180.0
"""The circumplex's trail: the points of the last 3 minutes."""
FULL_SLACK = 0.05
"""Seconds a window may fall short of WINDOW_SECONDS and still count as full."""


@dataclass(frozen=True)
class Window:
    """What one update analyses: the last (up to) 30 s, from `start` to `end` seconds into the
    session."""

    samples: np.ndarray
    rate: int
    start: float
    end: float

    @property
    def full(self) -> bool:
        return self.end - self.start >= WINDOW_SECONDS - FULL_SLACK


@dataclass(frozen=True)
class TrailPoint:
    """One update's point on the circumplex, and the end of the audio it describes."""

    heard: float
    isop: float
    isoe: float


@dataclass(frozen=True)
class Picture:
    """The latest update: its window, analysis, what was drawn of it and the trail with it."""

    number: int
    window: Window
    analysis: Analysis
    shown: Any
    trail: tuple[TrailPoint, ...]
    seconds: float
    """How long the analysis and drawing took."""


def analyse_window(window: Window) -> Analysis:
    """The analysis of one window, as `analyze` does any clip."""
    return analyze(window.samples, window.rate)


Draw = Callable[[Analysis, Window, tuple[TrailPoint, ...]], Any]


class LiveSession:
    """A visitor's live session; `hear` each chunk and show `picture`. With `background` an
    update runs in a thread of its own; without, `hear` returns its window and the caller runs
    it (`run`), as a test does on a fake clock."""

    def __init__(
        self,
        draw: Draw,
        slots: threading.Semaphore | None = None,
        analyse: Callable[[Window], Analysis] = analyse_window,
        interval: float = INTERVAL,
        limit: float = LIMIT,
        background: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.draw, self.slots, self.analyse = draw, slots, analyse
        self.interval, self.background, self.clock = interval, background, clock
        self.recording = Recording(limit)
        self.trail: deque[TrailPoint] = deque()
        self.picture: Picture | None = None
        self.error: str | None = None
        self.skipped = 0
        """Requests for an update that came while one ran (or no slot was free)."""
        self.stopped = False
        self._lock = threading.Lock()
        self._busy = False
        self._last_start: float | None = None
        self._first_chunk: float | None = None
        self._updates = 0

    @property
    def busy(self) -> bool:
        return self._busy

    def hear(self, samples: np.ndarray, rate: int, now: float | None = None) -> Window | None:
        """Keep a chunk and ask for an update; the window of the update it started, if any."""
        with self._lock:
            if self.stopped or self.recording.full:
                return None
            now = self.clock() if now is None else now
            if self._first_chunk is None:
                self._first_chunk = now
            self.recording.add(samples, rate)
            window = self._start(now)
        if window is not None and self.background:
            threading.Thread(target=self.run, args=(window,), daemon=True).start()
        return window

    def _start(self, now: float) -> Window | None:
        """Begin an update if one is due and may run (the lock held)."""
        if self._busy:
            self.skipped += 1
            return None
        heard = self.recording.seconds
        due = self._last_start is None or now - self._last_start >= self.interval
        if heard < NETWORK_MIN_DURATION or not due:
            return None
        if self.slots is not None and not self.slots.acquire(blocking=False):
            self.skipped += 1
            return None
        self._busy, self._last_start = True, now
        samples = self.recording.last(WINDOW_SECONDS)
        return Window(
            samples,
            self.recording.rate or 0,
            heard - samples.size / (self.recording.rate or 1),
            heard,
        )

    def run(self, window: Window) -> None:
        """Analyse and draw a window; the picture, or the error, replaces the last."""
        began = time.perf_counter()
        try:
            analysis = self.analyse(window)
            point = TrailPoint(window.end, analysis.isop, analysis.isoe)
            with self._lock:
                self.trail.append(point)
                while self.trail and self.trail[0].heard < window.end - TRAIL_SECONDS:
                    self.trail.popleft()
                trail = tuple(self.trail)
            shown = self.draw(analysis, window, trail)
            with self._lock:
                self._updates += 1
                took = time.perf_counter() - began
                self.picture = Picture(self._updates, window, analysis, shown, trail, took)
                self.error = None
        except LLMSSDError as exc:
            self.error = str(exc)
        finally:
            with self._lock:
                self._busy = False
            if self.slots is not None:
                self.slots.release()

    def age(self) -> float | None:
        """How far behind the microphone the picture is, seconds of audio; None before one."""
        if self.picture is None:
            return None
        return self.recording.seconds - self.picture.window.end

    def since_first_chunk(self) -> float:
        """Seconds since the first chunk came: as much audio as the microphone has sent since
        (the heard seconds fall short of it when chunks are lost on the way)."""
        if self._first_chunk is None:
            return 0.0
        return self.clock() - self._first_chunk

    def stop(self) -> None:
        """No more chunks or updates; one running finishes."""
        with self._lock:
            self.stopped = True
