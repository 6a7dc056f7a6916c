"""SoundAQnet at run time: a checkpoint's network with its normalisation statistics, predicting
probabilities and ratings for batches of un-normalised features."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from llm_ssd.errors import UsageError
from llm_ssd.labels import PAQS
from llm_ssd.model import threads
from llm_ssd.model.soundaqnet import SoundAQnet
from llm_ssd.model.weights import (
    CHECKPOINT_HINT,
    CHECKPOINT_SHA256,
    WeightsError,
    load_checkpoint,
    load_norm_stats,
    norm_stats_path,
    resolve_checkpoint,
)


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


def resolve_device(device: str | None) -> str:
    """The device to run on: None picks CUDA when torch sees it, else the CPU. Asking for CUDA
    without a CUDA device is a usage error, not a crash."""
    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise UsageError(f"the device {device!r} was asked for, but torch sees no CUDA device")
    return device


def model_from_checkpoint(path: Path) -> tuple[SoundAQnet, dict[str, np.ndarray]]:
    """A SoundAQnet holding a checkpoint's weights (strict), and its normalisation statistics.
    Weights that do not fit SoundAQnet are a WeightsError saying how."""
    model = SoundAQnet()
    state = load_checkpoint(path)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError:
        problem = f"{path} is not a SoundAQnet checkpoint ({misfit(model, state)})"
        raise WeightsError(f"{problem}: {CHECKPOINT_HINT}") from None
    return model, load_norm_stats(norm_stats_path(path))


def misfit(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> str:
    """How a state_dict does not fit a model: weights missing, unknown, or of another shape."""
    expected = model.state_dict()
    missing = [k for k in expected if k not in state]
    unknown = [k for k in state if k not in expected]
    reshaped = [k for k in expected if k in state and state[k].shape != expected[k].shape]
    kinds = (
        ("missing weights", missing),
        ("unexpected weights", unknown),
        ("weights of another shape", reshaped),
    )
    found = [f"{len(names)} {what}, e.g. {names[0]!r}" for what, names in kinds if names]
    return "; ".join(found) or "its weights do not fit"


def load_model(checkpoint: str | Path | None = None, device: str | None = None) -> LoadedModel:
    """The network with a checkpoint's weights in eval mode, cached per checkpoint file version
    and device (a checkpoint rewritten by training is loaded afresh); `device` None is automatic."""
    path = resolve_checkpoint(checkpoint)
    threads.ensure()
    with _LOAD_LOCK:
        return _load_model(path, resolve_device(device), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_model(path: Path, device: str, mtime_ns: int) -> LoadedModel:
    model, stats = model_from_checkpoint(path)
    model.eval().to(device)
    norm = {k: torch.from_numpy(v).to(device) for k, v in stats.items()}
    return LoadedModel(model, norm, path.name, device)


def load_models(
    checkpoint: str | Path | None = None, device: str | None = None, ensemble: bool = False
) -> list[LoadedModel]:
    """The checkpoint's network, or with `ensemble` the four published checkpoints' networks
    (`checkpoint` is then not used)."""
    if not ensemble:
        return [load_model(checkpoint, device)]
    return [load_model(name, device) for name in CHECKPOINT_SHA256]
