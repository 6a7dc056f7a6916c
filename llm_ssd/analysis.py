"""The result of analysing one clip: SoundAQnet's predictions plus the features behind them."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .audio import (
    MAX_DURATION,
    NETWORK_MIN_DURATION,
    SAMPLE_RATE,
    AudioError,
    check_audio,
    log_mel_spectrogram,
    loop_to_min_duration,
    read_clip,
    resample,
    to_pascal,
)
from .labels import EVENTS, PAQS, SCENES
from .loudness import LOUDNESS_STEP, Loudness, LoudnessRangeError, loudness_zwtv
from .model import SoundAQnet
from .weights import load_checkpoint, load_norm_stats, norm_stats_path, resolve_checkpoint


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything the app, the caption and the CLI need to know about one clip."""

    scene_probabilities: dict[str, float]
    """Softmax over `labels.SCENES`."""
    event_probabilities: dict[str, float]
    """Sigmoid of each of the 15 `labels.EVENTS` (multi-label)."""
    isop: float
    """ISO Pleasantness, about -1..+1."""
    isoe: float
    """ISO Eventfulness, about -1..+1."""
    paq: dict[str, float]
    """The 8 perceived affective qualities of `labels.PAQS`, Likert 1..5."""
    log_mel: np.ndarray
    """(frames, 64) log-mel in dB before normalisation, 100 frames per second."""
    loudness: np.ndarray
    """(steps,) ISO 532-1 time-varying loudness in sone, one value every 2 ms."""
    n5: float
    """Loudness exceeded 5 % of the time, sone."""
    n10: float
    """Loudness exceeded 10 % of the time, sone."""
    nmax: float
    """Maximum loudness, sone."""
    duration: float
    """Seconds of audio analysed (before any padding)."""
    sample_rate: int
    """Sample rate of the decoded input."""
    checkpoint: str
    """File name of the checkpoint that made the predictions."""
    source: str = "array"
    """Where the audio came from (a file name, or "array")."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each stage."""
    warnings: tuple[str, ...] = ()
    """Things the user should know about the result (e.g. a short clip was padded)."""

    @property
    def scene(self) -> str:
        """The most probable scene."""
        return max(self.scene_probabilities, key=self.scene_probabilities.__getitem__)

    def to_dict(self, arrays: bool = False) -> dict[str, Any]:
        """JSON-ready values; the feature arrays only when `arrays` is set."""
        out: dict[str, Any] = {
            "source": self.source,
            "checkpoint": self.checkpoint,
            "duration": round(self.duration, 3),
            "sample_rate": self.sample_rate,
            "scene": self.scene,
            "scene_probabilities": {k: float(self.scene_probabilities[k]) for k in SCENES},
            "event_probabilities": {k: float(self.event_probabilities[k]) for k in EVENTS},
            "isop": float(self.isop),
            "isoe": float(self.isoe),
            "paq": {k: float(self.paq[k]) for k in PAQS},
            "loudness_n5": float(self.n5),
            "loudness_n10": float(self.n10),
            "loudness_nmax": float(self.nmax),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "warnings": list(self.warnings),
        }
        if arrays:
            out["log_mel"] = self.log_mel.tolist()
            out["loudness"] = self.loudness.tolist()
        return out


