"""Which way a quality's rating lies on the radar: the one rule every caption follows, the
offline template's words and the LLM prompt's statements alike."""

from __future__ import annotations

from collections.abc import Mapping

from llm_ssd.labels import Likert

NEUTRAL_RING = float(Likert.NEUTRAL)
"""The radar's dashed ring: a rating of 3 neither agrees nor disagrees."""


def may_say(quality: str, felt: bool, paq: Mapping[str, float]) -> bool:
    """Whether a caption may say that `quality` is felt (`felt`), or that it is not: never
    against the side of the neutral ring its rating lies on. A quality below the ring is never
    called (even "rather") that quality, one above it never denied; one on the ring may be read
    off its opposite's disagreement."""
    rating = paq[quality]
    return rating >= NEUTRAL_RING if felt else rating <= NEUTRAL_RING
