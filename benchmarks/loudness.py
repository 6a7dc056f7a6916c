"""Our ISO 532-1 time-varying loudness against mosqito 1.2.1, side by side in one process.

The clip is ../shared/reference/stimulus_13.flac (30 s, 44.1 kHz stereo): channel mean, the
authors' calibration, resampled to 48 kHz with soxr (librosa "soxr_hq"). Both implementations
get a warm-up call first; the first call of ours (numba compile, or loading its cache) is
reported on its own line. Repetitions alternate between the two so that a busy machine slows
both alike; medians are compared. A second comparison times the whole `analyze()` of the clip
with our loudness and with mosqito's patched in. The last line is the loudness speed-up.

    python benchmarks/loudness.py [--repeats 7] [--mosqito-repeats 3] [--analyze-repeats 3]
                                  [--analyze-mosqito-repeats 1] [--no-analyze]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CLIP = SHARED / "reference" / "stimulus_13.flac"
AUTHORS_LOUDNESS = SHARED / "reference" / "stimulus_13_loudness.npy"
WARM_UP_SECONDS = 1.0

sys.path[:0] = [str(REPO), str(REPO / "tests")]

from mosqito_reference import loudness_zwtv_mosqito  # noqa: E402

from llm_ssd import loudness  # noqa: E402
from llm_ssd.audio.checks import PASCAL_PER_UNIT  # noqa: E402
from llm_ssd.loudness import kernels, pipeline  # noqa: E402
from llm_ssd.model import threads  # noqa: E402


def load_clip() -> tuple[np.ndarray, int, np.ndarray]:
    """The clip as decoded (mono, its own rate) and calibrated at 48 kHz, in pascal."""
    import librosa
    import soundfile as sf

    audio, rate = sf.read(str(CLIP), dtype="float64", always_2d=True)
    mono = audio.mean(axis=1)
    pascal = librosa.resample(
        mono * PASCAL_PER_UNIT,
        orig_sr=rate,
        target_sr=loudness.LOUDNESS_SAMPLE_RATE,
        res_type="soxr_hq",
    )
    return mono, rate, pascal


def timed(func: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def alternate(
    first: Callable[[], object], n_first: int, second: Callable[[], object], n_second: int
) -> tuple[list[float], list[float], object, object]:
    """Run both n times, interleaved; their times and last results."""
    times: tuple[list[float], list[float]] = ([], [])
    results: list[object] = [None, None]
    slots = sorted(
        [(i / n_first, 0) for i in range(n_first)] + [(i / n_second, 1) for i in range(n_second)]
    )
    for _, which in slots:
        seconds, results[which] = timed((first, second)[which])
        times[which].append(seconds)
    return times[0], times[1], results[0], results[1]


def compile_report() -> str:
    """How the numba kernels got their machine code in this process."""
    hits = misses = 0
    for value in vars(kernels).values():
        stats = getattr(value, "stats", None)
        if stats is not None and hasattr(stats, "cache_hits"):
            hits += sum(stats.cache_hits.values())
            misses += sum(stats.cache_misses.values())
    if misses:
        return f"compiled {misses} kernel signature(s)"
    return f"loaded {hits} kernel signature(s) from numba's cache"


def cold_compile_seconds() -> str:
    """First call of ours in a fresh process with an empty numba cache: the compile time."""
    code = (
        "import time; import numpy as np; from llm_ssd import loudness as L; "
        "t = time.perf_counter(); L.loudness_zwtv(np.zeros(48000), 48000); "
        "print(time.perf_counter() - t)"
    )
    with tempfile.TemporaryDirectory() as cache_dir:
        done = subprocess.run(
            [sys.executable, "-c", code],
            check=False,
            cwd=REPO,
            env={**os.environ, "NUMBA_CACHE_DIR": cache_dir},
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        return f"failed: {done.stderr.strip().splitlines()[-1:]}"
    return f"{float(done.stdout):.2f} s"


@contextlib.contextmanager
def mosqito_pipeline() -> Iterator[None]:
    """analyze() with mosqito's loudness: features() looks `loudness_zwtv` up in its module."""
    from llm_ssd.model import inputs as stage

    original = stage.loudness_zwtv
    stage.loudness_zwtv = loudness_zwtv_mosqito
    try:
        yield
    finally:
        stage.loudness_zwtv = original


