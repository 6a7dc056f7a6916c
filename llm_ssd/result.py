"""The result of analysing one clip: a network's predictions plus the features behind them, and
where several networks or checkpoints ran on the same features, each one's outputs.

Plain data: importing it never imports torch, so the prompt, plots and captions can use it alone.

May import: labels, places."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from llm_ssd.labels import EVENTS, PAQS, SCENE_LAY_NAMES, SCENES
from llm_ssd.places import nearest_records

TIMING_STAGES: tuple[str, ...] = ("decode", "log_mel", "loudness", "model", "total")
"""The stages `analyze()` times, in order (seconds each in `Analysis.timings`)."""


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


QUALITY_SCALES: dict[str, tuple[float, str]] = {
    "isop": (2.0, "how pleasant it is"),
    "isoe": (2.0, "how eventful it is"),
    **{paq: (4.0, f"whether it sounds {paq}") for paq in PAQS},
}
"""Each affective output: the width of its scale (ISOP, ISOE −1..+1; PAQ 1..5) and how the
agreement sentence names it."""
CLOSE_AGREEMENT = 0.05
"""Networks whose outputs all lie within this share of each scale agree closely."""


@dataclass(frozen=True, eq=False)
class NetworkOutput:
    """One network's outputs in a side-by-side comparison."""

    network: str
    """Registry name (`soundaqnet`, `baseline_cnn`, ...)."""
    label: str
    checkpoint: str
    uses_loudness: bool
    prediction: Prediction

    def to_dict(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "label": self.label,
            "checkpoint": self.checkpoint,
            "uses_loudness": self.uses_loudness,
            **self.prediction.to_dict(),
        }


@dataclass(frozen=True, eq=False)
class Comparison:
    """Several networks' outputs for the same features, side by side (`analyze(model="all")`),
    and the networks left out for want of weights."""

    outputs: tuple[NetworkOutput, ...]
    missing: tuple[tuple[str, str, str, str], ...] = ()
    """(network, label, the command that gets or trains its weights, why there are none) of
    each network left out."""

    @property
    def scene(self) -> str:
        """The scene most networks name (a tie: the one with the higher mean probability)."""
        named = [o.prediction.scene for o in self.outputs]
        mean = mean_prediction([o.prediction for o in self.outputs]).scene_probabilities
        return max(SCENES, key=lambda s: (named.count(s), mean[s]))

    @property
    def agreement(self) -> int:
        """How many networks name `scene`."""
        return sum(o.prediction.scene == self.scene for o in self.outputs)

    def spread(self) -> dict[str, tuple[float, float, float]]:
        """Each affective output's (lowest, highest, range as a share of its scale)."""
        out = {}
        for key, (width, _) in QUALITY_SCALES.items():
            values = [_quality(o.prediction, key) for o in self.outputs]
            out[key] = (min(values), max(values), (max(values) - min(values)) / width)
        return out

    def sentence(self) -> str:
        """One plain line: "4 of 4 networks: park; they disagree most on how eventful it is
        (ISOE -0.21 to +0.18)." """
        scene = self.scene
        others = [
            f"{o.label}: {SCENE_LAY_NAMES[o.prediction.scene]}"
            for o in self.outputs
            if o.prediction.scene != scene
        ]
        line = f"{self.agreement} of {len(self.outputs)} networks: {SCENE_LAY_NAMES[scene]}"
        line += f" ({'; '.join(others)})" if others else ""
        if len(self.outputs) < 2:
            return line + "."
        spread = self.spread()
        key = max(spread, key=lambda k: spread[k][2])
        low, high, share = spread[key]
        if share < CLOSE_AGREEMENT:
            return line + "; they agree closely on how it feels."
        if key in ("isop", "isoe"):
            values = f"{key.upper()} {low:+.2f} to {high:+.2f}"
        else:
            values = f"rated {low:.1f} to {high:.1f} of 5"
        return line + f"; they disagree most on {QUALITY_SCALES[key][1]} ({values})."

    def to_dict(self) -> dict[str, Any]:
        return {
            "agreement": self.sentence(),
            "scene": self.scene,
            "scene_agreement": self.agreement,
            "compared": len(self.outputs),
            "per_network": [o.to_dict() for o in self.outputs],
            "missing": [
                {"network": name, "label": label, "get_weights": how, "note": note}
                for name, label, how, note in self.missing
            ],
        }


