"""Figures of an Analysis: log-mel, loudness, events, affective qualities and the circumplex.

Built on `matplotlib.figure.Figure` (never pyplot's shared state) so that worker threads can
draw at the same time."""

from __future__ import annotations

import librosa
import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from .audio import HOP_LENGTH, MEL_FMAX, MEL_FMIN, N_MELS, SAMPLE_RATE
from .labels import PAQ_SCALE, PAQS, SCENE_LAY_NAMES, Likert
from .loudness import LOUDNESS_STEP
from .prompt import select_events
from .result import Analysis

matplotlib.use("Agg")

WIDE = (9.0, 3.2)
"""Inches of the time-series figures."""
SQUARE = (4.6, 4.6)
DPI = 110
MEL_CMAP = "magma"
MEL_DYNAMIC_RANGE = 80.0
"""dB shown below the clip's maximum; quieter bins share the darkest colour."""
MEL_TICKS_HZ = (100, 500, 1000, 2000, 4000, 8000)
USED_COLOUR = "#1f77b4"
UNUSED_COLOUR = "#c7c7c7"


def _figure(size: tuple[float, float]) -> Figure:
    return Figure(figsize=size, dpi=DPI, layout="constrained")


def log_mel_figure(analysis: Analysis) -> Figure:
    """The log-mel spectrogram the model saw, time in seconds, mel bands labelled in Hz."""
    fig = _figure(WIDE)
    ax = fig.add_subplot()
    mel = analysis.log_mel.T
    seconds = mel.shape[1] * analysis.mel_pooling * HOP_LENGTH / SAMPLE_RATE
    top = float(mel.max())
    image = ax.imshow(
        mel,
        origin="lower",
        aspect="auto",
        cmap=MEL_CMAP,
        extent=(0.0, seconds, -0.5, N_MELS - 0.5),
        vmin=top - MEL_DYNAMIC_RANGE,
        vmax=top,
    )
    centres = librosa.mel_frequencies(N_MELS + 2, fmin=MEL_FMIN, fmax=MEL_FMAX)[1:-1]
    ticks = [(int(np.argmin(np.abs(centres - hz))), hz) for hz in MEL_TICKS_HZ]
    ax.set_yticks(
        [i for i, _ in ticks], [f"{hz / 1000:g}k" if hz >= 1000 else str(hz) for _, hz in ticks]
    )
    ax.set_xlabel("time (s)")
    ax.set_ylabel("mel frequency (Hz)")
    ax.set_title("Log-mel spectrogram")
    fig.colorbar(image, ax=ax, label="dB")
    return fig


