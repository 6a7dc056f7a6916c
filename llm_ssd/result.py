"""The result of analysing one clip: SoundAQnet's predictions plus the features behind them.

Plain data: importing it never imports torch, so the prompt, plots and captions can use it alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .labels import EVENTS, PAQS, SCENES
from .outputs import Ensemble, Window
from .places import nearest_records

TIMING_STAGES: tuple[str, ...] = ("decode", "log_mel", "loudness", "model", "total")
"""The stages `analyze()` times, in order (seconds each in `Analysis.timings`)."""
LIST_SEPARATOR = " | "
"""Joins a list of scalars (e.g. the warnings) into one flat-record cell."""
KEY_SEPARATOR = "."
"""Joins a nested record's keys into one flat-record column: `paq.pleasant`."""

Scalar = str | int | float | bool | None


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
    mel_pooling: int = 1
    """Log-mel frames max-pooled into each column of `log_mel` (long recordings, for display)."""
    loudness_pooling: int = 1
    """Loudness steps max-pooled into each value of `loudness` (long recordings)."""

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
            "nearest_places": nearest_records(self.isop, self.isoe),
            "loudness_n5": float(self.n5),
            "loudness_n10": float(self.n10),
            "loudness_nmax": float(self.nmax),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "warnings": list(self.warnings),
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
        return parts


def flat_record(record: dict[str, Any], prefix: str = "") -> dict[str, Scalar]:
    """One flat row of a JSON record, by one rule: nested keys are joined with `KEY_SEPARATOR`
    (`scene_probabilities.park`), a list of scalars becomes one cell joined with
    `LIST_SEPARATOR`, and a list of records (e.g. per-window values) is left to its own rows."""
    row: dict[str, Scalar] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flat_record(value, name + KEY_SEPARATOR))
        elif isinstance(value, (list, tuple)):
            if not any(isinstance(item, (dict, list, tuple)) for item in value):
                row[name] = LIST_SEPARATOR.join(str(item) for item in value)
        else:
            row[name] = value
    return row


def record_template() -> dict[str, Any]:
    """A record of the shape `Analysis.to_dict()` gives, with every value zero: the columns of a
    flat record are derived from it, so a field added to the record reaches the CSV too."""
    zero = Analysis(
        scene_probabilities=dict.fromkeys(SCENES, 0.0),
        event_probabilities=dict.fromkeys(EVENTS, 0.0),
        isop=0.0,
        isoe=0.0,
        paq=dict.fromkeys(PAQS, 0.0),
        log_mel=np.zeros((0, 0), np.float32),
        loudness=np.zeros(0, np.float32),
        n5=0.0,
        n10=0.0,
        nmax=0.0,
        duration=0.0,
        sample_rate=0,
        checkpoint="",
        timings=dict.fromkeys(TIMING_STAGES, 0.0),
    )
    return zero.to_dict()