def _quality(prediction: Prediction, key: str) -> float:
    if key == "isop":
        return prediction.isop
    if key == "isoe":
        return prediction.isoe
    return prediction.paq[key]


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything the app, the caption and the CLI need to know about one clip."""

    prediction: Prediction
    """The network's outputs for the whole clip (the windows' and checkpoints' mean)."""
    log_mel: np.ndarray
    """(frames, 64) log-mel in dB before normalisation, 100 frames per second (`mel_pooling`)."""
    loudness: np.ndarray
    """(steps,) ISO 532-1 loudness in sone, one value every 2 ms (`loudness_pooling`)."""
    n5: float
    """Loudness exceeded 5 % of the time, sone."""
    n10: float
    """Loudness exceeded 10 % of the time, sone."""
    nmax: float
    """Maximum loudness, sone."""
    duration: float
    """Seconds of audio analysed (before any padding)."""
    sample_rate: int
    """Sample rate of the decoded input."""
    checkpoint: str
    """File name of the checkpoint that made the predictions."""
    network: str = "soundaqnet"
    """Registry name of the network that made them (`model.networks.registry`)."""
    source: str = "array"
    """Where the audio came from (a file name, or "array")."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each stage."""
    warnings: tuple[str, ...] = ()
    """Things the user should know about the result (e.g. a short clip was padded)."""
    windows: tuple[Window, ...] = ()
    """The 30-s windows in order (one for a clip up to 45 s); the outputs above combine them."""
    ensemble: Ensemble | None = None
    """Each checkpoint's outputs when they are the mean of several (`analyze(ensemble=True)`)."""
    comparison: Comparison | None = None
    """Every available network's outputs, side by side (`analyze(model="all")`); the outputs
    above are then the first network's (SoundAQnet's)."""
    mel_pooling: int = 1
    """Log-mel frames max-pooled into each column of `log_mel` (long recordings, for display)."""
    loudness_pooling: int = 1
    """Loudness steps max-pooled into each value of `loudness` (long recordings)."""
    calibration: str = ""
    """How the samples were mapped to pascals, in words (`audio.calibration`)."""
    calibration_gain_db: float = 0.0
    """The factor put on the samples to bring them to the paper's calibration, dB."""

    @property
    def scene_probabilities(self) -> dict[str, float]:
        """Softmax over `labels.SCENES`."""
        return self.prediction.scene_probabilities

    @property
    def event_probabilities(self) -> dict[str, float]:
        """Sigmoid of each of the 15 `labels.EVENTS` (multi-label)."""
        return self.prediction.event_probabilities

    @property
    def isop(self) -> float:
        """ISO Pleasantness, about -1..+1."""
        return self.prediction.isop

    @property
    def isoe(self) -> float:
        """ISO Eventfulness, about -1..+1."""
        return self.prediction.isoe

    @property
    def paq(self) -> dict[str, float]:
        """The 8 perceived affective qualities of `labels.PAQS`, Likert 1..5."""
        return self.prediction.paq

    @property
    def scene(self) -> str:
        """The most probable scene."""
        return self.prediction.scene

    def to_dict(self, arrays: bool = False) -> dict[str, Any]:
        """JSON-ready values; the feature arrays only when `arrays` is set."""
        out: dict[str, Any] = {
            "source": self.source,
            "checkpoint": self.checkpoint,
            "network": self.network,
            "duration": round(self.duration, 3),
            "sample_rate": self.sample_rate,
            **self.prediction.to_dict(),
            "nearest_places": nearest_records(self.isop, self.isoe),
            "loudness_n5": float(self.n5),
            "loudness_n10": float(self.n10),
            "loudness_nmax": float(self.nmax),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "warnings": list(self.warnings),
            "calibration": self.calibration,
            "calibration_gain_db": self.calibration_gain_db,
        }
        out.update(self._parts_dict())
        if arrays:
            out["log_mel"] = self.log_mel.tolist()
            out["loudness"] = self.loudness.tolist()
        return out

    def _parts_dict(self) -> dict[str, Any]:
        """The windows and the ensemble, where there are any."""
        parts: dict[str, Any] = {}
        if self.windows:
            parts["windows"] = [w.to_dict() for w in self.windows]
        if self.ensemble:
            parts["ensemble"] = self.ensemble.to_dict()
        if self.comparison:
            parts["networks"] = self.comparison.to_dict()
        return parts
