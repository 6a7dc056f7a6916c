"""The thread policy: how many threads each analysis runs on (torch's intra-op threads, numba's,
and those sharing the loudness's blocks), decided in one place for the app, the command line,
its worker processes and training.

Threads per analysis × analyses at once ≤ the cores this process may use, so that nothing
oversubscribes the machine: one analysis alone gets every core; the app, which runs
`analyses_at_once` analyses side by side, and `--workers N` give each a share.
`LLM_SSD_THREADS` sets the threads per analysis by hand (never more than the cores).

The numbers do not depend on it: MKL's conditional numerical reproducibility is set to
`MKL_CBWR_MODE` (unless the environment sets `MKL_CBWR` already) before torch's first matrix
product, so that its products give the same bits whatever the thread count or the memory
alignment, and the convolutions split their work over outputs only. The same file and checkpoint
give the same record in-process, in any number of workers and in the app."""

from __future__ import annotations

import logging
import os

import numba
import torch

from llm_ssd import loudness
from llm_ssd.env import ENV_THREADS, setting

MKL_CBWR = "MKL_CBWR"
"""MKL's own variable for reproducible results (read at its first call)."""
MKL_CBWR_MODE = "AUTO,STRICT"
"""The fastest code path of this processor, with results that do not depend on the number of
threads (strict mode)."""
os.environ.setdefault(MKL_CBWR, MKL_CBWR_MODE)


log = logging.getLogger(__name__)
_DECIDED: dict[str, int] = {}
"""The threads per analysis this process decided, under `threads`."""


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def threads_per_analysis(analyses_at_once: int = 1) -> int:
    """Torch threads for each of `analyses_at_once` analyses running side by side: the cores
    shared out (at least one each), or `LLM_SSD_THREADS`, at most the cores."""
    if text := setting(ENV_THREADS):
        try:
            chosen = int(text)
        except ValueError:
            chosen = 0
        if chosen >= 1:
            return min(chosen, cores())
        log.warning("%s=%r is not a whole number of at least 1; ignored.", ENV_THREADS, text)
    return max(1, cores() // max(1, analyses_at_once))


def apply(analyses_at_once: int = 1) -> int:
    """Decide the policy for this process: torch's intra-op threads, numba's and the loudness's
    for `analyses_at_once` analyses at once. Returns the threads per analysis."""
    chosen = _DECIDED["threads"] = threads_per_analysis(analyses_at_once)
    _numba_here(chosen)  # first: starting numba's OpenMP threads resets OpenMP's count
    torch.set_num_threads(chosen)
    loudness.set_threads(chosen)
    return chosen


def _numba_here(chosen: int) -> None:
    """numba's threads for this thread: its count, unlike torch's, is kept per thread."""
    wanted = min(chosen, numba.config.NUMBA_NUM_THREADS)
    if numba.get_num_threads() != wanted:
        numba.set_num_threads(wanted)


def in_force() -> dict[str, int]:
    """The threads each library of this process reports it runs an analysis on."""
    return {
        "torch": torch.get_num_threads(),
        "numba": numba.get_num_threads(),
        "loudness": loudness.threads(),
        "cores": cores(),
    }


def summary(analyses_at_once: int) -> str:
    """One line for a log: the policy in force for `analyses_at_once` analyses at once."""
    now = in_force()
    return (
        f"thread policy: {analyses_at_once} analyses at once, each on {now['torch']} torch, "
        f"{now['numba']} numba and {now['loudness']} loudness thread(s), of {now['cores']} cores"
    )


def ensure() -> int:
    """The policy in force, also in this thread (an app's request runs in a thread of its own);
    for a process that decided none (`analyze()` from Python), that of one analysis at a time."""
    if not (chosen := _DECIDED.get("threads")):
        return apply()
    _numba_here(chosen)
    return chosen
