"""The thread policy: how many threads each analysis runs on (torch's intra-op threads, numba's,
and those sharing the loudness's blocks), decided in one place for the app, the command line,
its worker processes and training.

Threads per analysis × analyses running ≤ the cores this process may use, so that nothing
oversubscribes the machine. A process is given its cores once (`apply`: all of them, or its
share for `--workers N`); each analysis running in it takes an equal share of those at each
stage (`running`, `fit`): a visitor alone on the app gets every core, two at once one each,
and an analysis that started alone gives up its extra threads at its next stage when another
starts. `LLM_SSD_THREADS` sets the threads per analysis by hand (never more than the cores).

The numbers do not depend on it: MKL's conditional numerical reproducibility is set to
`MKL_CBWR_MODE` (unless the environment sets `MKL_CBWR` already) before torch's first matrix
product, so that its products give the same bits whatever the thread count or the memory
alignment, and the convolutions split their work over outputs only. The same file and checkpoint
give the same record in-process, in any number of workers and in the app."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

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
"""This process's threads (`cores`), and whether `LLM_SSD_THREADS` fixed each analysis's
(`fixed`), under those names."""
_RUNNING = [0]
"""Analyses running in this process now."""
_RUNNING_LOCK = threading.Lock()
ANALYSIS_THREAD = "llm-ssd-analysis"
"""The name the threads kept for analyses start with (`on_analysis_thread`)."""
PART_THREAD = "llm-ssd-part"
"""The name the threads that help an analysis with its parts start with (`in_parallel`)."""
T = TypeVar("T")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _fixed() -> int | None:
    """`LLM_SSD_THREADS` as a count (at most the cores), or None where it is unset or bad."""
    if not (text := setting(ENV_THREADS)):
        return None
    try:
        chosen = int(text)
    except ValueError:
        chosen = 0
    if chosen >= 1:
        return min(chosen, cores())
    log.warning("%s=%r is not a whole number of at least 1; ignored.", ENV_THREADS, text)
    return None


def apply(processes: int = 1) -> int:
    """Decide the policy for this process, one of `processes` sharing the machine (a `describe
    --workers N` worker: N): its cores, and the threads of this thread for one analysis on them.
    Returns the threads one analysis alone gets."""
    fixed = _fixed()
    _DECIDED["cores"] = fixed or max(1, cores() // max(1, processes))
    _DECIDED["fixed"] = int(fixed is not None)
    return fit(1)


def _share(running: int) -> int:
    """Threads for each of `running` analyses in this process."""
    if not _DECIDED:
        apply()
    if _DECIDED["fixed"]:
        return _DECIDED["cores"]
    return max(1, _DECIDED["cores"] // max(1, running))


def fit(running: int | None = None) -> int:
    """Set this thread's torch, numba and loudness threads to its share of the process's cores
    for `running` analyses (default: those running now). Returns that share."""
    chosen = _share(_RUNNING[0] if running is None else running)
    _set_here(chosen)
    return chosen


def _set_here(chosen: int) -> None:
    """This thread's torch, numba and loudness threads."""
    _numba_here(chosen)  # first: starting numba's OpenMP threads resets OpenMP's count
    if torch.get_num_threads() != chosen:
        torch.set_num_threads(chosen)
    loudness.set_threads(chosen)


@contextmanager
def running() -> Iterator[int]:
    """One analysis running in this thread: counted among the process's while it runs, its
    threads fitted now (the share it gets) and at each stage (`fit`)."""
    with _RUNNING_LOCK:
        _RUNNING[0] += 1
    try:
        yield fit()
    finally:
        with _RUNNING_LOCK:
            _RUNNING[0] -= 1


def on_analysis_thread(count: int, task: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`task(*args, **kwargs)` run on one of `count` threads kept for analyses (an app passes
    the analyses it runs at once), waited for here. torch's OpenMP team and numba's threads are
    started once for each thread that computes: an app whose every request came in a thread of
    its own would start them for each, and a new thread's first analysis runs 0.1-0.3 s
    slower."""
    return _analysis_threads(count).submit(task, *args, **kwargs).result()


def in_parallel(tasks: Sequence[Callable[[], T]], width: int) -> list[T]:
    """The tasks' results, in order, with `width` of them running at a time, each on one thread
    (torch, numba, loudness): this thread and `width` - 1 kept helpers take the next task as
    they finish one. For parts of an analysis that one thread runs better than two share (the
    loudness, one network tower each): its share of the cores is `width` (`fit`), and this
    thread has it again after. Width 1 runs them here, one after another, on the share."""
    if width <= 1 or len(tasks) <= 1:
        return [task() for task in tasks]
    results: list[Any] = [None] * len(tasks)
    failures: list[BaseException] = []
    queue = iter(range(len(tasks)))
    lock = threading.Lock()

    def work() -> None:
        _set_here(1)
        while not failures:
            with lock:
                i = next(queue, None)
            if i is None:
                return
            try:
                results[i] = tasks[i]()
            except BaseException as exc:  # raised in the caller's thread; the others stop
                failures.append(exc)

    helpers = [_part_threads().submit(work) for _ in range(min(width, len(tasks)) - 1)]
    try:
        work()
    finally:
        for helper in helpers:
            helper.result()
        _set_here(width)
    if failures:
        raise failures[0]
    return results


@cache
def _part_threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max(1, cores() - 1), thread_name_prefix=PART_THREAD)


@cache
def _analysis_threads(count: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(count, thread_name_prefix=ANALYSIS_THREAD)


def _numba_here(chosen: int) -> None:
    """numba's threads for this thread: its count, like torch's, is kept per thread."""
    wanted = min(chosen, numba.config.NUMBA_NUM_THREADS)
    if numba.get_num_threads() != wanted:
        numba.set_num_threads(wanted)


def in_force() -> dict[str, int]:
    """The threads each library reports it runs an analysis on in this thread, and the cores."""
    return {
        "torch": torch.get_num_threads(),
        "numba": numba.get_num_threads(),
        "loudness": loudness.threads(),
        "cores": cores(),
    }


def summary(analyses_at_once: int) -> str:
    """One line for a log: the policy in force for up to `analyses_at_once` analyses at once,
    as torch, numba and the loudness report it in this thread for one alone (after `apply`)."""
    now = in_force()
    return (
        f"thread policy: up to {analyses_at_once} analyses at once on {_DECIDED['cores']} of "
        f"{now['cores']} cores; one alone runs on {now['torch']} torch, {now['numba']} numba and "
        f"{now['loudness']} loudness thread(s), {analyses_at_once} at once on "
        f"{_share(analyses_at_once)} each"
    )
