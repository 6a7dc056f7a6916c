"""Calibration (issue 24): the paper's convention by default, stated in every record; the
authors' 60 dB tone reproduces it; a recording's known level or a calibrator's tone scale it,
and +10 dB roughly doubles N5 (ISO 532-1: +10 phon doubles the loudness)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import soundfile as sf
from reference import shared_file

from llm_ssd.analysis import analyze
from llm_ssd.audio.calibration import (
    PAPER,
    a_weighted_level,
    a_weighting,
    from_level,
    from_tone,
)
from llm_ssd.audio.checks import CALIBRATION_DB_SPL, CALIBRATION_RMS, AudioError

RATE = 48_000
SECONDS = 2.8


def tone(path, rms: float, seconds: float = 2.0, freq: float = 1000.0) -> str:
    t = np.arange(int(RATE * seconds)) / RATE
    sf.write(path, (rms * math.sqrt(2) * np.sin(2 * np.pi * freq * t)).astype(np.float32), RATE,
             subtype="FLOAT")  # fmt: skip
    return str(path)


@pytest.fixture(scope="module")
def street():
    """Pink-ish noise at about 60 dB SPL under the paper's calibration."""
    rng = np.random.default_rng(3)
    white = rng.standard_normal(int(RATE * SECONDS))
    pink = np.cumsum(white) * 0.002
    pink -= np.convolve(pink, np.ones(480) / 480, mode="same")
    return (0.007 * pink / pink.std()).astype(np.float32)


def test_the_authors_60_db_tone_reproduces_the_default(tmp_path, street):
    calibration = from_tone(tone(tmp_path / "cal.wav", CALIBRATION_RMS), CALIBRATION_DB_SPL)
    assert calibration.gain == pytest.approx(1.0, abs=1e-6)
    default, toned = analyze(street, RATE), analyze(street, RATE, calibration=calibration)
    assert toned.n5 == pytest.approx(default.n5, rel=1e-4)
    assert toned.isop == pytest.approx(default.isop, abs=1e-4)
    assert default.to_dict()["calibration"] == PAPER.text and PAPER.text.startswith("paper:")
    assert toned.to_dict()["calibration"].startswith("tone: cal.wav")


def test_the_authors_own_tone_file_is_60_db_at_the_default():
    path = shared_file("reference", "calibration_1kHz_60dB.wav")
    assert from_tone(path, CALIBRATION_DB_SPL).gain == pytest.approx(1.0, rel=1e-3)


def test_a_94_db_calibrator_tone_sets_the_gain(tmp_path):
    calibration = from_tone(tone(tmp_path / "cal94.wav", 0.1))  # 94 dB by default
    expected = 94.0 - 20 * math.log10(0.1 / CALIBRATION_RMS) - CALIBRATION_DB_SPL
    assert calibration.gain_db == pytest.approx(expected, abs=1e-3)


def test_ten_decibels_more_roughly_doubles_n5(street):
    quiet = analyze(street, RATE, calibration=from_level(60.0))
    loud = analyze(street, RATE, calibration=from_level(70.0))
    assert 1.7 < loud.n5 / quiet.n5 < 2.3
    assert "LAeq given as 70 dB" in loud.to_dict()["calibration"]
    assert loud.to_dict()["calibration_gain_db"] - quiet.to_dict()["calibration_gain_db"] == (
        pytest.approx(10.0, abs=1e-3)
    )


def test_a_level_brings_the_recording_to_that_laeq(street):
    calibration = from_level(65.0).for_recording([street], RATE, "street")
    assert a_weighted_level([street * np.float32(calibration.gain)], RATE) == pytest.approx(
        65.0, abs=0.01
    )


@pytest.mark.parametrize(("freq", "db"), [(1000, 0.0), (100, -19.1), (4000, 1.0)])
def test_the_a_weighting_is_iec_61672s(freq, db):
    from scipy import signal

    _, response = signal.sosfreqz(a_weighting(RATE), worN=[freq], fs=RATE)
    assert 20 * np.log10(abs(response[0])) == pytest.approx(db, abs=0.1)


def test_silence_and_impossible_levels_are_refused_with_a_reason(tmp_path):
    with pytest.raises(AudioError, match="digital silence"):
        analyze(np.zeros(RATE * 3, np.float32), RATE, calibration=from_level(60.0))
    with pytest.raises(AudioError, match="from 0 to 140 dB"):
        from_level(200.0)
    with pytest.raises(AudioError, match="is silent"):
        from_tone(tone(tmp_path / "flat.wav", 0.0))
