"""Clips too quiet to describe: digital silence, a pure DC offset, noise far below hearing.

SoundAQnet always predicts something, and for silence it predicts sounds and feelings that are
not there. A clip whose level, with its DC offset removed, is below `QUIET_DB_SPL` at the
authors' calibration (a full-scale sine is about 100 dB SPL, so the threshold is about -93 dBFS)
holds nothing to hear: `analyze()` says so in its warnings, and the caption says so instead of
describing the predictions, which stay in the record. A level is not all: a full-scale 1 Hz or
23 kHz tone is at 100 dB SPL and inaudible, so a clip whose ISO 532-1 loudness (N5) is below
that of a 1-kHz tone at the same `QUIET_DB_SPL` is too quiet to describe as well."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from llm_ssd.audio.checks import PASCAL_PER_UNIT, REFERENCE_PRESSURE

QUIET_DB_SPL = 10.0
"""Below this RMS level (dB SPL, DC removed) a clip is too quiet to describe: about the level of
a 16-bit recording's last bit, and under the threshold of hearing of a broadband sound."""
FAINT_DB_SPL = 35.0
"""Below this level (about -68 dBFS) a clip is quieter than anything the model learnt from, and
its results are less reliable. The ARAUS stimuli SoundAQnet was trained on are recordings of
public outdoor places played at their measured level (the reference stimulus 13 is at 61 dB SPL
here; the example recordings at 57-85 dB SPL); 35 dB SPL is a quiet library, some 10 dB below
the quietest city park at night."""
PHON_KNEE = 40.0
"""Loudness level of 1 sone, phon: below it ISO 532-1 relates sone and phon by a power law."""
PHON_EXPONENT = 0.35
PHON_OFFSET = 0.0005
"""ISO 532-1's relation below 40 phon: L_N = 40 (N + 0.0005)^0.35 (N in sone)."""


def sone_of_phon(phon: float) -> float:
    """The loudness in sone of a loudness level in phon (ISO 532-1's relation, either side of
    40 phon)."""
    if phon >= PHON_KNEE:
        return 2.0 ** ((phon - PHON_KNEE) / 10.0)
    return max((phon / PHON_KNEE) ** (1.0 / PHON_EXPONENT) - PHON_OFFSET, 0.0)


QUIET_SONE = sone_of_phon(QUIET_DB_SPL)
"""Below this N5 (sone) a clip is too quiet to describe, whatever its level: the loudness of a
1-kHz tone at `QUIET_DB_SPL` (a phon is the dB SPL of the 1-kHz tone as loud), 0.019 sone, the
one threshold read in loudness. ISO 532-1 gives a sound below the threshold of hearing 0 sone,
so it catches what the level misses: infrasound, ultrasound (a 10-s full-scale 1 Hz or 23 kHz
tone: N5 under 0.001 sone), while noise at 20 dB SPL, a very quiet room, has 0.1 sone."""
BLOCK = 1 << 16
"""Samples per block when measuring, so that no float64 copy of a long clip is made."""
QUIET_WARNING = (
    f"The clip is too quiet to describe: its level is below {QUIET_DB_SPL:g} dB SPL (about "
    f"{QUIET_DB_SPL - 20 * math.log10(PASCAL_PER_UNIT / REFERENCE_PRESSURE):.0f} dBFS), so there "
    "is nothing to hear in it. The predictions are what the model makes of near-silence: do not "
    "rely on them."
)


INAUDIBLE_WARNING = (
    f"The clip is too quiet to describe: its loudness is below that of a 1-kHz tone at "
    f"{QUIET_DB_SPL:g} dB SPL, so there is nothing to hear in it, whatever its level: its sound "
    "is too faint, or lies outside the range of hearing (below 20 Hz or above 20 kHz). The "
    "predictions are what the model makes of it: do not rely on them."
)
TOO_QUIET_WARNINGS = (QUIET_WARNING, INAUDIBLE_WARNING)
"""The warnings that say a clip is too quiet to describe (`said_too_quiet`)."""


FAINT_WARNING = (
    f"The clip is very quiet: below {FAINT_DB_SPL:g} dB SPL (about "
    f"{FAINT_DB_SPL - 20 * math.log10(PASCAL_PER_UNIT / REFERENCE_PRESSURE):.0f} dBFS), quieter "
    "than the recordings the model learnt from, so its results are less reliable. Record closer "
    "to the sounds, or with more gain, if you can."
)


class LevelMeter:
    """The RMS level of mono blocks as they stream past, with the DC offset removed: one pass,
    no copy of the recording (sums in float64)."""

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0
        self.total_squares = 0.0

    def add(self, block: np.ndarray) -> None:
        for start in range(0, block.size, BLOCK):
            part = block[start : start + BLOCK].astype(np.float64)
            self.count += part.size
            self.total += float(part.sum())
            self.total_squares += float(part @ part)

    def measure(self, blocks: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
        """Pass the blocks on, measuring each."""
        for block in blocks:
            self.add(block)
            yield block

    @property
    def level_db_spl(self) -> float:
        """dB SPL at the authors' calibration; -inf for digital silence or a pure DC offset."""
        if self.count == 0:
            return -math.inf
        mean = self.total / self.count
        power = max(self.total_squares / self.count - mean * mean, 0.0)
        rms = math.sqrt(power) * PASCAL_PER_UNIT
        return 20 * math.log10(rms / REFERENCE_PRESSURE) if rms > 0 else -math.inf

    @property
    def faint(self) -> bool:
        """Whether the blocks so far are quiet enough to make the results less reliable (below
        `FAINT_DB_SPL`, not below `QUIET_DB_SPL`)."""
        return QUIET_DB_SPL <= self.level_db_spl < FAINT_DB_SPL

    @property
    def too_quiet(self) -> bool:
        """Whether the blocks so far are too quiet to describe (below `QUIET_DB_SPL`)."""
        return self.level_db_spl < QUIET_DB_SPL


def level_db_spl(samples: np.ndarray) -> float:
    """The RMS level of mono samples in dB SPL at the authors' calibration, with the DC offset
    (the mean) removed first; -inf for digital silence or a pure DC offset."""
    meter = LevelMeter()
    meter.add(samples)
    return meter.level_db_spl


def too_quiet(samples: np.ndarray) -> bool:
    """Whether a clip is too quiet to describe (`level_db_spl` below `QUIET_DB_SPL`)."""
    return level_db_spl(samples) < QUIET_DB_SPL


def inaudible(n5: float) -> bool:
    """Whether a clip's loudness (N5, sone) is too low to describe it (`QUIET_SONE`)."""
    return n5 < QUIET_SONE


def said_too_quiet(warnings: tuple[str, ...] | list[str]) -> bool:
    """Whether an analysis's warnings say its clip is too quiet to describe, by its level or by
    its loudness: the one rule the caption, the page and the figures follow."""
    return any(w in TOO_QUIET_WARNINGS for w in warnings)
