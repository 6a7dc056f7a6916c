"""Silence is not described as sound (issue 10, item 9): digital silence, a pure DC offset and
noise far below hearing are flagged, the caption says so, no LLM is asked, and the predictions
stay in the record."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from fake_openai import FakeOpenAI

from llm_ssd.analysis import analyze
from llm_ssd.audio.checks import (
    CALIBRATION_DB_SPL,
    CALIBRATION_RMS,
    PASCAL_PER_UNIT,
    REFERENCE_PRESSURE,
)
from llm_ssd.audio.level import (
    FAINT_DB_SPL,
    FAINT_WARNING,
    QUIET_DB_SPL,
    QUIET_WARNING,
    level_db_spl,
    too_quiet,
)
from llm_ssd.caption.client import caption_text
from llm_ssd.caption.offline import OFFLINE_SOURCE, QUIET_CAPTION, offline_caption
from llm_ssd.caption.settings import CaptionSettings
from llm_ssd.labels import EVENTS, PAQS

RATE = 16000
SECONDS = 3


pytestmark = pytest.mark.usefixtures("isolated")
"""No caption settings from the environment, no connection off this machine."""


def noise_at(db_spl: float, seconds: float = SECONDS, offset: float = 0.0) -> np.ndarray:
    """White noise of the given RMS level (dB SPL at the authors' calibration) plus a DC offset."""
    rms = REFERENCE_PRESSURE * 10 ** (db_spl / 20) / PASCAL_PER_UNIT
    noise = np.random.default_rng(1).standard_normal(int(RATE * seconds))
    return (offset + rms * noise / noise.std()).astype(np.float32)


QUIET_CLIPS = {
    "digital silence": np.zeros(RATE * SECONDS, np.float32),
    "pure DC": np.full(RATE * SECONDS, 0.25, np.float32),
    "-140 dBFS noise": (1e-7 * np.random.default_rng(2).standard_normal(RATE * SECONDS)).astype(
        np.float32
    ),
    "noise under the threshold, on DC": noise_at(QUIET_DB_SPL - 3, offset=0.25),
}


def test_the_level_follows_the_authors_calibration():
    t = np.arange(RATE * SECONDS) / RATE
    tone = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    assert level_db_spl(CALIBRATION_RMS * np.sqrt(2) * tone) == pytest.approx(CALIBRATION_DB_SPL)
    assert level_db_spl(tone) == pytest.approx(100.0, abs=0.1)  # full scale: about 100 dB SPL
    assert level_db_spl(tone + 0.5) == pytest.approx(level_db_spl(tone), abs=1e-6)
    assert level_db_spl(np.zeros(10, np.float32)) == -math.inf
    assert level_db_spl(np.full(10, 0.3, np.float32)) == -math.inf


def test_the_threshold():
    assert too_quiet(noise_at(QUIET_DB_SPL - 1))
    assert not too_quiet(noise_at(QUIET_DB_SPL + 1))
    assert QUIET_WARNING.startswith(
        "The clip is too quiet to describe: its level is below 10 dB SPL (about -93 dBFS)"
    )


def test_measuring_a_long_clip_makes_no_float64_copy():
    samples = np.ones(1 << 22, np.float32)  # 16 MiB
    tracemalloc.start()
    try:
        level_db_spl(samples)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < samples.nbytes / 8


@pytest.mark.parametrize("name", QUIET_CLIPS)
def test_a_silent_clip_is_said_too_quiet_and_its_predictions_kept(name):
    analysis = analyze(QUIET_CLIPS[name], RATE)
    assert QUIET_WARNING in analysis.warnings
    record = analysis.to_dict()
    assert record["warnings"] == [QUIET_WARNING]
    assert list(record["event_probabilities"]) == list(EVENTS) and list(record["paq"]) == list(PAQS)
    assert record["scene"] and all(1 <= v <= 5 for v in record["paq"].values())
    assert offline_caption(analysis) == QUIET_CAPTION
    with FakeOpenAI() as server:
        result = caption_text(analysis, CaptionSettings(base_url=server.base_url))
    assert server.requests == []  # the LLM is not asked
    assert (result.text, result.source, result.error) == (QUIET_CAPTION, OFFLINE_SOURCE, None)


def test_a_quiet_but_audible_clip_is_described():
    analysis = analyze(noise_at(QUIET_DB_SPL + 10), RATE)
    assert QUIET_WARNING not in analysis.warnings
    assert offline_caption(analysis).startswith("In this ")


DBFS_TO_SPL = 20 * math.log10(PASCAL_PER_UNIT / REFERENCE_PRESSURE)
"""dB SPL of an RMS of 1 (0 dBFS) at the authors' calibration."""


@pytest.mark.parametrize(("dbfs", "warned"), [(-96, QUIET_WARNING), (-70, FAINT_WARNING)])
def test_a_very_quiet_clip_is_warned_about_once(dbfs, warned):
    """Issue 20: -96 dBFS is too quiet to describe, -70 dBFS less reliable (not both)."""
    analysis = analyze(noise_at(dbfs + DBFS_TO_SPL), RATE)
    assert [w for w in analysis.warnings if w in (QUIET_WARNING, FAINT_WARNING)] == [warned]


def test_the_reliability_level_lies_between_too_quiet_and_the_training_levels():
    assert QUIET_DB_SPL < FAINT_DB_SPL
    assert FAINT_WARNING not in analyze(noise_at(FAINT_DB_SPL + 1), RATE).warnings
    assert f"about {FAINT_DB_SPL - DBFS_TO_SPL:.0f} dBFS" in FAINT_WARNING  # what it says holds
