"""The constants of ISO 532-1:2017's method for time-varying sounds, stage by stage, and the
filter coefficients the standard derives from them.

Table numbers are those of the standard's Annex A. Names follow its program where it has one
(RAP, DLL, LTQ, A0, DDF, DCB, ZUP, RNS, USL)."""

from __future__ import annotations

import math

import numpy as np

from llm_ssd.audio.checks import WORK_RATE

LOUDNESS_SAMPLE_RATE = WORK_RATE
"""ISO 532-1 filters are defined at 48 kHz; other rates are resampled first."""
LOUDNESS_STEP = 0.002
"""Seconds between loudness values (500 per second)."""
N_BARK = 240
"""Rows of the specific loudness: 0.1 Bark apart, 0.1 to 24 Bark."""
MAX_LOW_BAND_LEVEL = 120.0
"""dB SPL: Table A.3 ends here; above it in a band up to 250 Hz the method does not apply."""

# ---------------------------------------------------------------------------------------------
# Stage 1: one-third-octave levels every 0.5 ms (clause 6.3 and Annex A.2)

LEVEL_DECIMATION = 24
"""48 kHz samples per level value (0.5 ms, i.e. 2 kHz)."""
OUTPUT_DECIMATION = 4
"""Level steps per output value (2 ms)."""
N_BANDS = 28
"""One-third-octave bands, 25 Hz to 12.5 kHz."""
BAND_1KHZ = 16
"""Index of the 1 kHz band: band k is centred at 1000 · 10^((k − 16) / 10) Hz."""
SOS_REFERENCE_A = np.array([(-2.0, 1.0), (-2.0, 1.0), (-2.0, 1.0)])
"""Table A.1: a1, a2 of the three reference sections; their b are (1, 2, 1), (1, 0, -1),
(1, -2, 1) for every band (Table A.2 changes only a1 and a2)."""
SOS_A_DIFFERENCE = np.array(
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
FILTER_GAIN = np.array(
    [
        4.30764e-11, 8.5934e-11, 1.71424e-10, 3.41944e-10, 6.82035e-10, 1.36026e-09, 2.71261e-09,
        5.4087e-09, 1.07826e-08, 2.1491e-08, 4.28228e-08, 8.54316e-08, 1.70009e-07, 3.38215e-07,
        6.7199e-07, 1.33531e-06, 2.65172e-06, 5.25477e-06, 1.0378e-05, 2.0487e-05, 4.05198e-05,
        7.97914e-05, 0.000156511, 0.000304954, 0.000599157, 0.00116544, 0.00227488, 0.00391006,
    ]
)  # fmt: skip
"""Table A.2: gain of each band's filter."""
SMOOTHING_MAX_FREQUENCY = 1000.0
"""Hz: the smoothing time constant is 2 / (3 f) up to here, then constant."""
INTENSITY_FLOOR = 1e-12
"""Pa² added before the logarithm, so that silence gives a finite level."""
REFERENCE_INTENSITY = 4e-10
"""(20 µPa)²: 0 dB SPL."""


def _smoothing_coefficients() -> tuple[np.ndarray, np.ndarray]:
    """(a, 1 - a) of the three first-order low-passes after squaring, per band."""
    pole = []
    for band in range(N_BANDS):
        centre = 10 ** ((band - BAND_1KHZ) / 10) * 1000
        tau = 2 / (3 * min(centre, SMOOTHING_MAX_FREQUENCY))
        pole.append(np.exp(-1 / (LOUDNESS_SAMPLE_RATE * tau)))
    a = np.array(pole)
    return a, 1 - a


SOS_A = SOS_REFERENCE_A[None] - SOS_A_DIFFERENCE
"""(28, 3, 2) a1, a2 of each band's three second-order sections."""
SMOOTH_POLE, SMOOTH_GAIN = _smoothing_coefficients()
"""(28,) pole a and gain 1 - a of each band's smoothing low-passes."""

# ---------------------------------------------------------------------------------------------
# Stage 2: core loudness of 20 critical bands (Annex A.3 to A.5)

N_LOW_BANDS = 11
"""Bands 25 Hz to 250 Hz get the equal-loudness correction of Table A.3."""
RAP = np.array([45.0, 55.0, 65.0, 71.0, 80.0, 90.0, 100.0, 120.0])
"""Table A.3: upper ends of the level ranges, dB."""
N_LEVEL_RANGES = RAP.size
"""Level ranges of Table A.3 (8), each with its own low-band correction."""
DLL = np.array(
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
DLL_THRESHOLD = RAP[: N_LEVEL_RANGES - 1, None] - DLL[: N_LEVEL_RANGES - 1]
"""(7, 11) band levels above which the next range applies (increasing in each column)."""
DLL_BY_RANGE = np.vstack([DLL[: N_LEVEL_RANGES - 1], np.zeros((1, N_LOW_BANDS))])
"""Correction by the number of thresholds exceeded. Above the 7th, mosqito 1.2.1 applies none
(ISO 532-1 would keep the last row of Table A.3); we follow mosqito, the reference."""
LOW_GROUPS = ((0, 6), (6, 9), (9, 11))
"""Low bands summed into the first three critical bands."""
FIRST_CRITICAL_BAND = 8
"""Band (80 Hz) whose level is the 4th critical band's; the first three come from the sums."""
LTQ = np.array([30, 18, 12, 8, 7, 6, 5, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], dtype=np.float64)
"""Table A.4: critical-band level at the threshold in quiet, dB."""
A0 = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.5, -1.6, -3.2, -5.4, -5.6, -4, -1.5, 2, 5, 12],
    dtype=np.float64,
)
"""Table A.4: transmission through the outer ear, dB."""
DDF = np.array(
    [0, 0, 0.5, 0.9, 1.2, 1.6, 2.3, 2.8, 3, 2, 0, -1.4, -2, -1.9, -1, 0.5, 3, 4, 4.3, 4],
    dtype=np.float64,
)
"""Table A.4: diffuse minus free field level, dB."""
DCB = np.array(
    [-0.25, -0.6, -0.8, -0.8, -0.5, 0, 0.5, 1.1, 1.5, 1.7, 1.8, 1.8, 1.7, 1.6, 1.4, 1.2, 0.8,
     0.5, 0, -0.5],
)  # fmt: skip
"""Table A.4: one-third-octave to critical-band level adaptation, dB."""
CORE_S = 0.25
"""Ratio of the excitation at threshold to the threshold (Zwicker's s)."""
CORE_EXPONENT = 0.25
"""Exponent of Zwicker's power law from excitation to core loudness."""
CORE_AT_THRESHOLD = 0.0635 * np.power(10, 0.025 * LTQ)
"""sone/Bark factor of each band's core loudness formula."""
N_CRITICAL_BANDS = 20
"""Critical bands of Table A.4, up to 24 Bark, each with a core loudness."""
N_CORE = N_CRITICAL_BANDS + 1
"""Core loudness values: the 20 critical bands and a zero above 24 Bark."""

