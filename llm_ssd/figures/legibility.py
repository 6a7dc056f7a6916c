"""Figures drawn for the smallest screen: every figure the same width, its text sized so that,
shown `PHONE_FIGURE_PX` wide (a 390-px phone's column), none is under `MIN_TEXT_PX`."""

from __future__ import annotations

import math

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

FIGURE_WIDTH = 4.6
"""Inches: every figure, so that one text size reads the same in all of them."""
PHONE_FIGURE_PX = 320
"""CSS pixels a figure is shown at on a 390-px-wide phone (measured: 324)."""
MIN_TEXT_PX = 11.0
"""The smallest text a figure may show there, CSS pixels."""
POINTS_PER_INCH = 72
TEXT_PT = math.ceil(MIN_TEXT_PX * POINTS_PER_INCH * FIGURE_WIDTH / PHONE_FIGURE_PX * 10) / 10
"""The smallest font, points (11.4): `MIN_TEXT_PX` at `PHONE_FIGURE_PX`."""
TITLE_PT = TEXT_PT + 1
STYLE = {
    "font.size": TEXT_PT,
    "axes.titlesize": TITLE_PT,
    "axes.labelsize": TEXT_PT,
    "xtick.labelsize": TEXT_PT,
    "ytick.labelsize": TEXT_PT,
    "legend.fontsize": TEXT_PT,
    "legend.title_fontsize": TEXT_PT,
    "figure.titlesize": TITLE_PT,
}
"""matplotlib's defaults, so that tick labels, legends and titles are never smaller."""


def apply_style() -> None:
    """Make `STYLE` matplotlib's defaults (for the figures drawn from now on)."""
    matplotlib.rcParams.update(STYLE)


def smallest_text_pt(fig: Figure) -> float:
    """The smallest font, in points, of the text `fig` shows (drawn first, so that its ticks
    exist)."""
    if fig.canvas is None or not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    sizes = [
        t.get_fontsize()
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_alpha() != 0
    ]
    return min(sizes)


def smallest_text_px(fig: Figure, shown_px: float) -> float:
    """The smallest text of `fig`, in CSS pixels, when it is shown `shown_px` wide."""
    return smallest_text_pt(fig) / POINTS_PER_INCH * shown_px / fig.get_figwidth()
