"""The panels of a live session's update: its events and radar, and its circumplex with the
latest point on the surveyed places and a fading trail of the points before it, the oldest
palest; drawn and encoded for the page with their text alternatives (`live_panels`, which a
drawing process runs: this module imports no more than the figures do)."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from llm_ssd.figures.images import PAGE_FORMAT, Rendered, render
from llm_ssd.figures.panels import CLIP_COLOURS, circumplex_figure, events_figure, paq_figure
from llm_ssd.reading.alt_text import circumplex_text, events_text, paq_text, trail_text
from llm_ssd.result import Analysis

TRAIL_COLOUR = CLIP_COLOURS[0]
FAINTEST = 0.15
"""Opacity of a point as old as the trail's span; the newest is opaque."""
TRAIL_DOT = 40
TRAIL_LINE = 1.0


def trail_alphas(ages: Sequence[float], span: float) -> list[float]:
    """Each point's opacity from its age (seconds before the newest): 1 for the newest, falling
    linearly to FAINTEST at `span`."""
    return [1.0 - (1.0 - FAINTEST) * min(max(age / span, 0.0), 1.0) for age in ages]


def trail_figure(
    analysis: Analysis, trail: Sequence[tuple[float, float, float]], span: float
) -> Figure:
    """The circumplex of `analysis` with `trail`, (heard, ISOP, ISOE) oldest first, drawn behind
    its point: dots fading with age over `span` seconds, joined by a thin line."""
    fig = circumplex_figure(analysis)
    if len(trail) < 2:
        return fig
    ax = fig.axes[0]
    newest = trail[-1][0]
    alphas = trail_alphas([newest - heard for heard, _, _ in trail], span)
    xs = [isop for _, isop, _ in trail]
    ys = [isoe for _, _, isoe in trail]
    for i in range(len(trail) - 1):
        ax.plot(xs[i : i + 2], ys[i : i + 2], color=TRAIL_COLOUR, alpha=alphas[i],
                linewidth=TRAIL_LINE, zorder=6)  # fmt: skip
    ax.scatter(xs[:-1], ys[:-1], s=TRAIL_DOT, color=TRAIL_COLOUR, alpha=alphas[:-1],
               edgecolors="none", zorder=6, label="earlier")  # fmt: skip
    ax.set_title("Circumplex, with the last minutes' trail")
    return fig


LIVE_PANELS = ("events", "paq", "circumplex")
"""The figures of a live update, by the names the page gives them."""


def live_panels(
    analysis: Analysis, trail: Sequence[tuple[float, float, float]], span: float
) -> dict[str, tuple[Rendered, str]]:
    """Each of `LIVE_PANELS`, drawn and encoded for the page, with its text alternative; the
    circumplex with `trail` (as `trail_figure`)."""
    figures = {
        "events": (events_figure(analysis), events_text(analysis)),
        "paq": (paq_figure(analysis), paq_text(analysis)),
        "circumplex": (
            trail_figure(analysis, trail, span),
            circumplex_text(analysis) + trail_text([isop for _, isop, _ in trail]),
        ),
    }
    panels = {}
    for name, (fig, text) in figures.items():
        image = render(fig)
        image.encoded(PAGE_FORMAT)
        panels[name] = (image, text)
    return panels
