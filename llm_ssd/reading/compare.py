"""Two clips side by side: one plain sentence on how the second differs from the first.

Pure functions of the ISO coordinates: no torch, no plotting."""

from __future__ import annotations

from llm_ssd.labels import SCENE_LAY_NAMES
from llm_ssd.result import Analysis

SAME_BELOW = 0.1
"""A difference in ISOP or ISOE smaller than this is "about as": a tenth of the way from neutral
to the end of the scale, too small to read into one model's guess."""
MUCH_FROM = 0.5
"""A difference this large or larger is "much": a quarter of the whole scale, more than the spread
of the answers at any one surveyed place (the ISD table's SDs are 0.17–0.42)."""
DECIMALS = 1
"""Differences are shown, and judged, rounded to this many decimals."""
MINUS = "\N{MINUS SIGN}"
AXES = (("pleasant", "isop"), ("eventful", "isoe"))
"""The quality each ISO coordinate measures, and the Analysis field holding it."""


def signed(delta: float) -> str:
    """+0.4 / −0.6, with a real minus sign."""
    return f"{delta:+.{DECIMALS}f}".replace("-", MINUS)


def _change(quality: str, delta: float) -> str | None:
    """The change in words, "much less pleasant (−0.6)", or None when about the same."""
    delta = round(delta, DECIMALS)
    if abs(delta) < SAME_BELOW:
        return None
    much = "much " if abs(delta) >= MUCH_FROM else ""
    return f"{much}{'more' if delta > 0 else 'less'} {quality} ({signed(delta)})"


def difference_sentence(
    a: tuple[float, float], b: tuple[float, float], names: tuple[str, str] = ("A", "B")
) -> str:
    """How clip B's (ISOP, ISOE) differs from clip A's, in one sentence:
    "B is much less pleasant (−0.6) and more eventful (+0.4) than A"."""
    name_a, name_b = names
    changes = {
        quality: _change(quality, vb - va) for (quality, _), va, vb in zip(AXES, a, b, strict=True)
    }
    said = [c for c in changes.values() if c]
    same = [q for q, c in changes.items() if c is None]
    if not said:
        return (
            f"{name_b} is about as pleasant and as eventful as {name_a} "
            f"(both differences under {SAME_BELOW:g})."
        )
    text = f"{name_b} is {' and '.join(said)} than {name_a}"
    if same:
        text += f", and about as {same[0]}"
    return text + "."


def describe_difference(a: Analysis, b: Analysis, names: tuple[str, str] = ("A", "B")) -> str:
    """`difference_sentence` for two analyses."""
    return difference_sentence(
        tuple(getattr(a, field) for _, field in AXES),
        tuple(getattr(b, field) for _, field in AXES),
        names,
    )


def scenes_line(a: Analysis, b: Analysis, names: tuple[str, str] = ("A", "B")) -> str:
    """The scene each clip sounds most like: "A sounds most like a park (0.99), B like a street
    (0.92)."."""
    (name_a, name_b), parts = names, []
    for analysis in (a, b):
        scene = analysis.scene
        parts.append(f"{SCENE_LAY_NAMES[scene]} ({analysis.scene_probabilities[scene]:.2f})")
    return f"{name_a} sounds most like a {parts[0]}, {name_b} like a {parts[1]}."
