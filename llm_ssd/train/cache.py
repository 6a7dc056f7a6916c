"""The feature cache: SoundAQnet's two inputs of every clip, made by the inference pipeline.

One `CACHE/<clip id>.npz` per clip (numpy, no pickle) with `log_mel` (frames, 64) in dB and
`loudness` (steps,) in sone, exactly what `analysis.features` gives `analyze()`. Each file is
written under a temporary name and renamed when complete, so an interrupted run leaves no
half-written clip and the next run does only the clips still missing."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from llm_ssd.audio import checks as audio
from llm_ssd.audio import mel as front_end
from llm_ssd.audio.decode import read_clip
from llm_ssd.loudness import LOUDNESS_SAMPLE_RATE, LOUDNESS_STEP
from llm_ssd.model import threads
from llm_ssd.model.inputs import features
from llm_ssd.model.weights import write_atomic
from llm_ssd.train.labels import DataError, available_splits, read_split

AUDIO_EXTENSIONS: tuple[str, ...] = (".flac", ".wav", ".ogg", ".mp3")
"""Files looked for under the audio directory (ARAUS writes `.wav`, or `.flac` with `-of flac`)."""
CACHE_SUFFIX = ".npz"
SETTINGS_FILE = "features.json"
"""The feature settings a cache was made with; a cache made with others is refused."""
FEATURE_SETTINGS: dict[str, float | int | str] = {
    "log_mel": "power STFT, Slaney mel bank, 10*log10(max(x, floor)) dB",
    "sample_rate": front_end.SAMPLE_RATE,
    "n_fft": front_end.N_FFT,
    "hop_length": front_end.HOP_LENGTH,
    "n_mels": front_end.N_MELS,
    "fmin": front_end.MEL_FMIN,
    "fmax": front_end.MEL_FMAX,
    "log_floor": front_end.LOG_FLOOR,
    "loudness": "ISO 532-1 time-varying, free field, sone",
    "loudness_sample_rate": LOUDNESS_SAMPLE_RATE,
    "loudness_step": LOUDNESS_STEP,
    "pascal_per_unit": audio.PASCAL_PER_UNIT,
}


@dataclass
class FeatureReport:
    """What a feature run did."""

    total: int = 0
    extracted: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    """Clips whose features were already in the cache (not redone)."""
    missing: list[str] = field(default_factory=list)
    """Clips of the label files with no audio file."""
    failed: dict[str, str] = field(default_factory=dict)
    """Clips whose audio could not be read or analysed, with the reason."""

    @property
    def ok(self) -> bool:
        return not self.missing and not self.failed

    def summary(self) -> str:
        """A few lines for the end of a run: counts, then every missing or failed clip."""
        lines = [
            f"{self.total} clips: {len(self.extracted)} extracted, {len(self.cached)} already "
            f"cached, {len(self.missing)} missing, {len(self.failed)} unreadable"
        ]
        lines += [f"missing: {clip} (no audio file)" for clip in self.missing]
        lines += [f"unreadable: {clip}: {reason}" for clip, reason in self.failed.items()]
        return "\n".join(lines)


def cache_file(cache_dir: str | Path, clip_id: str) -> Path:
    return Path(cache_dir) / f"{clip_id}{CACHE_SUFFIX}"


def clip_features(path: str | Path) -> tuple[np.ndarray, np.ndarray, float, int]:
    """(log_mel (frames, 64) dB, loudness (steps,) sone, seconds, sample rate) of a sound file,
    prepared as `analyze()` prepares it (a clip under 2.79 s is looped)."""
    path = Path(path)
    samples, sample_rate = read_clip(path)
    mel, loud, _ = features(samples, sample_rate, "cpu")
    duration = samples.size / sample_rate
    return mel.numpy().astype(np.float32), loud.n.astype(np.float32), duration, sample_rate


def save_features(
    path: Path, log_mel: np.ndarray, loudness: np.ndarray, duration: float, sample_rate: int
) -> None:
    """Write one clip's cache file atomically."""
    arrays = {
        "log_mel": log_mel,
        "loudness": loudness,
        "duration": np.float64(duration),
        "sample_rate": np.int64(sample_rate),
    }
    write_atomic(path, lambda f: np.savez(f, **arrays))