# ---------------------------------------------------------------------------------------------
# Stage 3: non-linear temporal decay (clause 6.4), 24 interpolated sub-steps per 0.5 ms

SUBSTEPS = 24
"""Virtual up-sampling of the decay and weighting filters."""
DECAY_T_SHORT = 0.005
"""Seconds: time constant of the fast decay, just after a sound ends."""
DECAY_T_LONG = 0.015
"""Seconds: time constant of the slow decay, after a long sound."""
DECAY_T_VAR = 0.075
"""Seconds: time constant of the capacitor that switches between the two."""
DECAY_SAME = 1e-5
"""sone/Bark: an input this close to the output counts as unchanged."""


def _decay_coefficients() -> np.ndarray:
    """B0..B5 of the two-capacitor decay network at 48 kHz (2 kHz × 24 sub-steps)."""
    dt = 1 / (LOUDNESS_SAMPLE_RATE / LEVEL_DECIMATION * SUBSTEPS)
    p = (DECAY_T_VAR + DECAY_T_LONG) / (DECAY_T_VAR * DECAY_T_SHORT)
    q = 1 / (DECAY_T_SHORT * DECAY_T_VAR)
    l1 = -p / 2 + math.sqrt(p * p / 4 - q)
    l2 = -p / 2 - math.sqrt(p * p / 4 - q)
    den = DECAY_T_VAR * (l1 - l2)
    e1, e2 = math.exp(l1 * dt), math.exp(l2 * dt)
    return np.array(
        [
            (e1 - e2) / den,
            ((DECAY_T_VAR * l2 + 1) * e1 - (DECAY_T_VAR * l1 + 1) * e2) / den,
            ((DECAY_T_VAR * l1 + 1) * e1 - (DECAY_T_VAR * l2 + 1) * e2) / den,
            (DECAY_T_VAR * l1 + 1) * (DECAY_T_VAR * l2 + 1) * (e1 - e2) / den,
            math.exp(-dt / DECAY_T_LONG),
            math.exp(-dt / DECAY_T_VAR),
        ]
    )


