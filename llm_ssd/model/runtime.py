"""A network at run time: a checkpoint's network (SoundAQnet, or one of Table V's,
`networks.registry`) with its normalisation statistics, predicting probabilities and ratings for
batches of un-normalised features."""

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
from llm_ssd.model.networks.registry import (
    NETWORKS,
    SOUNDAQNET,
    Network,
    detect,
    is_all,
    network,
)
from llm_ssd.model.weights import (
    CHECKPOINT_HINT,
    CHECKPOINT_SHA256,
    WeightsError,
    checkpoint_file,
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
    return normalise_mel(norm, log_mel), normalise_loudness(norm, loudness)


def normalise_mel(norm: dict[str, torch.Tensor], log_mel: torch.Tensor) -> torch.Tensor:
    """(B, frames, 64) log-mel in dB, normalised per band with a checkpoint's statistics."""
    return (log_mel - norm["mel_mean"]) / norm["mel_std"]


def normalise_loudness(norm: dict[str, torch.Tensor], loudness: torch.Tensor) -> torch.Tensor:
    """(B, steps) loudness in sone as SoundAQnet's (B, steps, 1) input, normalised."""
    return (loudness[..., None] - norm["loudness_mean"]) / norm["loudness_std"]


def network_inputs(
    spec: Network,
    norm: dict[str, torch.Tensor],
    log_mel: torch.Tensor,
    loudness: torch.Tensor | None,
) -> tuple[torch.Tensor, ...]:
    """A network's normalised inputs from un-normalised features: SoundAQnet's log-mel and
    loudness (`normalise`), or a Table V network's log-mel alone, normalised with the same
    per-band statistics and brought to a length it accepts (`Frames.fit`)."""
    if spec.uses_loudness:
        if loudness is None:
            raise UsageError(f"{spec.label} needs the loudness as well as the log-mel")
        return normalise(norm, log_mel, loudness)
    return (spec.frames.fit(normalise_mel(norm, log_mel)),)


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A network in eval mode with the normalisation statistics it was trained with."""

    model: torch.nn.Module
    norm: dict[str, torch.Tensor]
    name: str
    """The checkpoint's file name."""
    device: str
    network: str = SOUNDAQNET.name
    """Its registry name (`networks.registry.NETWORKS`)."""

    @property
    def spec(self) -> Network:
        return NETWORKS[self.network]

    def inputs(
        self, log_mel: torch.Tensor, loudness: torch.Tensor | None
    ) -> tuple[torch.Tensor, ...]:
        """The network's normalised inputs on its device (`network_inputs`)."""
        loud = None if loudness is None else loudness.to(self.device)
        return network_inputs(self.spec, self.norm, log_mel.to(self.device), loud)

    def predict(
        self, log_mel: torch.Tensor, loudness: torch.Tensor | None
    ) -> dict[str, np.ndarray]:
        """Probabilities and ratings for a batch: log_mel (B, frames, 64) in dB and
        loudness (B, steps) in sone, un-normalised (None for a network that takes none)."""
        inputs = self.inputs(log_mel, loudness)
        with torch.inference_mode(), torch.backends.cudnn.flags(allow_tf32=False):
            out = self.model(*inputs)  # full float32 convolutions: TF32 moves outputs ~1e-3
        return self.outputs(out)

    def outputs(self, out: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
        """Probabilities and ratings from the network's raw outputs, checked to be finite."""
        outputs = {
            "scene": torch.softmax(out["scene"], dim=-1).cpu().numpy(),
            "event": torch.sigmoid(out["event"]).cpu().numpy(),
            "isop": out["ISOPls"][:, 0].cpu().numpy(),
            "isoe": out["ISOEvs"][:, 0].cpu().numpy(),
            "paq": torch.cat([out[p] for p in PAQS], dim=-1).cpu().numpy(),
        }
        if not all(np.isfinite(v).all() for v in outputs.values()):
            raise WeightsError(
                f"the checkpoint {self.name} gives outputs that are not finite numbers (NaN or "
                f"infinity): its weights are damaged or far out of range; {CHECKPOINT_HINT}"
            )
        return outputs


_LOAD_LOCK = threading.Lock()


def resolve_device(device: str | None) -> str:
    """The device to run on: None picks CUDA when torch sees it, else the CPU. Asking for CUDA
    without a CUDA device is a usage error, not a crash."""
    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise UsageError(f"the device {device!r} was asked for, but torch sees no CUDA device")
    return device


def model_from_checkpoint(
    path: Path, name: str | None = None
) -> tuple[torch.nn.Module, dict[str, np.ndarray]]:
    """The network `name` (None: the one whose layout the checkpoint has, else SoundAQnet)
    holding a checkpoint's weights, loaded strictly, and its normalisation statistics.
    Weights that do not fit are a WeightsError saying how."""
    state = load_checkpoint(path)
    spec = network(name) if name else detect(state) or SOUNDAQNET
    model = spec.build()
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError:
        problem = f"{path} is not a {spec.label} checkpoint ({misfit(model, state)})"
        raise WeightsError(f"{problem}: {CHECKPOINT_HINT}") from None
    return model, load_norm_stats(norm_stats_path(path))


def network_of(model: torch.nn.Module) -> Network:
    """The registry entry of a network instance."""
    return next(n for n in NETWORKS.values() if type(model) is n.builder)


def network_checkpoint(name: str) -> Path:
    """A network's default checkpoint, present in the weights directory, or a WeightsError
    saying how to get it (SoundAQnet's is fetched on first use)."""
    spec = network(name)
    if spec is SOUNDAQNET:
        return resolve_checkpoint(None)
    path = checkpoint_file(spec.checkpoint)
    if not path.exists():
        raise WeightsError(spec.missing_weights(str(path.parent)))
    return path


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


def load_model(
    checkpoint: str | Path | None = None, device: str | None = None, model: str | None = None
) -> LoadedModel:
    """A network with a checkpoint's weights in eval mode, cached per checkpoint file version,
    device and network (a checkpoint rewritten by training is loaded afresh); `device` None is
    automatic. `model` names the network (`networks.registry`): without a checkpoint, its own
    default one; without `model`, the network whose layout the checkpoint has."""
    if model is not None and checkpoint is None:
        path = network_checkpoint(model)
    else:
        path = resolve_checkpoint(checkpoint)
    name = network(model).name if model is not None else None
    threads.fit()
    with _LOAD_LOCK:
        return _load_model(path, resolve_device(device), path.stat().st_mtime_ns, name)


@lru_cache(maxsize=16)
def _load_model(path: Path, device: str, mtime_ns: int, name: str | None) -> LoadedModel:
    model, stats = model_from_checkpoint(path, name)
    model.eval().to(device)
    norm = {k: torch.from_numpy(v).to(device) for k, v in stats.items()}
    return LoadedModel(model, norm, path.name, device, network_of(model).name)


def available_networks() -> tuple[list[Network], list[Network]]:
    """The networks whose default checkpoint is in the weights directory (SoundAQnet always:
    it is fetched on first use), and those whose is not."""
    present, absent = [], []
    for spec in NETWORKS.values():
        here = spec is SOUNDAQNET or checkpoint_file(spec.checkpoint).exists()
        (present if here else absent).append(spec)
    return present, absent


def side_by_side(
    device: str | None = None,
) -> tuple[list[LoadedModel], list[tuple[Network, str]]]:
    """Every network whose weights are here and load (SoundAQnet first), and each one left out
    with why: no weights here (`Network.missing_note`) or a checkpoint that failed its checks."""
    loaded, left_out = [], []
    for spec in NETWORKS.values():
        if spec is not SOUNDAQNET and not checkpoint_file(spec.checkpoint).exists():
            left_out.append((spec, spec.missing_note()))
            continue
        try:
            loaded.append(load_model(device=device, model=spec.name))
        except WeightsError as exc:
            if spec is SOUNDAQNET:
                raise
            left_out.append((spec, f"its checkpoint was not used: {exc}"))
    return loaded, left_out


def load_models(
    checkpoint: str | Path | None = None,
    device: str | None = None,
    ensemble: bool = False,
    model: str | None = None,
) -> list[LoadedModel]:
    """The checkpoint's network; with `ensemble` the four published SoundAQnet checkpoints'
    (`checkpoint` is then not used); with `model="all"` every network whose weights are present,
    SoundAQnet first, each with its default checkpoint."""
    if is_all(model):
        if checkpoint is not None or ensemble:
            raise UsageError(
                "every network runs with its own checkpoint: no checkpoint or ensemble"
            )
        return side_by_side(device)[0]
    if not ensemble:
        return [load_model(checkpoint, device, model)]
    if model is not None and network(model) is not SOUNDAQNET:
        raise UsageError("the ensemble is of the four published SoundAQnet checkpoints")
    return [load_model(name, device) for name in CHECKPOINT_SHA256]
