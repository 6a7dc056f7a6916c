"""The public pipeline: `loudness_zwtv` and its `Loudness` result, the signal streamed through
the stages block by block, the threads of the thread policy sharing each block."""

from __future__ import annotations

import itertools
import math
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import numpy as np

from llm_ssd.audio.checks import RESAMPLE_QUALITY
from llm_ssd.loudness.kernels import (
    BANK,
    BANK_STATES,
    DECAY_LANES,
    DECAY_STATES,
    GROUPS,
    LANES,
    decay,
    filter_bank,
    pattern,
    temporal_weighting,
)
from llm_ssd.loudness.tables import (
    A0,
    CORE_AT_THRESHOLD,
    CORE_EXPONENT,
    CORE_S,
    DCB,
    DDF,
    DECAY_B,
    DLL_BY_RANGE,
    DLL_THRESHOLD,
    FIRST_CRITICAL_BAND,
    INTENSITY_FLOOR,
    LEVEL_DECIMATION,
    LOUDNESS_SAMPLE_RATE,
    LOW_GROUPS,
    LTQ,
    MAX_LOW_BAND_LEVEL,
    N_BANDS,
    N_BARK,
    N_CORE,
    N_CRITICAL_BANDS,
    N_LOW_BANDS,
    OUTPUT_DECIMATION,
    REFERENCE_INTENSITY,
    SUBSTEPS,
    WEIGHTING,
)

FIELDS = ("free", "diffuse")
"""Sound fields of ISO 532-1: frontal free field, or diffuse field."""
SPECIFIC_LOUDNESS_DTYPE = np.float32
"""Specific loudness is returned in single precision: 10 minutes of sound are 288 MB, not 576."""
BLOCK_STEPS = 8192
"""0.5 ms steps per block (4.1 s). mosqito's decay filter starts from the last step's value, so
the first block is computed again at the end; over 4 s any other start value fades below 1e-20."""
BLOCK_SAMPLES = BLOCK_STEPS * LEVEL_DECIMATION
"""48 kHz samples per block."""
DEFAULT_THREADS = 1
"""Threads sharing each block's work until the thread policy (`model.threads`, which every
analysis applies first) says how many: one, which never oversubscribes."""
_THREADS = threading.local()
"""Threads sharing each block's work, kept per calling thread (`count`), as torch and numba keep
theirs: two analyses of one process may run on different shares. numba kernels and numpy
release the GIL; the numbers do not depend on it: each thread computes whole columns (time
steps) or whole filter groups."""
_NO_SPECIFIC = np.zeros((N_BARK, 0), dtype=SPECIFIC_LOUDNESS_DTYPE)
"""What `pattern` gets for its specific loudness when none is kept: it writes nothing there."""


class LoudnessRangeError(ValueError):
    """The signal is louder than the range ISO 532-1's method is defined for."""


@dataclass(frozen=True, eq=False)
class Loudness:
    """Total loudness N(t), specific loudness N'(z, t) if it was computed, and their time
    base."""

    n: np.ndarray
    """(steps,) total loudness, sone."""
    n_specific: np.ndarray | None
    """(240, steps) specific loudness, sone/Bark, 0.1 Bark apart; None where it was not
    computed (`loudness_zwtv(..., specific=False)`)."""
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


def set_threads(count: int) -> None:
    """Share each block's work among `count` threads (at least one) in the loudness this thread
    computes: set by the thread policy."""
    _THREADS.count = max(1, int(count))


def threads() -> int:
    """Threads sharing each block's work in this thread."""
    return getattr(_THREADS, "count", DEFAULT_THREADS)


def percentile_loudness(n: np.ndarray, exceeded_percent: float) -> float:
    """The loudness exceeded `exceeded_percent` % of the time (N5, N10, ...)."""
    return float(np.percentile(n, 100.0 - exceeded_percent)) if n.size else 0.0


