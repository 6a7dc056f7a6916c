"""The timeline of a recording longer than one window: scene probabilities, ISOP and ISOE, N5
and the events, window by window."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from llm_ssd.figures.legibility import FIGURE_WIDTH, TEXT_PT
from llm_ssd.figures.panels import DPI, time_axis
from llm_ssd.labels import EVENTS, SCENE_LAY_NAMES, SCENES
from llm_ssd.result import Analysis

TIMELINE_SIZE = (FIGURE_WIDTH, 8.4)
"""Inches of the timeline figure: narrower than the time series, so that a phone shrinks it less."""
LEGEND_ROW = 1.9
"""A title's distance above its plot, in text heights: room for the legend's row."""
EVENTS_CMAP = "viridis"
SCENE_COLOURS = {"public_square": "#9467bd", "park": "#2ca02c", "street_traffic": "#d62728"}


def timeline_figure(analysis: Analysis) -> Figure | None:
    """Four panels over time, one step per window; None for a recording of one window."""
    windows = analysis.windows
    if len(windows) < 2:
        return None
    edges = np.array([0.0, *(w.end for w in windows)])  # each window from the last's end
    fig = Figure(figsize=TIMELINE_SIZE, dpi=DPI, layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=(2.9, 2.6))  # the long event names
    scenes, feeling, loudness = top.subplots(3, 1, sharex=True, height_ratios=(1.0, 1.0, 0.8))
    events = bottom.subplots()  # take no width from the three plots above
    for scene in SCENES:
        values = [w.prediction.scene_probabilities[scene] for w in windows]
        scenes.stairs(
            values, edges, color=SCENE_COLOURS[scene], linewidth=2, label=SCENE_LAY_NAMES[scene]
        )
    scenes.set_ylim(0, 1.05)
    scenes.set_ylabel("probability")
    _title(scenes, "Kind of place over time")

    feeling.axhline(0, color="#bbbbbb", linewidth=1)
    feeling.stairs([w.prediction.isop for w in windows], edges, linewidth=2, label="ISOP")
    feeling.stairs([w.prediction.isoe for w in windows], edges, linewidth=2, label="ISOE")
    feeling.set_ylim(-1.05, 1.05)
    _title(feeling, "Pleasant (ISOP), eventful (ISOE)")

    n5 = [w.n5 for w in windows]
    loudness.stairs(n5, edges, color="#333333", linewidth=2, label="N5")
    loudness.set_ylim(0, max(max(n5) * 1.15, 1.0))
    loudness.set_ylabel("sone")
    _title(loudness, "How loud (N5) each window is")
    time_axis(loudness, float(edges[-1]))

    grid = np.array([[w.prediction.event_probabilities[e] for e in EVENTS] for w in windows])
    image = events.pcolormesh(
        edges, np.arange(len(EVENTS) + 1), grid.T, cmap=EVENTS_CMAP, vmin=0.0, vmax=1.0
    )
    events.set_yticks(np.arange(len(EVENTS)) + 0.5, EVENTS)
    events.invert_yaxis()
    _title(events, "Sound events")
    time_axis(events, float(edges[-1]))  # m:ss past a minute, as the loudness plot
    bottom.colorbar(image, ax=events, location="bottom", shrink=0.6, label="probability")
    return fig


def _title(ax: Axes, text: str) -> None:
    """A title on the left, the legend (if any) in one row under it, so that the plots keep
    the figure's width."""
    ax.set_title(text, loc="left", pad=TEXT_PT * LEGEND_ROW)
    handles = ax.get_legend_handles_labels()[0]
    if handles:
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False, fontsize=TEXT_PT,
                  ncols=len(handles), borderaxespad=0.1, handlelength=1.2,
                  columnspacing=0.8)  # fmt: skip
