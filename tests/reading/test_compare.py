"""Comparing two clips (issue 12): the difference sentence and the overlaid figures."""

from __future__ import annotations

from itertools import combinations

import pytest
from analyses import make_analysis, with_outputs
from matplotlib.patches import Ellipse
from matplotlib.text import Annotation, Text

from llm_ssd.figures import panels as plots
from llm_ssd.places import load_places, nearest_places
from llm_ssd.reading.compare import MUCH_FROM, SAME_BELOW, describe_difference, difference_sentence


@pytest.mark.parametrize(
    ("a", "b", "sentence"),
    [
        (
            (0.2, 0.1),
            (-0.4, 0.5),
            "B is much less pleasant (−0.6) and more eventful (+0.4) than A.",
        ),
        ((0.2, 0.1), (0.0, 0.13), "B is less pleasant (−0.2) than A, and about as eventful."),
        ((0.0, 0.0), (0.0, -0.5), "B is much less eventful (−0.5) than A, and about as pleasant."),
        (
            (0.3, 0.3),
            (0.34, 0.27),
            f"B is about as pleasant and as eventful as A (both differences under {SAME_BELOW:g}).",
        ),
    ],
)
def test_difference_sentence(a, b, sentence):
    assert difference_sentence(a, b) == sentence


def test_thresholds_decide_on_the_rounded_difference_shown():
    just_much = difference_sentence((0.0, 0.0), (MUCH_FROM - 0.04, 0.0))
    assert just_much.startswith(f"B is much more pleasant (+{MUCH_FROM:.1f})")
    assert "about as pleasant" in difference_sentence((0.0, 0.0), (SAME_BELOW - 0.06, 0.0))


def test_describe_difference_uses_the_clip_names():
    park = with_outputs(make_analysis(), isop=0.5, isoe=0.0)
    street = with_outputs(make_analysis(scene="street_traffic"), isop=-0.3, isoe=0.4)
    text = describe_difference(park, street, ("the park", "the street"))
    assert text == "the street is much less pleasant (−0.8) and more eventful (+0.4) than the park."


def annotation_boxes(fig):
    renderer = fig.canvas.get_renderer()
    notes = [t for t in fig.axes[0].texts if isinstance(t, Annotation)]
    boxes = []
    for note in notes:
        note.update_positions(renderer)
        boxes.append(Text.get_window_extent(note, renderer))
    return notes, boxes


@pytest.mark.parametrize("points", [[(0.47, 0.05)], [(0.47, 0.05), (-0.47, 0.29)], [(0.9, -0.5)]])
def test_circumplex_shows_every_place_and_names_the_nearest_without_overlap(points):
    clips = [with_outputs(make_analysis(), isop=x, isoe=y) for x, y in points]
    fig = plots.circumplex_figure(*clips)
    ax = fig.axes[0]
    assert sum(type(p) is Ellipse for p in ax.patches) == len(load_places())  # not the Circle
    notes, boxes = annotation_boxes(fig)
    named = {n.get_text() for n in notes}
    for x, y in points:
        assert {p.place for p, _ in nearest_places(x, y)} <= named
    for (n1, b1), (n2, b2) in combinations(zip(notes, boxes, strict=True), 2):
        assert not b1.overlaps(b2), f"{n1.get_text()!r} overlaps {n2.get_text()!r}"
    inside = ax.get_window_extent(fig.canvas.get_renderer())
    for note, box in zip(notes, boxes, strict=True):
        assert inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1), note
    legend = {t.get_text() for t in fig.legends[0].get_texts()}
    assert {p.city_label for p in load_places()} <= legend


def test_paq_and_event_figures_overlay_two_clips():
    a, b = make_analysis(), make_analysis(paq={"pleasant": 1.5}, events={"Traffic": 0.9})
    radar = plots.paq_figure(a, b)
    assert [t.get_text() for t in radar.axes[0].get_legend().get_texts()][:2] == ["A", "B"]
    events = plots.events_pair_figure(a, b)
    ax = events.axes[0]
    assert len(ax.patches) == 2 * 15
    assert ax.get_yticklabels()[-1].get_text() == "Traffic"  # the largest on top
