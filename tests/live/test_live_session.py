"""A live session keeps up by skipping (issue 23, acceptance 2): chunks come faster than the
analysis, updates that would start while one runs are skipped, not queued, memory stays bounded
and the picture is never older than two intervals. Simulated on a fake clock with a fake
analysis, so that a busy machine cannot change the result; one test runs the real threads."""

from __future__ import annotations

import random
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest

from llm_ssd.live.session import LiveSession, Window
from llm_ssd.model.windows import WINDOW_SECONDS

RATE = 8000
INTERVAL = 3.0
CHUNK = 0.25
"""Seconds per chunk: 12 chunks per interval."""
MAX_ANALYSIS = 0.9 * INTERVAL
"""The fake analysis takes from a third of this to all of it: each chunk asks for an update,
far more often than an analysis can run."""


def fake_analysis(window: Window) -> SimpleNamespace:
    """Where the window's level puts it on the circumplex (the test's stand-in for the model)."""
    level = float(np.abs(window.samples).mean()) if window.samples.size else 0.0
    return SimpleNamespace(isop=1 - 2 * level, isoe=2 * level - 1)


def chunk(seconds: float, level: float) -> np.ndarray:
    return np.full(int(seconds * RATE), level, np.float32)


def simulate(session: LiveSession, seconds: float, durations, level=lambda t: 0.1):
    """Stream `seconds` of chunks on a fake clock; each update finishes `durations()` later.
    Yields (time, age, running updates) after every chunk."""
    pending: list[tuple[float, Window]] = []
    t = 0.0
    while t < seconds:
        t += CHUNK
        for done in [p for p in pending if p[0] <= t]:
            session.run(done[1])
            pending.remove(done)
        window = session.hear(chunk(CHUNK, level(t)), RATE, now=t)
        if window is not None:
            pending.append((t + durations(), window))
        yield t, session.age(), len(pending)


@pytest.fixture
def session() -> LiveSession:
    return LiveSession(lambda *a: a, analyse=fake_analysis, interval=INTERVAL, limit=120.0,
                       background=False)  # fmt: skip


def test_updates_are_skipped_not_queued_and_the_picture_stays_current(session):
    rng = random.Random(23)
    ages, running = [], []
    for t, age, pending in simulate(session, 100.0, lambda: rng.uniform(0.3, 1.0) * MAX_ANALYSIS):
        running.append(pending)
        if t > INTERVAL * 2:  # once the first picture has had time to come
            ages.append(age)
    assert max(running) == 1  # never two of one session at once: nothing queued
    assert session.skipped > 100  # most chunks found an update running
    assert session.picture.number < 100 / INTERVAL + 1  # at most one update per interval
    assert None not in ages and max(ages) <= 2 * INTERVAL


def test_memory_is_bounded_by_the_limit_and_the_window_by_30_s(session):
    for _ in simulate(session, 200.0, lambda: MAX_ANALYSIS):
        assert session.recording.samples <= session.recording.limit * RATE
        assert session.picture is None or session.picture.window.samples.size <= (
            WINDOW_SECONDS * RATE
        )
        assert len(session.trail) <= 180.0 / INTERVAL + 1
    assert session.recording.full
    assert session.recording.seconds == pytest.approx(120.0)
    assert session.hear(chunk(CHUNK, 0.1), RATE, now=999.0) is None  # ended: nothing kept


def test_a_slow_machine_shows_how_far_behind_it_is(session):
    """When one analysis takes longer than the interval, the next starts as soon as it ends (on
    the newest audio), so the picture is at most two analyses behind, and `age` says so."""
    slow = 2.5 * INTERVAL
    ages = [age for t, age, _ in simulate(session, 60.0, lambda: slow) if t > 3 + slow + CHUNK]
    assert None not in ages and max(ages) <= 2 * slow + CHUNK
    assert max(ages) > 2 * INTERVAL  # and is reported, not hidden


def test_the_first_picture_comes_before_30_s_and_says_it_is_short(session):
    first = next(t for t, _, _ in simulate(session, 10.0, lambda: 0.5) if session.picture)
    assert first < 5.0
    assert not session.picture.window.full
    assert session.picture.window.end == pytest.approx(session.picture.window.start + 3.0)


def test_the_trail_follows_the_room_from_quiet_to_loud(session):
    loud_after = 60.0
    list(simulate(session, 120.0, lambda: 1.0, level=lambda t: 0.1 if t < loud_after else 0.9))
    before = [p for p in session.trail if p.heard < loud_after]
    after = [p for p in session.trail if p.heard > loud_after + WINDOW_SECONDS]
    assert before and after
    assert max(p.isoe for p in before) < 0 < min(p.isoe for p in after)


def test_in_threads_only_one_update_runs_and_the_others_are_skipped():
    """The real background threads, with a fake analysis that waits: generous bounds."""
    running, most = 0, 0
    lock = threading.Lock()

    def slow(window):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.2)
        with lock:
            running -= 1
        return fake_analysis(window)

    slots = threading.BoundedSemaphore(1)
    live = LiveSession(lambda *a: a, slots, analyse=slow, interval=0.0, limit=60.0)
    for _ in range(40):
        live.hear(chunk(CHUNK, 0.1), RATE)
        time.sleep(0.01)
    deadline = time.monotonic() + 30
    while live.busy and time.monotonic() < deadline:
        time.sleep(0.05)
    assert most == 1 and live.skipped > 0 and live.picture is not None
    assert slots.acquire(blocking=False)  # the slot was given back


def test_a_visitor_without_a_free_slot_is_skipped():
    slots = threading.BoundedSemaphore(1)
    first = LiveSession(lambda *a: a, slots, analyse=fake_analysis, background=False)
    second = LiveSession(lambda *a: a, slots, analyse=fake_analysis, background=False)
    window = first.hear(chunk(4.0, 0.1), RATE, now=0.0)
    assert window is not None
    assert second.hear(chunk(4.0, 0.1), RATE, now=0.0) is None and second.skipped == 1
    first.run(window)
    assert second.hear(chunk(CHUNK, 0.1), RATE, now=0.1) is not None
