"""The radar and the circumplex read the same way (issue 15): each quality points in the
direction in which it moves the clip on the circumplex, and ratings off the 1–5 scale are
drawn at the edge with a mark and their value."""

from __future__ import annotations

import math

import numpy as np
import pytest
from analyses import make_analysis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection

from llm_ssd.figures import panels as plots
from llm_ssd.labels import PAQ_SCALE, PAQS
from llm_ssd.train.labels import iso_from_paq

WHITE_ENOUGH = 250
"""A pixel's darkest channel, 0 to 255, where nothing is drawn over the white."""


def radar_directions(fig) -> dict[str, float]:
    """Degrees of each quality's axis on a drawn radar, read back from its tick labels."""
    ax = fig.axes[0]
    labels = [t.get_text().split("\n")[0] for t in ax.get_xticklabels()]
    return dict(zip(labels, np.rad2deg(ax.get_xticks()) % 360, strict=True))


def circumplex_direction(quality: str) -> float:
    """Degrees in which raising one quality moves a clip on the circumplex (ISO/TS 12913-3)."""
    neutral = np.full((1, len(PAQS)), 3.0)
    raised = neutral.copy()
    raised[0, PAQS.index(quality)] += 1
    dp, de = (iso_from_paq(raised) - iso_from_paq(neutral))[0]
    return math.degrees(math.atan2(de, dp)) % 360


def test_each_quality_points_the_same_way_on_radar_and_circumplex():
    fig = plots.paq_figure(make_analysis())
    radar = radar_directions(fig)
    assert set(radar) == set(PAQS)
    for quality in PAQS:
        assert radar[quality] == pytest.approx(circumplex_direction(quality), abs=1e-6), quality
    circle = plots.circumplex_figure(make_analysis())
    words = {t.get_text(): t.get_position() for t in circle.axes[0].texts}
    for quality in ("vibrant", "chaotic", "monotonous", "calm"):
        x, y = words[quality]
        assert math.degrees(math.atan2(y, x)) % 360 == pytest.approx(radar[quality]), quality


def test_a_rating_below_the_scale_is_marked_and_stated():
    fig = plots.paq_figure(make_analysis(paq={"calm": 0.5, "pleasant": 5.4}))
    ax = fig.axes[0]
    ticks = {t.get_text().split("\n")[0]: t.get_text() for t in ax.get_xticklabels()}
    assert ticks["calm"].endswith("0.5 (below 1)")
    assert ticks["pleasant"].endswith("5.4 (above 5)")
    (marks,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    radii = sorted(float(r) for _, r in marks.get_offsets())
    assert radii == [PAQ_SCALE[0], PAQ_SCALE[1]]
    assert "off the 1–5 scale" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_time_axes_read_in_minutes_past_a_minute_and_share_one_scale():
    from dataclasses import replace

    long = replace(make_analysis(), duration=185.0)
    for figure in (plots.log_mel_figure(long), plots.loudness_figure(long)):
        ax = figure.axes[0]
        figure.canvas.draw()
        assert ax.get_xlim() == (0.0, 185.0)
        assert ax.get_xlabel() == "time (m:ss)"
        labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert "1:00" in labels or "2:00" in labels, labels
    short = plots.loudness_figure(make_analysis())
    assert short.axes[0].get_xlabel() == "time (s)"


@pytest.mark.parametrize("names", [("A",), ("A", "B")])
def test_no_ring_runs_through_a_radar_word(names):
    """Issue 20: on a phone the circle overprinted "pleasant" and "annoying". Drawn with its
    words in white, the radar shows nothing but white where each word stands."""
    analyses = [make_analysis(paq={"pleasant": 4.6, "annoying": 1.4})] * len(names)
    fig = plots.paq_figure(*analyses, names=names)
    words = fig.axes[0].get_xticklabels()
    for word in words:
        word.set_color("white")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3]
    height = pixels.shape[0]
    for word in words:
        box = word.get_window_extent(canvas.get_renderer())
        rows = slice(height - math.floor(box.y1) + 1, height - math.ceil(box.y0) - 1)
        under = pixels[rows, math.ceil(box.x0) + 1 : math.floor(box.x1) - 1]
        assert under.size and under.min() >= WHITE_ENOUGH, word.get_text()
