"""The class's caption ratings beside the paper's published ones, as a figure."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from llm_ssd.figures.legibility import FIGURE_WIDTH, TEXT_PT
from llm_ssd.figures.panels import _figure
from llm_ssd.ratings.rubric import (
    CRITERIA,
    CRITERION_KEYS,
    MEASURE_HEADERS,
    MEASURES,
    PUBLISHED,
)
from llm_ssd.ratings.summary import SourceSummary

RATINGS_SIZE = (FIGURE_WIDTH, 6.4)
DATASET_WORDS = {"D1": "synthetic clips", "D2": "real recordings"}
"""The paper's two test sets in plain words (its D1 and D2)."""
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
                label=f"paper, {DATASET_WORDS[row.dataset]} ({row.dataset}): {row.caption_by}",
            )
    if not summaries:
        ax.text(0.5, 0.85, "No ratings yet", transform=ax.transAxes, ha="center", fontsize="large")
    ax.axhline(0, color="#888888", linewidth=0.8)
    ax.set_xticks(x, MEASURE_HEADERS)
    ax.set_ylim(min(c.low for c in CRITERIA), max(c.high for c in CRITERIA))
    ax.set_ylabel("mean score")
    ax.set_title("Ratings per caption source")
    fig.legend(loc="outside lower center", ncols=1, fontsize=TEXT_PT, frameon=False)
    return fig
