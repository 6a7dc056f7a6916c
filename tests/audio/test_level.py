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
    INAUDIBLE_WARNING,
    PHON_EXPONENT,
    PHON_KNEE,
    PHON_OFFSET,
    QUIET_DB_SPL,
    QUIET_SONE,
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


LOUD_RATE = 48000
INAUDIBLE_SECONDS = 10
"""Long enough that the click of the tone's abrupt start lasts under 5 % of the clip (N5)."""


@pytest.mark.parametrize("hz", [1, 23000])
def test_a_loud_but_inaudible_clip_is_too_quiet_to_describe(hz):
    """Issue 25, case 16: a full-scale 1 Hz or 23 kHz tone is at 100 dB SPL and inaudible (its
    N5 is 0.000 sone): judged by loudness, it is too quiet to describe, like silence."""
    from llm_ssd.reading.reliability import notice, shown_as_result

    t = np.arange(LOUD_RATE * INAUDIBLE_SECONDS) / LOUD_RATE
    tone = np.sin(2 * np.pi * hz * t).astype(np.float32)
    assert level_db_spl(tone) > 95
    analysis = analyze(tone, LOUD_RATE)
    assert analysis.n5 < QUIET_SONE
    assert INAUDIBLE_WARNING in analysis.warnings and QUIET_WARNING not in analysis.warnings
    assert not shown_as_result(analysis) and notice(analysis).startswith("**Not a result")
    assert offline_caption(analysis) == QUIET_CAPTION
    with FakeOpenAI() as server:
        result = caption_text(analysis, CaptionSettings(base_url=server.base_url))
    assert server.requests == [] and result.text == QUIET_CAPTION


def test_the_loudness_threshold_is_that_of_a_1_khz_tone_at_the_quiet_level():
    """QUIET_SONE is read from QUIET_DB_SPL by ISO 532-1's sone-phon relation: the loudness
    of a 1-kHz tone at that level, measured, is within a phon of it."""
    from llm_ssd.loudness import loudness_zwtv

    t = np.arange(LOUD_RATE * SECONDS) / LOUD_RATE
    amplitude = math.sqrt(2) * REFERENCE_PRESSURE * 10 ** (QUIET_DB_SPL / 20)  # pascal
    measured = loudness_zwtv(amplitude * np.sin(2 * np.pi * 1000 * t), LOUD_RATE).n5
    phon = PHON_KNEE * (measured + PHON_OFFSET) ** PHON_EXPONENT
    assert abs(phon - QUIET_DB_SPL) < 1.0
    assert 0.01 < QUIET_SONE < 0.03
