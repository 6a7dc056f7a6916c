"""Calibration: how a recording's samples map to pascals.

The default is the paper's convention (`checks.PASCAL_PER_UNIT`: the authors' 1 kHz tone of
digital RMS 0.0070527 is 60 dB SPL, so a full-scale sine is about 100 dB SPL). A recording made
with another gain is brought to that convention by one factor on its samples, so that everything
computed from them (log-mel, loudness, the level checks) reads as it would for a recording made
at the paper's calibration:

- `from_level(db)`: the recording's known A-weighted equivalent level (LAeq, dB); the factor is
  found per recording from its own A-weighted level;
- `from_tone(file, db)`: a calibrator's tone recorded with the same gain (`TONE_DB`, 94 dB, the
  usual calibrator's 1 Pa, unless given); the factor is the tone's RMS against the paper's.

Every record names the calibration it was made with (`Calibration.text`)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import signal

from llm_ssd.audio.checks import (
    CALIBRATION_DB_SPL,
    CALIBRATION_RMS,
    PASCAL_PER_UNIT,
    REFERENCE_PRESSURE,
    AudioError,
)

TONE_DB = 94.0
"""A calibrator's usual level, dB SPL (1 Pa, IEC 60942), when `--calibration-db` is not given."""
PAPER_TEXT = (
    f"paper: the authors' 1 kHz tone of RMS {CALIBRATION_RMS} is {CALIBRATION_DB_SPL:g} dB SPL "
    "(a full-scale sine is about 100 dB SPL)"
)
"""The default calibration, in the words every record states it in."""
A_WEIGHTING_POLES_HZ = (20.598997, 107.65265, 737.86223, 12194.217)
"""The A-weighting's pole frequencies (IEC 61672-1)."""
A_WEIGHTING_1KHZ_DB = 1.9997
"""The unnormalised A-weighting's gain at 1 kHz, taken off so that 1 kHz passes at 0 dB."""
MIN_LEVEL_DB, MAX_LEVEL_DB = 0.0, 140.0
"""Levels a recording or a calibrator may be said to have, dB."""


@dataclass(frozen=True)
class Calibration:
    """A factor on the samples, and the calibration in words. `level_db` set: the factor is
    still to be found from the recording (`for_recording`)."""

    gain: float = 1.0
    text: str = PAPER_TEXT
    level_db: float | None = None

    @property
    def gain_db(self) -> float:
        return 20 * math.log10(self.gain)

    @property
    def is_paper(self) -> bool:
        return self.gain == 1.0 and self.level_db is None

    def apply(self, blocks: Iterable[np.ndarray]) -> Iterable[np.ndarray]:
        """The blocks scaled to the paper's convention (unchanged, bit for bit, at gain 1)."""
        if self.gain == 1.0:
            return blocks
        factor = np.float32(self.gain)
        return (block * factor for block in blocks)

    def for_recording(self, blocks: Iterable[np.ndarray], rate: int, name: str) -> Calibration:
        """This calibration with its factor found, for a recording given by its blocks."""
        if self.level_db is None:
            return self
        laeq = a_weighted_level(blocks, rate)
        if not math.isfinite(laeq):
            raise AudioError(
                f"{name} is digital silence, so it cannot be brought to {self.level_db:g} dB: "
                "leave out --level-db for it."
            )
        gain = 10 ** ((self.level_db - laeq) / 20)
        text = f"level: the recording's LAeq given as {self.level_db:g} dB ({_gain_words(gain)})"
        return Calibration(gain, text)

    def record(self) -> dict[str, object]:
        """The record's calibration fields."""
        return {"calibration": self.text, "calibration_gain_db": round(self.gain_db, 4)}


PAPER = Calibration()


def check_level(db: float, what: str) -> float:
    if not (math.isfinite(db) and MIN_LEVEL_DB <= db <= MAX_LEVEL_DB):
        raise AudioError(
            f"{what} of {db:g} dB is not a level a recording has: give one from "
            f"{MIN_LEVEL_DB:g} to {MAX_LEVEL_DB:g} dB."
        )
    return db


def from_level(db: float) -> Calibration:
    """The recording's known LAeq, dB (each recording's factor is found from its own level)."""
    return Calibration(level_db=check_level(db, "a recording's level"))


def from_tone(path: str | Path, db: float = TONE_DB) -> Calibration:
    """A calibrator's tone at `db` dB SPL, recorded with the recordings' gain."""
    from llm_ssd.audio.decode import open_audio

    check_level(db, "a calibration tone's level")
    stream = open_audio(path)
    rms = rms_of(stream.blocks())
    if not rms > 0:
        raise AudioError(f"{Path(path).name} is silent, so it cannot calibrate: record the tone.")
    pascal_per_unit = REFERENCE_PRESSURE * 10 ** (db / 20) / rms
    gain = pascal_per_unit / PASCAL_PER_UNIT
    text = f"tone: {Path(path).name} (RMS {rms:.6g}) is {db:g} dB SPL ({_gain_words(gain)})"
    return Calibration(gain, text)


def rms_of(blocks: Iterable[np.ndarray]) -> float:
    """The RMS of mono blocks (sums in float64)."""
    count, total = 0, 0.0
    for block in blocks:
        part = block.astype(np.float64)
        count, total = count + part.size, total + float(part @ part)
    return math.sqrt(total / count) if count else 0.0


def a_weighting(rate: int) -> np.ndarray:
    """The A-weighting filter at `rate` as second-order sections (bilinear transform)."""
    f1, f2, f3, f4 = (2 * math.pi * f for f in A_WEIGHTING_POLES_HZ)
    zeros = [0.0] * 4
    poles = [-f1, -f1, -f4, -f4, -f2, -f3]
    gain = f4**2 * 10 ** (A_WEIGHTING_1KHZ_DB / 20)
    z, p, k = signal.bilinear_zpk(zeros, poles, gain, rate)
    return signal.zpk2sos(z, p, k)


def a_weighted_level(blocks: Iterable[np.ndarray], rate: int) -> float:
    """LAeq of mono blocks in dB at the paper's calibration; -inf for digital silence."""
    sos = a_weighting(rate)
    state = np.zeros((sos.shape[0], 2))
    count, total = 0, 0.0
    for block in blocks:
        weighted, state = signal.sosfilt(sos, block.astype(np.float64), zi=state)
        count, total = count + weighted.size, total + float(weighted @ weighted)
    if not count or total <= 0:
        return -math.inf
    rms = math.sqrt(total / count) * PASCAL_PER_UNIT
    return 20 * math.log10(rms / REFERENCE_PRESSURE)


def _gain_words(gain: float) -> str:
    return f"{20 * math.log10(gain):+.2f} dB against the paper's convention"
