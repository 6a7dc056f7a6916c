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
    """The windows merged into stretches, so that a recording of two parts reads as two: a
    window joins the stretch before it when it names the same scene and its ISOP and ISOE are
    within `CHANGE_THRESHOLD` of the stretch's mean; a single window between two stretches that
    agree with each other is a blip and joins them; and where the scene changes, the stretches
    of one scene in a row are one part (the change of place is the story, not the feeling's
    drift within it)."""
    found: list[Stretch] = []
    for w in analysis.windows:
        p = w.prediction
        start = max(w.start, found[-1].end) if found else w.start
        here = Stretch(start, w.end, p.scene, p.isop, p.isoe)
        last = found[-1] if found else None
        if last and p.scene == last.scene and _alike(last.isop, p.isop, last.isoe, p.isoe):
            found[-1] = _joined(last, here)
        else:
            found.append(here)
    found = _without_blips(found, analysis)
    if len({s.scene for s in found}) > 1:
        found = _by_scene(found)
    return found


def _joined(a: Stretch, b: Stretch) -> Stretch:
    """Two consecutive stretches as one, ISOP and ISOE weighted by their lengths."""
    da, db = a.end - a.start, b.end - b.start
    isop = (da * a.isop + db * b.isop) / (da + db)
    isoe = (da * a.isoe + db * b.isoe) / (da + db)
    return Stretch(a.start, b.end, a.scene if da >= db else b.scene, isop, isoe)


def _without_blips(found: list[Stretch], analysis: Analysis) -> list[Stretch]:
    """Each one-window stretch between two that agree with each other joined to them."""
    one_window = max((w.end - w.start for w in analysis.windows), default=0.0)
    i = 1
    while i < len(found) - 1:
        before, blip, after = found[i - 1], found[i], found[i + 1]
        same = before.scene == after.scene
        if (
            blip.end - blip.start <= one_window
            and same
            and _alike(before.isop, after.isop, before.isoe, after.isoe)
        ):
            found[i - 1 : i + 2] = [_joined(_joined(before, blip), after)]
            found[i - 1] = _with_scene(found[i - 1], before.scene)
        else:
            i += 1
    return found


def _with_scene(stretch: Stretch, scene: str) -> Stretch:
    return Stretch(stretch.start, stretch.end, scene, stretch.isop, stretch.isoe)


def _by_scene(found: list[Stretch]) -> list[Stretch]:
    """Consecutive stretches of one scene joined."""
    joined: list[Stretch] = []
    for stretch in found:
        if joined and joined[-1].scene == stretch.scene:
            joined[-1] = _joined(joined[-1], stretch)
        else:
            joined.append(stretch)
    return joined


def headline(analysis: Analysis) -> str | None:
    """ "park → street" for a recording whose place changes; None when it does not."""
    scenes = [lay_scene(s.scene) for s in stretches(analysis)]
    return " → ".join(scenes) if len(set(scenes)) > 1 else None


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
