"""ISO 532-1:2017 time-varying loudness (Zwicker), in sone every 2 ms.

`loudness_zwtv` is our implementation of the standard's method for time-varying sounds: 28
one-third-octave filters at 48 kHz, squaring and smoothing, levels every 0.5 ms, core loudness of
20 critical bands, the non-linear temporal decay of the hearing system, the upper slopes of the
specific loudness pattern, and the temporal weighting of the total loudness, decimated to 2 ms.
The filter bank and the sequential stages are numba kernels (machine code cached where a
writable cache exists), the rest numpy; the signal goes through in 4 s blocks, two threads
sharing each block, so memory stays near the size of the result.

It reproduces mosqito 1.2.1's `loudness_zwtv` (the reference of the tests and benchmarks,
wrapped in tests/mosqito_reference.py) operation for operation, including where mosqito departs
from the ISO program: above the seventh level range of Table A.3 it applies no low-frequency
correction, its decay filter starts from the last time step's value, and its slope search
compares values rounded to 8 decimals. At 48 kHz N(t) comes out bit-identical on all ISO 532-1
Annex B signals; N'(z, t) differs only by its rounding to single precision.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any

import numba
import numpy as np

LOUDNESS_SAMPLE_RATE = 48000
"""ISO 532-1 filters are defined at 48 kHz; other rates are resampled first."""
LOUDNESS_STEP = 0.002
"""Seconds between loudness values (500 per second)."""

FIELDS = ("free", "diffuse")
"""Sound fields of ISO 532-1: frontal free field, or diffuse field."""
N_BARK = 240
"""Rows of the specific loudness: 0.1 Bark apart, 0.1 to 24 Bark."""
SPECIFIC_LOUDNESS_DTYPE = np.float32
"""Specific loudness is returned in single precision: 10 minutes of sound are 288 MB, not 576."""
RESAMPLE_QUALITY = "HQ"
"""soxr quality for inputs not at 48 kHz: librosa's "soxr_hq", the project's resampling."""
MAX_LOW_BAND_LEVEL = 120.0
"""dB SPL: Table A.3 ends here; above it in a band up to 250 Hz the method does not apply."""


class LoudnessRangeError(ValueError):
    """The signal is louder than the range ISO 532-1's method is defined for."""


# ---------------------------------------------------------------------------------------------
# Stage 1: one-third-octave levels every 0.5 ms (ISO 532-1 clause 6.3 and Annex A.2)

_LEVEL_DECIMATION = 24
"""48 kHz samples per level value (0.5 ms, i.e. 2 kHz)."""
_OUTPUT_DECIMATION = 4
"""Level steps per output value (2 ms)."""
_N_BANDS = 28
"""One-third-octave bands, 25 Hz to 12.5 kHz."""
_SOS_REFERENCE_A = np.array([(-2.0, 1.0), (-2.0, 1.0), (-2.0, 1.0)])
"""Table A.1: a1, a2 of the three reference sections; their b are (1, 2, 1), (1, 0, -1),
(1, -2, 1) for every band (Table A.2 changes only a1 and a2)."""
_SOS_A_DIFFERENCE = np.array(
    [
        ((-0.00067026, 0.000659453), (-0.000375071, 0.000361926), (-0.000306523, 0.000297634)),
        ((-0.000847258, 0.000830131), (-0.000476448, 0.000455616), (-0.000388773, 0.000374685)),
        ((-0.0010721, 0.00104496), (-0.000606567, 0.000573553), (-0.000494004, 0.000471677)),
        ((-0.00135836, 0.00131535), (-0.000774327, 0.000722007), (-0.000629154, 0.000593771)),
        ((-0.0017238, 0.00165564), (-0.00099178, 0.000908866), (-0.000803529, 0.000747455)),
        ((-0.00219188, 0.00208388), (-0.00127545, 0.00114406), (-0.00102976, 0.0009409)),
        ((-0.00279386, 0.00262274), (-0.00164828, 0.00144006), (-0.0013252, 0.00118438)),
        ((-0.00357182, 0.00330071), (-0.00214252, 0.00181258), (-0.00171397, 0.00149082)),
        ((-0.00458305, 0.00415355), (-0.00280413, 0.00228135), (-0.00223006, 0.00187646)),
        ((-0.00590655, 0.00522622), (-0.00369947, 0.00287118), (-0.00292205, 0.00236178)),
        ((-0.00765243, 0.00657493), (-0.0049254, 0.00361318), (-0.00386007, 0.0029724)),
        ((-0.0100023, 0.0082961), (-0.00663788, 0.00455999), (-0.00515982, 0.00375306)),
        ((-0.013123, 0.010422), (-0.00902274, 0.00573132), (-0.00694543, 0.00471734)),
        ((-0.0173693, 0.0130947), (-0.0124176, 0.00720526), (-0.00946002, 0.00593145)),
        ((-0.0231934, 0.0164308), (-0.0173009, 0.00904761), (-0.0130358, 0.00744926)),
        ((-0.0313292, 0.020637), (-0.0244342, 0.0113731), (-0.0182108, 0.00936778)),
        ((-0.0428261, 0.0259325), (-0.0349619, 0.0143046), (-0.0257855, 0.0117912)),
        ((-0.0591733, 0.0325054), (-0.0506072, 0.0179513), (-0.0369401, 0.0148094)),
        ((-0.0826348, 0.0405894), (-0.0740348, 0.0224476), (-0.0534977, 0.0185371)),
        ((-0.117018, 0.0508116), (-0.109516, 0.0281387), (-0.0785097, 0.0232872)),
        ((-0.167714, 0.0637872), (-0.163378, 0.0353729), (-0.116419, 0.0293723)),
        ((-0.242528, 0.0798576), (-0.245161, 0.044337), (-0.173972, 0.0370015)),
        ((-0.353142, 0.099633), (-0.369163, 0.0553535), (-0.261399, 0.0465428)),
        ((-0.516316, 0.124177), (-0.555473, 0.0689403), (-0.393998, 0.0586715)),
        ((-0.756635, 0.155023), (-0.834281, 0.0858123), (-0.594547, 0.074396)),
        ((-1.10165, 0.191713), (-1.23939, 0.105243), (-0.891666, 0.0940354)),
        ((-1.58477, 0.239049), (-1.80505, 0.128794), (-1.325, 0.121333)),
        ((-2.5063, 0.142308), (-2.19464, 0.27647), (-1.90231, 0.147304)),
    ]
)
"""Table A.2: (28 bands, 3 sections, [a1, a2]) differences to the reference coefficients."""
_FILTER_GAIN = np.array(
    [
        4.30764e-11, 8.5934e-11, 1.71424e-10, 3.41944e-10, 6.82035e-10, 1.36026e-09, 2.71261e-09,
        5.4087e-09, 1.07826e-08, 2.1491e-08, 4.28228e-08, 8.54316e-08, 1.70009e-07, 3.38215e-07,
        6.7199e-07, 1.33531e-06, 2.65172e-06, 5.25477e-06, 1.0378e-05, 2.0487e-05, 4.05198e-05,
        7.97914e-05, 0.000156511, 0.000304954, 0.000599157, 0.00116544, 0.00227488, 0.00391006,
    ]
)  # fmt: skip
"""Table A.2: gain of each band's filter."""
_SMOOTHING_MAX_FREQUENCY = 1000.0
"""Hz: the smoothing time constant is 2 / (3 f) up to here, then constant."""
_INTENSITY_FLOOR = 1e-12
"""Pa² added before the logarithm, so that silence gives a finite level."""
_REFERENCE_INTENSITY = 4e-10
"""(20 µPa)²: 0 dB SPL."""


