"""mosqito 1.2.1's ISO 532-1 time-varying loudness as a `Loudness`: the reference that the tests
and benchmarks/loudness.py compare ours with. mosqito is a development dependency
(requirements-dev.txt); the package itself never imports it."""

from __future__ import annotations

import numpy as np

from llm_ssd.loudness import Loudness


def loudness_zwtv_mosqito(
    signal_pa: np.ndarray, fs: int, field: str = "free", *, specific: bool = True
) -> Loudness:
    """mosqito's `loudness_zwtv` of a 1-D signal in pascal (slow: about 1.3 s per second), in
    place of ours: the same signature and result (mosqito computes N' either way)."""
    from mosqito.sq_metrics import loudness_zwtv as mosqito_zwtv

    n, n_specific, _, time = mosqito_zwtv(
        np.asarray(signal_pa, dtype=np.float64), fs, field_type=field
    )
    return Loudness(np.asarray(n), np.asarray(n_specific) if specific else None, np.asarray(time))