def loudness_figure(analysis: Analysis) -> Figure:
    """ISO 532-1 loudness N(t) with N5 and N10 marked."""
    fig = _figure(WIDE)
    ax = fig.add_subplot()
    t = np.arange(analysis.loudness.size) * LOUDNESS_STEP * analysis.loudness_pooling
    ax.plot(t, analysis.loudness, color="#333333", linewidth=0.8, label="N(t)")
    ax.axhline(analysis.n5, color="#d62728", linestyle="--", label=f"N5 = {analysis.n5:.1f} sone")
    ax.axhline(analysis.n10, color="#ff7f0e", linestyle=":", label=f"N10 = {analysis.n10:.1f} sone")
    ax.set_xlim(0, max(t[-1] if t.size else 0.0, LOUDNESS_STEP))
    ax.set_ylim(bottom=0, top=max(analysis.nmax * 1.1, 1.0))
    ax.set_xlabel("time (s)")
    ax.set_ylabel("loudness (sone)")
    ax.set_title("Loudness over time (ISO 532-1, free field)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    return fig


def events_figure(analysis: Analysis) -> Figure:
    """The 15 event probabilities, sorted; the ones the caption mentions in colour."""
    fig = _figure((6.0, 4.8))
    ax = fig.add_subplot()
    used = {name for name, _ in select_events(analysis.event_probabilities)}
    items = sorted(analysis.event_probabilities.items(), key=lambda kv: kv[1])
    colours = [USED_COLOUR if name in used else UNUSED_COLOUR for name, _ in items]
    bars = ax.barh([n for n, _ in items], [p for _, p in items], color=colours)
    ax.bar_label(bars, labels=[f"{p:.2f}" for _, p in items], padding=2, fontsize="small")
    _ensemble_whiskers(ax, analysis, [n for n, _ in items])
    ax.set_xlim(0, 1.12)
    ax.set_xlabel("probability")
    ax.set_title("Sound events (blue: used in the caption)", fontsize="medium")
    return fig


def paq_figure(analysis: Analysis) -> Figure:
    """Radar chart of the 8 perceived affective qualities on 1..5, neutral ring at 3."""
    fig = _figure(SQUARE)
    ax = fig.add_subplot(projection="polar")
    angles = np.linspace(0, 2 * np.pi, len(PAQS), endpoint=False)
    values = np.array([analysis.paq[p] for p in PAQS])
    closed = np.append(angles, angles[0])
    ax.plot(closed, np.append(values, values[0]), color=USED_COLOUR, linewidth=2)
    ax.fill(closed, np.append(values, values[0]), color=USED_COLOUR, alpha=0.25)
    _ensemble_band(ax, analysis, closed)
    ax.plot(
        np.linspace(0, 2 * np.pi, 100),
        np.full(100, float(Likert.NEUTRAL)),
        color="#888888",
        linestyle="--",
        linewidth=1,
        label=f"neutral ({Likert.NEUTRAL:d})",
    )
    ax.set_xticks(angles, [f"{p}\n{v:.1f}" for p, v in zip(PAQS, values, strict=True)])
    ax.set_ylim(*PAQ_SCALE)
    ax.set_yticks([int(level) for level in Likert])
    ax.set_rlabel_position(360 / len(PAQS) / 2)  # scale numbers between two quality axes
    ax.set_title("Perceived affective qualities (1–5)")
    ax.legend(loc="lower right", bbox_to_anchor=(1.15, -0.12), fontsize="small")
    return fig


def circumplex_figure(analysis: Analysis) -> Figure:
    """ISO Pleasantness × Eventfulness as a point in the ISO 12913-3 circumplex."""
    fig = _figure(SQUARE)
    ax = fig.add_subplot()
    ax.add_patch(Circle((0, 0), 1.0, fill=False, color="#bbbbbb"))
    ax.axhline(0, color="#bbbbbb", linewidth=1)
    ax.axvline(0, color="#bbbbbb", linewidth=1)
    for (x, y), text in {
        (0.5, 0.5): "vibrant",
        (-0.5, 0.5): "chaotic",
        (-0.5, -0.5): "monotonous",
        (0.5, -0.5): "calm",
    }.items():
        ax.text(x, y, text, ha="center", va="center", color="#999999", style="italic")
    ax.scatter([analysis.isop], [analysis.isoe], s=120, color="#d62728", zorder=3)
    _ensemble_points(ax, analysis)
    ax.annotate(
        f"({analysis.isop:+.2f}, {analysis.isoe:+.2f})",
        (analysis.isop, analysis.isoe),
        textcoords="offset points",
        xytext=(8, 8),
    )
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(-1.05, 1.05)
    ax.set_aspect("equal")
    ax.set_xlabel("annoying  ←  ISO Pleasantness  →  pleasant")
    ax.set_ylabel("uneventful  ←  ISO Eventfulness  →  eventful")
    ax.set_title("Circumplex (ISO/TS 12913-3)")
    return fig


def scene_confidences(analysis: Analysis) -> dict[str, float]:
    """Scene probabilities keyed by their lay names, for a label component."""
    return {SCENE_LAY_NAMES[k]: float(v) for k, v in analysis.scene_probabilities.items()}


def all_figures(analysis: Analysis) -> tuple[Figure, Figure, Figure, Figure, Figure]:
    """Log-mel, loudness, events, PAQ radar and circumplex, in that order."""
    return (
        log_mel_figure(analysis),
        loudness_figure(analysis),
        events_figure(analysis),
        paq_figure(analysis),
        circumplex_figure(analysis),
    )


ENSEMBLE_COLOUR = "#555555"
"""The checkpoints of an ensemble: whiskers, band and points."""


def agreement_line(analysis: Analysis) -> str:
    """ "4 of 4 checkpoints: park" for an ensemble; empty without one."""
    ensemble = analysis.ensemble
    if ensemble is None:
        return ""
    n = len(ensemble.predictions)
    return f"{ensemble.agreement} of {n} checkpoints: {SCENE_LAY_NAMES[ensemble.scene]}"


def _ensemble_whiskers(ax: Axes, analysis: Analysis, names: list[str]) -> None:
    """Each event's lowest and highest probability over the checkpoints, the bar's value label
    moved past the whisker."""
    if analysis.ensemble is None:
        return
    low, high = analysis.ensemble.low, analysis.ensemble.high
    mean = np.array([analysis.event_probabilities[n] for n in names])
    lo = np.array([low.event_probabilities[n] for n in names])
    hi = np.array([high.event_probabilities[n] for n in names])
    ax.errorbar(
        mean,
        names,
        xerr=[mean - lo, hi - mean],
        fmt="none",
        ecolor=ENSEMBLE_COLOUR,
        capsize=3,
        linewidth=1,
    )
    for label, top in zip(ax.texts, hi, strict=True):
        label.xy = (max(label.xy[0], top), label.xy[1])
    ax.text(
        0.99,
        0.01,
        "whiskers: min–max of the checkpoints",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize="small",
        color=ENSEMBLE_COLOUR,
    )


def _ensemble_band(ax: Axes, analysis: Analysis, closed: np.ndarray) -> None:
    """The ratings' range over the checkpoints, a grey band around the mean."""
    if analysis.ensemble is None:
        return
    low = [analysis.ensemble.low.paq[p] for p in PAQS]
    high = [analysis.ensemble.high.paq[p] for p in PAQS]
    ax.fill_between(
        closed, [*low, low[0]], [*high, high[0]], color=ENSEMBLE_COLOUR, alpha=0.3, linewidth=0
    )
    ax.text(
        -0.12,
        -0.12,
        "grey: min–max of\nthe checkpoints",
        transform=ax.transAxes,
        fontsize="small",
        va="bottom",
    )


def _ensemble_points(ax: Axes, analysis: Analysis) -> None:
    """Each checkpoint's own (ISOP, ISOE)."""
    if analysis.ensemble is None:
        return
    points = [(p.isop, p.isoe) for p in analysis.ensemble.predictions]
    ax.scatter(
        *zip(*points, strict=True),
        s=30,
        facecolors="none",
        edgecolors=ENSEMBLE_COLOUR,
        zorder=4,
        label="each checkpoint",
    )
    ax.legend(loc="lower left", fontsize="small")