def _smoothing_coefficients() -> tuple[np.ndarray, np.ndarray]:
    """(a, 1 - a) of the three first-order low-passes after squaring, per band."""
    pole = []
    for band in range(_N_BANDS):
        centre = 10 ** ((band - 16) / 10) * 1000
        tau = 2 / (3 * min(centre, _SMOOTHING_MAX_FREQUENCY))
        pole.append(np.exp(-1 / (LOUDNESS_SAMPLE_RATE * tau)))
    a = np.array(pole)
    return a, 1 - a


_SOS_A = _SOS_REFERENCE_A[None] - _SOS_A_DIFFERENCE
"""(28, 3, 2) a1, a2 of each band's three second-order sections."""
_SMOOTH_POLE, _SMOOTH_GAIN = _smoothing_coefficients()

# ---------------------------------------------------------------------------------------------
# Stage 2: core loudness of 20 critical bands (Annex A.3 to A.5)

_N_LOW_BANDS = 11
"""Bands 25 Hz to 250 Hz get the equal-loudness correction of Table A.3."""
_RAP = np.array([45.0, 55.0, 65.0, 71.0, 80.0, 90.0, 100.0, 120.0])
"""Table A.3: upper ends of the level ranges, dB."""
_DLL = np.array(
    [
        (-32, -24, -16, -10, -5, 0, -7, -3, 0, -2, 0),
        (-29, -22, -15, -10, -4, 0, -7, -2, 0, -2, 0),
        (-27, -19, -14, -9, -4, 0, -6, -2, 0, -2, 0),
        (-25, -17, -12, -9, -3, 0, -5, -2, 0, -2, 0),
        (-23, -16, -11, -7, -3, 0, -4, -1, 0, -1, 0),
        (-20, -14, -10, -6, -3, 0, -4, -1, 0, -1, 0),
        (-18, -12, -9, -6, -2, 0, -3, -1, 0, -1, 0),
        (-15, -10, -8, -4, -2, 0, -3, -1, 0, -1, 0),
    ],
    dtype=np.float64,
)
"""Table A.3: level reduction of the 11 low bands in each range, dB."""
_DLL_THRESHOLD = _RAP[:7, None] - _DLL[:7]
"""(7, 11) band levels above which the next range applies (increasing in each column)."""
_DLL_BY_RANGE = np.vstack([_DLL[:7], np.zeros((1, _N_LOW_BANDS))])
"""Correction by the number of thresholds exceeded. Above the 7th, mosqito 1.2.1 applies none
(ISO 532-1 would keep the last row of Table A.3); we follow mosqito, the reference."""
_LOW_GROUPS = ((0, 6), (6, 9), (9, 11))
"""Low bands summed into the first three critical bands."""
_FIRST_CRITICAL_BAND = 8
"""Band (80 Hz) whose level is the 4th critical band's; the first three come from the sums."""
_LTQ = np.array([30, 18, 12, 8, 7, 6, 5, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], dtype=np.float64)
"""Table A.4: critical-band level at the threshold in quiet, dB."""
_A0 = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.5, -1.6, -3.2, -5.4, -5.6, -4, -1.5, 2, 5, 12],
    dtype=np.float64,
)
"""Table A.4: transmission through the outer ear, dB."""
_DDF = np.array(
    [0, 0, 0.5, 0.9, 1.2, 1.6, 2.3, 2.8, 3, 2, 0, -1.4, -2, -1.9, -1, 0.5, 3, 4, 4.3, 4],
    dtype=np.float64,
)
"""Table A.4: diffuse minus free field level, dB."""
_DCB = np.array(
    [-0.25, -0.6, -0.8, -0.8, -0.5, 0, 0.5, 1.1, 1.5, 1.7, 1.8, 1.8, 1.7, 1.6, 1.4, 1.2, 0.8,
     0.5, 0, -0.5],
)  # fmt: skip
"""Table A.4: one-third-octave to critical-band level adaptation, dB."""
_CORE_S = 0.25
"""Ratio of the excitation at threshold to the threshold (Zwicker's s)."""
_CORE_AT_THRESHOLD = 0.0635 * np.power(10, 0.025 * _LTQ)
"""sone/Bark factor of each band's core loudness formula."""
_N_CORE = 21
"""Core loudness values: 20 critical bands and a zero above 24 Bark."""


