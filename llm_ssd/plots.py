"""Figures of an Analysis: log-mel, loudness, events, affective qualities and the circumplex;
and of the class's caption ratings.

Built on `matplotlib.figure.Figure` (never pyplot's shared state) so that worker threads can
draw at the same time."""

from __future__ import annotations

from collections.abc import Sequence

import librosa
import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from .audio import HOP_LENGTH, MEL_FMAX, MEL_FMIN, N_MELS, SAMPLE_RATE
from .labels import PAQ_SCALE, PAQS, SCENE_LAY_NAMES
from .loudness import LOUDNESS_STEP
from .prompt import select_events
from .ratings import SourceSummary
from .result import Analysis
from .rubric import CRITERIA, CRITERION_KEYS, MEASURE_HEADERS, MEASURES, OVERALL_FORMULA, PUBLISHED

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
NEUTRAL_RATING = 3.0


def _figure(size: tuple[float, float]) -> Figure:
    return Figure(figsize=size, dpi=DPI, layout="constrained")


def log_mel_figure(analysis: Analysis) -> Figure:
    """The log-mel spectrogram the model saw, time in seconds, mel bands labelled in Hz."""
    fig = _figure(WIDE)
    ax = fig.add_subplot()
    mel = analysis.log_mel.T
    seconds = mel.shape[1] * HOP_LENGTH / SAMPLE_RATE
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
    t = np.arange(analysis.loudness.size) * LOUDNESS_STEP
    ax.plot(t, analysis.loudness, color="#333333", linewidth=0.8, label="N(t)")
    ax.axhline(analysis.n5, color="#d62728", linestyle="--", label=f"N5 = {analysis.n5:.1f} sone")
    ax.axhline(analysis.n10, color="#ff7f0e", linestyle=":", label=f"N10 = {analysis.n10:.1f} sone")
    ax.set_xlim(0, max(t[-1] if t.size else 0.0, LOUDNESS_STEP))
    ax.set_ylim(bottom=0, top=max(analysis.nmax * 1.1, 1.0))
    ax.set_xlabel("time (s)")
    ax.set_ylabel("loudness (sone)")
    ax.set_title("Loudness over time (ISO 532-1, free field)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=3, fontsize="small")
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
    ax.plot(
        np.linspace(0, 2 * np.pi, 100),
        np.full(100, NEUTRAL_RATING),
        color="#888888",
        linestyle="--",
        linewidth=1,
        label="neutral (3)",
    )
    ax.set_xticks(angles, [f"{p}\n{v:.1f}" for p, v in zip(PAQS, values, strict=True)])
    ax.set_ylim(*PAQ_SCALE)
    ax.set_yticks([1, 2, 3, 4, 5])
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


RATINGS_SIZE = (9.0, 4.6)
SOURCE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")
PUBLISHED_MARKERS = {"D1": "o", "D2": "D"}
PUBLISHED_COLOURS = {"SoundSCaper": "#d62728", "human expert": "#333333"}
MAX_SOURCE_LABEL = 40


def ratings_figure(summaries: Sequence[SourceSummary]) -> Figure:
    """Each caption source's mean of every criterion and of the overall score (bars), beside
    the paper's expert means (markers: D1 synthetic, D2 real recordings)."""
    fig = _figure(RATINGS_SIZE)
    ax = fig.add_subplot()
    x = np.arange(len(MEASURES))
    width = 0.8 / max(len(summaries), 1)
    for i, s in enumerate(summaries):
        label = s.source if len(s.source) <= MAX_SOURCE_LABEL else s.source[:MAX_SOURCE_LABEL] + "…"
        ax.bar(
            x - 0.4 + width * (i + 0.5),
            [s.means[m] for m in MEASURES],
            width,
            color=SOURCE_COLOURS[i % len(SOURCE_COLOURS)],
            label=f"{label} (n = {s.ratings})",
        )
    for row in PUBLISHED:
        if row.scores is not None:
            ax.scatter(
                x,
                [row.scores[k] for k in CRITERION_KEYS] + [row.overall],
                marker=PUBLISHED_MARKERS[row.dataset],
                facecolors="none" if row.dataset == "D1" else PUBLISHED_COLOURS[row.caption_by],
                edgecolors=PUBLISHED_COLOURS[row.caption_by],
                zorder=3,
                label=f"paper {row.dataset}, {row.caption_by}",
            )
    if not summaries:
        ax.text(0.5, 0.85, "No ratings yet", transform=ax.transAxes, ha="center", fontsize="large")
    ax.axhline(0, color="#888888", linewidth=0.8)
    ax.set_xticks(x, MEASURE_HEADERS)
    ax.set_ylim(min(c.low for c in CRITERIA), max(c.high for c in CRITERIA))
    ax.set_ylabel("mean score")
    ax.set_title(f"Ratings per caption source ({OVERALL_FORMULA})", fontsize="medium")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=3, fontsize="small")
    return fig
