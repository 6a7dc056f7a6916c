"""The result of analysing one clip: SoundAQnet's predictions plus the features behind them.

Plain data: importing it never imports torch, so the prompt, plots and captions can use it alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .labels import EVENTS, PAQS, SCENES


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything the app, the caption and the CLI need to know about one clip."""

    scene_probabilities: dict[str, float]
    """Softmax over `labels.SCENES`."""
    event_probabilities: dict[str, float]
    """Sigmoid of each of the 15 `labels.EVENTS` (multi-label)."""
    isop: float
    """ISO Pleasantness, about -1..+1."""
    isoe: float
    """ISO Eventfulness, about -1..+1."""
    paq: dict[str, float]
    """The 8 perceived affective qualities of `labels.PAQS`, Likert 1..5."""
    log_mel: np.ndarray
    """(frames, 64) log-mel in dB before normalisation, 100 frames per second."""
    loudness: np.ndarray
    """(steps,) ISO 532-1 time-varying loudness in sone, one value every 2 ms."""
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
    source: str = "array"
    """Where the audio came from (a file name, or "array")."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each stage."""
    warnings: tuple[str, ...] = ()
    """Things the user should know about the result (e.g. a short clip was padded)."""

    @property
    def scene(self) -> str:
        """The most probable scene."""
        return max(self.scene_probabilities, key=self.scene_probabilities.__getitem__)

    def to_dict(self, arrays: bool = False) -> dict[str, Any]:
        """JSON-ready values; the feature arrays only when `arrays` is set."""
        out: dict[str, Any] = {
            "source": self.source,
            "checkpoint": self.checkpoint,
            "duration": round(self.duration, 3),
            "sample_rate": self.sample_rate,
            "scene": self.scene,
            "scene_probabilities": {k: float(self.scene_probabilities[k]) for k in SCENES},
            "event_probabilities": {k: float(self.event_probabilities[k]) for k in EVENTS},
            "isop": float(self.isop),
            "isoe": float(self.isoe),
            "paq": {k: float(self.paq[k]) for k in PAQS},
            "loudness_n5": float(self.n5),
            "loudness_n10": float(self.n10),
            "loudness_nmax": float(self.nmax),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "warnings": list(self.warnings),
        }
        if arrays:
            out["log_mel"] = self.log_mel.tolist()
            out["loudness"] = self.loudness.tolist()
        return out
