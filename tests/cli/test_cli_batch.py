"""`llm-ssd describe` on many files and long ones (issue 11): worker processes, one row per
window, the ensemble, the length limit's validation, and Ctrl-C."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import soundfile as sf
from cli_run import group_ends, run_cli

from llm_ssd.analysis import analyze
from llm_ssd.env import ENV_THREADS
from llm_ssd.model.weights import CHECKPOINT_SHA256
from llm_ssd.records.rows import flat_record
from llm_ssd.result import Prediction, Window

RATE = 16_000


def noise(path, seconds: float, seed: int) -> str:
    rng = np.random.default_rng(seed)
    sf.write(path, (0.05 * rng.standard_normal(int(RATE * seconds))).astype(np.float32), RATE)
    return str(path)


def without_timings(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "timings"}


@pytest.mark.parametrize("value", ["inf", "nan", "0", "-5", "ten"])
def test_max_duration_must_be_a_positive_finite_number(value):
    done = run_cli("describe", "clip.wav", "--max-duration", value)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"argument --max-duration: {value!r} is not a positive, finite number of seconds" in (
        done.stderr
    )


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_workers_must_be_at_least_one(value):
    done = run_cli("describe", "clip.wav", "--workers", value)
    assert done.returncode == 2 and "is not a whole number of at least 1" in done.stderr


@pytest.mark.slow
def test_the_same_records_in_process_with_one_worker_two_workers_and_one_thread(tmp_path):
    """Issue 18: a file's record is bit-identical however it was made: `analyze()` in this
    process, `--workers 1` (every core on one analysis), `--workers 2` (one core each) and
    `LLM_SSD_THREADS=1`; a bad file costs only its own record."""
    files = [noise(tmp_path / f"clip{i}.wav", 3 + i % 3, i) for i in range(8)]
    bad = tmp_path / "notes.wav"
    bad.write_text("not a sound\n" * 20)
    files.insert(3, str(bad))
    runs = {}
    for name, workers, env in (
        ("one", "1", None),
        ("two", "2", None),
        ("thread", "1", {ENV_THREADS: "1"}),
    ):
        out = tmp_path / f"out-{name}.jsonl"
        done = run_cli("describe", *files, "--workers", workers, "--output", str(out), env=env)
        assert done.returncode == 1 and "notes.wav is not an audio file" in done.stderr
        runs[name] = [json.loads(line) for line in out.read_text().splitlines()]
    one, two, thread = ({r["source"]: without_timings(r) for r in runs[n]} for n in runs)
    assert [r["source"] for r in runs["one"]] == files  # one worker: the files' order
    assert sorted(two) == sorted(files) and two == one  # two: completion order, same records
    assert thread == one
    assert "not an audio file" in two[str(bad)]["error"]
    here = {
        path: without_timings(json.loads(json.dumps({"source": path, **{
            k: v for k, v in analyze(path).to_dict().items() if k != "source"}})))
        for path in files if path != str(bad)
    }  # fmt: skip
    assert here == {path: one[path] for path in here}


def test_per_window_csv_has_a_row_per_window(tmp_path):
    path = noise(tmp_path / "walk.wav", 70.0, 1)
    done = run_cli("describe", path, "--format", "csv", "--per-window")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["window"], r["start"], r["end"]) for r in rows] == [
        ("0", "0.0", "30.0"), ("1", "30.0", "60.0"), ("2", "60.0", "70.0")
    ]  # fmt: skip
    window = flat_record(Window(0.0, 0.0, Prediction.zero(), 0.0).to_dict())
    assert list(rows[0]) == ["source", "error", "window", *window]
    assert all(r["source"] == path for r in rows)


def test_per_window_needs_csv(tmp_path):
    done = run_cli("describe", noise(tmp_path / "a.wav", 3, 0), "--per-window")
    assert done.returncode == 2 and "--per-window needs --format csv" in done.stderr


def test_ensemble_lists_the_four_checkpoints_and_their_agreement(reference_clip):
    done = run_cli("describe", str(reference_clip), "--ensemble")
    assert done.returncode == 0, done.stderr
    ensemble = json.loads(done.stdout)["ensemble"]
    assert ensemble["checkpoints"] == list(CHECKPOINT_SHA256)
    assert ensemble["agreement"] == 4
    assert [c["scene"] for c in ensemble["per_checkpoint"]] == ["park"] * 4
    low, high = ensemble["min"]["paq"], ensemble["max"]["paq"]
    assert all(low[q] <= high[q] for q in low)


def test_ctrl_c_keeps_the_finished_records_and_says_one_line(tmp_path):
    files = [noise(tmp_path / f"clip{i}.wav", 20, i) for i in range(12)]
    out = tmp_path / "out.jsonl"
    partial = tmp_path / "out.jsonl.partial"  # the records go here until the batch ends
    cmd = [sys.executable, "-m", "llm_ssd", "describe", *files, "--workers", "2",
           "--output", str(out)]  # fmt: skip
    process = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    while not (partial.exists() and partial.read_text().count("\n") >= 1):
        assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole group
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    (line,) = [s for s in stderr.splitlines() if s.strip()]
    written = [json.loads(s) for s in partial.read_text().splitlines()]
    assert line == f"interrupted: {len(written)} record(s) kept in {partial}"
    assert not out.exists()
    assert 1 <= len(written) < 12 and all("scene" in r for r in written)
    assert group_ends(process.pid), "a worker process outlived the interrupted command"
