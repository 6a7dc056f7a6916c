"""`llm-ssd describe`: batches, formats and failures."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import numpy as np
import soundfile as sf
from fake_openai import FakeOpenAI

from llm_ssd.labels import EVENTS, PAQS


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "llm_ssd", *args]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return subprocess.run(
        cmd, capture_output=True, text=True, check=False, env={**clean, **(env or {})}
    )


def test_describe_reference_clip_as_json(reference_clip, published):
    done = run_cli("describe", str(reference_clip), "--format", "json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["source"] == str(reference_clip)
    assert record["scene"] == published["scene"]
    assert list(record["event_probabilities"]) == list(EVENTS)
    assert list(record["paq"]) == list(PAQS)
    for key in (
        "isop",
        "isoe",
        "loudness_n5",
        "loudness_n10",
        "loudness_nmax",
        "duration",
        "checkpoint",
        "timings",
        "scene_probabilities",
    ):
        assert key in record


def test_csv_has_a_column_for_every_scalar_of_the_json_record(reference_clip):
    from llm_ssd.result import flat_record

    record = json.loads(run_cli("describe", str(reference_clip), "--format", "json").stdout)
    done = run_cli("describe", str(reference_clip), "--format", "csv")
    assert done.returncode == 0, done.stderr
    (row,) = list(csv.DictReader(io.StringIO(done.stdout)))
    flat = flat_record(record)
    assert set(flat) <= set(row), set(flat) - set(row)
    assert float(row["paq.pleasant"]) == record["paq"]["pleasant"]
    assert float(row["timings.total"]) >= 0 and row["error"] == ""
    # every scalar of the nested record, counted independently of flat_record (the windows, a
    # list of records, have rows of their own: --per-window)
    scalars = sum(len(v) if isinstance(v, dict) else 1 for k, v in record.items() if k != "windows")
    assert len(flat) == scalars


def test_bad_file_is_reported_and_skipped(tmp_path):
    good = tmp_path / "good.wav"
    rng = np.random.default_rng(0)
    sf.write(good, (0.05 * rng.standard_normal(16000 * 3)).astype(np.float32), 16000)
    bad = tmp_path / "readme.txt"
    bad.write_text("not a sound\n" * 10)
    out = tmp_path / "out.jsonl"
    done = run_cli("describe", str(bad), str(good), "--output", str(out))
    assert done.returncode != 0
    assert "readme.txt" in done.stderr and "not an audio file" in done.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    records.sort(key=lambda r: r["source"] != str(bad))  # written in the order they finish
    assert [r["source"] for r in records] == [str(bad), str(good)]
    assert "not an audio file" in records[0]["error"]
    assert "error" not in records[1] and records[1]["scene"]


def test_csv_has_one_row_per_file(tmp_path):
    files = []
    for i, seconds in enumerate((3.0, 4.0)):
        path = tmp_path / f"c{i}.flac"
        sf.write(path, np.zeros(int(16000 * seconds), np.float32), 16000)
        files.append(str(path))
    done = run_cli("describe", *files, "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = sorted(csv.DictReader(io.StringIO(done.stdout)), key=lambda r: r["source"])
    assert [r["source"] for r in rows] == files  # written in the order they finish
    assert [float(r["duration"]) for r in rows] == [3.0, 4.0]
    assert all(0 <= float(r["event_probabilities.Silence"]) <= 1 for r in rows)
    assert "caption" not in rows[0]


def noise_clip(tmp_path) -> str:
    path = tmp_path / "noise.wav"
    rng = np.random.default_rng(3)
    sf.write(path, (0.05 * rng.standard_normal(16000 * 3)).astype(np.float32), 16000)
    return str(path)


def test_caption_flag_adds_the_llm_caption_and_its_source(tmp_path):
    with FakeOpenAI(text="In this street, you hear noise. It feels calm.") as server:
        env = {"OPENAI_BASE_URL": server.base_url, "LLM_SSD_MODEL": "fake-model"}
        done = run_cli("describe", noise_clip(tmp_path), "--caption", env=env)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["caption"] == "In this street, you hear noise. It feels calm."
    assert "fake-model" in record["caption_source"] and record["caption_error"] is None


def test_caption_flag_without_a_server_uses_the_offline_template_in_csv(tmp_path):
    done = run_cli("describe", noise_clip(tmp_path), "--caption", "--format", "csv")
    assert done.returncode == 0, done.stderr
    row = next(csv.DictReader(io.StringIO(done.stdout)))
    assert row["caption"].startswith("In this ")
    assert row["caption_source"] == "offline template"


def test_a_wrong_checkpoint_is_said_once_before_any_file(tmp_path):
    done = run_cli("describe", noise_clip(tmp_path), noise_clip(tmp_path), "--checkpoint", "nope")
    assert done.returncode == 1
    assert done.stderr.count("no checkpoint 'nope'") == 1
    assert done.stdout == ""


def test_unwritable_output_is_a_message_not_a_traceback(tmp_path):
    done = run_cli("describe", noise_clip(tmp_path), "--output", str(tmp_path / "no" / "out.csv"))
    assert done.returncode == 1
    assert "cannot write" in done.stderr and "Traceback" not in done.stderr


def test_an_unexpected_failure_costs_only_its_own_file(tmp_path, monkeypatch, capsys):
    from llm_ssd import cli

    good, broken = noise_clip(tmp_path), str(tmp_path / "broken.wav")
    real = cli.describe_one

    def flaky(path, *args):
        if path == broken:
            raise RuntimeError("simulated bug")
        return real(path, *args)

    monkeypatch.setattr(cli, "describe_one", flaky)  # in this process: --workers 1
    assert cli.main(["describe", broken, good, "--workers", "1"]) == 1
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records[0] == {"source": broken, "error": "unexpected RuntimeError: simulated bug"}
    assert records[1]["source"] == good and "error" not in records[1]