def analyze_line(mono: np.ndarray, rate: int, repeats: int, mosqito_repeats: int) -> str:
    """Whole analyze() of the clip, ours against the mosqito pipeline."""
    try:
        from llm_ssd.analysis import analyze
    except ImportError as error:
        return f"analyze(): skipped: llm_ssd.analysis.analyze is not importable ({error})"
    samples = mono.astype(np.float32)
    try:
        analyze(samples[: 5 * rate], rate)  # loads the model
    except Exception as error:  # the pipeline's own failure, e.g. no weights
        return f"analyze(): skipped: {type(error).__name__}: {error}"

    def with_mosqito() -> object:
        with mosqito_pipeline():
            return analyze(samples, rate)

    ours, theirs, ours_result, theirs_result = alternate(
        lambda: analyze(samples, rate), repeats, with_mosqito, mosqito_repeats
    )
    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    deviation = float(np.max(np.abs(ours_result.loudness - theirs_result.loudness)))
    return (
        f"analyze() of the 30 s clip: {ours_s:.2f} s with our loudness, {theirs_s:.2f} s with "
        f"mosqito's ({theirs_s / ours_s:.1f}x; medians of {len(ours)} and {len(theirs)}; "
        f"loudness max |diff| {deviation:.2g} sone)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs of ours")
    parser.add_argument("--mosqito-repeats", type=int, default=3, help="timed runs of mosqito")
    parser.add_argument("--analyze-repeats", type=int, default=3)
    parser.add_argument("--analyze-mosqito-repeats", type=int, default=1)
    parser.add_argument("--no-analyze", action="store_true", help="skip the analyze() line")
    args = parser.parse_args()
    if not CLIP.exists():
        sys.exit(f"{CLIP} is missing: the benchmark needs ../shared beside the repository")

    threads.fit()  # one analysis at a time: every core
    mono, rate, pascal = load_clip()
    fs = loudness.LOUDNESS_SAMPLE_RATE
    print(f"clip: {CLIP.name}, {pascal.size / fs:.1f} s at {fs} Hz; {pipeline.threads()} thread(s)")

    warm = pascal[: int(WARM_UP_SECONDS * fs)]
    first_s, _ = timed(lambda: loudness.loudness_zwtv(warm, fs))
    cold = cold_compile_seconds()
    print(
        f"not counted: numba compile (fresh process, empty cache) {cold}; "
        f"first call here ({compile_report()}) {first_s:.2f} s"
    )
    loudness.loudness_zwtv(pascal, fs)
    loudness_zwtv_mosqito(warm, fs)

    ours, theirs, ours_result, theirs_result = alternate(
        lambda: loudness.loudness_zwtv(pascal, fs),
        args.repeats,
        lambda: loudness_zwtv_mosqito(pascal, fs),
        args.mosqito_repeats,
    )
    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    for name, times in (("ours", ours), ("mosqito", theirs)):
        median = statistics.median(times)
        print(
            f"{name + ':':8s} median {median:8.3f} s of {len(times)} (fastest {min(times):.3f} s)"
        )
    diff = np.abs(ours_result.n - theirs_result.n)
    line = f"max |ours - mosqito| = {diff.max():.3g} sone over {diff.size} steps"
    if AUTHORS_LOUDNESS.exists():
        with warnings.catch_warnings():  # the file was written by Python 2's numpy
            warnings.simplefilter("ignore")
            authors = np.load(AUTHORS_LOUDNESS).ravel()
        steps = min(authors.size, ours_result.n.size)
        authors_diff = np.abs(ours_result.n[:steps] - authors[:steps]).max()
        line += f"; max |ours - authors| = {authors_diff:.3g}"
    print(line)
    if args.no_analyze:
        print("analyze(): skipped: --no-analyze")
    else:
        print(analyze_line(mono, rate, args.analyze_repeats, args.analyze_mosqito_repeats))
    print(f"speedup vs mosqito: {theirs_s / ours_s:.1f}x")


if __name__ == "__main__":
    main()
