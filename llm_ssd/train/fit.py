"""Train any of the eight networks (`model.networks.registry`) on the feature cache with its
published recipe: SoundAQnet's 12 task losses with learned uncertainty weights, a Table V
network's summed unweighted (after its first `stop_after` epochs); Adam, early stopping on the
validation ISOP MSE. Writes checkpoints in the published format."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader

from llm_ssd.errors import UsageError
from llm_ssd.labels import PAQS
from llm_ssd.model import threads
from llm_ssd.model.networks.registry import SOUNDAQNET, Network, network
from llm_ssd.model.runtime import (
    LoadedModel,
    model_from_checkpoint,
    network_inputs,
    resolve_device,
)
from llm_ssd.model.weights import (
    CHECKPOINT_SHA256,
    NORM_SUFFIX,
    TABLEV_FILES,
    checkpoint_file,
    resolve_checkpoint,
    write_atomic,
)
from llm_ssd.train.dataset import ClipDataset, collate, norm_stats, with_features
from llm_ssd.train.evaluate import EVAL_BATCH_SIZE, predict_clips
from llm_ssd.train.labels import DataError, SplitLabels, read_split
from llm_ssd.train.metrics import compute_metrics

TASKS: tuple[str, ...] = ("scene", "event", "ISOPls", "ISOEvs", *PAQS)
"""The 12 losses, named after the network's heads."""
TASK_WEIGHTS: tuple[float, ...] = (1.0, 1.0) + (0.5,) * 10
"""α of each loss: 1 for the two classifications, 0.5 for the ten regressions."""
EPOCHS = 100
BATCH_SIZE = 32
LEARNING_RATE = SOUNDAQNET.learning_rate
"""SoundAQnet's; each network's own is its registry entry's."""
PATIENCE = 10
"""Epochs without a lower validation ISOP MSE before training stops."""
MONITOR = "isop_mse"
HISTORY_SUFFIX = ".history.jsonl"
CUBLAS_WORKSPACE = ":4096:8"
"""Lets cuBLAS run deterministically (CUBLAS_WORKSPACE_CONFIG)."""


class UncertaintyWeighting(nn.Module):
    """Σᵢ αᵢ·Lᵢ/σᵢ² + log(1 + σᵢ), with the σᵢ learned (Kendall et al. 2018), starting at 1."""

    def __init__(self, alphas: tuple[float, ...] = TASK_WEIGHTS) -> None:
        super().__init__()
        self.register_buffer("alpha", torch.tensor(alphas))
        self.sigma = nn.Parameter(torch.ones(len(alphas)))

    def forward(self, losses: Tensor) -> Tensor:
        return (self.alpha * losses / self.sigma**2 + torch.log1p(self.sigma)).sum()


class PlainSum(nn.Module):
    """Σᵢ Lᵢ: the Table V networks' published loss, every task weighing the same."""

    def forward(self, losses: Tensor) -> Tensor:
        return losses.sum()


def loss_weighting(spec: Network) -> nn.Module:
    """How a network's published recipe combines its 12 losses."""
    return UncertaintyWeighting() if spec.uncertainty_weighting else PlainSum()


def task_losses(outputs: dict[str, Tensor], batch: dict[str, Tensor]) -> Tensor:
    """(12,) losses in `TASKS` order: scene cross-entropy on the softmax, event binary
    cross-entropy on the sigmoid, MSE of ISOP, ISOE and each PAQ."""
    losses = [
        F.cross_entropy(outputs["scene"], batch["scene"]),
        F.binary_cross_entropy_with_logits(outputs["event"], batch["event"]),
        F.mse_loss(outputs["ISOPls"][:, 0], batch["iso"][:, 0]),
        F.mse_loss(outputs["ISOEvs"][:, 0], batch["iso"][:, 1]),
    ]
    losses += [F.mse_loss(outputs[p][:, 0], batch["paq"][:, i]) for i, p in enumerate(PAQS)]
    return torch.stack(losses)


@dataclass(frozen=True)
class FitConfig:
    epochs: int = EPOCHS
    batch_size: int = BATCH_SIZE
    lr: float | None = None
    """Adam's learning rate; None: the network's published one (`Network.learning_rate`)."""
    patience: int = PATIENCE
    seed: int = 0
    device: str | None = None
    """cpu, cuda, or None: CUDA when available."""
    workers: int = 0
    """Data-loading processes (0: load in the training process)."""
    init: str | None = None
    """Start from this checkpoint (name or path) and its normalisation statistics: fine-tuning."""
    model: str = SOUNDAQNET.name
    """The network to train (`model.networks.registry`)."""


