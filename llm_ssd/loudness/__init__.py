"""ISO 532-1:2017 time-varying loudness (Zwicker), in sone every 2 ms.

`loudness_zwtv` is our implementation of the standard's method for time-varying sounds: 28
one-third-octave filters at 48 kHz, squaring and smoothing, levels every 0.5 ms, core loudness of
20 critical bands, the non-linear temporal decay of the hearing system, the upper slopes of the
specific loudness pattern, and the temporal weighting of the total loudness, decimated to 2 ms.
The filter bank and the sequential stages are numba kernels (machine code cached where a
writable cache exists), the rest numpy; the signal goes through in 4 s blocks, the thread
policy's threads (`model.threads`) sharing each block, so memory stays near the size of the result.

It reproduces mosqito 1.2.1's `loudness_zwtv` (the reference of the tests and benchmarks,
wrapped in tests/mosqito_reference.py) operation for operation, including where mosqito departs
from the ISO program: above the seventh level range of Table A.3 it applies no low-frequency
correction, its decay filter starts from the last time step's value, and its slope search
compares values rounded to 8 decimals. At 48 kHz N(t) comes out bit-identical on all ISO 532-1
Annex B signals; N'(z, t) differs only by its rounding to single precision.

The package reads in the order of the data: `tables` (the standard's constants, stage by
stage), `kernels` (the numba loops), `pipeline` (`loudness_zwtv`, the blocks and the threads).

May import: audio."""

from llm_ssd.loudness.pipeline import (
    FIELDS,
    RESAMPLE_QUALITY,
    SPECIFIC_LOUDNESS_DTYPE,
    Loudness,
    LoudnessRangeError,
    loudness_zwtv,
    percentile_loudness,
    set_threads,
    threads,
)
from llm_ssd.loudness.tables import LOUDNESS_SAMPLE_RATE, LOUDNESS_STEP, MAX_LOW_BAND_LEVEL, N_BARK

__all__ = [
    "FIELDS",
    "LOUDNESS_SAMPLE_RATE",
    "LOUDNESS_STEP",
    "MAX_LOW_BAND_LEVEL",
    "N_BARK",
    "RESAMPLE_QUALITY",
    "SPECIFIC_LOUDNESS_DTYPE",
    "Loudness",
    "LoudnessRangeError",
    "loudness_zwtv",
    "percentile_loudness",
    "set_threads",
    "threads",
]
