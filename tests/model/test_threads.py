"""The thread policy (issues 18 and 21): threads per analysis × analyses at once stay within the
cores, for torch, numba and the loudness, in every thread and in each `describe` worker;
`LLM_SSD_THREADS` overrides it, and MKL is set for results that do not depend on it."""

from __future__ import annotations

import logging
import multiprocessing
import os
import subprocess
import sys
import threading

import pytest
from app_server import ROOT

from llm_ssd.env import ENV_THREADS
from llm_ssd.model import threads

WORKER_WAIT = 120.0
"""Seconds a worker waits for the others to start (spawning torch on a busy machine)."""


@pytest.fixture
def four_cores(monkeypatch):
    monkeypatch.delenv(ENV_THREADS, raising=False)
    monkeypatch.setattr(threads, "cores", lambda: 4)


@pytest.mark.parametrize(("at_once", "each"), [(1, 4), (2, 2), (3, 1), (4, 1), (8, 1)])
def test_the_cores_are_shared_out_and_never_oversubscribed(four_cores, at_once, each):
    assert threads.threads_per_analysis(at_once) == each
    assert each * min(at_once, 4) <= 4


@pytest.mark.parametrize(("value", "each"), [("1", 1), (" 3 ", 3), ("16", 4)])
def test_the_environment_sets_the_threads_up_to_the_cores(four_cores, monkeypatch, value, each):
    monkeypatch.setenv(ENV_THREADS, value)
    assert threads.threads_per_analysis(2) == each


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_a_bad_setting_is_warned_about_and_ignored(four_cores, monkeypatch, caplog, value):
    monkeypatch.setenv(ENV_THREADS, value)
    with caplog.at_level(logging.WARNING):
        assert threads.threads_per_analysis(2) == 2
    assert f"{ENV_THREADS}={value!r} is not a whole number of at least 1" in caplog.text


def test_apply_sets_torch_numba_and_the_loudness_and_ensure_keeps_it(monkeypatch):
    """One decision for every library, and in every thread: numba keeps its count per thread
    (an app's request runs in a thread of its own), torch for the process."""
    import torch

    monkeypatch.delenv(ENV_THREADS, raising=False)
    before = torch.get_num_threads()
    try:
        chosen = threads.apply(threads.cores())
        one = {"torch": 1, "numba": 1, "loudness": 1, "cores": threads.cores()}
        assert chosen == 1 and threads.in_force() == one and threads.ensure() == 1
        seen = []
        worker = threading.Thread(
            target=lambda: seen.append((threads.ensure(), threads.in_force()))
        )
        worker.start()
        worker.join()
        assert seen == [(1, one)]
    finally:
        threads.apply(1)
        torch.set_num_threads(before)


def probe(path: str, barrier) -> dict:
    """In a worker, as its task for one file: which process it is, and the threads it runs
    analyses on; it waits for the other workers, so that each answers once."""
    barrier.wait(timeout=WORKER_WAIT)
    return {"source": path, "pid": os.getpid(), "threads": threads.in_force()}


def test_each_describe_worker_runs_its_share_of_the_cores(monkeypatch):
    """`describe --workers N`'s own pool: each worker reports torch, numba and the loudness on
    cores // N threads (at least one)."""
    from llm_ssd.cli.workers import run_workers

    monkeypatch.delenv(ENV_THREADS, raising=False)
    count = 2
    with multiprocessing.get_context("spawn").Manager() as manager:
        barrier = manager.Barrier(count)
        answers = list(run_workers(["a.wav", "b.wav"], probe, barrier, count))
    share = max(1, threads.cores() // count)
    assert len({a["pid"] for a in answers}) == count, answers
    for answer in answers:
        now = answer["threads"]
        assert now == {"torch": share, "numba": share, "loudness": share, "cores": threads.cores()}


def test_mkl_is_set_for_reproducible_products_before_torch_runs_one():
    code = (
        "import os; from llm_ssd.model import runtime; import torch; "
        "torch.ones(8, 8) @ torch.ones(8, 8); print(os.environ['MKL_CBWR'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == threads.MKL_CBWR_MODE
