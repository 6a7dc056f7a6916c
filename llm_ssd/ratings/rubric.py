"""The paper's caption rubric (THumBS) and its published results, written once.

The criteria, their scales, their plain one-line definitions, the overall formula and the
published table of Hou et al. (from the authors' assessment materials; see the README's Ratings
section). The rating form, the validation, the database columns, the summary and the exports
are all derived from `CRITERIA`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SCORE_DIGITS = 6
"""A score is stored rounded to this many decimals (a slider may send 0.30000000000000004)."""
STEP_TOLERANCE = 1e-6
PENALTY_STEP = 0.1
"""Penalties go in tenths: a slip a grammar fixer would mend costs about −0.1."""
WHOLE = 1.0


@dataclass(frozen=True)
class Criterion:
    """One column of the rubric: a score on a closed scale, weighted into the overall score."""

    key: str
    """Its name in the database, the exports and the API (`precision`)."""
    name: str
    letter: str
    low: float
    high: float
    step: float
    weight: float
    """Its weight in the overall score."""
    definition: str
    """One plain line for the rating form."""

    @property
    def penalty(self) -> bool:
        """A penalty scale (−2 … 0): 0 means nothing was wrong."""
        return self.high == 0

    @property
    def scale(self) -> str:
        """The scale as a person reads it: "1 to 5", "−2 to 0 in steps of 0.1"."""
        text = f"{self.low:g} to {self.high:g}".replace("-", "−")
        return text if self.step == WHOLE else f"{text} in steps of {self.step:g}"


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "precision", "Precision", "P", 1, 5, WHOLE, 0.5,
        "How accurate is the caption about this soundscape? 1 = mostly wrong, 5 = all correct.",
    ),
    Criterion(
        "recall", "Recall", "R", 1, 5, WHOLE, 0.5,
        "How much of what matters (sound sources, their qualities, how they relate) does it "
        "cover? 1 = little, 5 = all.",
    ),
    Criterion(
        "fluency", "Fluency", "F", -2, 0, PENALTY_STEP, 1.0,
        "Penalty for the writing itself: −0.1 for a small slip, −0.5 or more for repeated, "
        "ambiguous or broken sentences.",
    ),
    Criterion(
        "conciseness", "Conciseness", "C", -2, 0, PENALTY_STEP, 1.0,
        "Penalty for saying the same idea or naming the same source twice, even in other words.",
    ),
    Criterion(
        "irrelevance", "Irrelevance", "I", -2, 0, PENALTY_STEP, 1.0,
        "Penalty for details or sound sources that are not in the soundscape.",
    ),
)  # fmt: skip
CRITERION_KEYS: tuple[str, ...] = tuple(c.key for c in CRITERIA)
OVERALL = "overall"
OVERALL_FORMULA = "Overall = (P + R) / 2 + F + C + I"
MEASURES: tuple[str, ...] = (*CRITERION_KEYS, OVERALL)
"""What a summary averages: the five criteria and the overall score."""
MEASURE_HEADERS: tuple[str, ...] = (*(c.letter for c in CRITERIA), "Overall")


def overall(scores: Mapping[str, float]) -> float:
    """The paper's overall score, (P + R) / 2 + F + C + I, from the criteria's weights."""
    return sum(c.weight * scores[c.key] for c in CRITERIA)


def score_problems(scores: Mapping[str, Any]) -> tuple[dict[str, float], list[str]]:
    """The scores that are on their scales (as floats, on a step), and a plain sentence for each
    one missing, not a number, off its scale or between its steps, or not a criterion at all."""
    problems = [f"unknown criterion {k!r}" for k in scores if k not in CRITERION_KEYS]
    checked: dict[str, float] = {}
    for c in CRITERIA:
        value = scores.get(c.key)
        if value is None or value == "":
            problems.append(f"{c.name} is missing (give {c.scale})")
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{c.name} must be a number ({c.scale}), not {value!r}")
        elif not (math.isfinite(value) and c.low <= value <= c.high):
            problems.append(f"{c.name} must be {c.scale}; {value:g} is outside the scale")
        elif abs((steps := (value - c.low) / c.step) - round(steps)) > STEP_TOLERANCE:
            problems.append(f"{c.name} must be {c.scale}; {value:g} is between two steps")
        else:
            checked[c.key] = round(c.low + round(steps) * c.step, SCORE_DIGITS)
    return checked, problems


@dataclass(frozen=True)
class PublishedRow:
    """One row of the paper's table of expert ratings (means over experts, then clips)."""

    dataset: str
    caption_by: str
    scores: Mapping[str, float] | None
    """The five criteria, or None where the paper gives the overall score only."""
    overall: float


PUBLISHED_SOURCE = "Hou et al., arXiv 2406.05914: 16 experts; D1 synthetic, D2 real recordings"


def _published(dataset: str, by: str, overall: float, *scores: float) -> PublishedRow:
    """A row from its overall score and the five criteria in order (or none)."""
    by_key = dict(zip(CRITERION_KEYS, scores, strict=True)) if scores else None
    return PublishedRow(dataset, by, by_key, overall)


PUBLISHED: tuple[PublishedRow, ...] = (
    _published("D1", "SoundSCaper", 3.29, 3.82, 3.90, -0.11, -0.28, -0.17),
    _published("D1", "human expert", 3.51, 3.89, 3.98, -0.09, -0.13, -0.21),
    _published("D2", "SoundSCaper", 2.91, 3.64, 3.64, -0.16, -0.27, -0.29),
    _published("D2", "human expert", 3.17, 3.79, 3.88, -0.15, -0.26, -0.26),
    _published("all 60", "SoundSCaper", 3.10),
    _published("all 60", "human expert", 3.34),
)
"""The paper's table, as in docs/rating.md: the published overall is kept as printed (it is the
mean of per-clip overall scores, so it may differ from the formula on the means by rounding)."""
PUBLISHED_HEADERS: tuple[str, ...] = ("set (paper)", "caption by", *MEASURE_HEADERS)


def published_table() -> list[list[Any]]:
    """The paper's rows under `PUBLISHED_HEADERS` (None where it gives the overall only)."""
    return [
        [p.dataset, p.caption_by, *(p.scores[k] if p.scores else None for k in CRITERION_KEYS),
         p.overall]
        for p in PUBLISHED
    ]  # fmt: skip
