"""SoundAQnet's outputs for one window or one checkpoint, and the ensemble of checkpoints:
small frozen values, plain data (no torch), combined by averaging."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .labels import EVENTS, PAQS, SCENES


@dataclass(frozen=True, eq=False)
class Prediction:
    """One set of outputs: scene and event probabilities, ISOP, ISOE and the 8 PAQ ratings."""

    scene_probabilities: dict[str, float]
    event_probabilities: dict[str, float]
    isop: float
    isoe: float
    paq: dict[str, float]

    @property
    def scene(self) -> str:
        """The most probable scene."""
        return max(self.scene_probabilities, key=self.scene_probabilities.__getitem__)

    def values(self) -> dict[str, Any]:
        """JSON-ready outputs, in label order."""
        return {
            "scene_probabilities": {k: float(self.scene_probabilities[k]) for k in SCENES},
            "event_probabilities": {k: float(self.event_probabilities[k]) for k in EVENTS},
            "isop": float(self.isop),
            "isoe": float(self.isoe),
            "paq": {k: float(self.paq[k]) for k in PAQS},
        }

    def to_dict(self) -> dict[str, Any]:
        """The outputs with the scene they name."""
        return {"scene": self.scene, **self.values()}

    def vector(self) -> np.ndarray:
        """The 28 outputs as one float64 vector (scenes, events, ISOP, ISOE, PAQ)."""
        scenes = [self.scene_probabilities[k] for k in SCENES]
        events = [self.event_probabilities[k] for k in EVENTS]
        return np.array([*scenes, *events, self.isop, self.isoe, *(self.paq[k] for k in PAQS)])

    @classmethod
    def from_vector(cls, v: np.ndarray) -> Prediction:
        """The inverse of `vector()`."""
        x = [float(value) for value in v]
        s, e = len(SCENES), len(SCENES) + len(EVENTS)
        return cls(
            dict(zip(SCENES, x[:s], strict=True)),
            dict(zip(EVENTS, x[s:e], strict=True)),
            x[e],
            x[e + 1],
            dict(zip(PAQS, x[e + 2 :], strict=True)),
        )

    @classmethod
    def zero(cls) -> Prediction:
        """Every output zero: the shape of a record, for deriving columns."""
        return cls.from_vector(np.zeros(len(SCENES) + len(EVENTS) + 2 + len(PAQS)))


def mean_prediction(
    predictions: Sequence[Prediction], weights: Sequence[float] | None = None
) -> Prediction:
    """The (weighted) mean of every output; one prediction is itself, unchanged."""
    if len(predictions) == 1:
        return predictions[0]
    stacked = np.stack([p.vector() for p in predictions])
    return Prediction.from_vector(np.average(stacked, axis=0, weights=weights))


@dataclass(frozen=True, eq=False)
class Window:
    """The outputs for one stretch of a recording, analysed as one clip."""

    start: float
    """Seconds from the start of the recording."""
    end: float
    prediction: Prediction
    n5: float
    """The window's own N5, sone."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            **self.prediction.to_dict(),
            "loudness_n5": float(self.n5),
        }


@dataclass(frozen=True, eq=False)
class Ensemble:
    """Several checkpoints' outputs for the same features. Their mean is the analysis's own
    outputs; here are each checkpoint's, the spread, and how many name the winning scene."""

    checkpoints: tuple[str, ...]
    predictions: tuple[Prediction, ...]
    """One per checkpoint, in the same order."""

    @property
    def mean(self) -> Prediction:
        return mean_prediction(self.predictions)

    @property
    def low(self) -> Prediction:
        """The smallest value of every output over the checkpoints."""
        return Prediction.from_vector(np.min([p.vector() for p in self.predictions], axis=0))

    @property
    def high(self) -> Prediction:
        """The largest value of every output over the checkpoints."""
        return Prediction.from_vector(np.max([p.vector() for p in self.predictions], axis=0))

    @property
    def scene(self) -> str:
        """The winning scene: the most probable in the mean."""
        return self.mean.scene

    @property
    def agreement(self) -> int:
        """How many checkpoints name the winning scene."""
        return sum(p.scene == self.scene for p in self.predictions)

    def other_scenes(self) -> list[str]:
        """Scenes some checkpoint names instead of the winning one, most named first."""
        named = [p.scene for p in self.predictions if p.scene != self.scene]
        return sorted(set(named), key=lambda s: (-named.count(s), SCENES.index(s)))

    def to_dict(self) -> dict[str, Any]:
        """The checkpoints, the agreement, each checkpoint's outputs, and their min and max (the
        mean is the record's own outputs)."""
        return {
            "checkpoints": list(self.checkpoints),
            "agreement": self.agreement,
            "per_checkpoint": [
                {"checkpoint": name, **p.to_dict()}
                for name, p in zip(self.checkpoints, self.predictions, strict=True)
            ],
            "min": self.low.values(),
            "max": self.high.values(),
        }
