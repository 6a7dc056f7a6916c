"""`llm-ssd describe` for archives (issue 24): a batch killed halfway and resumed keeps every
finished row once, in Parquet that DuckDB and pandas read; the Ray engine gives the local
engine's rows; JSON Lines and CSV resume too; recording start times reach the windows; the
diary of a generated day follows its files' scenes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pyarrow.parquet as pq
import pytest
import soundfile as sf
from app_server import ROOT
from cli_run import run_cli

from llm_ssd.audio.checks import NETWORK_MIN_DURATION
from llm_ssd.cli.parser import main
from llm_ssd.records.files import partial_path

RATE = 16_000
SECONDS = round(NETWORK_MIN_DURATION + 0.01, 2)
"""The network's shortest clip: nothing looped, nothing to spare."""
BATCH = 40
RAY_CLIPS = 12
EXAMPLES = ROOT / "examples"
DEADLINE = 600.0
"""Seconds a batch may take on a busy 2-core machine before the test gives up."""


def noise(path, seed: int) -> str:
    rng = np.random.default_rng(seed)
    level = 0.01 * (1 + seed % 5)
    sf.write(path, (level * rng.standard_normal(int(RATE * SECONDS))).astype(np.float32), RATE)
    return str(path)


def kept(output) -> int:
    """Records kept so far in a Parquet run's folder (pending lines and part rows)."""
    folder = partial_path(output)
    pending = folder / "pending.jsonl"
    lines = pending.read_text().count("\n") if pending.exists() else 0
    return lines + sum(pq.read_metadata(p).num_rows for p in folder.glob("part-*.parquet"))


def describe_here(capsys, *args: str) -> tuple[int, str]:
    """`llm-ssd ARGS` in this process (the model loaded once for all): status and stderr."""
    capsys.readouterr()
    status = main(list(args))
    return status, capsys.readouterr().err


def without_timings(rows: list[dict]) -> dict:
    return {r["source"]: {k: v for k, v in r.items() if not k.startswith("timings.")} for r in rows}


