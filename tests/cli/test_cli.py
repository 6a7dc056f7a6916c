"""`llm-ssd describe`: batches, formats and failures."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from cli_run import run_cli
from fake_openai import FakeOpenAI

from llm_ssd.caption.settings import DEFAULT_HF_MODEL
from llm_ssd.labels import EVENTS, PAQS


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


@pytest.mark.slow
def test_csv_has_a_column_for_every_scalar_of_the_json_record(reference_clip):
    from llm_ssd.records.rows import flat_record

    record = json.loads(run_cli("describe", str(reference_clip), "--format", "json").stdout)
    done = run_cli("describe", str(reference_clip), "--format", "csv")
    assert done.returncode == 0, done.stderr
    (row,) = list(csv.DictReader(io.StringIO(done.stdout)))
    flat = flat_record(record)
    assert set(flat) <= set(row), set(flat) - set(row)
    assert float(row["paq.pleasant"]) == record["paq"]["pleasant"]
    assert float(row["timings.total"]) >= 0 and row["error"] == ""
    # every scalar of the nested record, counted independently of flat_record; a list of
    # records (the nearest places, the windows: --per-window) has no column
    scalars = sum(
        len(v)
        if isinstance(v, dict)
        else 0
        if isinstance(v, list) and v and isinstance(v[0], dict)
        else 1
        for v in record.values()
    )
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
    from llm_ssd.cli import describe, main

    good, broken = noise_clip(tmp_path), str(tmp_path / "broken.wav")
    real = describe.describe_one

    def flaky(path, *args):
        if path == broken:
            raise RuntimeError("simulated bug")
        return real(path, *args)

    monkeypatch.setattr(describe, "describe_one", flaky)  # in this process: --workers 1
    assert main(["describe", broken, good, "--workers", "1"]) == 1
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records[0] == {"source": broken, "error": "unexpected RuntimeError: simulated bug"}
    assert records[1]["source"] == good and "error" not in records[1]


def test_caption_through_the_hugging_face_router_with_the_server_token(reference_clip, tmp_path):
    """Issue 14, acceptance 1: HF_TOKEN and no OpenAI settings: the router writes the caption
    with the token as the bearer, and the token is in no output."""
    token = "hf_PLANTED5a6b7c8d9e0f1a2b"
    out = tmp_path / "records.jsonl"
    with FakeOpenAI(text="In this park, you hear birds. It feels calm.") as router:
        env = {"HF_TOKEN": token, "LLM_SSD_HF_BASE_URL": router.base_url}
        done = run_cli("describe", str(reference_clip), "--caption", "--output", str(out), env=env)
    assert done.returncode == 0, done.stderr
    record = json.loads(out.read_text())
    assert record["caption"] == router.text and record["caption_error"] is None
    assert record["caption_source"] == (
        f"Hugging Face router, model {DEFAULT_HF_MODEL}, the server's token"
    )
    (request,) = router.requests
    assert request["headers"]["authorization"] == f"Bearer {token}"
    assert request["body"]["model"] == DEFAULT_HF_MODEL
    for output in (done.stdout, done.stderr, out.read_text()):
        assert token not in output and token[3:15] not in output


def test_caption_language_without_an_llm_gives_the_offline_caption_in_it(reference_clip):
    """Issue 14, acceptance 4: `--language German` with no LLM configured."""
    done = run_cli("describe", str(reference_clip), "--caption", "--language", "German")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["caption"] == (
        "In diesem Park hört man Stimmen und Vögel, vielleicht auch Fahrzeuge. "
        "Es wirkt angenehm, ruhig und eher lebendig."
    )
    assert record["caption_source"] == "offline template" and record["caption_error"] is None


def test_caption_language_from_the_environment(tmp_path):
    done = run_cli("describe", noise_clip(tmp_path), "--caption", env={"LLM_SSD_LANGUAGE": "fr"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["caption"].startswith(("Dans ", "Sur "))


def test_an_output_that_is_an_input_is_refused_and_left_intact(tmp_path):
    clip = noise_clip(tmp_path)
    before = Path(clip).read_bytes()
    alias = tmp_path / "alias.wav"
    os.link(clip, alias)
    for output in (clip, str(tmp_path / "." / "noise.wav"), str(alias)):
        done = run_cli("describe", clip, "--output", output)
        assert done.returncode == 1
        assert f"--output {output} would overwrite the input {clip}" in done.stderr
        assert "Traceback" not in done.stderr
    assert Path(clip).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alias.wav", "noise.wav"]


def test_records_replace_an_earlier_output_only_when_the_run_ends(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("earlier results\n")
    done = run_cli("describe", noise_clip(tmp_path), noise_clip(tmp_path), "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["scene"] for line in out.read_text().splitlines()]
    assert len(out.read_text().splitlines()) == 2
    assert not (tmp_path / "out.jsonl.partial").exists()


def test_an_earlier_partial_file_is_never_overwritten(tmp_path):
    partial = tmp_path / "out.csv.partial"
    partial.write_text("records of an interrupted run\n")
    done = run_cli("describe", noise_clip(tmp_path), "--output", str(tmp_path / "out.csv"))
    assert done.returncode == 1
    assert f"{partial} holds the records of an earlier, interrupted run" in done.stderr
    assert partial.read_text() == "records of an interrupted run\n"


def test_ctrl_c_keeps_the_finished_records_and_says_where(tmp_path):
    out, partial = tmp_path / "out.jsonl", tmp_path / "out.jsonl.partial"
    out.write_text("earlier results\n")
    clips = [noise_clip(tmp_path)] * 3
    with FakeOpenAI(chunks=8, chunk_delay=0.5) as server:  # 4 s per caption
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        env["OPENAI_BASE_URL"] = server.base_url
        cmd = [sys.executable, "-m", "llm_ssd", "describe", *clips, "--caption", "--workers", "1"]
        process = subprocess.Popen(  # one worker: the records come 4 s apart, never two at once
            [*cmd, "--output", str(out)], env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (partial.exists() and partial.read_text()):
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr.strip().splitlines()[-1] == f"interrupted: 1 record(s) kept in {partial}"
    assert "Traceback" not in stderr
    (record,) = [json.loads(line) for line in partial.read_text().splitlines()]
    assert record["caption"] == server.text and record["source"] == clips[0]
    assert out.read_text() == "earlier results\n"


def test_a_caption_setting_out_of_bounds_is_a_usage_error(tmp_path):
    done = run_cli("describe", noise_clip(tmp_path), "--caption", env={"LLM_SSD_MODEL": "m" * 200})
    assert done.returncode == 1
    assert "error: The model name must be 1 to 128 characters" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_only_the_command_line_says_its_flag_raises_the_length_limit(tmp_path):
    """Issue 25, case 20: the library's (and the app's) refusal says to trim the clip; the
    command line's adds the flag that only it has."""
    from llm_ssd.cli.describe import DescribeOptions, describe_safely

    clip = tmp_path / "walk.wav"
    sf.write(clip, np.zeros(16000 * 4, np.float32), 16000)
    error = describe_safely(str(clip), DescribeOptions(None, max_duration=2.0))["error"]
    assert error.startswith("walk.wav is 0:04 long; the limit is 0:02 (m:ss). Trim it")
    assert error.endswith("Or raise the limit with --max-duration (seconds).")


def test_a_fifo_in_a_batch_is_refused_and_the_batch_ends(tmp_path):
    """Issue 25, case 12: a FIFO (a never-ending input) no longer hangs the batch."""
    fifo = tmp_path / "stream.wav"
    os.mkfifo(fifo)
    cmd = [sys.executable, "-m", "llm_ssd", "describe", str(fifo), "--workers", "1"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1
    assert f"error: {fifo}: {fifo} is not a regular file (a pipe, device or socket)" in done.stderr
    assert json.loads(done.stdout)["error"].startswith(f"{fifo} is not a regular file")
