"""What a side-by-side comparison of networks (`analyze(model="all")`) draws instead of the one
network's radar and events: every network's PAQ ring overlaid on one radar, and the events as an
events × networks heat map; the line saying where they agree is the comparison's own. Both follow
the phone rule of `legibility` (the heat map grows downwards, one row per event)."""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.figure import Figure

from llm_ssd.figures.legibility import FIGURE_WIDTH, TEXT_PT
from llm_ssd.labels import EVENTS, PAQ_ANGLES, PAQ_CIRCLE, PAQ_SCALE, PAQS, Likert
from llm_ssd.result import Analysis, Comparison

NETWORK_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                   "#bcbd22")  # fmt: skip
"""One colour per network, in the comparison's order (SoundAQnet's is the clip's own blue)."""
HEAT_CMAP = "Blues"
LINE_STYLES = ("-", "--", "-.", ":")
"""Rings differ in dash as well as colour, for readers who do not tell the colours apart."""
DARK_CELL = 0.6
"""Cells above this probability are dark enough for white text."""
EVENT_LABEL_CHARS = 16
"""Event names longer than this wrap onto a second line, so the heat map keeps its columns."""
NETWORK_LABEL_CHARS = 12
"""Network names wrap at this length above their column."""
HEAT_ROW_IN = 0.42
"""Inches per event row of the heat map."""
HEAT_HEADER_IN = 1.9
"""Inches above the rows: the title and the networks' names, upright."""
ROOMY_COLUMNS = 5
"""Up to this many networks a cell reads 0.97; beyond, .97 (the cells are narrower)."""


def networks_paq_figure(analysis: Analysis, size: tuple[float, float], dpi: int) -> Figure:
    """Each network's 8 ratings as a ring on one radar (1..5, dashed neutral ring at 3)."""
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
    ax.plot(ring, np.full(100, float(Likert.NEUTRAL)), color="#888888", linewidth=0.8,
            linestyle=(0, (4, 3)), label=f"neutral ({Likert.NEUTRAL:d})")  # fmt: skip
    ax.set_xticks(angles, list(PAQ_CIRCLE))
    ax.set_ylim(*PAQ_SCALE)
    ax.set_yticks([int(level) for level in Likert])
    ax.set_rlabel_position(360 / len(PAQS) / 2)
    ax.set_title("How it would feel (1–5), each network")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    return fig


def networks_events_figure(analysis: Analysis, dpi: int) -> Figure:
    """The 15 event probabilities of each network: events down, networks across, each cell's
    value written in it (so no colour bar is needed to read it)."""
    comparison = _comparison(analysis)
    values = np.array([[o.prediction.event_probabilities[e] for o in comparison.outputs]
                       for e in EVENTS])  # fmt: skip
    height = HEAT_HEADER_IN + HEAT_ROW_IN * len(EVENTS)
    fig = Figure(figsize=(FIGURE_WIDTH, height), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    ax.imshow(values, cmap=HEAT_CMAP, vmin=0, vmax=1, aspect="auto")
    ax.set_yticks(range(len(EVENTS)), [textwrap.fill(e, EVENT_LABEL_CHARS) for e in EVENTS])
    names = [textwrap.fill(o.label, NETWORK_LABEL_CHARS) for o in comparison.outputs]
    ax.set_xticks(range(len(names)), names, rotation=90)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for (row, col), p in np.ndenumerate(values):
        ax.text(col, row, cell_text(p, len(names)), ha="center", va="center", fontsize=TEXT_PT,
                color="white" if p > DARK_CELL else "black")  # fmt: skip
    fig.suptitle("Sound events (probability 0–1), each network")
    return fig


def cell_text(probability: float, columns: int) -> str:
    """A heat-map cell's value, two decimals; without the leading zero in narrow cells."""
    text = f"{probability:.2f}"
    return text.removeprefix("0") if columns > ROOMY_COLUMNS else text


def _comparison(analysis: Analysis) -> Comparison:
    if analysis.comparison is None:
        raise ValueError("the analysis compares no networks (analyze(model='all'))")
    return analysis.comparison