@pytest.fixture(scope="module")
def resumed(tmp_path_factory):
    """40 clips described into Parquet, killed (SIGKILL) halfway, then resumed."""
    folder = tmp_path_factory.mktemp("archive")
    files = [noise(folder / f"clip{i:02d}.wav", i) for i in range(BATCH)]
    out = folder / "out.parquet"
    cmd = [sys.executable, "-m", "llm_ssd", "describe", *files, "--format", "parquet",
           "--output", str(out), "--resume", "--workers", "2"]  # fmt: skip
    process = subprocess.Popen(cmd, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + DEADLINE
    while kept(out) < BATCH // 2:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # no chance to tidy up
    process.wait(60)
    before = kept(out)
    assert not out.exists() and before < BATCH
    done = run_cli(*cmd[3:])
    assert done.returncode == 0, done.stderr
    return files, out, before, done.stderr


def test_a_killed_batch_resumed_has_every_row_once(resumed):
    """Acceptance 1: 40 rows, none twice, in one Parquet file that DuckDB and pandas read."""
    import duckdb
    import pandas as pd
    import polars as pl

    files, out, before, stderr = resumed
    assert f"resuming: {before} of {BATCH} files are done already" in stderr
    frame = pd.read_parquet(out)
    assert sorted(frame["source"]) == sorted(files) and frame["source"].is_unique
    count, unique = duckdb.sql(
        f"select count(*), count(distinct source) from read_parquet('{out}')"
    ).fetchall()[0]
    assert (count, unique) == (BATCH, BATCH)
    assert pl.read_parquet(out).height == BATCH
    assert frame["error"].isna().all() and not partial_path(out).exists()
    assert str(frame["isop"].dtype) == "float64" and str(frame["source_size"].dtype) == "int64"
    assert frame["calibration"].str.startswith("paper:").all()


def test_resuming_a_finished_batch_describes_nothing(resumed, capsys):
    files, out, _, _ = resumed
    rows = pq.read_table(out).to_pylist()
    args = ("describe", *files, "--format", "parquet", "--output", str(out), "--resume")
    status, stderr = describe_here(capsys, *args)
    assert status == 0 and f"resuming: {BATCH} of {BATCH} files are done already" in stderr
    assert pq.read_table(out).to_pylist() == rows


def test_the_ray_engine_gives_the_local_engines_rows(resumed, tmp_path):
    """Acceptance 2: --engine ray on 12 clips: the rows of the local engine, bit for bit."""
    pytest.importorskip("ray", reason="Ray is an optional extra: pip install llm-ssd[ray]")
    files, out, _, _ = resumed
    ray_out = tmp_path / "ray.parquet"
    done = run_cli("describe", *files[:RAY_CLIPS], "--engine", "ray", "--workers", "2",
                   "--format", "parquet", "--output", str(ray_out), "--resume")  # fmt: skip
    assert done.returncode == 0, done.stderr
    local = without_timings(pq.read_table(out).to_pylist())
    ray = without_timings(pq.read_table(ray_out).to_pylist())
    assert sorted(ray) == sorted(files[:RAY_CLIPS])
    assert ray == {path: local[path] for path in ray}


def test_json_and_csv_resume_keep_earlier_records_and_add_the_rest(resumed, tmp_path, capsys):
    files = resumed[0][:3]
    for fmt in ("json", "csv"):
        out = tmp_path / f"out.{fmt}"
        args = ("describe", "--format", fmt, "--output", str(out), "--resume", "--workers", "1")
        assert describe_here(capsys, *args, *files[:2])[0] == 0
        earlier = out.read_text()
        with open(out, "a") as f:
            f.write('{"source": "cut sho' if fmt == "json" else "cut,short")  # a kill mid-line
        status, stderr = describe_here(capsys, *args, *files)
        assert status == 0, stderr
        assert "resuming: 2 of 3 files are done already" in stderr
        text = out.read_text()
        assert text.startswith(earlier) and "cut" not in text
        assert len(text.splitlines()) == len(earlier.splitlines()) + 1
    record = json.loads((tmp_path / "out.json").read_text().splitlines()[-1])
    assert record["source"] == files[2] and record["source_size"] == os.path.getsize(files[2])


def test_a_changed_file_is_described_again_and_its_old_row_replaced(tmp_path, capsys):
    files = [noise(tmp_path / f"c{i}.wav", i) for i in range(2)]
    out = tmp_path / "out.parquet"
    args = ("describe", *files, "--format", "parquet", "--output", str(out), "--resume",
            "--workers", "1")  # fmt: skip
    assert describe_here(capsys, *args)[0] == 0
    noise(files[1], 7)  # recorded over: another size or time
    os.utime(files[1], ns=(1, 1))
    status, stderr = describe_here(capsys, *args)
    assert status == 0 and "resuming: 1 of 2 files are done already" in stderr
    rows = pq.read_table(out).to_pylist()
    assert sorted(r["source"] for r in rows) == sorted(files)
    assert [r["source_mtime_ns"] for r in rows if r["source"] == files[1]] == [1]


def test_a_parquet_output_needs_a_file_and_a_stale_partial_is_named(tmp_path, capsys):
    status, stderr = describe_here(capsys, "describe", "a.wav", "--format", "parquet")
    assert status == 1 and "give --output FILE" in stderr
    partial_path(tmp_path / "o.parquet").mkdir()
    out = str(tmp_path / "o.parquet")
    status, stderr = describe_here(
        capsys, "describe", "a.wav", "--format", "parquet", "--output", out
    )
    assert status == 1 and "add --resume to go on from it" in stderr


def test_a_diary_of_a_generated_day_follows_its_files_scenes(tmp_path, capsys):
    """Acceptance 4: hourly files of a park and a street; the diary's hours name them."""
    park, park_rate = sf.read(EXAMPLES / "real_birds.flac", dtype="float32")
    street, street_rate = sf.read(EXAMPLES / "street_traffic.flac", dtype="float32")
    street = street.mean(axis=1) if street.ndim > 1 else street
    plan = {h: "park" if h in (4, 8, 20) else "street_traffic" for h in range(0, 24, 4)}
    for hour, scene in plan.items():
        audio, rate = (park, park_rate) if scene == "park" else (street, street_rate)
        sf.write(tmp_path / f"SITE1_20260301_{hour:02d}0000.flac", audio[: int(SECONDS * rate)],
                 rate)  # fmt: skip
    files = sorted(str(p) for p in tmp_path.glob("*.flac"))
    out = tmp_path / "day.parquet"
    status, stderr = describe_here(capsys, "describe", *files, "--format", "parquet",
                                   "--per-window", "--output", str(out), "--start-pattern",
                                   "%Y%m%d_%H%M%S", "--workers", "1")  # fmt: skip
    assert status == 0, stderr
    status, stderr = describe_here(capsys, "diary", str(out), "--output", str(tmp_path / "d"))
    assert status == 0, stderr
    import pandas as pd

    hours = pd.read_csv(tmp_path / "d.hours.csv")
    assert dict(zip(hours["hour"], hours["scene"], strict=True)) == plan
    park_isop = hours[hours["scene"] == "park"]["isop"].mean()
    assert park_isop > hours[hours["scene"] == "street_traffic"]["isop"].mean()
    for name in ("d.days.csv", "d.day.png", "d.circumplex.png"):
        assert (tmp_path / name).stat().st_size > 0
    times = pq.read_table(out, columns=["start_time"]).column(0).to_pylist()
    assert sorted(t.hour for t in times) == sorted(plan)
