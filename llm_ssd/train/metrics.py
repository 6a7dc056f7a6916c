"""The metrics of the paper's tables: scene accuracy, event AUC, MSE of ISOP, ISOE and each PAQ."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from llm_ssd.labels import PAQS
from llm_ssd.train.labels import SplitLabels


def average_ranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks of `x`; tied values share the mean of their ranks."""
    x = np.asarray(x, dtype=np.float64)
    order = np.argsort(x, kind="stable")
    ordered = x[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]]
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], x.size]
    ranks = np.empty(x.size)
    ranks[order] = ((starts + ends + 1) / 2)[np.cumsum(first) - 1]
    return ranks


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve: the Mann–Whitney U of the positives' ranks over
    positives × negatives (a tie counts one half). NaN without both a positive and a negative."""
    y = np.asarray(labels).astype(bool)
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return math.nan
    u = average_ranks(scores)[y].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * n_neg))


def clip_event_auc(targets: np.ndarray, probabilities: np.ndarray) -> tuple[float, np.ndarray]:
    """The paper's event AUC: each clip's ROC-AUC across the 15 events, averaged over clips.
    A clip with no positive or no negative event has no AUC and is skipped. Returns the mean
    and the mask of the clips used."""
    aucs = np.array([roc_auc(t, p) for t, p in zip(targets, probabilities, strict=True)])
    used = ~np.isnan(aucs)
    return (float(aucs[used].mean()) if used.any() else math.nan), used


def scene_accuracies(targets: np.ndarray, probabilities: np.ndarray) -> tuple[float, float]:
    """(accuracy over clips, mean of the per-scene accuracies over the scenes present)."""
    predicted = np.asarray(probabilities).argmax(axis=-1)
    correct = predicted == targets
    per_scene = [correct[targets == s].mean() for s in np.unique(targets)]
    return float(correct.mean()), float(np.mean(per_scene))


def mse(target: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean((np.asarray(predicted, np.float64) - target) ** 2))


def compute_metrics(predictions: dict[str, np.ndarray], labels: SplitLabels) -> dict[str, Any]:
    """Metrics of `LoadedModel.predict` outputs (clips in `labels` order), JSON-ready."""
    accuracy, class_mean = scene_accuracies(labels.scene_targets(), predictions["scene"])
    auc, used = clip_event_auc(labels.event_targets(), predictions["event"])
    paq = {p: mse(labels.paq[:, i], predictions["paq"][:, i]) for i, p in enumerate(PAQS)}
    return {
        "clips": len(labels),
        "scene_accuracy": accuracy,
        "scene_accuracy_class_mean": class_mean,
        "event_auc": auc,
        "event_auc_clips": int(used.sum()),
        "event_auc_skipped": [c for c, u in zip(labels.ids, used, strict=True) if not u],
        "isop_mse": mse(labels.iso[:, 0], predictions["isop"]),
        "isoe_mse": mse(labels.iso[:, 1], predictions["isoe"]),
        "paq_mse": paq,
        "paq_mse_mean": float(np.mean(list(paq.values()))),
    }


def format_metrics(metrics: dict[str, Any], title: str) -> str:
    """The metrics laid out as in the paper's tables (ASC accuracy, AEC AUC, PAQ MSE)."""
    head = ("ASC Acc. (%)", "AEC AUC", "PAQ MSE", "ISOP MSE", "ISOE MSE")
    values = (
        f"{100 * metrics['scene_accuracy']:.2f}",
        f"{metrics['event_auc']:.3f}",
        f"{metrics['paq_mse_mean']:.3f}",
        f"{metrics['isop_mse']:.4f}",
        f"{metrics['isoe_mse']:.4f}",
    )
    widths = [max(len(h), len(v)) for h, v in zip(head, values, strict=True)]
    paq_widths = [max(len(p), 6) for p in PAQS]
    skipped = len(metrics["event_auc_skipped"])
    return "\n".join(
        [
            f"{title}: {metrics['clips']} clips",
            "  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)),
            "  ".join(v.rjust(w) for v, w in zip(values, widths, strict=True)),
            *_published_row(metrics, widths),
            "PAQ MSE",
            "  ".join(p.rjust(w) for p, w in zip(PAQS, paq_widths, strict=True)),
            "  ".join(
                f"{metrics['paq_mse'][p]:.3f}".rjust(w)
                for p, w in zip(PAQS, paq_widths, strict=True)
            ),
            f"scene accuracy averaged over scenes: "
            f"{100 * metrics['scene_accuracy_class_mean']:.2f} %; event AUC over "
            f"{metrics['event_auc_clips']} clips ({skipped} without a positive or without a "
            "negative event skipped)",
        ]
    )


def _published_row(metrics: dict[str, Any], widths: list[int]) -> list[str]:
    """The network's published Table V values under the measured ones, where they are known."""
    published = metrics.get("published")
    if not published:
        return []
    values = (
        f"{100 * published['scene_accuracy']:.2f}",
        f"{published['event_auc']:.2f}",
        f"{published['paq_mse_mean']:.3f}",
    )
    row = "  ".join(v.rjust(w) for v, w in zip(values, widths, strict=False))
    return [f"{row}  published (paper's Table V, {metrics.get('network', '')}, test split)"]
