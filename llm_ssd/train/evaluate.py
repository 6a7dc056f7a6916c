"""Evaluate a checkpoint of any network on a split of the feature cache, through `load_model` and
`predict`: the published checkpoints and trained ones take the same path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from llm_ssd.model.runtime import LoadedModel, load_model
from llm_ssd.train.dataset import ClipDataset, same_shape_batches, with_features
from llm_ssd.train.labels import DataError, read_split
from llm_ssd.train.metrics import compute_metrics

EVAL_BATCH_SIZE = 32


def predict_clips(
    model: LoadedModel,
    dataset: ClipDataset,
    batch_size: int = EVAL_BATCH_SIZE,
    workers: int = 0,
    progress: bool | None = False,
) -> dict[str, np.ndarray]:
    """`model.predict` of every clip of the dataset, in the dataset's order."""
    from tqdm import tqdm

    parts: dict[str, list[np.ndarray]] = {}
    disable = None if progress is None else not progress
    with tqdm(total=len(dataset), desc="evaluating", unit="clip", disable=disable) as bar:
        for batch in same_shape_batches(dataset, batch_size, workers):
            for key, value in model.predict(batch["log_mel"], batch["loudness"]).items():
                parts.setdefault(key, []).append(value)
            bar.update(len(batch["index"]))
    return {key: np.concatenate(values) for key, values in parts.items()}


def evaluate(
    checkpoint: str | Path | None,
    features: str | Path,
    labels_dir: str | Path,
    split: str = "test",
    device: str | None = None,
    batch_size: int = EVAL_BATCH_SIZE,
    workers: int = 0,
    progress: bool | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    """The paper's metrics of a checkpoint (name or path; None: the network `model`'s own) on
    one split, with the checkpoint's file name, its network and that network's published Table V
    row, the split and the clips that had no features (left out)."""
    labels, missing = with_features(features, read_split(labels_dir, split))
    if not len(labels):
        raise DataError(f"no clip of the {split} split has features in {features}")
    loaded = load_model(checkpoint, device, model)
    data = ClipDataset(features, labels)
    predictions = predict_clips(loaded, data, batch_size, workers, progress)
    published = loaded.spec.published
    return {
        "checkpoint": loaded.name,
        "network": loaded.network,
        "published": {
            "scene_accuracy": published.scene_accuracy / 100,
            "event_auc": published.event_auc,
            "paq_mse_mean": published.paq_mse,
        },
        "split": split,
        **compute_metrics(predictions, labels),
        "missing_features": missing,
    }
