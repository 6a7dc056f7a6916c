"""Whether a recording tells one story: the stretches of windows that name the same scene and
feel alike, and how sure an ensemble's checkpoints are of the scene. Plain data for the prompt
and the offline caption (no torch)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from llm_ssd.labels import PAQ_CIRCLE, SCENE_LAY_NAMES
from llm_ssd.result import Analysis

CHANGE_THRESHOLD = 0.25
"""A window whose ISOP or ISOE differs by more than this from its stretch's mean starts a new
stretch (both run about -1..+1: an eighth of the range)."""


@dataclass(frozen=True)
class Stretch:
    """Consecutive windows that name the same scene and feel alike."""

    start: float
    end: float
    scene: str
    isop: float
    """Duration-weighted mean over the stretch's windows."""
    isoe: float

    @property
    def mood(self) -> str:
        """The circumplex direction nearest to (ISOP, ISOE)."""
        angle = math.degrees(math.atan2(self.isoe, self.isop)) % 360
        step = 360 / len(PAQ_CIRCLE)
        return PAQ_CIRCLE[round(angle / step) % len(PAQ_CIRCLE)]


def stretches(analysis: Analysis) -> list[Stretch]:
    """The windows merged into stretches: a window joins the stretch before it when it names the
    same scene and its ISOP and ISOE are within `CHANGE_THRESHOLD` of the stretch's mean."""
    found: list[Stretch] = []
    for w in analysis.windows:
        p = w.prediction
        start = max(w.start, found[-1].end) if found else w.start
        last = found[-1] if found else None
        if last and p.scene == last.scene and _alike(last.isop, p.isop, last.isoe, p.isoe):
            a, b = last.end - last.start, w.end - start
            isop = (a * last.isop + b * p.isop) / (a + b)
            isoe = (a * last.isoe + b * p.isoe) / (a + b)
            found[-1] = Stretch(last.start, w.end, last.scene, isop, isoe)
        else:
            found.append(Stretch(start, w.end, p.scene, p.isop, p.isoe))
    return found


def _alike(isop: float, other_isop: float, isoe: float, other_isoe: float) -> bool:
    return abs(isop - other_isop) <= CHANGE_THRESHOLD and abs(isoe - other_isoe) <= CHANGE_THRESHOLD


def changes(analysis: Analysis) -> bool:
    """Whether the windows tell more than one story (the scene changes, or the feeling moves)."""
    return len(stretches(analysis)) > 1


def one_scene(analysis: Analysis) -> bool:
    """Whether the windows all name one scene and an ensemble's checkpoints all agree on it."""
    return len({p.scene for p in stretches(analysis)}) <= 1 and scene_doubt(analysis) is None


def with_article(words: str) -> str:
    """ "a park", "an eventful street"."""
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


def lay_scene(scene: str) -> str:
    return SCENE_LAY_NAMES.get(scene, scene.replace("_", " "))


def scene_doubt(analysis: Analysis) -> str | None:
    """ "probably a park, though it could be a street" when the checkpoints of an ensemble do
    not all name the winning scene; None when they do (or there is no ensemble)."""
    ensemble = analysis.ensemble
    if ensemble is None or ensemble.agreement == len(ensemble.predictions):
        return None
    others = " or ".join(with_article(lay_scene(s)) for s in ensemble.other_scenes())
    return f"probably {with_article(lay_scene(analysis.scene))}, though it could be {others}"


def clock(seconds: float) -> str:
    """Minutes and seconds, "2:05"."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
