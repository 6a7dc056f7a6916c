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
    monkeypatch.setattr(threads, "_DECIDED", {})


@pytest.mark.parametrize(
    ("processes", "running", "each"),
    [(1, 1, 4), (1, 2, 2), (1, 3, 1), (1, 8, 1), (2, 1, 2), (2, 2, 1), (4, 1, 1), (8, 1, 1)],
)
def test_the_cores_are_shared_out_and_never_oversubscribed(four_cores, processes, running, each):
    """`processes` processes (`--workers`) share the cores, and the analyses running in each
    share its part: a lone analysis gets it all."""
    threads.apply(processes)
    assert threads.fit(running) == each
    assert each * min(processes * running, 4) <= 4


@pytest.mark.parametrize(("value", "each"), [("1", 1), (" 3 ", 3), ("16", 4)])
def test_the_environment_sets_the_threads_up_to_the_cores(four_cores, monkeypatch, value, each):
    monkeypatch.setenv(ENV_THREADS, value)
    threads.apply(2)
    assert threads.fit(1) == threads.fit(2) == each  # fixed, however many run


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_a_bad_setting_is_warned_about_and_ignored(four_cores, monkeypatch, caplog, value):
    monkeypatch.setenv(ENV_THREADS, value)
    with caplog.at_level(logging.WARNING):
        threads.apply(2)
        assert threads.fit(1) == 2
    assert f"{ENV_THREADS}={value!r} is not a whole number of at least 1" in caplog.text


def test_apply_sets_torch_numba_and_the_loudness_in_each_thread(monkeypatch):
    """One decision for every library, and in every thread: torch, numba and the loudness
    keep their counts per thread (an app's request runs in a thread of its own)."""
    import torch

    monkeypatch.delenv(ENV_THREADS, raising=False)
    before = torch.get_num_threads()
    try:
        chosen = threads.apply(threads.cores())
        one = {"torch": 1, "numba": 1, "loudness": 1, "cores": threads.cores()}
        assert chosen == 1 and threads.in_force() == one and threads.fit() == 1
        seen = []
        worker = threading.Thread(target=lambda: seen.append((threads.fit(), threads.in_force())))
        worker.start()
        worker.join()
        assert seen == [(1, one)]
    finally:
        threads.apply(1)
        torch.set_num_threads(before)


def test_analyses_side_by_side_share_the_cores_and_give_the_same_record(monkeypatch, tmp_path):
    """Two analyses at once in one process (the app's two queue slots) each run on half the
    cores, as torch, numba and the loudness report it in the network's stage; one alone runs
    on all of them, its mel towers on threads of their own alongside its loudness (with more
    than one core); the records are the same bits."""
    import numpy as np
    import soundfile as sf
    import torch

    from llm_ssd.analysis import analyze
    from llm_ssd.model import windows
    from llm_ssd.model.runtime import LoadedModel
    from llm_ssd.model.soundaqnet import SoundAQnet

    monkeypatch.delenv(ENV_THREADS, raising=False)
    clip = tmp_path / "noise.wav"
    sf.write(clip, 0.05 * np.random.default_rng(3).standard_normal(3 * 32000), 32000)
    threads.apply()
    both_running = threading.Barrier(2, timeout=WORKER_WAIT)
    log_mel_of, outputs, mel_node = windows.log_mel_of, LoadedModel.outputs, SoundAQnet.mel_node
    in_parallel = threads.in_parallel
    seen: dict[str, dict[str, int]] = {}
    towers: list[int] = []
    """The torch threads each mel tower of the analysis alone ran on."""
    splits: dict[str, list[tuple[int, int]]] = {}

    def together(*args, **kwargs):
        if threading.current_thread().name.startswith("side"):
            both_running.wait()  # each analysis has begun: two are running
        return log_mel_of(*args, **kwargs)

    def reporting(self, *args, **kwargs):
        if threading.current_thread().name.startswith("side"):
            both_running.wait()  # neither has ended: both fitted their share with two running
        seen[threading.current_thread().name] = threads.in_force()
        return outputs(self, *args, **kwargs)

    def tower(self, *args, **kwargs):
        if not records:  # the analysis alone
            towers.append(torch.get_num_threads())
        return mel_node(self, *args, **kwargs)

    def split(tasks, width):  # which analysis ran parts side by side: how many, how wide
        splits.setdefault(threading.current_thread().name, []).append((len(tasks), width))
        return in_parallel(tasks, width)

    monkeypatch.setattr(windows, "log_mel_of", together)
    monkeypatch.setattr(LoadedModel, "outputs", reporting)
    monkeypatch.setattr(SoundAQnet, "mel_node", tower)
    monkeypatch.setattr(threads, "in_parallel", split)
    records = {}

    def run(name: str) -> None:
        records[name] = analyze(clip).to_dict()

    run("alone")
    cores = threads.cores()
    # with more than one core: the loudness and the four mel towers as parts, `cores` at a time
    assert ((5, cores) in splits.get("MainThread", [])) == (cores > 1), splits
    assert towers == [1] * 4  # each tower on one torch thread (the analysis alone has `cores`)
    pair = [threading.Thread(target=run, args=(f"side {i}",), name=f"side {i}") for i in (1, 2)]
    for thread in pair:
        thread.start()
    for thread in pair:
        thread.join()
    share = max(1, cores // 2)
    assert seen["MainThread"] == {"torch": cores, "numba": cores, "loudness": cores, "cores": cores}
    for i in (1, 2):
        assert seen[f"side {i}"] == {"torch": share, "numba": share, "loudness": share,
                                     "cores": cores}  # fmt: skip
    made = ("timings",)
    same = [{k: v for k, v in r.items() if k not in made} for r in records.values()]
    assert same[0] == same[1] == same[2]


def test_in_parallel_runs_each_part_on_one_thread_and_gives_the_results_in_order(monkeypatch):
    """Parts of an analysis run `width` at a time, each on one thread of every library, on this
    thread and kept helpers; the results come back in the tasks' order, this thread has its
    share again after, and a part's error is raised here."""
    monkeypatch.delenv(ENV_THREADS, raising=False)
    threads.apply()
    started = threading.Barrier(2, timeout=WORKER_WAIT)

    def part(i: int):
        if i < 2:
            started.wait()  # the first two run at once: on two threads
        return i, threading.current_thread().name, threads.in_force()

    done = threads.in_parallel([lambda i=i: part(i) for i in range(5)], 2)
    assert [i for i, _, _ in done] == list(range(5))
    assert {name.split("_")[0] for _, name, _ in done} == {"MainThread", threads.PART_THREAD}
    one = {"torch": 1, "numba": 1, "loudness": 1, "cores": threads.cores()}
    assert all(force == one for _, _, force in done)
    two = {"torch": 2, "numba": 2, "loudness": 2, "cores": threads.cores()}
    assert threads.in_force() == two

    def failing():
        raise ValueError("this part failed")

    with pytest.raises(ValueError, match="this part failed"):
        threads.in_parallel([failing] + [threads.in_force] * 20, 2)
    assert threads.in_force() == two
    assert threads.in_parallel([threads.in_force], 2) == [two]  # one part: here, on the share
    threads.apply(1)


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
