"""Ratings and shown captions for the rating tests of several folders."""

from __future__ import annotations

from analyses import make_analysis

from llm_ssd.ratings.store import ShownCaption

GOOD = {"precision": 4, "recall": 3, "fluency": -0.1, "conciseness": 0, "irrelevance": -0.3}
CLIP_A, CLIP_B = "a" * 64, "b" * 64


def shown(text: str = "In this park, you hear birds.", **kw) -> ShownCaption:
    record = {k: v for k, v in make_analysis().to_dict().items() if k != "source"}
    values = {"source": "offline template", "analysis": record, "clip_sha256": CLIP_A,
              "clip_duration": 30.0} | kw  # fmt: skip
    return ShownCaption(text, **values)
