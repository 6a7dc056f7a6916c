"""describe's worker processes (issue 25, cases 9-11): a killed worker costs only its own file,
their number is capped at the files and the memory, and SIGTERM ends them with the command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from cli_run import group_ends

from llm_ssd.cli import workers
from llm_ssd.cli.workers import GIB, WORKER_MEMORY, worker_count

RATE = 16_000
DEADLINE = 600.0
"""Seconds a batch may take on a busy machine before the test gives up."""


def noise(path: Path, seconds: float, seed: int) -> str:
    rng = np.random.default_rng(seed)
    sf.write(path, (0.05 * rng.standard_normal(int(RATE * seconds))).astype(np.float32), RATE)
    return str(path)


def start_batch(tmp_path: Path, count: int) -> tuple[subprocess.Popen, list[str], Path, Path]:
    """`describe` of `count` 20-s clips with 2 workers into out.jsonl, in its own session."""
    files = [noise(tmp_path / f"clip{i}.wav", 20, i) for i in range(count)]
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "llm_ssd", "describe", *files, "--workers", "2",
           "--output", str(out)]  # fmt: skip
    process = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, start_new_session=True)
    return process, files, out, tmp_path / "out.jsonl.partial"


def wait_for_a_record(process: subprocess.Popen, partial: Path) -> None:
    deadline = time.monotonic() + DEADLINE
    while not (partial.exists() and partial.read_text().count("\n") >= 1):
        assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
        time.sleep(0.1)


def worker_processes(parent: int) -> list[int]:
    """The worker processes `parent` spawned (multiprocessing's spawn_main)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == parent and b"spawn_main" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def test_a_killed_worker_fails_only_the_file_it_held(tmp_path):
    """Case 9: SIGKILL of one worker marks one file failed, saying why; the others, including
    those not started yet, are all described by a fresh worker."""
    process, files, out, partial = start_batch(tmp_path, 4)
    wait_for_a_record(process, partial)  # both workers hold a file now: 2 files are left
    (victim, *_) = worker_processes(process.pid)
    os.kill(victim, signal.SIGKILL)
    stderr = process.communicate(timeout=DEADLINE)[1]
    assert process.returncode == 1, stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["source"] for r in records) == sorted(files)
    (failed,) = [r for r in records if "error" in r]
    assert failed["error"].startswith("its worker process was killed by SIGKILL")
    assert all("scene" in r for r in records if r is not failed)
    assert stderr.strip().splitlines()[-1] == f"1 of 4 files failed: {failed['source']}"
    assert "Traceback" not in stderr


def test_sigterm_ends_the_workers_and_keeps_the_finished_records(tmp_path):
    """Case 11: SIGTERM to the command alone (not its process group) stops its workers too;
    the finished records stay in the .partial file, and one line says so."""
    process, _, out, partial = start_batch(tmp_path, 6)
    wait_for_a_record(process, partial)
    assert worker_processes(process.pid)
    process.send_signal(signal.SIGTERM)
    stderr = process.communicate(timeout=120)[1]
    assert process.returncode == 143, stderr
    written = [json.loads(s) for s in partial.read_text().splitlines()]
    assert stderr.strip().splitlines()[-1] == (
        f"terminated: {len(written)} record(s) kept in {partial}"
    )
    assert 1 <= len(written) < 6 and all("scene" in r for r in written)
    assert not out.exists() and "Traceback" not in stderr
    assert group_ends(process.pid), "a worker process outlived the terminated command"


def test_the_workers_end_when_the_command_is_killed(tmp_path):
    """Case 11, the hard way: SIGKILL gives the command no chance to stop its workers, so each
    worker sees its parent gone and exits."""
    process, *_ = start_batch(tmp_path, 4)
    deadline = time.monotonic() + DEADLINE
    while not (found := worker_processes(process.pid)):
        assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
        time.sleep(0.1)
    process.kill()
    process.wait(timeout=60)
    assert group_ends(process.pid, 120), f"workers {found} outlived the killed command"


def test_the_workers_are_capped_at_the_files_and_the_memory():
    """Case 10: 1000 workers for 12 files are 12, and no more than the memory holds."""
    plenty = 100 * GIB
    assert worker_count(1000, 12, plenty) == (
        12, "using 12 worker process(es), not 1000: there are 12 file(s)"
    )  # fmt: skip
    count, why = worker_count(1000, 12, 3 * WORKER_MEMORY + 1)
    assert count == 3 and why.endswith("memory available hold 3 at about 600 MB each")
    assert worker_count(4, 12, None) == (4, None)  # memory unknown: as asked
    assert worker_count(4, 12, 0)[0] == 1  # at least one, in this process
    assert worker_count(2, 12, plenty) == (2, None)


def test_the_cap_is_said_in_one_line(tmp_path, monkeypatch, capsys):
    """With memory for one worker the batch runs in this process, and says why."""
    from llm_ssd.cli import parser as cli

    monkeypatch.setattr(workers, "available_memory", lambda: WORKER_MEMORY + 1)
    monkeypatch.setattr("llm_ssd.cli.describe.available_memory", workers.available_memory)
    files = [noise(tmp_path / f"clip{i}.wav", 3, i) for i in range(2)]
    assert cli.main(["describe", *files, "--workers", "1000"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 2
    assert err.splitlines()[0] == (
        "using 1 worker process(es), not 1000: the 0.6 GB of memory available hold 1 at about "
        "600 MB each"
    )


def test_available_memory_is_read_from_the_system():
    """Where Linux says what is free, the estimate is that (or the control group's less)."""
    meminfo = Path("/proc/meminfo")
    if not meminfo.exists():
        return
    total = next(int(line.split()[1]) * 1024 for line in meminfo.read_text().splitlines()
                 if line.startswith("MemTotal:"))  # fmt: skip
    memory = workers.available_memory()
    assert memory is not None and 0 < memory <= total
