"""Decoding in bounded memory (issue 10): the header decides the work, blocks are downmixed and
resampled as they are read, ffmpeg streams through a pipe, cut-short files are said."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
import soundfile as sf
from app_server import ROOT
from peak_memory import PEAK_MB

from llm_ssd.audio.checks import AudioError
from llm_ssd.audio.decode import MAX_SAMPLE_RATE, WORK_RATE, load_audio, open_audio

TRACED_BOUND = 24 * 2**20
"""Bytes numpy may hold at once while a stream is read: a few 1-MB blocks, whatever the length."""
MEASURE = (
    PEAK_MB
    + """
import json, os, sys, time, tracemalloc
from llm_ssd.audio.decode import open_audio
tracemalloc.start()
t0 = time.perf_counter()
result = {"samples": 0}
try:
    stream = open_audio(sys.argv[1], float(sys.argv[2]))
    for block in stream.blocks():
        result["samples"] += block.size
    result["rate"], result["warnings"] = stream.rate, stream.warnings
except Exception as exc:
    result["error"] = str(exc)
try:
    os.waitpid(-1, os.WNOHANG)
    result["children_left"] = True
except ChildProcessError:
    result["children_left"] = False
result["seconds"] = time.perf_counter() - t0
result["traced_peak"] = tracemalloc.get_traced_memory()[1]
result["maxrss_mb"] = peak_mb()
print(json.dumps(result))
"""
)


def measure(path: Path, tmp_path: Path, max_duration: float = 3600.0) -> dict:
    """Decode `path` in a fresh interpreter whose temporary folder is an empty one of ours;
    what it decoded, its peak memory, and that it left no file in that folder."""
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    cmd = [sys.executable, "-c", MEASURE, str(path), str(max_duration)]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    assert list(temp.iterdir()) == [], "decoding left files in the temporary folder"
    return result


def ffmpeg(*args: str) -> None:
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", *args], check=True)


def silence_flac(path: Path, rate: int, channels: int, seconds: int) -> Path:
    """A FLAC of silence, written a second at a time."""
    with sf.SoundFile(path, "w", rate, channels, "PCM_16") as f:
        second = np.zeros((rate, channels), np.int16)
        for _ in range(seconds):
            f.write(second)
    return path


def test_a_rate_above_the_limit_is_refused_from_the_header(tmp_path):
    path = silence_flac(tmp_path / "bomb.flac", 655_350, 2, 2)
    result = measure(path, tmp_path)
    assert result["error"].startswith(
        f"bomb.flac has a sample rate of 655350 Hz; at most {MAX_SAMPLE_RATE} Hz is accepted."
    )
    assert result["samples"] == 0 and result["traced_peak"] < TRACED_BOUND


def test_the_highest_rate_decodes_block_by_block_at_48_khz(tmp_path):
    """Two minutes of 192 kHz stereo are 184 MB as float32; read, downmixed and resampled a
    block at a time they never are in memory at once."""
    path = silence_flac(tmp_path / "high.flac", MAX_SAMPLE_RATE, 2, 120)
    result = measure(path, tmp_path)
    assert "error" not in result and result["rate"] == WORK_RATE
    assert result["samples"] == 120 * WORK_RATE
    assert result["traced_peak"] < TRACED_BOUND, result


def test_ffmpeg_refuses_a_rate_above_the_limit_from_the_header(tmp_path):
    path = tmp_path / "surround.mka"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=384000:cl=7.1", "-t", "2", "-c:a", "flac", str(path))
    result = measure(path, tmp_path)
    assert result["error"].startswith("surround.mka has a sample rate of 384000 Hz; at most")
    assert not result["children_left"]


def test_ffmpeg_streams_through_a_pipe_in_bounded_memory(tmp_path):
    """7.1 at 96 kHz: ffmpeg downmixes and resamples; nothing is written to disk and the
    length is counted from the samples."""
    path = tmp_path / "surround.mka"
    ffmpeg("-f", "lavfi", "-i", "sine=f=440:r=96000", "-af", "pan=7.1|c0=c0|c1=c0|c2=c0|c3=c0"
           "|c4=c0|c5=c0|c6=c0|c7=c0", "-t", "60", "-c:a", "flac", str(path))  # fmt: skip
    result = measure(path, tmp_path)
    assert "error" not in result and result["rate"] == WORK_RATE
    assert abs(result["samples"] - 60 * WORK_RATE) < WORK_RATE // 100
    assert result["traced_peak"] < TRACED_BOUND, result
    assert not result["children_left"]


def test_ffmpeg_is_stopped_once_past_the_limit_without_a_declared_duration(tmp_path):
    """A webm streamed by a browser declares no duration: the decoded samples are counted,
    and ffmpeg is stopped at the limit, not run to the end."""
    wav = tmp_path / "long.wav"
    sf.write(wav, np.zeros(16000 * 600, np.int16), 16000)
    path = tmp_path / "recording.webm"
    with open(path, "wb") as out:
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(wav), "-c:a", "libopus",
               "-f", "webm", "-"]  # fmt: skip
        subprocess.run(cmd, stdout=out, check=True)
    result = measure(path, tmp_path, max_duration=5.0)
    assert result["error"].startswith("recording.webm is longer than 0:05 (m:ss), the limit.")
    assert result["samples"] <= 6 * WORK_RATE and not result["children_left"]


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_a_cut_short_file_decodes_its_part_with_a_warning(tmp_path, suffix):
    whole = tmp_path / f"whole{suffix}"
    sf.write(whole, (0.1 * np.random.default_rng(0).standard_normal(16000 * 20)), 16000)
    data = whole.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[: len(data) // 3])
    stream = open_audio(cut)
    decoded = sum(block.size for block in stream.blocks()) / stream.rate
    assert 4.0 < decoded < 8.0
    (warning, *_) = stream.warnings
    assert warning.startswith(f"cut{suffix} decoded to {decoded:.1f} s of audio, but its header ")
    assert "says 20.0 s: the file seems cut short" in warning


def test_a_whole_file_has_no_warning(tmp_path):
    path = tmp_path / "whole.flac"
    sf.write(path, np.zeros(16000 * 3, np.float32), 16000)
    stream = open_audio(path)
    assert sum(b.size for b in stream.blocks()) == 16000 * 3 and stream.warnings == []


def test_a_symlink_loop_is_said_as_such(tmp_path):
    a, b = tmp_path / "a.wav", tmp_path / "b.wav"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(AudioError, match=r"a\.wav: its symbolic links form a loop"):
        load_audio(a)


def test_a_dangling_symlink_is_no_such_file(tmp_path):
    link = tmp_path / "gone.wav"
    link.symlink_to(tmp_path / "deleted.wav")
    with pytest.raises(AudioError, match="no such file"):
        load_audio(link)


def test_ffmpeg_averages_the_channels_like_libsndfile(tmp_path):
    rng = np.random.default_rng(5)
    stereo = (0.2 * rng.standard_normal((48000 * 2, 2))).astype(np.float32)
    wav = tmp_path / "two.wav"
    sf.write(wav, stereo, 48000, subtype="FLOAT")
    mka = tmp_path / "two.mka"
    ffmpeg("-i", str(wav), "-c:a", "pcm_f32le", str(mka))
    decoded, rate = load_audio(mka)
    assert rate == 48000
    np.testing.assert_allclose(decoded, stereo.mean(axis=1), atol=1e-6)


def test_the_analysis_carries_the_cut_short_warning(tmp_path):
    from llm_ssd.analysis import analyze

    whole = tmp_path / "whole.flac"
    sf.write(whole, (0.1 * np.random.default_rng(1).standard_normal(16000 * 12)), 16000)
    cut = tmp_path / "cut.flac"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    (warning,) = analyze(cut).warnings
    assert "its header says 12.0 s: the file seems cut short" in warning


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    """Issue 25, case 12: opening a FIFO waits for a writer and reading it may never end."""
    fifo = tmp_path / "live.wav"
    os.mkfifo(fifo)
    with pytest.raises(AudioError, match=r"live\.wav is not a regular file \(a pipe, device"):
        load_audio(fifo)
    with pytest.raises(AudioError, match="is not a regular file"):
        load_audio("/dev/zero")  # a device that never ends
