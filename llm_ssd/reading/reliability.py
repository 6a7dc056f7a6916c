"""Whether an analysis's results may be presented as results: a clip too quiet to describe
shows its scene, places and figures greyed, with the reason; a very quiet one carries a notice
that its results are less reliable."""

from __future__ import annotations

from llm_ssd.audio.level import FAINT_WARNING, said_too_quiet
from llm_ssd.result import Analysis

NOT_A_RESULT = (
    "**Not a result: the clip is too quiet to describe.** The scene, places and figures below "
    "are greyed: they show only what the model makes of near-silence."
)
LESS_RELIABLE = (
    "**Less reliable:** the clip is very quiet, quieter than the recordings the model learnt "
    "from. Read the scene, places and figures below with care."
)
NO_PLACES = "No nearest surveyed place: the clip is too quiet to place."
GREYED_MARK = "Too quiet: not a result"
"""Written across a greyed figure."""


def shown_as_result(analysis: Analysis) -> bool:
    """Whether the scene, places and figures may be presented as results (the clip is not too
    quiet to describe)."""
    return not said_too_quiet(analysis.warnings)


def notice(analysis: Analysis) -> str:
    """The notice above the results: why they are greyed, or why they are less reliable; empty
    for a clip of ordinary level."""
    if not shown_as_result(analysis):
        return NOT_A_RESULT
    return LESS_RELIABLE if FAINT_WARNING in analysis.warnings else ""
