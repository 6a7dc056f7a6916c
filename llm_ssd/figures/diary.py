"""A soundscape diary's figures (the tables of `archive.diary`, given as columns): over the
hours of the day, ISOP and ISOE, N5, the dominant scene and the events; and the circumplex
trajectory, the hours' points joined in order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from llm_ssd.figures.legibility import FIGURE_WIDTH, TEXT_PT
from llm_ssd.figures.panels import DPI, _circumplex_frame
from llm_ssd.figures.timeline import EVENTS_CMAP, SCENE_COLOURS
from llm_ssd.labels import EVENTS, SCENE_LAY_NAMES, SCENES

DIARY_SIZE = (FIGURE_WIDTH, 9.0)
TRAJECTORY_SIZE = (FIGURE_WIDTH, FIGURE_WIDTH + 0.6)
HOURS = 24
HOUR_TICKS = (0, 6, 12, 18, 24)
NARROW_HOUR_TICKS = (0, 12, 24)
"""The event map is narrowed by the events' names: fewer ticks."""
TRAJECTORY_COLOUR = "#1f77b4"

Columns = Mapping[str, Sequence]
"""A diary table as columns: `hour`, `isop`, `isoe`, `loudness_n5`, `scene`,
`scene_probability` and `p_<event>` for each event."""


def diary_figure(hours: Columns) -> Figure:
    """Four panels over the day, one step per hour that has windows."""
    hour = np.asarray(hours["hour"], int)
    fig = Figure(figsize=DIARY_SIZE, dpi=DPI, layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=(3.2, 2.6))
    feeling, loudness, scenes = top.subplots(3, 1, sharex=True, height_ratios=(1.0, 0.8, 0.5))
    events = bottom.subplots()
    feeling.axhline(0, color="#bbbbbb", linewidth=1)
    feeling.plot(hour + 0.5, hours["isop"], marker="o", linewidth=2, label="ISOP")
    feeling.plot(hour + 0.5, hours["isoe"], marker="s", linewidth=2, label="ISOE")
    feeling.set_ylim(-1.05, 1.05)
    feeling.set_title("Pleasant (ISOP), eventful (ISOE), hour by hour")
    feeling.legend(loc="upper right", fontsize=TEXT_PT, ncol=2, frameon=False)

    n5 = np.asarray(hours["loudness_n5"], float)
    loudness.bar(hour + 0.5, n5, width=0.8, color="#333333")
    loudness.set_ylim(0, max(float(n5.max(initial=0.0)) * 1.15, 1.0))
    loudness.set_ylabel("sone")
    loudness.set_title("How loud (mean N5)")

    colours = [SCENE_COLOURS[s] for s in hours["scene"]]
    scenes.bar(hour + 0.5, hours["scene_probability"], width=1.0, color=colours)
    scenes.set_ylim(0, 1.05)
    scenes.set_yticks([0, 1])
    scenes.set_title("Kind of place (most likely scene)")
    handles = [Patch(color=SCENE_COLOURS[s], label=SCENE_LAY_NAMES[s]) for s in SCENES]
    top.legend(handles=handles, loc="outside lower center", fontsize=TEXT_PT, ncol=3,
               frameon=False)  # fmt: skip
    _hour_axis(scenes)

    grid = np.full((HOURS, len(EVENTS)), np.nan)
    for row, h in enumerate(hour):
        grid[h] = [hours[f"p_{e}"][row] for e in EVENTS]
    image = events.pcolormesh(
        np.arange(HOURS + 1), np.arange(len(EVENTS) + 1), grid.T, cmap=EVENTS_CMAP, vmin=0, vmax=1
    )
    events.set_yticks(np.arange(len(EVENTS)) + 0.5, EVENTS)
    events.invert_yaxis()
    events.set_title("Sound events by hour")
    _hour_axis(events, NARROW_HOUR_TICKS)
    bottom.colorbar(image, ax=events, label="probability")
    return fig


def _hour_axis(ax, ticks: Sequence[int] = HOUR_TICKS) -> None:
    ax.set_xlim(0, HOURS)
    ax.set_xticks(ticks, [f"{h:02d}h" for h in ticks])
    ax.set_xlabel("hour of day")


def trajectory_figure(hours: Columns) -> Figure:
    """The hours' (ISOP, ISOE) on the circumplex, joined in the order of the day."""
    fig = Figure(figsize=TRAJECTORY_SIZE, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    _circumplex_frame(ax)
    x, y = np.asarray(hours["isop"], float), np.asarray(hours["isoe"], float)
    ax.plot(x, y, color=TRAJECTORY_COLOUR, linewidth=1.5, alpha=0.7)
    ax.scatter(x, y, c=[SCENE_COLOURS[s] for s in hours["scene"]], s=60, zorder=5,
               edgecolors="white")  # fmt: skip
    named: dict[tuple[float, float], list[str]] = {}  # hours at one point share a label
    for h, px, py in zip(hours["hour"], x, y, strict=True):
        named.setdefault((round(px, 2), round(py, 2)), []).append(f"{int(h):02d}h")
    for (px, py), names in named.items():
        ax.annotate(" ".join(names), (px, py), textcoords="offset points", xytext=(5, 5),
                    fontsize=TEXT_PT)  # fmt: skip
    ax.set_title("The day on the circumplex, hour by hour")
    return fig