def normalise(
    norm: dict[str, torch.Tensor], log_mel: torch.Tensor, loudness: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """SoundAQnet's inputs from (B, frames, 64) log-mel in dB and (B, steps) loudness in sone:
    (B, frames, 64) and (B, steps, 1), each normalised with a checkpoint's statistics."""
    mel = (log_mel - norm["mel_mean"]) / norm["mel_std"]
    loud = (loudness[..., None] - norm["loudness_mean"]) / norm["loudness_std"]
    return mel, loud


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A SoundAQnet in eval mode with the normalisation statistics it was trained with."""

    model: SoundAQnet
    norm: dict[str, torch.Tensor]
    name: str
    device: str

    def predict(self, log_mel: torch.Tensor, loudness: torch.Tensor) -> dict[str, np.ndarray]:
        """Probabilities and ratings for a batch: log_mel (B, frames, 64) in dB and
        loudness (B, steps) in sone, un-normalised."""
        mel, loud = normalise(self.norm, log_mel.to(self.device), loudness.to(self.device))
        with torch.inference_mode(), torch.backends.cudnn.flags(allow_tf32=False):
            out = self.model(mel, loud)  # full float32 convolutions: TF32 moves outputs ~1e-3
        return {
            "scene": torch.softmax(out["scene"], dim=-1).cpu().numpy(),
            "event": torch.sigmoid(out["event"]).cpu().numpy(),
            "isop": out["ISOPls"][:, 0].cpu().numpy(),
            "isoe": out["ISOEvs"][:, 0].cpu().numpy(),
            "paq": torch.cat([out[p] for p in PAQS], dim=-1).cpu().numpy(),
        }


_LOAD_LOCK = threading.Lock()


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def load_model(checkpoint: str | Path | None = None, device: str | None = None) -> LoadedModel:
    """The network with a checkpoint's weights (strict), cached per checkpoint file version and
    device (a checkpoint rewritten by training is loaded afresh)."""
    path = resolve_checkpoint(checkpoint)
    with _LOAD_LOCK:
        return _load_model(path, device or default_device(), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_model(path: Path, device: str, mtime_ns: int) -> LoadedModel:
    model = SoundAQnet()
    model.load_state_dict(load_checkpoint(path), strict=True)
    model.eval().to(device)
    stats = load_norm_stats(norm_stats_path(path))
    norm = {k: torch.from_numpy(v).to(device) for k, v in stats.items()}
    return LoadedModel(model, norm, path.name, device)


def features(
    samples: np.ndarray, sample_rate: int, device: str = "cpu"
) -> tuple[torch.Tensor, Loudness, dict[str, float]]:
    """The two inputs of SoundAQnet for checked mono audio: the (frames, 64) log-mel in dB and
    the ISO 532-1 loudness (calibrated as the authors did), with the seconds each took. A clip
    shorter than the network's minimum is looped up to it first."""
    samples = loop_to_min_duration(samples, sample_rate)
    t0 = time.perf_counter()
    mel = log_mel_spectrogram(resample(samples, sample_rate, SAMPLE_RATE), device)
    t1 = time.perf_counter()
    try:
        loud = loudness_zwtv(to_pascal(samples), sample_rate)  # resamples to 48 kHz in blocks
    except LoudnessRangeError as exc:
        peak = 20 * np.log10(np.abs(samples).max())
        raise AudioError(
            f"the clip is too loud to measure: {exc} (its peak is {peak:+.0f} dB relative to "
            "full scale). Lower its level so that it peaks below full scale, and try again."
        ) from exc
    steps = round(samples.size / sample_rate / LOUDNESS_STEP)  # the authors' count: 15,000 / 30 s
    loud = Loudness(loud.n[:steps], loud.n_specific[:, :steps], loud.time[:steps])
    return mel, loud, {"log_mel": t1 - t0, "loudness": time.perf_counter() - t1}


def analyze(
    audio: str | Path | np.ndarray,
    sample_rate: int | None = None,
    checkpoint: str | Path | None = None,
    device: str | None = None,
    max_duration: float = MAX_DURATION,
) -> Analysis:
    """Scene, events, ISOP/ISOE and PAQ of one clip: a file path, or samples with their rate."""
    t_start = time.perf_counter()
    if isinstance(audio, (str, Path)):
        source = Path(audio).name
        samples, sample_rate = read_clip(audio, max_duration)
    else:
        if sample_rate is None:
            raise AudioError("a sample rate is needed with an array of samples.")
        source = "array"
        samples = check_audio(audio, sample_rate, source, max_duration)
    duration = samples.size / sample_rate
    warnings = []
    if sample_rate < SAMPLE_RATE:
        warnings.append(
            f"The clip was recorded at {sample_rate} Hz, so it holds no sound above "
            f"{sample_rate / 2000:g} kHz; the model, trained on full-band recordings, may read "
            "that as a different place. Record at 16 kHz or more if you can."
        )
    if duration < NETWORK_MIN_DURATION:
        warnings.append(
            f"The clip is {duration:.2f} s long; the model needs {NETWORK_MIN_DURATION:.2f} s, "
            "so it was looped to that length. Longer clips give more reliable results."
        )
    t_decoded = time.perf_counter()

    model = load_model(checkpoint, device)
    mel, loud, timings = features(samples, sample_rate, model.device)
    t_model = time.perf_counter()
    pred = model.predict(mel[None], torch.from_numpy(loud.n.astype(np.float32))[None])
    t_end = time.perf_counter()
    return Analysis(
        scene_probabilities=dict(zip(SCENES, pred["scene"][0].tolist(), strict=True)),
        event_probabilities=dict(zip(EVENTS, pred["event"][0].tolist(), strict=True)),
        isop=float(pred["isop"][0]),
        isoe=float(pred["isoe"][0]),
        paq=dict(zip(PAQS, pred["paq"][0].tolist(), strict=True)),
        log_mel=mel.cpu().numpy(),
        loudness=loud.n,
        n5=loud.n5,
        n10=loud.n10,
        nmax=loud.nmax,
        duration=duration,
        sample_rate=sample_rate,
        checkpoint=model.name,
        source=source,
        timings={
            "decode": t_decoded - t_start,
            **timings,
            "model": t_end - t_model,
            "total": t_end - t_start,
        },
        warnings=tuple(warnings),
    )
