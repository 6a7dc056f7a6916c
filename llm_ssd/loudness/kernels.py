"""numba kernels of the sequential stages: the one-third-octave filter bank, the non-linear
temporal decay, the upper slopes of the specific loudness pattern, and the temporal weighting.

Each loop follows the standard's procedure step by step (and mosqito 1.2.1's bookkeeping where
it departs from it), laid out so that the loops over bands vectorise. The kernels release the
GIL, so that `pipeline` can run two of them side by side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba
import numpy as np

from llm_ssd.loudness.tables import (
    DECAY_SAME,
    FILTER_GAIN,
    LEVEL_DECIMATION,
    N_BANDS,
    N_BARK,
    N_CORE,
    N_SLOPE_GROUPS,
    OUTPUT_DECIMATION,
    RNS,
    ROUND_COARSE,
    ROUND_FINE,
    ROUND_SMALL,
    ROW_Z,
    SMOOTH_GAIN,
    SMOOTH_POLE,
    SOS_A,
    SUBSTEPS,
    USL,
    ZUP,
    ZUP_ROW,
)

LANES = 16
"""Bands filtered together by one `filter_bank` call (vectorised across bands)."""
GROUPS = -(-N_BANDS // LANES)
"""`filter_bank` calls per block, one per group of `LANES` bands."""
BANK_ROWS = 9
"""Coefficients per band in `BANK`: a1 of the three sections, their a2, gain, smoothing pole
and smoothing gain."""
BANK_STATES = 9
"""`filter_bank` state per band: two of each of the three sections, one of each of the three
smoothing low-passes."""
DECAY_LANES = 24
"""Decay-filter lanes: the 21 core values and 3 zeros (a multiple of the vector width)."""
DECAY_STATES = 3
"""`decay` state rows: output, capacitor, previous input."""
_SLOPE_DECIMALS = 1e8
"""mosqito compares loudness values rounded to 8 decimals."""
_RNS_SCALED = np.rint(RNS * _SLOPE_DECIMALS)
"""Range limits as compared: · 1e8, rounded."""
_RANGE_BINS = 200
"""Bins per sone/Bark of the range-index guess (the limits are multiples of 1/200)."""
_GUESS_SCALE = _RANGE_BINS / _SLOPE_DECIMALS
"""From a value · 1e8 to its bin of the range-index guess."""
_RANGE_GUESS = (RNS[None] > np.arange(int(RNS[0] * _RANGE_BINS) + 2)[:, None] / _RANGE_BINS).sum(
    axis=1
)
"""Number of range limits above the lower edge of each bin."""
_APART8 = 2e-8
"""Values at least this far apart stay in order when rounded to 8 decimals."""
_END_BELOW = 0
"""`_slopes` end_mode: the range limit where the previous band ended is strictly below
end_value."""
_END_AT_OR_BELOW = 1
"""`_slopes` end_mode: that limit is below or at end_value."""
_END_IS_LIMIT = 2
"""`_slopes` end_mode: that limit is end_value itself."""


def _lane_coefficients() -> np.ndarray:
    """(groups, 9 · lanes) a1, a2 of the three sections, gain, smoothing pole and gain, each a
    run of `LANES` bands; bands past the 28th have zero gain."""
    rows = [SOS_A[:, 0, 0], SOS_A[:, 1, 0], SOS_A[:, 2, 0]]
    rows += [SOS_A[:, 0, 1], SOS_A[:, 1, 1], SOS_A[:, 2, 1]]
    rows += [FILTER_GAIN, SMOOTH_POLE, SMOOTH_GAIN]
    table = np.zeros((BANK_ROWS, GROUPS * LANES))
    table[:, :N_BANDS] = rows
    lanes = table.reshape(BANK_ROWS, GROUPS, LANES).transpose(1, 0, 2)
    return np.ascontiguousarray(lanes).reshape(GROUPS, BANK_ROWS * LANES)


BANK = _lane_coefficients()
"""`filter_bank`'s coefficients of each group of bands."""


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
def filter_bank(x, coef, state, energy):
    """`LANES` bands at once: three second-order sections (direct form II transposed, as scipy's
    sosfilt), gain, squaring, three first-order low-passes; energy every 24th sample.

    coef and state are flat runs of `LANES` values (a1 ×3, a2 ×3, gain, pole, smoothing gain;
    six section states, three smoothing states), so that the band loop vectorises."""
    n = x.size
    w = LANES
    if coef.size != BANK_ROWS * w or state.size != BANK_STATES * w or energy.shape[0] != w:
        raise ValueError("filter bank: shapes do not match")
    if energy.shape[1] < (n + LEVEL_DECIMATION - 1) // LEVEL_DECIMATION:
        raise ValueError("filter bank: output too short")
    for k, start in enumerate(range(0, n, LEVEL_DECIMATION)):
        for t in range(start, min(start + LEVEL_DECIMATION, n)):
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
    hold = abs(u - uo) < DECAY_SAME and out <= u2
    up = out if hold else (u2 - u) * b5 + u
    return out, (down if u < uo else up)


