"""Whole recordings side by side in one run: the seconds per minute of audio of a 30-s clip and
of a 60-minute recording with their peak memory (the clip measured before and after the
recording, the mean taken), the ensemble's extra cost, and the throughput
of `llm-ssd describe` with one worker and with one per CPU.

The 30-s clip is ../shared/reference/stimulus_13.flac (44.1 kHz stereo), or 30 s of quiet noise
where ../shared is absent; the recording is that clip's channel mean repeated to the length
(mono FLAC, written a clip at a time), so that both hold the same sound. Each measurement runs
in a fresh interpreter that first analyses the clip once (model loaded, numba kernels compiled
or read from their cache), so that the times are warm and the peak RSS is the process's own.

    python benchmarks/long.py [--minutes 60] [--clips 8] [--repeats 3] [--device cpu]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
CLIP = REPO.parent / "shared" / "reference" / "stimulus_13.flac"
CLIP_SECONDS = 30
RUNNER = """
import json, resource, statistics, sys, time
from llm_ssd.analysis import analyze
path, warm, repeats, device, ensemble = sys.argv[1:]
repeats, ensemble = int(repeats), ensemble == "1"
analyze(warm, device=device)
times, duration = [], 0.0
for _ in range(repeats):
    t0 = time.perf_counter()
    a = analyze(path, device=device, ensemble=ensemble)
    times.append(time.perf_counter() - t0)
    duration = a.duration
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": statistics.median(times), "duration": duration,
                  "windows": len(a.windows), "maxrss_mb": rss}))
"""


def measure(path: Path, warm: Path, repeats: int, device: str, ensemble: bool = False) -> dict:
    """Median seconds of `repeats` analyses of `path`, in a fresh interpreter, and its peak RSS."""
    cmd = [sys.executable, "-c", RUNNER, str(path), str(warm), str(repeats), device,
           "1" if ensemble else "0"]  # fmt: skip
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def make_clip(folder: Path) -> Path:
    """The reference clip, or 30 s of quiet noise at 44.1 kHz where it is absent."""
    if CLIP.exists():
        return CLIP
    path = folder / "noise.flac"
    rng = np.random.default_rng(0)
    sf.write(path, (0.02 * rng.standard_normal(44100 * CLIP_SECONDS)).astype(np.float32), 44100)
    return path


def make_recording(clip: Path, folder: Path, minutes: int) -> Path:
    """The clip's channel mean repeated for `minutes`, as mono 16-bit FLAC."""
    audio, rate = sf.read(str(clip), dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    path = folder / f"recording_{minutes}min.flac"
    with sf.SoundFile(path, "w", rate, 1, "PCM_16") as f:
        for _ in range(round(minutes * 60 / (mono.size / rate))):
            f.write(mono)
    return path


def describe_seconds(files: list[Path], workers: int, device: str) -> float:
    """Wall seconds of `llm-ssd describe` on the files (start-up included)."""
    cmd = [sys.executable, "-m", "llm_ssd", "describe", *map(str, files), "--workers",
           str(workers), "--output", os.devnull]  # fmt: skip
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""} if device == "cpu" else None
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, capture_output=True, check=True, env=env)
    return time.perf_counter() - t0


def per_minute(result: dict) -> float:
    return result["seconds"] / (result["duration"] / 60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60, help="length of the long recording")
    parser.add_argument("--clips", type=int, default=8, help="clips for the describe throughput")
    parser.add_argument("--repeats", type=int, default=3, help="analyses of the 30-s clip")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    import torch

    print(f"machine: {cores} CPUs, torch {torch.__version__}, device {args.device}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clip = make_clip(folder)
        recording = make_recording(clip, folder, args.minutes)
        before = measure(clip, clip, args.repeats, args.device)
        long = measure(recording, clip, 1, args.device)
        after = measure(clip, clip, args.repeats, args.device)  # a busy machine slows both alike
        short = {**before, "seconds": (before["seconds"] + after["seconds"]) / 2,
                 "maxrss_mb": max(before["maxrss_mb"], after["maxrss_mb"])}  # fmt: skip
        ensemble = measure(clip, clip, args.repeats, args.device, ensemble=True)
        print(f"{'':26}{'s per min of audio':>20}{'peak RSS':>12}{'windows':>9}")
        for name, r in ((f"{CLIP_SECONDS}-s clip", short), (f"{args.minutes}-min recording", long)):
            print(f"{name:26}{per_minute(r):>20.2f}{r['maxrss_mb']:>9.0f} MB{r['windows']:>9}")
        print(f"long / short, per minute of audio: {per_minute(long) / per_minute(short):.2f}x")
        extra = ensemble["seconds"] - short["seconds"]
        print(f"ensemble of 4 checkpoints: +{extra:.2f} s per {CLIP_SECONDS}-s clip "
              f"({ensemble['seconds'] / short['seconds']:.1f}x the time of one checkpoint), "
              f"peak RSS {ensemble['maxrss_mb']:.0f} MB")  # fmt: skip
        files = [clip] * args.clips
        one = describe_seconds(files, 1, args.device)
        every = describe_seconds(files, cores, args.device)
        print(f"describe {args.clips} clips: 1 worker {one:.1f} s ({args.clips / one * 60:.1f} "
              f"clips/min), {cores} workers {every:.1f} s ({args.clips / every * 60:.1f} "
              f"clips/min): {one / every:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
