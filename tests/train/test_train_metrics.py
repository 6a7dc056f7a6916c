"""The paper's metrics: rank-based ROC-AUC, per-clip event AUC, scene accuracy, MSE."""

from __future__ import annotations

import math

import numpy as np
import pytest

from llm_ssd.labels import EVENTS, PAQS
from llm_ssd.train.labels import SplitLabels, iso_from_paq
from llm_ssd.train.metrics import (
    average_ranks,
    clip_event_auc,
    compute_metrics,
    format_metrics,
    roc_auc,
    scene_accuracies,
)


def pairwise_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """The definition: P(score of a positive > score of a negative), ties one half."""
    pos, neg = scores[labels == 1], scores[labels == 0]
    wins = (pos[:, None] > neg[None]).sum() + 0.5 * (pos[:, None] == neg[None]).sum()
    return wins / (pos.size * neg.size)


def test_average_ranks_share_ties():
    np.testing.assert_array_equal(average_ranks(np.array([3.0, 1.0, 3.0, 2.0])), [3.5, 1, 3.5, 2])


def test_roc_auc_simple_cases():
    assert roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert roc_auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) == 0.0
    assert roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert roc_auc([0, 1, 1], [0.2, 0.1, 0.3]) == 0.5
    assert math.isnan(roc_auc([1, 1], [0.1, 0.2])) and math.isnan(roc_auc([0, 0], [0.1, 0.2]))


def test_roc_auc_matches_the_pairwise_definition_with_ties():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(2, 20))
        labels = rng.integers(0, 2, n)
        if labels.min() == labels.max():
            continue
        scores = rng.integers(0, 5, n) / 4  # many ties
        assert roc_auc(labels, scores) == pytest.approx(pairwise_auc(labels, scores), abs=1e-12)


def test_clip_auc_skips_clips_without_a_positive_or_a_negative():
    targets = np.zeros((4, 15))
    targets[0, :3] = 1  # normal clip
    targets[2, :] = 1  # every event: no negative
    targets[3, 5] = 1
    scores = np.tile(np.linspace(1, 0, 15), (4, 1))
    auc, used = clip_event_auc(targets, scores)
    np.testing.assert_array_equal(used, [True, False, False, True])
    assert auc == pytest.approx((1.0 + (9 / 14)) / 2)


def test_scene_accuracy_overall_and_per_scene():
    targets = np.array([0, 0, 0, 1])
    probabilities = np.eye(3)[[0, 0, 1, 1]]
    accuracy, per_scene = scene_accuracies(targets, probabilities)
    assert accuracy == 0.75 and per_scene == pytest.approx((2 / 3 + 1) / 2)


def test_compute_and_format_metrics():
    paq = np.array([[3.0] * 8, [2.0] * 8])
    labels = SplitLabels("test", ("a", "b"), ("park", "street_traffic"),
                         (("Bird",), ("Traffic", "Vehicle")), iso_from_paq(paq), paq)  # fmt: skip
    event = np.full((2, 15), 0.1)
    event[0, EVENTS.index("Bird")] = 0.9
    event[1, EVENTS.index("Traffic")] = 0.9  # Vehicle ranks with the negatives
    predictions = {
        "scene": np.array([[0.2, 0.7, 0.1], [0.5, 0.1, 0.4]]),
        "event": event,
        "isop": np.array([0.5, 0.0]),
        "isoe": np.array([0.0, 0.0]),
        "paq": np.array([[4.0] * 8, [2.0] * 8]),
    }
    metrics = compute_metrics(predictions, labels)
    assert metrics["clips"] == 2 and metrics["scene_accuracy"] == 0.5
    assert metrics["event_auc"] == pytest.approx((1 + 19.5 / 26) / 2)
    assert metrics["event_auc_clips"] == 2 and metrics["event_auc_skipped"] == []
    assert metrics["isop_mse"] == pytest.approx(0.5 * 0.25)
    assert metrics["paq_mse"] == dict.fromkeys(PAQS, 0.5) and metrics["paq_mse_mean"] == 0.5
    text = format_metrics(metrics, "x.pth on test")
    lines = text.splitlines()
    assert lines[0] == "x.pth on test: 2 clips"
    assert lines[1].split() == ["ASC", "Acc.", "(%)", "AEC", "AUC", "PAQ", "MSE", "ISOP", "MSE",
                                "ISOE", "MSE"]  # fmt: skip
    assert lines[2].split()[:3] == ["50.00", f"{metrics['event_auc']:.3f}", "0.500"]
    assert lines[4].split() == list(PAQS) and lines[5].split() == ["0.500"] * 8