def load_features(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(log_mel (frames, 64), loudness (steps,)) float32 of one cache file."""
    with np.load(path, allow_pickle=False) as npz:
        return npz["log_mel"].astype(np.float32), npz["loudness"].astype(np.float32)


def audio_index(audio_dir: str | Path) -> dict[str, Path]:
    """Clip id (file stem) → sound file, for every audio file under `audio_dir` (any depth,
    so a flat ARAUS folder and one sub-folder per split both work)."""
    audio_dir = Path(audio_dir)
    if not audio_dir.is_dir():
        raise DataError(f"{audio_dir} is not a directory of sound files")
    index: dict[str, Path] = {}
    for root, dirs, files in os.walk(audio_dir):
        dirs.sort()
        for name in sorted(files):
            path = Path(root, name)
            if path.suffix.lower() in AUDIO_EXTENSIONS:
                index.setdefault(path.stem, path)
    return index


def split_clip_ids(labels_dir: str | Path, splits: Iterable[str] | None = None) -> list[str]:
    """The clip ids of the given splits (default: every split present), without repeats."""
    splits = list(splits) if splits else available_splits(labels_dir)
    if not splits:
        raise DataError(f"no split files (*_set_audio_file_ids.txt) in {labels_dir}")
    ids: dict[str, None] = {}
    for split in splits:
        ids.update(dict.fromkeys(read_split(labels_dir, split).ids))
    return list(ids)


def check_settings(cache_dir: Path) -> None:
    """Record the feature settings in a new cache; refuse a cache made with other settings."""
    path = cache_dir / SETTINGS_FILE
    expected = json.loads(json.dumps(FEATURE_SETTINGS))
    if path.exists():
        found = json.loads(path.read_text())
        if found != expected:
            keys = expected.keys() | found.keys()
            diff = sorted(k for k in keys if found.get(k) != expected.get(k))
            raise DataError(
                f"{cache_dir} was made with other feature settings ({', '.join(diff)}); "
                "use a new cache directory"
            )
    else:
        path.write_text(json.dumps(expected, indent=2) + "\n")


def _init_worker(workers: int) -> None:
    """A worker process: its share of the cores (`threads`)."""
    threads.apply(workers)


def _extract_one(clip_id: str, audio_path: str, out_path: str) -> tuple[str, str | None]:
    """Runs in a worker: the features of one clip into the cache, or why not."""
    try:
        save_features(Path(out_path), *clip_features(audio_path))
    except Exception as exc:  # one bad clip must not end a run of thousands
        return clip_id, f"{type(exc).__name__}: {exc}"
    return clip_id, None


def extract_features(
    audio_dir: str | Path,
    labels_dir: str | Path,
    cache_dir: str | Path,
    splits: Iterable[str] | None = None,
    workers: int | None = None,
    progress: bool | None = None,
) -> FeatureReport:
    """Features of every clip of the split files into `cache_dir`, `workers` processes at a
    time (default: one per CPU). Clips already cached are skipped; missing and unreadable clips
    are reported, not fatal. `progress`: None shows the bar on a terminal only."""
    from tqdm import tqdm

    cache_dir = Path(cache_dir)
    ids = split_clip_ids(labels_dir, splits)
    index = audio_index(audio_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    check_settings(cache_dir)
    for stale in cache_dir.glob(f".*{CACHE_SUFFIX}.*"):
        stale.unlink(missing_ok=True)  # left by an interrupted run

    report = FeatureReport(total=len(ids))
    todo = []
    for clip in ids:
        if cache_file(cache_dir, clip).exists():
            report.cached.append(clip)
        elif clip in index:
            todo.append(clip)
        else:
            report.missing.append(clip)
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    disable = None if progress is None else not progress  # None: a bar on a terminal only
    bar = tqdm(total=len(todo), desc="features", unit="clip", disable=disable)
    context = multiprocessing.get_context("spawn")  # no fork of a process with torch threads
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(workers,)
    )
    try:
        jobs = [
            pool.submit(_extract_one, c, str(index[c]), str(cache_file(cache_dir, c))) for c in todo
        ]
        for job in as_completed(jobs):
            clip, error = job.result()
            if error is None:
                report.extracted.append(clip)
            else:
                report.failed[clip] = error
                bar.write(f"unreadable: {clip}: {error}")
            bar.update()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        bar.close()
    pool.shutdown()
    order = {c: i for i, c in enumerate(ids)}
    report.extracted.sort(key=order.__getitem__)
    report.failed = dict(sorted(report.failed.items(), key=lambda kv: order[kv[0]]))
    return report