DECAY_B = _decay_coefficients()
"""B0..B5 of the decay network, per sub-step."""

# ---------------------------------------------------------------------------------------------
# Stage 4: specific loudness pattern and total loudness (Annex A.6)

ZUP = np.array(
    [0.9, 1.8, 2.8, 3.5, 4.4, 5.4, 6.6, 7.9, 9.2, 10.6, 12.3, 13.8, 15.2, 16.7, 18.1, 19.3, 20.6,
     21.8, 22.7, 23.6, 24.0],
)  # fmt: skip
"""Table A.6: upper ends of the approximated critical bands, Bark."""
ZUP_ROW = np.array(
    [9, 18, 28, 35, 44, 54, 66, 79, 92, 106, 123, 138, 152, 167, 181, 193, 206, 218, 227, 236, 240]
)
"""First row of N'(z) (0.1 Bark apart) above each band: round(10 × ZUP)."""
RNS = np.array(
    [21.5, 18, 15.1, 11.5, 9, 6.1, 4.4, 3.1, 2.13, 1.36, 0.82, 0.42, 0.30, 0.22, 0.15, 0.10,
     0.035, 0],
)  # fmt: skip
"""Table A.7: specific loudness ranges of the upper slopes, sone/Bark."""
USL = np.array(
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
N_SLOPE_GROUPS = USL.shape[1]
"""Band groups of Table A.7 (8): the 2nd to 8th critical bands one each, the rest the last."""
BARK_STEP = 0.1
"""Bark between rows of N'(z)."""


def _row_positions() -> np.ndarray:
    """Bark position of each row of N'(z) as mosqito sums it: from the band's lower end + 0.1,
    adding 0.1 per row."""
    z = np.zeros(N_BARK)
    for i in range(1, ZUP.size):
        position = ZUP[i - 1] + BARK_STEP
        for row in range(ZUP_ROW[i - 1], ZUP_ROW[i]):
            z[row] = position
            position += BARK_STEP
    return z


ROW_Z = _row_positions()
"""Bark position of each row of N'(z)."""
ROUND_SMALL = 16.0
"""sone: total loudness is rounded to 0.001 sone up to here, to 0.01 above."""
ROUND_FINE = 1000.0
"""Steps per sone of the rounding up to `ROUND_SMALL` (0.001 sone)."""
ROUND_COARSE = 100.0
"""Steps per sone of the rounding above `ROUND_SMALL` (0.01 sone)."""

# ---------------------------------------------------------------------------------------------
# Stage 5: temporal weighting of the total loudness (clause 6.5)

WEIGHT_TAUS = (0.0035, 0.070)
"""Time constants of the two low-passes, seconds."""
WEIGHT_SHARES = (0.47, 0.53)
"""Shares of the two low-passes in the weighted loudness."""


def _weighting_coefficients() -> np.ndarray:
    """(pole, gain, share) of the two temporal-weighting low-passes at 48 kHz."""
    rate = LOUDNESS_SAMPLE_RATE / LEVEL_DECIMATION * SUBSTEPS
    rows = []
    for tau, share in zip(WEIGHT_TAUS, WEIGHT_SHARES, strict=True):
        pole = math.exp(-1 / (rate * tau))
        rows.append((pole, 1 - pole, share))
    return np.array(rows)


WEIGHTING = _weighting_coefficients()
"""(2, 3): pole, gain and share of each temporal-weighting low-pass."""
