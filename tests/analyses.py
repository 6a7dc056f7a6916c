"""Analysis values for tests, built directly (no audio, no model)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from llm_ssd.labels import EVENTS, PAQS, SCENES
from llm_ssd.result import Analysis, Prediction


def make_analysis(
    events: dict[str, float] | None = None,
    paq: dict[str, float] | None = None,
    scene: str = "park",
) -> Analysis:
    """An Analysis with the given event probabilities and PAQ ratings (others 0.0 and 3.0)."""
    return Analysis(
        prediction=Prediction(
            scene_probabilities={s: (0.8 if s == scene else 0.1) for s in SCENES},
            event_probabilities={e: 0.0 for e in EVENTS} | (events or {}),
            isop=0.0,
            isoe=0.0,
            paq={q: 3.0 for q in PAQS} | (paq or {}),
        ),
        log_mel=np.zeros((4, 64), dtype=np.float32),
        loudness=np.zeros(8, dtype=np.float32),
        n5=0.0,
        n10=0.0,
        nmax=0.0,
        duration=0.04,
        sample_rate=32000,
        checkpoint="test.pth",
    )


def published_analysis(published: dict) -> Analysis:
    """An Analysis holding the reference clip's published scene, events and PAQ values."""
    return make_analysis(
        events=dict(zip(published["event_labels"], published["event_probabilities"], strict=True)),
        paq=dict(zip(published["paq_labels"], published["paq"], strict=True)),
        scene=published["scene"],
    )


def with_outputs(analysis: Analysis, **outputs: Any) -> Analysis:
    """`analysis` with some of its network outputs replaced (`isop=0.5`, `paq={...}`)."""
    return replace(analysis, prediction=replace(analysis.prediction, **outputs))
