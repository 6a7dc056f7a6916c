"""Archives side by side in one run: `llm-ssd describe` on the same generated clips with the
local engine (one worker per CPU) and with Ray on a local instance (`--engine ray`, as many
actors), each writing Parquet: files per second and hours of audio per hour of compute (wall
time × CPUs); and the peak memory of a 100,000-row Parquet write through the same sink
`describe --format parquet` uses, in a fresh interpreter beside the interpreter's own baseline.

The clips are `--seconds` (default 30) of noise of several levels and colours at 16 kHz, in a
temporary folder. Each engine's time includes its start (Ray's is a few seconds), since that is
what a run costs.

    python benchmarks/archive.py [--clips 200] [--seconds 30] [--rows 100000]
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
sys.path.insert(0, str(REPO / "tests"))
from peak_memory import PEAK_MB  # noqa: E402

RATE = 16_000
WRITER = (
    PEAK_MB
    + r"""
import json, sys, time
from datetime import datetime
from llm_ssd.archive import parquet
from llm_ssd.archive.starts import stamp
from llm_ssd.records.rows import csv_columns
from llm_ssd.records.rows import record_template
rows, folder, output = int(sys.argv[1]), sys.argv[2], sys.argv[3]
base = peak_mb()
columns = csv_columns(False) + ["recording_start"]
sink = parquet.ParquetSink(__import__("pathlib").Path(folder), parquet.schema(columns),
                           lambda r: [r])
template = record_template()
t0 = time.perf_counter()
for i in range(rows):
    record = dict(template, source=f"clip{i:06d}.wav", isop=i / rows, warnings=[])
    sink.write(stamp(record, datetime(2024, 1, 1)))
sink.close()
parquet.join(__import__("pathlib").Path(output), sink.folder, sink.schema)
print(json.dumps({"seconds": time.perf_counter() - t0, "base_mb": base, "peak_mb": peak_mb()}))
"""
)


def make_clips(folder: Path, count: int, seconds: float) -> list[str]:
    rng = np.random.default_rng(0)
    paths = []
    for i in range(count):
        white = rng.standard_normal(int(RATE * seconds))
        colour = np.cumsum(white) * 0.01 if i % 2 else white
        colour = colour - colour.mean()
        audio = (0.003 * (1 + i % 7) * colour / colour.std()).astype(np.float32)
        path = folder / f"rec_20240101_{i // 60 % 24:02d}{i % 60:02d}00.wav"
        sf.write(path, audio, RATE)
        paths.append(str(path))
    return paths


def describe(files: list[str], output: Path, engine: str, workers: int) -> float:
    """Wall seconds of one `describe` run into Parquet."""
    cmd = [sys.executable, "-m", "llm_ssd", "describe", *files, "--format", "parquet",
           "--output", str(output), "--engine", engine, "--workers", str(workers)]  # fmt: skip
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def parquet_write(rows: int, folder: Path) -> dict:
    cmd = [sys.executable, "-c", WRITER, str(rows), str(folder / "rows.partial"),
           str(folder / "rows.parquet")]  # fmt: skip
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    cpus = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = make_clips(folder, args.clips, args.seconds)
        hours = args.clips * args.seconds / 3600
        print(f"machine: {cpus} CPUs; {args.clips} clips of {args.seconds:g} s "
              f"({hours:.2f} h of audio)")  # fmt: skip
        print(f"{'engine':<28}{'wall s':>9}{'files/s':>9}{'audio h / compute h':>22}")
        results = {}
        for engine in ("local", "ray"):
            seconds = describe(files, folder / f"{engine}.parquet", engine, cpus)
            results[engine] = seconds
            label = f"{engine} ({cpus} {'workers' if engine == 'local' else 'actors'})"
            print(f"{label:<28}{seconds:>9.1f}{args.clips / seconds:>9.2f}"
                  f"{hours / (seconds * cpus / 3600):>22.1f}")  # fmt: skip
        print(f"ray / local, files per second: {results['local'] / results['ray']:.2f}x")
        memory = parquet_write(args.rows, folder)
        size = (folder / "rows.parquet").stat().st_size / 2**20
        print(f"Parquet write of {args.rows:,} rows: {memory['seconds']:.1f} s, peak RSS "
              f"{memory['peak_mb']:.0f} MB ({memory['peak_mb'] - memory['base_mb']:+.0f} MB over "
              f"the interpreter with the libraries loaded), file {size:.1f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