def loudness_zwtv(
    signal_pa: np.ndarray, fs: int, field: str = "free", *, specific: bool = True
) -> Loudness:
    """Time-varying loudness of a 1-D signal in pascal (free or diffuse field).

    Same values, length and time base as mosqito 1.2.1 at 48 kHz. Other rates are resampled to
    48 kHz by soxr (`RESAMPLE_QUALITY`, as librosa's "soxr_hq"), block by block, to
    int(48000 · len / fs) samples, mosqito's length. mosqito's own whole-signal FFT resampling
    (below 48 kHz only) needs 1.7 GB more for 10 minutes at 44.1 kHz, and half a second for 30 s
    of an awkward length. soxr is flat to 92 % of the input's Nyquist frequency, so below 31 kHz
    it drops the top of the band that FFT resampling keeps (white noise at 16 kHz: up to 1.8 %
    less loudness); at 44.1 kHz the two agree within 1e-3 sone.

    The specific loudness is `SPECIFIC_LOUDNESS_DTYPE`; with specific=False it is neither kept
    nor allocated (`n_specific` is None; 288 MB less for 10 minutes) and N(t) is the same.
    Raises ValueError for a non-finite signal, an unknown field, or a band up to 250 Hz above
    120 dB (as mosqito does)."""
    if field not in FIELDS:
        raise ValueError(f"field must be one of {FIELDS}, not {field!r}")
    x = _check_signal(signal_pa, fs)
    length = x.size if fs == LOUDNESS_SAMPLE_RATE else int(LOUDNESS_SAMPLE_RATE * x.size / fs)
    n_steps = -(-length // LEVEL_DECIMATION)
    n_out = -(-n_steps // OUTPUT_DECIMATION)
    total = np.zeros(n_steps)
    n_specific = np.zeros((N_BARK, n_out), dtype=SPECIFIC_LOUDNESS_DTYPE) if specific else None
    if n_steps:
        blocks = _blocks_48k(x, fs, length)
        _loudness_blocks(blocks, length, field == "diffuse", total, n_specific)
    n = temporal_weighting(total, WEIGHTING, OUTPUT_DECIMATION)
    time = np.linspace(0, length / LOUDNESS_SAMPLE_RATE, num=n_steps)[::OUTPUT_DECIMATION].copy()
    return Loudness(n, n_specific, time)


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
    """The signal at 48 kHz in float64 blocks of `BLOCK_SAMPLES`, `length` samples in all."""
    if fs == LOUDNESS_SAMPLE_RATE:
        for start in range(0, length, BLOCK_SAMPLES):
            yield np.asarray(x[start : start + BLOCK_SAMPLES], dtype=np.float64)
        return
    import soxr

    stream = soxr.ResampleStream(fs, LOUDNESS_SAMPLE_RATE, 1, "float64", RESAMPLE_QUALITY)
    chunk = max(1, int(BLOCK_SAMPLES * fs / LOUDNESS_SAMPLE_RATE))
    pending = np.zeros(0)
    produced = 0
    for start in range(0, x.size, chunk):
        part = np.asarray(x[start : start + chunk], dtype=np.float64)
        out = stream.resample_chunk(part, last=start + chunk >= x.size)
        pending = np.concatenate([pending, out])
        while pending.size >= BLOCK_SAMPLES and produced < length:
            block, pending = pending[:BLOCK_SAMPLES], pending[BLOCK_SAMPLES:]
            block = block[: length - produced]
            produced += block.size
            yield block
    while produced < length:  # the rest, padded with zeros to mosqito's length
        block = np.zeros(min(BLOCK_SAMPLES, length - produced))
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
    specific: np.ndarray | None,
) -> None:
    """Fill `total` (rounded N every 0.5 ms) and `specific` (N' every 2 ms, unless None) block
    by block."""
    bank_state = np.zeros((GROUPS, BANK_STATES * LANES))
    decay_state = np.zeros((DECAY_STATES, DECAY_LANES))
    head = core = np.zeros((N_CORE, 0))
    step0 = 0
    for block in blocks:
        if not np.isfinite(block).all():
            raise ValueError("the signal contains NaN or infinite samples")
        levels = _band_levels(block, bank_state)
        if levels[:N_LOW_BANDS].max() > MAX_LOW_BAND_LEVEL:
            raise LoudnessRangeError(
                f"a one-third-octave band up to 250 Hz exceeds {MAX_LOW_BAND_LEVEL:.0f} dB SPL, "
                "beyond the range of ISO 532-1's Zwicker method"
            )
        core = _split_columns(lambda c: _core_loudness(c, diffuse), levels)
        if step0 == 0:
            head = core
            if length <= BLOCK_SAMPLES:  # the last step is known: start as mosqito does
                _decay_start(core[:, -1], decay_state)
        _pattern_block(core, decay_state, step0, total, specific)
        step0 += core.shape[1]
    if length > BLOCK_SAMPLES:
        _decay_start(core[:, -1], decay_state)
        _pattern_block(head, decay_state, 0, total, specific)


def _band_levels(block: np.ndarray, state: np.ndarray) -> np.ndarray:
    """(28, steps) one-third-octave levels in dB SPL every 0.5 ms; `state` carries the filters."""
    n_steps = -(-block.size // LEVEL_DECIMATION)
    levels = np.empty((GROUPS * LANES, n_steps))

    def group(g: int) -> None:
        rows = levels[g * LANES : (g + 1) * LANES]
        filter_bank(block, BANK[g], state[g], rows)
        np.log10((rows + INTENSITY_FLOOR) / REFERENCE_INTENSITY, out=rows)
        rows *= 10

    _parallel([lambda g=g: group(g) for g in range(GROUPS)])
    return levels[:N_BANDS]


def _core_loudness(levels: np.ndarray, diffuse: bool) -> np.ndarray:
    """(21, steps) core loudness, sone/Bark, from (28, steps) one-third-octave levels in dB."""
    low = levels[:N_LOW_BANDS]
    ranges = (low[None] > DLL_THRESHOLD[:, :, None]).sum(axis=0)
    corrected = DLL_BY_RANGE[ranges, np.arange(N_LOW_BANDS)[:, None]] + low
    intensity = np.power(10, corrected / 10)
    critical = levels[FIRST_CRITICAL_BAND:].copy()
    for row, (lo, hi) in enumerate(LOW_GROUPS):
        # positive: the levels' floor (-26 dB) keeps every intensity above 1e-6
        critical[row] = 10 * np.log10(intensity[lo:hi].sum(axis=0))
    critical -= A0[:, None]
    if diffuse:
        critical += DDF[:, None]
    threshold = LTQ[:, None]
    audible = critical > threshold
    critical -= np.where(audible, DCB[:, None], 0.0)
    excitation = 1 - CORE_S + CORE_S * np.power(10, 0.1 * (critical - threshold))
    excess = np.power(excitation, CORE_EXPONENT) - 1
    core = np.zeros((N_CORE, levels.shape[1]))
    np.multiply(CORE_AT_THRESHOLD[:, None], excess, out=core[:N_CRITICAL_BANDS], where=audible)
    np.maximum(core, 0.0, out=core)
    first = core[0]
    korry = 0.4 + 0.32 * first**0.2
    np.multiply(first, korry, out=first, where=korry <= 1)
    return core


def _decay_start(last_core: np.ndarray, state: np.ndarray) -> None:
    """Set the decay filter's state as mosqito starts it: output at the last step's final
    interpolation value (towards zero), capacitor empty."""
    delta = (0.0 - last_core) / SUBSTEPS
    value = last_core.copy()
    for _ in range(SUBSTEPS - 1):
        value = value + delta
    state[:] = 0.0
    state[0, : value.size] = value


def _pattern_block(
    core: np.ndarray,
    decay_state: np.ndarray,
    step0: int,
    total: np.ndarray,
    specific: np.ndarray | None,
) -> None:
    """Decay filter over a block of core loudness, then the loudness pattern of each step."""
    decayed = np.empty_like(core)
    decay(core, decay_state, DECAY_B, step0 > 0, decayed)
    bounds = np.linspace(0, core.shape[1], threads() + 1).astype(int)
    out = _NO_SPECIFIC if specific is None else specific
    with_specific = specific is not None
    _parallel(
        [
            lambda lo=lo, hi=hi: pattern(decayed, lo, hi, step0, total, out, with_specific)
            for lo, hi in itertools.pairwise(bounds)
        ]
    )


def _split_columns(func: Callable[[np.ndarray], np.ndarray], a: np.ndarray) -> np.ndarray:
    """func over column ranges of `a` in parallel, the results side by side."""
    count = threads()
    bounds = np.linspace(0, a.shape[1], count + 1).astype(int)
    parts: list[np.ndarray] = [np.empty(0)] * count

    def part(i: int) -> None:
        parts[i] = func(a[:, bounds[i] : bounds[i + 1]])

    _parallel([lambda i=i: part(i) for i in range(count)])
    return parts[0] if count == 1 else np.concatenate(parts, axis=1)


def _parallel(tasks: list[Callable[[], None]]) -> None:
    """Run the tasks on the pool and this thread; re-raise the first failure."""
    count = threads()
    if count == 1 or len(tasks) == 1:
        for task in tasks:
            task()
        return
    pool = _pool(os.getpid(), count)
    futures = [pool.submit(task) for task in tasks[1:]]
    tasks[0]()
    for future in futures:
        future.result()


@cache
def _pool(pid: int, count: int) -> ThreadPoolExecutor:
    """The worker threads of this process for `count` threads, this one included (a forked
    child gets its own: threads do not fork)."""
    return ThreadPoolExecutor(count - 1, thread_name_prefix=f"loudness-{pid}")
