"""What the four published checkpoints of an ensemble add to the figures: their spread as
whiskers on the events, a band on the radar and their own points on the circumplex, and the
line saying how many name the scene."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from llm_ssd.figures.legibility import TEXT_PT
from llm_ssd.labels import PAQ_CIRCLE, SCENE_LAY_NAMES
from llm_ssd.result import Analysis

ENSEMBLE_COLOUR = "#555555"
"""The checkpoints of an ensemble: whiskers, band and points."""


def agreement_line(analysis: Analysis) -> str:
    """ "4 of 4 checkpoints: park" for an ensemble, the comparison's sentence for networks side
    by side ("4 of 4 networks: park; they disagree most on ..."); empty for neither."""
    if analysis.comparison is not None:
        return analysis.comparison.sentence()
    ensemble = analysis.ensemble
    if ensemble is None:
        return ""
    n = len(ensemble.predictions)
    return f"{ensemble.agreement} of {n} checkpoints: {SCENE_LAY_NAMES[ensemble.scene]}"


def ensemble_whiskers(ax: Axes, analysis: Analysis, names: list[str]) -> None:
    """Each event's lowest and highest probability over the checkpoints, the bar's value label
    moved past the whisker."""
    if analysis.ensemble is None:
        return
    low, high = analysis.ensemble.low, analysis.ensemble.high
    mean = np.array([analysis.event_probabilities[n] for n in names])
    lo = np.array([low.event_probabilities[n] for n in names])
    hi = np.array([high.event_probabilities[n] for n in names])
    ax.errorbar(mean, names, xerr=[mean - lo, hi - mean], fmt="none", ecolor=ENSEMBLE_COLOUR,
                capsize=3, linewidth=1)  # fmt: skip
    for label, top in zip(ax.texts, hi, strict=True):
        label.xy = (max(label.xy[0], top), label.xy[1])
    ax.text(0.99, 0.01, "whiskers: min–max of the checkpoints", transform=ax.transAxes,
            ha="right", va="bottom", fontsize=TEXT_PT, color=ENSEMBLE_COLOUR)  # fmt: skip


def ensemble_band(ax: Axes, analysis: Analysis, closed: np.ndarray) -> None:
    """The ratings' range over the checkpoints, a grey band around the mean (radar order)."""
    if analysis.ensemble is None:
        return
    low = [analysis.ensemble.low.paq[p] for p in PAQ_CIRCLE]
    high = [analysis.ensemble.high.paq[p] for p in PAQ_CIRCLE]
    ax.fill_between(closed, [*low, low[0]], [*high, high[0]], color=ENSEMBLE_COLOUR, alpha=0.3,
                    linewidth=0, label="min–max of the checkpoints")  # fmt: skip


def ensemble_points(ax: Axes, analysis: Analysis) -> None:
    """Each checkpoint's own (ISOP, ISOE)."""
    if analysis.ensemble is None:
        return
    points = [(p.isop, p.isoe) for p in analysis.ensemble.predictions]
    ax.scatter(*zip(*points, strict=True), s=30, facecolors="none", edgecolors=ENSEMBLE_COLOUR,
               zorder=6, label="each checkpoint")  # fmt: skip