def _core_loudness(levels: np.ndarray, diffuse: bool) -> np.ndarray:
    """(21, steps) core loudness, sone/Bark, from (28, steps) one-third-octave levels in dB."""
    low = levels[:_N_LOW_BANDS]
    ranges = (low[None] > _DLL_THRESHOLD[:, :, None]).sum(axis=0)
    corrected = _DLL_BY_RANGE[ranges, np.arange(_N_LOW_BANDS)[:, None]] + low
    intensity = np.power(10, corrected / 10)
    critical = levels[_FIRST_CRITICAL_BAND:].copy()
    for row, (lo, hi) in enumerate(_LOW_GROUPS):
        # positive: the levels' floor (-26 dB) keeps every intensity above 1e-6
        critical[row] = 10 * np.log10(intensity[lo:hi].sum(axis=0))
    critical -= _A0[:, None]
    if diffuse:
        critical += _DDF[:, None]
    threshold = _LTQ[:, None]
    audible = critical > threshold
    critical -= np.where(audible, _DCB[:, None], 0.0)
    excess = np.power(1 - _CORE_S + _CORE_S * np.power(10, 0.1 * (critical - threshold)), 0.25) - 1
    core = np.zeros((_N_CORE, levels.shape[1]))
    np.multiply(_CORE_AT_THRESHOLD[:, None], excess, out=core[:20], where=audible)
    np.maximum(core, 0.0, out=core)
    first = core[0]
    korry = 0.4 + 0.32 * first**0.2
    np.multiply(first, korry, out=first, where=korry <= 1)
    return core


# ---------------------------------------------------------------------------------------------
# Stage 3: non-linear temporal decay (clause 6.4), 24 interpolated sub-steps per 0.5 ms

_SUBSTEPS = 24
"""Virtual up-sampling of the decay and weighting filters."""
_DECAY_T_SHORT = 0.005
_DECAY_T_LONG = 0.015
_DECAY_T_VAR = 0.075
_DECAY_SAME = 1e-5
"""sone/Bark: an input this close to the output counts as unchanged."""


def _decay_coefficients() -> np.ndarray:
    """B0..B5 of the two-capacitor decay network at 48 kHz (2 kHz × 24 sub-steps)."""
    dt = 1 / (LOUDNESS_SAMPLE_RATE / _LEVEL_DECIMATION * _SUBSTEPS)
    p = (_DECAY_T_VAR + _DECAY_T_LONG) / (_DECAY_T_VAR * _DECAY_T_SHORT)
    q = 1 / (_DECAY_T_SHORT * _DECAY_T_VAR)
    l1 = -p / 2 + math.sqrt(p * p / 4 - q)
    l2 = -p / 2 - math.sqrt(p * p / 4 - q)
    den = _DECAY_T_VAR * (l1 - l2)
    e1, e2 = math.exp(l1 * dt), math.exp(l2 * dt)
    return np.array(
        [
            (e1 - e2) / den,
            ((_DECAY_T_VAR * l2 + 1) * e1 - (_DECAY_T_VAR * l1 + 1) * e2) / den,
            ((_DECAY_T_VAR * l1 + 1) * e1 - (_DECAY_T_VAR * l2 + 1) * e2) / den,
            (_DECAY_T_VAR * l1 + 1) * (_DECAY_T_VAR * l2 + 1) * (e1 - e2) / den,
            math.exp(-dt / _DECAY_T_LONG),
            math.exp(-dt / _DECAY_T_VAR),
        ]
    )


_DECAY_B = _decay_coefficients()

# ---------------------------------------------------------------------------------------------
# Stage 4: specific loudness pattern and total loudness (Annex A.6)

