"""Clips of a split as tensors: cached features with their targets, batches, normalisation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from llm_ssd.train.cache import cache_file, load_features
from llm_ssd.train.labels import DataError, SplitLabels

STD_FLOOR = 1e-5
"""Smallest standard deviation used for normalisation (a constant band would divide by 0)."""
Batch = dict[str, torch.Tensor]


def with_features(cache_dir: str | Path, labels: SplitLabels) -> tuple[SplitLabels, list[str]]:
    """The clips of `labels` that have cached features, and the ids of those that have none."""
    have = [i for i, clip in enumerate(labels.ids) if cache_file(cache_dir, clip).exists()]
    kept = set(have)
    missing = [clip for i, clip in enumerate(labels.ids) if i not in kept]
    return labels.subset(have), missing


class ClipDataset(Dataset):
    """One item per clip: its features (un-normalised) and targets."""

    def __init__(self, cache_dir: str | Path, labels: SplitLabels) -> None:
        self.paths = [cache_file(cache_dir, clip) for clip in labels.ids]
        self.labels = labels
        self.scene = torch.from_numpy(labels.scene_targets())
        self.event = torch.from_numpy(labels.event_targets())
        self.iso = torch.from_numpy(labels.iso.astype(np.float32))
        self.paq = torch.from_numpy(labels.paq.astype(np.float32))

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: int) -> Batch:
        log_mel, loudness = load_features(self.paths[i])
        return {
            "index": torch.tensor(i),
            "log_mel": torch.from_numpy(log_mel),
            "loudness": torch.from_numpy(loudness),
            "scene": self.scene[i],
            "event": self.event[i],
            "iso": self.iso[i],
            "paq": self.paq[i],
        }


def collate(items: list[Batch]) -> Batch:
    """Stack clips, each cut to the shortest log-mel and loudness of the batch (ARAUS clips all
    have the same length, so nothing is cut there)."""
    frames = min(item["log_mel"].shape[0] for item in items)
    steps = min(item["loudness"].shape[0] for item in items)
    out = {k: torch.stack([item[k] for item in items]) for k in items[0] if k != "log_mel"}
    out["log_mel"] = torch.stack([item["log_mel"][:frames] for item in items])
    out["loudness"] = torch.stack([item["loudness"][:steps] for item in items])
    return out


def _single(item: Batch) -> Batch:
    return item


def same_shape_batches(dataset: ClipDataset, batch_size: int, workers: int = 0) -> Iterator[Batch]:
    """The clips in order, in batches of equal feature shapes (nothing cut: for evaluation)."""
    loader = DataLoader(dataset, batch_size=None, num_workers=workers, collate_fn=_single)
    pending: list[Batch] = []
    for item in loader:
        if pending and (len(pending) == batch_size or not _same_shape(pending[0], item)):
            yield collate(pending)
            pending = []
        pending.append(item)
    if pending:
        yield collate(pending)


def _same_shape(a: Batch, b: Batch) -> bool:
    return a["log_mel"].shape == b["log_mel"].shape and a["loudness"].shape == b["loudness"].shape


def norm_stats(dataset: ClipDataset, workers: int = 0) -> dict[str, np.ndarray]:
    """Per-band log-mel and scalar loudness mean and standard deviation over every frame and
    step of the dataset (Chan's pairwise update in float64), float32 as the checkpoints keep
    them: mel_mean, mel_std (64,), loudness_mean, loudness_std (1,)."""
    if len(dataset) == 0:
        raise DataError("no clips to compute the normalisation statistics from")
    loader = DataLoader(dataset, batch_size=None, num_workers=workers, collate_fn=_single)
    acc = {"mel": (0, 0.0, 0.0), "loudness": (0, 0.0, 0.0)}
    for item in loader:
        for key, values in (("mel", item["log_mel"]), ("loudness", item["loudness"][:, None])):
            x = values.numpy().astype(np.float64)
            n_b, mean_b = x.shape[0], x.mean(axis=0)
            m2_b = ((x - mean_b) ** 2).sum(axis=0)
            n_a, mean_a, m2_a = acc[key]
            n = n_a + n_b
            delta = mean_b - mean_a
            acc[key] = (n, mean_a + delta * n_b / n, m2_a + m2_b + delta**2 * n_a * n_b / n)
    out = {}
    for key, (n, mean, m2) in acc.items():
        out[f"{key}_mean"] = np.asarray(mean, dtype=np.float32)
        out[f"{key}_std"] = np.maximum(np.sqrt(m2 / n), STD_FLOOR).astype(np.float32)
    return out
