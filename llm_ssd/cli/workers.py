"""`describe`'s worker processes. Each worker is given one file at a time, so that a worker that
dies (killed, out of memory) costs only the file it held: that file gets an error record and the
files not yet done go to a fresh worker. Their number is capped at the files and at what the
available memory holds. They end with the command however it ends: at the end of the batch, on
Ctrl-C or SIGTERM (the command stops them), or when the command itself is killed (each worker
sees its parent gone and exits)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

WORKER_MEMORY = 600 * 2**20
"""Bytes one worker takes at its peak: torch and numba loaded (about 300 MB) and a 30-s clip
analysed, 594 MB in benchmarks/long.py (a 60-minute recording, 779 MB)."""
WORKER_EXIT_TIMEOUT = 10.0
"""Seconds to wait for a stopped worker process to end before it is killed."""
PARENT_CHECK = 1.0
"""Seconds between a worker's checks that the command that started it is still there."""
MEMINFO = Path("/proc/meminfo")
CGROUP = Path("/sys/fs/cgroup")
"""Linux's account of free memory, and the control group's limit (v2), where there are."""
GIB = 2**30
INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report it."""
TERMINATED = 143
"""Exit status after SIGTERM (128 + SIGTERM)."""

Task = Callable[[str, Any], dict[str, Any]]
"""A file's record from its path and the options (a module-level function: it is sent to the
workers by name)."""


def available_memory() -> int | None:
    """Bytes of memory available to new processes: the system's estimate, or what the control
    group's limit leaves if less; None where neither is known."""
    found = []
    try:
        for line in MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = (CGROUP / "memory.max").read_text().strip()
        if limit != "max":
            found.append(int(limit) - int((CGROUP / "memory.current").read_text()))
    except (OSError, ValueError):
        pass
    return max(0, min(found)) if found else None


def worker_count(asked: int, files: int, memory: int | None) -> tuple[int, str | None]:
    """How many workers to start for `files` files when `asked` for: at most one per file and
    as many as `memory` bytes hold at `WORKER_MEMORY` each (at least one); and, when that is
    fewer than asked, one line saying why."""
    fits = asked if memory is None else max(1, memory // WORKER_MEMORY)
    count = max(1, min(asked, files, fits))
    if count == asked:
        return count, None
    reasons = []  # what holds the number down
    if count == files:
        reasons.append(f"there {'is' if files == 1 else 'are'} {files} file(s)")
    if count == fits and memory is not None:
        reasons.append(
            f"the {memory / GIB:.1f} GB of memory available hold {fits} at about "
            f"{WORKER_MEMORY / 2**20:.0f} MB each"
        )
    return count, f"using {count} worker process(es), not {asked}: {' and '.join(reasons)}"


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    path: str | None = None
    """The file it is analysing."""


def run_workers(files: list[str], task: Task, options: Any, count: int) -> Iterator[dict]:
    """Each file's record (`task(path, options)`) as it is done, from `count` worker processes
    (spawned, each with its share of the cores, `model.threads`). A worker that dies gives its
    file an error record saying so and is replaced while files remain. Stopped early (an
    exception, Ctrl-C, the generator closed), the workers are ended."""
    context = multiprocessing.get_context("spawn")  # no fork of a process with torch threads
    pending = deque(files)
    workers: list[_Worker] = []

    def start() -> None:
        """A new worker given the next file; one that cannot be given it is replaced."""
        while pending:
            parent, child = context.Pipe()
            process = context.Process(
                target=_serve, args=(child, task, options, count, os.getpid()), daemon=True
            )
            process.start()
            child.close()
            worker = _Worker(process, parent)
            workers.append(worker)
            if _give(worker, pending):
                return
            _end([worker])
            workers.remove(worker)

    try:
        for _ in range(min(count, len(pending))):
            start()
        while busy := [w for w in workers if w.path is not None]:
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
            for worker in busy:
                if worker.conn not in ready and worker.process.sentinel not in ready:
                    continue
                record = _receive(worker)
                if record is None:  # the worker died with its file
                    yield {"source": worker.path, "error": _death(worker.process)}
                    worker.path = None
                    _end([worker])
                    workers.remove(worker)
                    start()
                    continue
                worker.path = None
                yield record
                if not _give(worker, pending):
                    _end([worker])
                    workers.remove(worker)
                    start()
    finally:
        _end(workers)


def _give(worker: _Worker, pending: deque[str]) -> bool:
    """Send the worker the next file (or, with none left, the word to stop); False if it can no
    longer be sent anything (the file stays pending)."""
    path = pending.popleft() if pending else None
    try:
        worker.conn.send(path)
    except OSError:  # it died between files
        if path is not None:
            pending.appendleft(path)
        return False
    worker.path = path
    return True


def _receive(worker: _Worker) -> dict | None:
    """The record a worker sent, or None if it died before sending one."""
    try:
        if worker.conn.poll():
            return worker.conn.recv()
    except (EOFError, OSError):
        pass
    return None


def _death(process: BaseProcess) -> str:
    """Why a file got no record: how its worker process ended."""
    process.join(WORKER_EXIT_TIMEOUT)
    code = process.exitcode
    if code is not None and code < 0:
        how = f"was killed by {signal.Signals(-code).name}"
        if -code == signal.SIGKILL:
            how += " (by the system for lack of memory, or from outside)"
    else:
        how = f"ended with status {code}"
    return f"its worker process {how} while analysing it; the other files went on"


def _end(workers: list[_Worker]) -> None:
    """Stop workers and wait for them to end (killed if they take too long)."""
    for worker in workers:
        if worker.process.is_alive():
            worker.process.terminate()
    deadline = time.monotonic() + WORKER_EXIT_TIMEOUT
    for worker in workers:
        worker.process.join(max(0.0, deadline - time.monotonic()))
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()


def _serve(conn: Connection, task: Task, options: Any, workers: int, parent: int) -> None:
    """A worker, one of `workers`: its share of the cores (`model.threads`); Ctrl-C is the
    command's to handle. It analyses each file it is sent until it is sent None, and exits when
    the command that started it is gone."""
    from llm_ssd.model import threads

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threads.apply(workers)
    threading.Thread(target=_exit_without, args=(parent,), daemon=True).start()
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        conn.send(task(path, options))


def _exit_without(parent: int) -> None:
    """End this process once its parent has gone (killed without a chance to stop it)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(1)


class Terminated(BaseException):
    """SIGTERM arrived: the batch stops as on Ctrl-C, keeping its finished records."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated


@contextmanager
def stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM raises `Terminated` in this block (in the main thread; elsewhere, as it was)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stopped(exc: BaseException, kept: int, place: str) -> int:
    """Say that a batch stopped early (Ctrl-C or SIGTERM) with `kept` records in `place`; its
    exit status."""
    how, status = ("terminated", TERMINATED) if isinstance(exc, Terminated) else (
        "interrupted", INTERRUPTED)  # fmt: skip
    print(f"{how}: {kept} record(s) kept in {place}", file=sys.stderr)
    return status