_ZUP = np.array(
    [0.9, 1.8, 2.8, 3.5, 4.4, 5.4, 6.6, 7.9, 9.2, 10.6, 12.3, 13.8, 15.2, 16.7, 18.1, 19.3, 20.6,
     21.8, 22.7, 23.6, 24.0],
)  # fmt: skip
"""Table A.6: upper ends of the approximated critical bands, Bark."""
_ZUP_ROW = np.array(
    [9, 18, 28, 35, 44, 54, 66, 79, 92, 106, 123, 138, 152, 167, 181, 193, 206, 218, 227, 236, 240]
)
"""First row of N'(z) (0.1 Bark apart) above each band: round(10 × ZUP)."""
_RNS = np.array(
    [21.5, 18, 15.1, 11.5, 9, 6.1, 4.4, 3.1, 2.13, 1.36, 0.82, 0.42, 0.30, 0.22, 0.15, 0.10,
     0.035, 0],
)  # fmt: skip
"""Table A.7: specific loudness ranges of the upper slopes, sone/Bark."""
_USL = np.array(
    [
        (13, 8.2, 6.3, 5.5, 5.5, 5.5, 5.5, 5.5),
        (9, 7.5, 6, 5.1, 4.5, 4.5, 4.5, 4.5),
        (7.8, 6.7, 5.6, 4.9, 4.4, 3.9, 3.9, 3.9),
        (6.2, 5.4, 4.6, 4.0, 3.5, 3.2, 3.2, 3.2),
        (4.5, 3.8, 3.6, 3.2, 2.9, 2.7, 2.7, 2.7),
        (3.7, 3.0, 2.8, 2.35, 2.2, 2.2, 2.2, 2.2),
        (2.9, 2.3, 2.1, 1.9, 1.8, 1.7, 1.7, 1.7),
        (2.4, 1.7, 1.5, 1.35, 1.3, 1.3, 1.3, 1.3),
        (1.95, 1.45, 1.3, 1.15, 1.1, 1.1, 1.1, 1.1),
        (1.5, 1.2, 0.94, 0.86, 0.82, 0.82, 0.82, 0.82),
        (0.72, 0.67, 0.64, 0.63, 0.62, 0.62, 0.62, 0.62),
        (0.59, 0.53, 0.51, 0.50, 0.42, 0.42, 0.42, 0.42),
        (0.40, 0.33, 0.26, 0.24, 0.24, 0.22, 0.22, 0.22),
        (0.27, 0.21, 0.20, 0.18, 0.17, 0.17, 0.17, 0.17),
        (0.16, 0.15, 0.14, 0.12, 0.11, 0.11, 0.11, 0.11),
        (0.12, 0.11, 0.10, 0.08, 0.08, 0.08, 0.08, 0.08),
        (0.09, 0.08, 0.07, 0.06, 0.06, 0.06, 0.06, 0.05),
        (0.06, 0.05, 0.03, 0.02, 0.02, 0.02, 0.02, 0.02),
    ]
)
"""Table A.7: steepness of the upper slopes, sone/Bark per Bark, by range and band group."""
_BARK_STEP = 0.1
"""Bark between rows of N'(z)."""
_SLOPE_DECIMALS = 1e8
"""mosqito compares loudness values rounded to 8 decimals."""
_RNS_SCALED = np.rint(_RNS * _SLOPE_DECIMALS)
"""Range limits as compared: · 1e8, rounded."""
_RANGE_BINS = 200
"""Bins per sone/Bark of the range-index guess (the limits are multiples of 1/200)."""
_GUESS_SCALE = _RANGE_BINS / _SLOPE_DECIMALS
_RANGE_GUESS = (_RNS[None] > np.arange(int(_RNS[0] * _RANGE_BINS) + 2)[:, None] / _RANGE_BINS).sum(
    axis=1
)
"""Number of range limits above the lower edge of each bin."""


def _row_positions() -> np.ndarray:
    """Bark position of each row of N'(z) as mosqito sums it: from the band's lower end + 0.1,
    adding 0.1 per row."""
    z = np.zeros(N_BARK)
    for i in range(1, _ZUP.size):
        position = _ZUP[i - 1] + _BARK_STEP
        for row in range(_ZUP_ROW[i - 1], _ZUP_ROW[i]):
            z[row] = position
            position += _BARK_STEP
    return z


_ROW_Z = _row_positions()
_ROUND_SMALL = 16.0
"""sone: total loudness is rounded to 0.001 sone up to here, to 0.01 above."""

# ---------------------------------------------------------------------------------------------
# Stage 5: temporal weighting of the total loudness (clause 6.5)

_WEIGHT_TAUS = (0.0035, 0.070)
"""Time constants of the two low-passes, seconds."""
_WEIGHT_SHARES = (0.47, 0.53)

# ---------------------------------------------------------------------------------------------
# Processing in blocks

