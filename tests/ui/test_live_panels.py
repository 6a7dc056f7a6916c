"""A live update's panels (issue 23) are drawn in the drawing processes without those processes
importing the app: `ui.live` imports Gradio (9 s on the 2-core machine), which a process sent
the page's own function would import before its first figure, so the first two live pictures
came 15-17 s after Record instead of a few seconds."""

from __future__ import annotations

import numpy as np
from analyses import make_analysis
from loaded_modules import imported

from llm_ssd.figures import processes
from llm_ssd.figures.images import render
from llm_ssd.figures.live import live_panels, trail_figure
from llm_ssd.live.session import TrailPoint, Window
from ui.live import TRAIL_SECONDS, draw_elsewhere
from ui.page import DRAWING_PROCESSES

HEAVY = ["gradio", "torch", "ui.live", "ui.page"]
"""What a drawing process must not import."""
TRAIL = (TrailPoint(5.0, -0.3, 0.1), TrailPoint(10.0, 0.2, 0.0), TrailPoint(15.0, 0.0, 0.0))


def test_a_live_update_is_drawn_elsewhere_as_here_without_the_app():
    analysis = make_analysis(events={"Birds": 0.9}, paq={"pleasant": 4.5})
    shown = draw_elsewhere(analysis, Window(np.zeros(10), 32000, 0.0, 15.0), TRAIL)
    assert set(shown) == {"scene", "events", "paq", "circumplex"}
    assert shown["scene"]["park"] == 0.8
    assert "Its trail: 2 earlier points, ISO Pleasantness from -0.30 to +0.20" in (
        shown["circumplex"].chart
    )
    points = [(p.heard, p.isop, p.isoe) for p in TRAIL]
    there = processes.send(DRAWING_PROCESSES, live_panels, analysis, points, TRAIL_SECONDS)
    here = render(trail_figure(analysis, points, TRAIL_SECONDS))
    np.testing.assert_array_equal(there.result()["circumplex"][0].rgba, here.rgba)
    for _ in range(DRAWING_PROCESSES):  # the processes, as far as they have run these tasks
        assert processes.send(DRAWING_PROCESSES, imported, HEAVY).result() == []
