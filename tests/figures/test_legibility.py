"""Figures designed for the smallest screen (issue 20): every figure's smallest text reaches
`MIN_TEXT_PX` CSS pixels when it is shown `PHONE_FIGURE_PX` wide, and no text runs off it."""

from __future__ import annotations

import dataclasses

import pytest
from analyses import make_analysis

from llm_ssd.figures import panels as plots
from llm_ssd.figures.legibility import (
    MIN_TEXT_PX,
    PHONE_FIGURE_PX,
    smallest_text_pt,
    smallest_text_px,
)
from llm_ssd.figures.networks import networks_events_figure, networks_paq_figure
from llm_ssd.figures.panels import DPI, SQUARE
from llm_ssd.figures.ratings import ratings_figure
from llm_ssd.figures.timeline import timeline_figure
from llm_ssd.model.networks.registry import NETWORKS
from llm_ssd.result import Comparison, Ensemble, NetworkOutput, Window

EDGE_IN = 0.01
"""Rounding allowed at the figure's edge, inches."""


def long_recording():
    a = make_analysis(events={"Bird": 0.9, "Environment and background": 0.5})
    windows = tuple(Window(30.0 * i, 30.0 * (i + 1), a.prediction, 10.0 + i) for i in range(6))
    return dataclasses.replace(a, windows=windows, duration=180.0)


SIDES = (4, 8)
"""Networks side by side: as many as ship weights, and all of them."""


def side_by_side(count: int):
    """An analysis comparing the first `count` registered networks (the longest labels too)."""
    a = make_analysis()
    outputs = tuple(NetworkOutput(name, spec.label, "", name == "soundaqnet", a.prediction)
                    for name, spec in list(NETWORKS.items())[:count])  # fmt: skip
    return dataclasses.replace(a, comparison=Comparison(outputs))


PANELS = ("mel", "loudness", "events", "paq", "circumplex")


def every_figure():
    a, b = make_analysis(), make_analysis(paq={"pleasant": 4.5}, scene="street_traffic")
    long = long_recording()
    return {
        **dict(zip(PANELS, plots.all_figures(long), strict=True)),
        "timeline": timeline_figure(long),
        "compare paq": plots.paq_figure(a, b),
        "compare circumplex": plots.circumplex_figure(a, b),
        "compare events": plots.events_pair_figure(a, b),
        "ratings": ratings_figure([]),
        **{f"{n} networks' events": networks_events_figure(side_by_side(n), DPI) for n in SIDES},
        **{f"{n} networks radar": networks_paq_figure(side_by_side(n), SQUARE, DPI) for n in SIDES},
    }


FIGURES = every_figure()


@pytest.mark.parametrize("name", FIGURES)
def test_the_smallest_text_is_legible_at_a_phones_width(name):
    assert smallest_text_px(FIGURES[name], PHONE_FIGURE_PX) >= MIN_TEXT_PX


@pytest.mark.parametrize("name", FIGURES)
def test_nothing_runs_off_the_figure(name):
    fig = FIGURES[name]
    smallest_text_pt(fig)  # draws it
    drawn = fig.get_tightbbox(fig.canvas.get_renderer())  # inches, what is drawn
    width, height = fig.get_size_inches()
    assert min(drawn.x0, drawn.y0) >= -EDGE_IN, (name, drawn.bounds)
    assert drawn.x1 <= width + EDGE_IN and drawn.y1 <= height + EDGE_IN, (name, drawn.bounds)


def legend_texts(fig) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def test_every_mark_of_the_circumplex_is_in_its_legend():
    a = make_analysis()
    ensemble = Ensemble(("c1", "c2"), (a.prediction, a.prediction))
    texts = legend_texts(plots.circumplex_figure(dataclasses.replace(a, ensemble=ensemble)))
    assert "each checkpoint" in texts and "this clip" in texts
    assert "each checkpoint" not in legend_texts(plots.circumplex_figure(a))
    assert "China" not in texts and "China (city not recorded)" in texts  # a country, said so