@dataclass
class FitResult:
    checkpoint: Path
    norm: Path
    history_path: Path
    history: list[dict[str, Any]]
    best_epoch: int
    missing: dict[str, list[str]] = field(default_factory=dict)
    """Clips of each split left out because they have no features."""


def checkpoint_path(out: str | Path) -> Path:
    """Where a checkpoint goes: a bare name lands in the weights directory; `.pth` is added."""
    path = checkpoint_file(out)
    if path.name in CHECKPOINT_SHA256 or path.name in TABLEV_FILES:
        raise UsageError(f"{path.name} is a published checkpoint's name; choose another")
    return path


@contextmanager
def deterministic(seed: int, device: str) -> Iterator[None]:
    """Seed torch and use deterministic algorithms (strictly on CPU; on CUDA where they exist);
    the previous settings are restored afterwards."""
    threads.fit()  # the thread policy, as for every analysis
    if device.startswith("cuda"):
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", CUBLAS_WORKSPACE)
    previous = (
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
        torch.backends.cudnn.deterministic,
        torch.backends.cudnn.benchmark,
    )
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=device != "cpu")
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(previous[0], warn_only=previous[1])
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = previous[2:]


def save_checkpoint(model: nn.Module, path: Path) -> None:
    """`{"state_dict": ...}` of CPU tensors, like the published checkpoints."""
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    write_atomic(path, lambda f: torch.save({"state_dict": state}, f))


def save_norm(stats: dict[str, np.ndarray], path: Path) -> None:
    """The normalisation statistics as a plain `.npz` (no pickle)."""
    arrays = {k: np.asarray(stats[k], dtype=np.float32) for k in sorted(stats)}
    write_atomic(path, lambda f: np.savez(f, **arrays))


def train_epoch(
    model: nn.Module,
    weighting: nn.Module,
    loader: DataLoader,
    optimizer: torch.optim.Optimizer,
    norm: dict[str, Tensor],
    progress: bool | None = None,
    spec: Network = SOUNDAQNET,
) -> dict[str, float]:
    """One pass over the training data; the clip-weighted mean of the total and of each loss."""
    from tqdm import tqdm

    device = norm["mel_mean"].device
    model.train()
    sums = torch.zeros(len(TASKS) + 1, dtype=torch.float64, device=device)
    clips = 0
    disable = None if progress is None else not progress
    for cpu_batch in tqdm(loader, desc="training", unit="batch", leave=False, disable=disable):
        batch = {k: v.to(device) for k, v in cpu_batch.items()}
        inputs = network_inputs(spec, norm, batch["log_mel"], batch["loudness"])
        losses = task_losses(model(*inputs), batch)
        total = weighting(losses)
        optimizer.zero_grad(set_to_none=True)
        total.backward()
        optimizer.step()
        n = batch["scene"].shape[0]
        sums += torch.cat([total.detach()[None], losses.detach()]).double() * n
        clips += n
    means = (sums / clips).tolist()
    return dict(zip(("total", *TASKS), means, strict=True))


def _epoch_line(record: dict[str, Any], epochs: int) -> str:
    train, val = record["train"], record["validation"]
    return (
        f"epoch {record['epoch']}/{epochs}  loss {train['total']:.4f} (scene {train['scene']:.3f}"
        f" event {train['event']:.3f} ISOP {train['ISOPls']:.4f})  validation: "
        f"ASC {100 * val['scene_accuracy']:.2f} %  AUC {val['event_auc']:.3f}  "
        f"ISOP MSE {val['isop_mse']:.4f}  PAQ MSE {val['paq_mse_mean']:.3f}  "
        f"{record['seconds']:.1f} s{'  *best' if record['best'] else ''}"
    )


def _training_splits(
    features: str | Path, labels_dir: str | Path, log: Callable[[str], None]
) -> tuple[dict[str, SplitLabels], dict[str, list[str]]]:
    """The training and validation labels of the clips that have features, and the clips of
    each split left out for having none."""
    splits, missing = {}, {}
    for split in ("training", "validation"):
        splits[split], missing[split] = with_features(features, read_split(labels_dir, split))
        if not len(splits[split]):
            raise DataError(f"no clip of the {split} split has features in {features}")
        if missing[split]:
            log(f"{len(missing[split])} {split} clips have no features and are left out")
    return splits, missing