_BLOCK_STEPS = 8192
"""0.5 ms steps per block (4.1 s). mosqito's decay filter starts from the last step's value, so
the first block is computed again at the end; over 4 s any other start value fades below 1e-20."""
_BLOCK_SAMPLES = _BLOCK_STEPS * _LEVEL_DECIMATION
_THREADS = min(2, os.cpu_count() or 1)
"""Threads sharing each block's work (numba kernels and numpy release the GIL)."""
_LANES = 16
"""Bands filtered together by one kernel call (vectorised across bands)."""
_GROUPS = -(-_N_BANDS // _LANES)
_DECAY_LANES = 24
"""Decay-filter lanes: the 21 core values and 3 zeros (a multiple of the vector width)."""


def _lane_coefficients() -> np.ndarray:
    """(groups, 9 · lanes) a1, a2 of the three sections, gain, smoothing pole and gain, each a
    run of `_LANES` bands; bands past the 28th have zero gain."""
    rows = [_SOS_A[:, 0, 0], _SOS_A[:, 1, 0], _SOS_A[:, 2, 0]]
    rows += [_SOS_A[:, 0, 1], _SOS_A[:, 1, 1], _SOS_A[:, 2, 1]]
    rows += [_FILTER_GAIN, _SMOOTH_POLE, _SMOOTH_GAIN]
    table = np.zeros((9, _GROUPS * _LANES))
    table[:, :_N_BANDS] = rows
    return np.ascontiguousarray(table.reshape(9, _GROUPS, _LANES).transpose(1, 0, 2)).reshape(
        _GROUPS, 9 * _LANES
    )


_BANK = _lane_coefficients()


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


def loudness_zwtv(signal_pa: np.ndarray, fs: int, field: str = "free") -> Loudness:
    """Time-varying loudness of a 1-D signal in pascal (free or diffuse field).

    Same values, length and time base as mosqito 1.2.1 at 48 kHz. Other rates are resampled to
    48 kHz by soxr (`RESAMPLE_QUALITY`, as librosa's "soxr_hq"), block by block, to
    int(48000 · len / fs) samples, mosqito's length. mosqito's own whole-signal FFT resampling
    (below 48 kHz only) needs 1.7 GB more for 10 minutes at 44.1 kHz, and half a second for 30 s
    of an awkward length. soxr is flat to 92 % of the input's Nyquist frequency, so below 31 kHz
    it drops the top of the band that FFT resampling keeps (white noise at 16 kHz: up to 1.8 %
    less loudness); at 44.1 kHz the two agree within 1e-3 sone.

    The specific loudness is `SPECIFIC_LOUDNESS_DTYPE`. Raises ValueError for a non-finite
    signal, an unknown field, or a band up to 250 Hz above 120 dB (as mosqito does)."""
    if field not in FIELDS:
        raise ValueError(f"field must be one of {FIELDS}, not {field!r}")
    x = _check_signal(signal_pa, fs)
    length = x.size if fs == LOUDNESS_SAMPLE_RATE else int(LOUDNESS_SAMPLE_RATE * x.size / fs)
    n_steps = -(-length // _LEVEL_DECIMATION)
    n_out = -(-n_steps // _OUTPUT_DECIMATION)
    total = np.zeros(n_steps)
    specific = np.zeros((N_BARK, n_out), dtype=SPECIFIC_LOUDNESS_DTYPE)
    if n_steps:
        _loudness_blocks(_blocks_48k(x, fs, length), length, field == "diffuse", total, specific)
    n = _temporal_weighting(total, _weighting_coefficients(), _OUTPUT_DECIMATION)
    time = np.linspace(0, length / LOUDNESS_SAMPLE_RATE, num=n_steps)[::_OUTPUT_DECIMATION].copy()
    return Loudness(n, specific, time)


def _check_signal(signal_pa: np.ndarray, fs: float) -> np.ndarray:
    """The signal as a 1-D real array, after checking it and the rate."""
    x = np.asarray(signal_pa)
    if x.ndim != 1:
        raise ValueError(f"expected a 1-D signal, got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise ValueError(f"expected real samples in pascal, got dtype {x.dtype}")
    if not (fs > 0 and math.isfinite(fs)):
        raise ValueError(f"sample rate must be positive, got {fs}")
    return x


def _blocks_48k(x: np.ndarray, fs: float, length: int) -> Iterator[np.ndarray]:
    """The signal at 48 kHz in float64 blocks of `_BLOCK_SAMPLES`, `length` samples in all."""
    if fs == LOUDNESS_SAMPLE_RATE:
        for start in range(0, length, _BLOCK_SAMPLES):
            yield np.asarray(x[start : start + _BLOCK_SAMPLES], dtype=np.float64)
        return
    import soxr

    stream = soxr.ResampleStream(fs, LOUDNESS_SAMPLE_RATE, 1, "float64", RESAMPLE_QUALITY)
    chunk = max(1, int(_BLOCK_SAMPLES * fs / LOUDNESS_SAMPLE_RATE))
    pending = np.zeros(0)
    produced = 0
    for start in range(0, x.size, chunk):
        part = np.asarray(x[start : start + chunk], dtype=np.float64)
        out = stream.resample_chunk(part, last=start + chunk >= x.size)
        pending = np.concatenate([pending, out])
        while pending.size >= _BLOCK_SAMPLES and produced < length:
            block, pending = pending[:_BLOCK_SAMPLES], pending[_BLOCK_SAMPLES:]
            block = block[: length - produced]
            produced += block.size
            yield block
    while produced < length:  # the rest, padded with zeros to mosqito's length
        block = np.zeros(min(_BLOCK_SAMPLES, length - produced))
        used = min(block.size, pending.size)
        block[:used] = pending[:used]
        pending = pending[used:]
        produced += block.size
        yield block


def _loudness_blocks(
    blocks: Iterable[np.ndarray],
    length: int,
    diffuse: bool,
    total: np.ndarray,
    specific: np.ndarray,
) -> None:
    """Fill `total` (rounded N every 0.5 ms) and `specific` (N' every 2 ms) block by block."""
    bank_state = np.zeros((_GROUPS, 9 * _LANES))
    decay_state = np.zeros((3, _DECAY_LANES))
    head = core = np.zeros((_N_CORE, 0))
    step0 = 0
    for block in blocks:
        if not np.isfinite(block).all():
            raise ValueError("the signal contains NaN or infinite samples")
        levels = _band_levels(block, bank_state)
        if levels[:_N_LOW_BANDS].max() > MAX_LOW_BAND_LEVEL:
            raise LoudnessRangeError(
                f"a one-third-octave band up to 250 Hz exceeds {MAX_LOW_BAND_LEVEL:.0f} dB SPL, "
                "beyond the range of ISO 532-1's Zwicker method"
            )
        core = _split_columns(lambda c: _core_loudness(c, diffuse), levels)
        if step0 == 0:
            head = core
            if length <= _BLOCK_SAMPLES:  # the last step is known: start as mosqito does
                _decay_start(core[:, -1], decay_state)
        _specific_blocks(core, decay_state, step0, total, specific)
        step0 += core.shape[1]
    if length > _BLOCK_SAMPLES:
        _decay_start(core[:, -1], decay_state)
        _specific_blocks(head, decay_state, 0, total, specific)


def _decay_start(last_core: np.ndarray, state: np.ndarray) -> None:
    """Set the decay filter's state as mosqito starts it: output at the last step's final
    interpolation value (towards zero), capacitor empty."""
    delta = (0.0 - last_core) / _SUBSTEPS
    value = last_core.copy()
    for _ in range(_SUBSTEPS - 1):
        value = value + delta
    state[:] = 0.0
    state[0, : value.size] = value


def _band_levels(block: np.ndarray, state: np.ndarray) -> np.ndarray:
    """(28, steps) one-third-octave levels in dB SPL every 0.5 ms; `state` carries the filters."""
    n_steps = -(-block.size // _LEVEL_DECIMATION)
    levels = np.empty((_GROUPS * _LANES, n_steps))

    def group(g: int) -> None:
        rows = levels[g * _LANES : (g + 1) * _LANES]
        _filter_bank(block, _BANK[g], state[g], rows)
        np.log10((rows + _INTENSITY_FLOOR) / _REFERENCE_INTENSITY, out=rows)
        rows *= 10

    _parallel([lambda g=g: group(g) for g in range(_GROUPS)])
    return levels[:_N_BANDS]


def _specific_blocks(
    core: np.ndarray, decay_state: np.ndarray, step0: int, total: np.ndarray, specific: np.ndarray
) -> None:
    """Decay filter over a block of core loudness, then the loudness pattern of each step."""
    decayed = np.empty_like(core)
    _decay(core, decay_state, _DECAY_B, step0 > 0, decayed)
    bounds = np.linspace(0, core.shape[1], _THREADS + 1).astype(int)
    _parallel(
        [
            lambda lo=lo, hi=hi: _pattern(decayed, lo, hi, step0, total, specific)
            for lo, hi in itertools.pairwise(bounds)
        ]
    )


def _split_columns(func: Callable[[np.ndarray], np.ndarray], a: np.ndarray) -> np.ndarray:
    """func over column ranges of `a` in parallel, the results side by side."""
    bounds = np.linspace(0, a.shape[1], _THREADS + 1).astype(int)
    parts: list[np.ndarray] = [np.empty(0)] * _THREADS

    def part(i: int) -> None:
        parts[i] = func(a[:, bounds[i] : bounds[i + 1]])

    _parallel([lambda i=i: part(i) for i in range(_THREADS)])
    return parts[0] if _THREADS == 1 else np.concatenate(parts, axis=1)


def _parallel(tasks: list[Callable[[], None]]) -> None:
    """Run the tasks on the pool and this thread; re-raise the first failure."""
    if _THREADS == 1 or len(tasks) == 1:
        for task in tasks:
            task()
        return
    pool = _pool(os.getpid())
    futures = [pool.submit(task) for task in tasks[1:]]
    tasks[0]()
    for future in futures:
        future.result()


@cache
def _pool(pid: int) -> ThreadPoolExecutor:
    """The worker threads of this process (a forked child gets its own: threads do not fork)."""
    return ThreadPoolExecutor(_THREADS - 1, thread_name_prefix=f"loudness-{pid}")


def _weighting_coefficients() -> np.ndarray:
    """(pole, gain, share) of the two temporal-weighting low-passes at 48 kHz."""
    rate = LOUDNESS_SAMPLE_RATE / _LEVEL_DECIMATION * _SUBSTEPS
    rows = []
    for tau, share in zip(_WEIGHT_TAUS, _WEIGHT_SHARES, strict=True):
        pole = math.exp(-1 / (rate * tau))
        rows.append((pole, 1 - pole, share))
    return np.array(rows)


# ---------------------------------------------------------------------------------------------
# numba kernels


def _jit(func: Callable[..., Any] | None = None, **options: Any) -> Any:
    """numba-compile without the GIL; cache the machine code unless no cache directory is
    writable. Usable as @_jit or @_jit(inline="always")."""
    if func is None:
        return lambda f: _jit(f, **options)
    try:
        return numba.njit(cache=True, nogil=True, error_model="numpy", **options)(func)
    except RuntimeError:  # numba found no writable cache location
        return numba.njit(nogil=True, error_model="numpy", **options)(func)


@_jit
def _filter_bank(x, coef, state, energy):
    """`_LANES` bands at once: three second-order sections (direct form II transposed, as scipy's
    sosfilt), gain, squaring, three first-order low-passes; energy every 24th sample.

    coef and state are flat runs of `_LANES` values (a1 ×3, a2 ×3, gain, pole, smoothing gain;
    six section states, three smoothing states), so that the band loop vectorises."""
    n = x.size
    w = _LANES
    if coef.size != 9 * w or state.size != 9 * w or energy.shape[0] != w:
        raise ValueError("filter bank: shapes do not match")
    if energy.shape[1] < (n + 23) // 24:
        raise ValueError("filter bank: output too short")
    for k, start in enumerate(range(0, n, 24)):
        for t in range(start, min(start + 24, n)):
            xi = x[t]
            for b in range(w):
                y1 = xi + state[b]
                state[b] = 2.0 * xi - coef[b] * y1 + state[w + b]
                state[w + b] = xi - coef[3 * w + b] * y1
                y2 = y1 + state[2 * w + b]
                state[2 * w + b] = state[3 * w + b] - coef[w + b] * y2
                state[3 * w + b] = -y1 - coef[4 * w + b] * y2
                y3 = y2 + state[4 * w + b]
                state[4 * w + b] = -2.0 * y2 - coef[2 * w + b] * y3 + state[5 * w + b]
                state[5 * w + b] = y2 - coef[5 * w + b] * y3
                v = coef[6 * w + b] * y3
                v = v * v
                pole = coef[7 * w + b]
                gain = coef[8 * w + b]
                s1 = gain * v + pole * state[6 * w + b]
                state[6 * w + b] = s1
                s2 = gain * s1 + pole * state[7 * w + b]
                state[7 * w + b] = s2
                state[8 * w + b] = gain * s2 + pole * state[8 * w + b]
            if t == start:
                for b in range(w):
                    energy[b, k] = state[8 * w + b]


@_jit(inline="always")
def _decay_step(u, uo, u2, b0, b1, b2, b3, b4, b5):
    """One 1/48 ms step of the decay network for input u: new output uo and capacitor u2.

    Written with selects only, so that the loops over bands vectorise."""
    above = uo > u2
    falling = uo * b2 - u2 * b3 if above else uo * b4
    out = falling if falling >= u else u
    charged = uo * b0 - u2 * b1
    down = charged if (above and charged <= out) else out
    hold = abs(u - uo) < _DECAY_SAME and out <= u2
    up = out if hold else (u2 - u) * b5 + u
    return out, (down if u < uo else up)


@_jit
def _decay(core, state, b, continuing, out):
    """Non-linear decay of each band's core loudness, 24 interpolated sub-steps per step; out
    gets the value at each step. state rows: output uo, capacitor u2, previous input (used only
    when `continuing` a previous block). The bands are computed side by side."""
    n_rows, n_steps = core.shape
    lanes = _DECAY_LANES
    if (
        n_rows > lanes
        or out.shape[0] != n_rows
        or out.shape[1] != n_steps
        or state.shape[1] != lanes
    ):
        raise ValueError("decay filter: shapes do not match")
    b0, b1, b2, b3, b4, b5 = b[0], b[1], b[2], b[3], b[4], b[5]
    uo = state[0]
    u2 = state[1]
    prev = state[2]
    ui = np.zeros(lanes)
    delta = np.zeros(lanes)
    cur = np.zeros(lanes)
    for t in range(n_steps):
        for r in range(n_rows):
            cur[r] = core[r, t]
        if t > 0 or continuing:
            for r in range(lanes):
                delta[r] = (cur[r] - prev[r]) / 24
                ui[r] = prev[r]
            for _ in range(23):
                for r in range(lanes):
                    u = ui[r] + delta[r]
                    ui[r] = u
                    uo[r], u2[r] = _decay_step(u, uo[r], u2[r], b0, b1, b2, b3, b4, b5)
        for r in range(lanes):
            uo[r], u2[r] = _decay_step(cur[r], uo[r], u2[r], b0, b1, b2, b3, b4, b5)
            prev[r] = cur[r]
        for r in range(n_rows):
            out[r, t] = uo[r]


@_jit(inline="always")
def _scaled8(v):
    """v · 1e8 rounded: ordered as mosqito's np.round(v, 8), without the division."""
    return np.rint(v * _SLOPE_DECIMALS)


@_jit(inline="always")
def _greater8(a, b):
    """round(a, 8) > round(b, 8), rounding only when they are that close."""
    if a <= b:
        return False
    return a - b >= 2e-8 or _scaled8(a) > _scaled8(b)


@_jit(inline="always")
def _range_index(value, inclusive):
    """Index of the slope range of `value`: how many (8-decimal) range limits exceed it, or
    reach it when inclusive; at most the last. Starts from the guess table, then checks.
    (Tables are read as globals: numba passes arrays with atomic reference counting.)"""
    v = _scaled8(value)
    n = _RNS_SCALED.size
    k = _RANGE_GUESS[min(max(int(v * _GUESS_SCALE), 0), _RANGE_GUESS.size - 1)]
    while k < n and _RNS_SCALED[k] > v:
        k += 1
    while k > 0 and not _RNS_SCALED[k - 1] > v:
        k -= 1
    if inclusive and k < n and _RNS_SCALED[k] == v:
        k += 1
    return min(k, n - 1)


@_jit(inline="always")
def _slopes(decayed, t, specific, column):
    """Total loudness of step t's 21 core values; fills specific[:, column] when column >= 0.

    The upper slope of each band falls through the ranges of Table A.7 until it meets the next
    band's core loudness. mosqito's bookkeeping is kept so that the numbers agree: at most one
    range change per 0.1 Bark row, the row positions summed in steps of 0.1, and comparisons of
    values rounded to 8 decimals."""
    zup = _ZUP
    zup_row = _ZUP_ROW
    row_z = _ROW_Z
    rns = _RNS
    usl = _USL
    if column >= 0:
        row = 0
        for i in range(21):
            while row < zup_row[i]:
                specific[row, column] = decayed[i, t]
                row += 1
    total = 0.0
    n1 = 0.0
    z1 = 0.0
    # lower range limit where the previous band ended, found lazily: the limit below `end_value`
    # (end_mode 0: strictly below; 1: below or at) or `end_value` itself (2)
    end_value = rns[rns.size - 1]
    end_mode = 2
    for i in range(21):
        target = decayed[i, t]
        if not _greater8(n1, target):  # level part of the band
            total += target * (zup[i] - z1)
            n1 = target
            z1 = zup[i]
            end_value = target
            end_mode = 0
            continue
        group = min(i - 1, 7)
        k = _range_index(n1, False)
        if end_mode == 2:
            rns_end = end_value
        elif end_mode == 1:  # end_value is n1
            rns_end = rns[_range_index(n1, True)]
        else:  # end_value is n1
            rns_end = rns[k]
        slope = usl[k, group]
        rns_cur = rns[k]
        z2 = min((n1 - max(rns_end, target)) / slope + z1, zup[i])
        dz = z2 - z1
        n2 = n1 - dz * slope
        total += dz * (n1 + n2) / 2
        row0 = zup_row[i - 1]
        row1 = zup_row[i]
        flat = False
        changed_at_end = False
        j = row0
        while j < row1:
            # rows before the segment's end lie on its line
            end = j
            while end < row1 and not (
                z2 <= row_z[end]
                or (z2 - row_z[end] < 2e-8 and _scaled8(z2) <= _scaled8(row_z[end]))
            ):
                end += 1
            if column >= 0:
                for r in range(j, end):
                    if r == row0:
                        specific[r, column] = n1 - (row_z[r] - z1) * slope
                    else:
                        specific[r, column] = n2 - (row_z[r] - z2) * slope
            if end == row1:
                break
            # the segment ends by row `end`: next range, or the band's level
            k = _range_index(n2, True)
            rns_cur = rns[k]
            slope = usl[k, group]
            n1 = n2
            z1 = z2
            changed_at_end = end == row1 - 1
            if not _greater8(n1, target):
                total += target * (zup[i] - z1)
                n2 = target
                z2 = zup[i]
                flat = True
                break
            z2 = min((n1 - max(rns_cur, target)) / slope + z1, zup[i])
            dz = z2 - z1
            n2 = n1 - dz * slope
            total += dz * (n1 + n2) / 2
            if column >= 0:
                specific[end, column] = n1 - (row_z[end] - z1) * slope
            j = end + 1
        n1 = n2
        z1 = z2
        if changed_at_end:
            end_value = n2
            end_mode = 1
        elif flat:
            end_value = target
            end_mode = 0
        else:
            end_value = rns_cur
            end_mode = 2
    return total


@_jit
def _pattern(decayed, lo, hi, step0, total, specific):
    """Steps lo..hi-1 of a block: rounded total loudness into total[step0 + t], specific
    loudness into specific[:, (step0 + t) / 4] at every 4th step."""
    for t in range(lo, hi):
        step = step0 + t
        column = step // 4 if step % 4 == 0 else -1
        n = max(_slopes(decayed, t, specific, column), 0.0)
        scale = 1000.0 if n <= _ROUND_SMALL else 100.0
        total[step] = np.floor(n * scale + 0.5) / scale


@_jit
def _temporal_weighting(total, coef, decimation):
    """0.47 · LP(3.5 ms) + 0.53 · LP(70 ms) of the total loudness, linearly interpolated to
    24 sub-steps, every `decimation`-th step."""
    n_steps = total.size
    out = np.empty(-(-n_steps // decimation))
    y1 = 0.0
    y2 = 0.0
    p1, g1, w1 = coef[0, 0], coef[0, 1], coef[0, 2]
    p2, g2, w2 = coef[1, 0], coef[1, 1], coef[1, 2]
    for t in range(n_steps):
        cur = total[t]
        nxt = total[t + 1] if t + 1 < n_steps else 0.0
        y1 = g1 * cur + p1 * y1
        y2 = g2 * cur + p2 * y2
        if t % decimation == 0:
            out[t // decimation] = w1 * y1 + w2 * y2
        delta = (nxt - cur) / 24
        ui = cur
        for _ in range(23):
            ui = ui + delta
            y1 = g1 * ui + p1 * y1
            y2 = g2 * ui + p2 * y2
    return out
