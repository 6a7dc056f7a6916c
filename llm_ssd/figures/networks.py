"""What a side-by-side comparison of networks (`analyze(model="all")`) draws instead of the one
network's radar and events: every network's PAQ ring overlaid on one radar, and the events as a
networks × events heat map; the line saying where they agree is the comparison's own."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from llm_ssd.labels import EVENTS, PAQ_ANGLES, PAQ_CIRCLE, PAQ_SCALE, PAQS, Likert
from llm_ssd.result import Analysis, Comparison

NETWORK_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                   "#bcbd22")  # fmt: skip
"""One colour per network, in the comparison's order (SoundAQnet's is the clip's own blue)."""
HEAT_CMAP = "Blues"
LINE_STYLES = ("-", "--", "-.", ":")
"""Rings differ in dash as well as colour, for readers who do not tell the colours apart."""


def networks_paq_figure(analysis: Analysis, size: tuple[float, float], dpi: int) -> Figure:
    """Each network's 8 ratings as a ring on one radar (1..5, neutral ring at 3)."""
    comparison = _comparison(analysis)
    fig = Figure(figsize=size, dpi=dpi, layout="constrained")
    ax = fig.add_subplot(projection="polar")
    angles = np.deg2rad([PAQ_ANGLES[q] for q in PAQ_CIRCLE])
    closed = np.append(angles, angles[0])
    for i, output in enumerate(comparison.outputs):
        values = np.clip([output.prediction.paq[q] for q in PAQ_CIRCLE], *PAQ_SCALE)
        ax.plot(closed, np.append(values, values[0]), color=NETWORK_COLOURS[i % 8],
                linestyle=LINE_STYLES[i % len(LINE_STYLES)], linewidth=1.8,
                label=output.label)  # fmt: skip
    ring = np.linspace(0, 2 * np.pi, 100)
    ax.plot(ring, np.full(100, float(Likert.NEUTRAL)), color="#888888", linewidth=0.8)
    ax.set_xticks(angles, list(PAQ_CIRCLE))
    ax.set_ylim(*PAQ_SCALE)
    ax.set_yticks([int(level) for level in Likert])
    ax.set_rlabel_position(360 / len(PAQS) / 2)
    ax.set_title("Perceived affective qualities (1–5), each network")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize="small",
              frameon=False)  # fmt: skip
    return fig


def networks_events_figure(analysis: Analysis, dpi: int) -> Figure:
    """The 15 event probabilities of each network: networks down, events across, each cell's
    value written in it."""
    comparison = _comparison(analysis)
    values = np.array([[o.prediction.event_probabilities[e] for e in EVENTS]
                       for o in comparison.outputs])  # fmt: skip
    fig = Figure(figsize=(9.0, 1.6 + 0.42 * len(values)), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(values, cmap=HEAT_CMAP, vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(EVENTS)), EVENTS, rotation=40, ha="right", fontsize="small")
    ax.set_yticks(range(len(values)), [o.label for o in comparison.outputs], fontsize="small")
    for (row, col), p in np.ndenumerate(values):
        ax.text(col, row, f"{p:.2f}", ha="center", va="center", fontsize="x-small",
                color="white" if p > 0.6 else "black")  # fmt: skip
    fig.colorbar(image, ax=ax, label="probability", fraction=0.03)
    ax.set_title("Sound events, each network", fontsize="medium")
    return fig


def _comparison(analysis: Analysis) -> Comparison:
    if analysis.comparison is None:
        raise ValueError("the analysis compares no networks (analyze(model='all'))")
    return analysis.comparison