def fit(
    features: str | Path,
    labels_dir: str | Path,
    out: str | Path,
    config: FitConfig = FitConfig(),
    log: Callable[[str], None] = print,
    progress: bool | None = None,
) -> FitResult:
    """Train on the training split, validate each epoch on the validation split, keep the
    epoch with the lowest validation ISOP MSE as `out` (+ `.norm.npz` and `.history.jsonl`)."""
    spec = network(config.model)
    lr = spec.learning_rate if config.lr is None else config.lr
    if min(config.epochs, config.batch_size, config.patience) < 1 or not lr > 0:
        raise UsageError("epochs, batch size and patience must be at least 1, the rate above 0")
    path = checkpoint_path(out)
    device = resolve_device(config.device)
    splits, missing = _training_splits(features, labels_dir, log)
    train_set = ClipDataset(features, splits["training"])
    val_set = ClipDataset(features, splits["validation"])
    norm_path = path.with_name(path.stem + NORM_SUFFIX)
    history_path = path.with_name(path.stem + HISTORY_SUFFIX)

    with deterministic(config.seed, device):
        model, stats = _start(spec, config, train_set, log)
        save_norm(stats, norm_path)
        norm = {k: torch.from_numpy(v).to(device) for k, v in stats.items()}
        model.to(device)
        weighting = loss_weighting(spec).to(device)
        params = [*model.parameters(), *weighting.parameters()]
        optimizer = torch.optim.Adam(params, lr=lr)
        loader = DataLoader(
            train_set,
            batch_size=config.batch_size,
            shuffle=True,
            collate_fn=collate,
            num_workers=config.workers,
            generator=torch.Generator().manual_seed(config.seed),
        )
        log(
            f"training {spec.label} on {len(train_set)} clips, validating on {len(val_set)}, "
            f"device {device}, batch {config.batch_size}, lr {lr:g}, up to {config.epochs} epochs"
        )
        history: list[dict[str, Any]] = []
        history_path.parent.mkdir(parents=True, exist_ok=True)
        history_path.write_text("")
        best, best_epoch, waited = float("inf"), 0, 0
        for epoch in range(1, config.epochs + 1):
            start = time.perf_counter()
            train = train_epoch(model, weighting, loader, optimizer, norm, progress, spec)
            model.eval()
            loaded = LoadedModel(model, norm, path.name, device, spec.name)
            preds = predict_clips(loaded, val_set, EVAL_BATCH_SIZE, config.workers)
            val = compute_metrics(preds, splits["validation"])
            improved = best_epoch == 0 or val[MONITOR] < best
            if improved:
                best, best_epoch, waited = val[MONITOR], epoch, 0
                save_checkpoint(model, path)
            elif epoch > spec.stop_after:
                waited += 1
            record = {
                "epoch": epoch,
                "seconds": time.perf_counter() - start,
                "train": train,
                **_sigma(weighting),
                "validation": {k: v for k, v in val.items() if k != "event_auc_skipped"},
                "best": improved,
            }
            history.append(record)
            with open(history_path, "a") as f:
                f.write(json.dumps(record) + "\n")
            log(_epoch_line(record, config.epochs))
            if waited >= config.patience:
                log(f"no lower validation ISOP MSE for {config.patience} epochs: stopping")
                break
    log(f"best epoch {best_epoch} (validation ISOP MSE {best:.4f}): wrote {path} and {norm_path}")
    return FitResult(path, norm_path, history_path, history, best_epoch, missing)


def _start(
    spec: Network, config: FitConfig, train_set: ClipDataset, log: Callable[[str], None]
) -> tuple[nn.Module, dict[str, np.ndarray]]:
    """The network to train, freshly initialised (statistics from the training set), or with
    `config.init` the checkpoint to fine-tune and its statistics."""
    if not config.init:
        return spec.build(), norm_stats(train_set, config.workers)
    init = resolve_checkpoint(config.init)
    model, stats = model_from_checkpoint(init, spec.name)
    log(f"fine-tuning {init.name} with its normalisation statistics")
    return model, stats


def _sigma(weighting: nn.Module) -> dict[str, Any]:
    """The learned σ of each loss, for the history (none for an unweighted sum)."""
    if not isinstance(weighting, UncertaintyWeighting):
        return {}
    return {"sigma": dict(zip(TASKS, weighting.sigma.detach().cpu().tolist(), strict=True))}
