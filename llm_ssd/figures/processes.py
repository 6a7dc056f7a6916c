"""The five figures drawn in processes of their own (issue 21). matplotlib holds Python's lock
while it draws: in the app's process, two visitors' figures would take turns with each other and
with the page's own work, and one visitor's five would be drawn one after the other. A few
spawned processes draw them side by side, each figure encoded there for the page; where the
processes cannot be used, the figures are drawn here instead."""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from typing import Any, TypeVar

from matplotlib.figure import Figure

from llm_ssd.figures.images import PAGE_FORMAT, Rendered, render
from llm_ssd.figures.panels import SOONEST_FIRST, figure_at
from llm_ssd.result import Analysis

T = TypeVar("T")
log = logging.getLogger(__name__)
FORMATS = (PAGE_FORMAT,)
"""What each figure drawn elsewhere comes back encoded as: for the page (the downloads' PNG is
encoded from the same pixels when they are written, after the page has its figures)."""
FAILED = (BrokenProcessPool, OSError, RuntimeError)
"""What a pool that cannot draw raises (a process killed, none could start, shut down)."""
PARENT_POLL = 1.0
"""Seconds between a drawing process's looks at whether the app that started it is still there."""


@cache
def pool(processes: int) -> ProcessPoolExecutor:
    """`processes` drawing processes, started (spawned: never a fork of torch's threads) as the
    first figures are sent (`send`); `warm` starts them sooner."""
    return ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_leave_with_parent,
        initargs=(os.getpid(),),
    )


def _leave_with_parent(parent: int) -> None:
    """A drawing process's first act: a thread that ends the process once the app that started
    it has gone (killed, or stopped with SIGTERM, the app runs no clean-up). Without it the
    process would wait for work for ever: each process of a pool holds both ends of the pipe
    the work comes through, so the app's end closing is never seen."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os._exit(0)

    threading.Thread(target=watch, name="llm-ssd-parent-watch", daemon=True).start()


def send(processes: int, task: Callable[..., T], *args: Any) -> Future[T]:
    """`task(*args)` in one of the `processes` drawing processes. A process started for it does
    not run the script that started this one (a spawned process would, to find what it was
    sent: `python app.py` would import the whole app, 0.5 GB and seconds, for each); so the
    task must be a module's function."""
    main = sys.modules["__main__"]
    script = main.__dict__.pop("__file__", None)
    try:
        return pool(processes).submit(task, *args)
    finally:
        if script is not None:
            main.__file__ = script


def elsewhere(processes: int, task: Callable[..., T], *args: Any) -> T:
    """`task(*args)` run in one of the drawing processes and waited for; run here if they
    fail (the pool is then started afresh for the next task)."""
    try:
        return send(processes, task, *args).result()
    except FAILED as exc:
        _broken(processes, exc)
    return task(*args)


def _broken(processes: int, exc: BaseException) -> None:
    """Say that the pool failed, and drop it."""
    log.warning("The drawing processes failed (%s); the figures are drawn here.", exc)
    pool(processes).shutdown(wait=False, cancel_futures=True)
    pool.cache_clear()


def warm(processes: int) -> None:
    """Start the drawing processes now, in the background: the first visitor's figures then
    find them ready (each takes a second or two to start and import matplotlib)."""
    for _ in range(processes):
        send(processes, _ready)


def drawn(analysis: Analysis, processes: int) -> Iterator[tuple[int, Rendered]]:
    """Each of the five figures with its place in `panels.all_figures`, drawn and encoded in
    `processes` processes side by side, in the order of `SOONEST_FIRST` (the page's first rows
    first); the figures not yet drawn are drawn here if the processes fail."""
    done: set[int] = set()
    futures: dict[Future[Rendered], int] = {}
    try:
        futures = {send(processes, draw, analysis, i): i for i in SOONEST_FIRST}
        for future, i in futures.items():  # in the page's order: its first rows first
            image = future.result()
            done.add(i)
            yield i, image
    except FAILED as exc:
        _broken(processes, exc)
    finally:  # the page went away: no figure it will not show is drawn
        for future in futures:
            future.cancel()
    for i in SOONEST_FIRST:
        if i not in done:
            yield i, draw(analysis, i)


def draw(analysis: Analysis, i: int) -> Rendered:
    """The figure at place `i`, drawn once and encoded in each of `FORMATS`."""
    image = render(figure_at(analysis, i))
    for fmt in FORMATS:
        image.encoded(fmt)
    return image


def _ready() -> None:
    """A drawing process's first task: draw and encode a line of text, so that matplotlib's
    fonts and the encoders are loaded before a visitor's first figure."""
    figure = Figure(figsize=(1, 1))
    figure.text(0.5, 0.5, "ready")
    draw_once = render(figure)
    for fmt in FORMATS:
        draw_once.encoded(fmt)
