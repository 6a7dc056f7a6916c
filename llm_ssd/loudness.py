"""ISO 532-1:2017 time-varying loudness (Zwicker), in sone every 2 ms."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOUDNESS_SAMPLE_RATE = 48000
"""ISO 532-1 filters are defined at 48 kHz; other rates are resampled first."""
LOUDNESS_STEP = 0.002
"""Seconds between loudness values (500 per second)."""


@dataclass(frozen=True, eq=False)
class Loudness:
    """Total loudness N(t), specific loudness N'(z, t) and their time base."""

    n: np.ndarray
    """(steps,) total loudness, sone."""
    n_specific: np.ndarray
    """(240, steps) specific loudness, sone/Bark, 0.1 Bark apart."""
    time: np.ndarray
    """(steps,) seconds."""

    @property
    def nmax(self) -> float:
        return float(self.n.max()) if self.n.size else 0.0

    @property
    def n5(self) -> float:
        """Loudness exceeded 5 % of the time."""
        return percentile_loudness(self.n, 5.0)

    @property
    def n10(self) -> float:
        """Loudness exceeded 10 % of the time."""
        return percentile_loudness(self.n, 10.0)


def percentile_loudness(n: np.ndarray, exceeded_percent: float) -> float:
    """The loudness exceeded `exceeded_percent` % of the time (N5, N10, ...)."""
    return float(np.percentile(n, 100.0 - exceeded_percent)) if n.size else 0.0


def loudness_zwtv_mosqito(signal_pa: np.ndarray, fs: int, field: str = "free") -> Loudness:
    """mosqito 1.2.1's `loudness_zwtv`: the reference implementation (slow)."""
    from mosqito.sq_metrics import loudness_zwtv as mosqito_zwtv

    n, n_specific, _, time = mosqito_zwtv(np.asarray(signal_pa, dtype=np.float64), fs, field_type=field)
    return Loudness(np.asarray(n), np.asarray(n_specific), np.asarray(time))


def loudness_zwtv(signal_pa: np.ndarray, fs: int, field: str = "free") -> Loudness:
    """Time-varying loudness of a signal in pascal (free or diffuse field)."""
    return loudness_zwtv_mosqito(signal_pa, fs, field)