@_jit
def decay(core, state, b, continuing, out):
    """Non-linear decay of each band's core loudness, 24 interpolated sub-steps per step; out
    gets the value at each step. state rows: output uo, capacitor u2, previous input (used only
    when `continuing` a previous block). The bands are computed side by side."""
    n_rows, n_steps = core.shape
    lanes = DECAY_LANES
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
                delta[r] = (cur[r] - prev[r]) / SUBSTEPS
                ui[r] = prev[r]
            for _ in range(SUBSTEPS - 1):
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
    return a - b >= _APART8 or _scaled8(a) > _scaled8(b)


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
    zup = ZUP
    zup_row = ZUP_ROW
    row_z = ROW_Z
    rns = RNS
    usl = USL
    if column >= 0:
        row = 0
        for i in range(N_CORE):
            while row < zup_row[i]:
                specific[row, column] = decayed[i, t]
                row += 1
    total = 0.0
    n1 = 0.0
    z1 = 0.0
    # lower range limit where the previous band ended, found lazily from end_value and end_mode
    end_value = rns[rns.size - 1]
    end_mode = _END_IS_LIMIT
    for i in range(N_CORE):
        target = decayed[i, t]
        if not _greater8(n1, target):  # level part of the band
            total += target * (zup[i] - z1)
            n1 = target
            z1 = zup[i]
            end_value = target
            end_mode = _END_BELOW
            continue
        group = min(i - 1, N_SLOPE_GROUPS - 1)
        k = _range_index(n1, False)
        if end_mode == _END_IS_LIMIT:
            rns_end = end_value
        elif end_mode == _END_AT_OR_BELOW:  # end_value is n1
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
                or (z2 - row_z[end] < _APART8 and _scaled8(z2) <= _scaled8(row_z[end]))
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
            end_mode = _END_AT_OR_BELOW
        elif flat:
            end_value = target
            end_mode = _END_BELOW
        else:
            end_value = rns_cur
            end_mode = _END_IS_LIMIT
    return total


@_jit
def pattern(decayed, lo, hi, step0, total, specific, with_specific):
    """Steps lo..hi-1 of a block: rounded total loudness into total[step0 + t] and, if
    `with_specific`, specific loudness into specific[:, (step0 + t) / 4] at every 4th step
    (otherwise `specific` is not touched and may have no columns)."""
    if hi > decayed.shape[1] or decayed.shape[0] < N_CORE or step0 + hi > total.size:
        raise ValueError("loudness pattern: shapes do not match")
    if with_specific and (
        specific.shape[0] != N_BARK or (step0 + hi - 1) // OUTPUT_DECIMATION >= specific.shape[1]
    ):
        raise ValueError("loudness pattern: specific loudness too short")
    for t in range(lo, hi):
        step = step0 + t
        keep = with_specific and step % OUTPUT_DECIMATION == 0
        column = step // OUTPUT_DECIMATION if keep else -1
        n = max(_slopes(decayed, t, specific, column), 0.0)
        scale = ROUND_FINE if n <= ROUND_SMALL else ROUND_COARSE
        total[step] = np.floor(n * scale + 0.5) / scale


@_jit
def temporal_weighting(total, coef, decimation):
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
        delta = (nxt - cur) / SUBSTEPS
        ui = cur
        for _ in range(SUBSTEPS - 1):
            ui = ui + delta
            y1 = g1 * ui + p1 * y1
            y2 = g2 * ui + p2 * y2
    return out
