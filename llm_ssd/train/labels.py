"""The authors' ARAUS split files (SoundSCaper, `Dataset_training_validation_test/`): read, write.

Per split (`training`, `validation`, `test`) five text files with one line per clip, all in the
same line order, CRLF line ends:

- `{split}_set_audio_file_ids.txt`: the clip id, e.g. `fold_1_participant_00056_stimulus_13`;
- `{split}_set_acoustic_scene_labels.txt`: one scene of `labels.SCENES`;
- `{split}_set_audio_event_labels.txt`: the clip's events of `labels.EVENTS`, tab-separated
  (an empty line: no event);
- `{split}_set_ISOP_ISOE.txt`: ISO Pleasantness and Eventfulness, space-separated `%.18e`;
- `{split}_set_PAQ_8D_AQs.txt`: the 8 PAQ ratings in `labels.PAQS` order, space-separated `%.18e`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from llm_ssd.errors import LLMSSDError
from llm_ssd.labels import EVENTS, PAQ_ANGLES, PAQS, SCENES

SPLITS: tuple[str, ...] = ("training", "validation", "test")
FILE_KINDS: dict[str, str] = {
    "ids": "audio_file_ids",
    "scenes": "acoustic_scene_labels",
    "events": "audio_event_labels",
    "iso": "ISOP_ISOE",
    "paq": "PAQ_8D_AQs",
}
"""Field of `SplitLabels` → the middle of its file name."""
NUMBER_FORMAT = "%.18e"
"""How the authors wrote numbers (numpy.savetxt's default)."""
LINE_END = "\r\n"
EVENT_SEPARATOR = "\t"
ZERO_WEIGHT = 1e-12
"""A weight this small is the rounding of cos 90°: exactly zero."""
ISO_SCALE = 4 + math.sqrt(32)
"""ISOP and ISOE are divided by this so that they lie in -1..+1 (ISO/TS 12913-3)."""


class DataError(LLMSSDError, ValueError):
    """Labels, features or settings that training cannot use; the message says what to fix."""


@dataclass(frozen=True, eq=False)
class SplitLabels:
    """The labels of one split, one entry per clip in the files' line order."""

    split: str
    ids: tuple[str, ...]
    scenes: tuple[str, ...]
    events: tuple[tuple[str, ...], ...]
    iso: np.ndarray
    """(clips, 2) ISOP, ISOE."""
    paq: np.ndarray
    """(clips, 8) PAQ ratings in `labels.PAQS` order, 1..5."""

    def __len__(self) -> int:
        return len(self.ids)

    def scene_targets(self) -> np.ndarray:
        """(clips,) index of each clip's scene in `labels.SCENES`."""
        return np.array([SCENES.index(s) for s in self.scenes], dtype=np.int64)

    def event_targets(self) -> np.ndarray:
        """(clips, 15) multi-hot events in `labels.EVENTS` order."""
        out = np.zeros((len(self), len(EVENTS)), dtype=np.float32)
        for row, names in enumerate(self.events):
            out[row, [EVENTS.index(n) for n in names]] = 1.0
        return out

    def subset(self, keep: Sequence[int]) -> SplitLabels:
        """The clips at the indices `keep`, in that order."""
        idx = list(keep)
        return SplitLabels(
            self.split,
            tuple(self.ids[i] for i in idx),
            tuple(self.scenes[i] for i in idx),
            tuple(self.events[i] for i in idx),
            self.iso[idx],
            self.paq[idx],
        )


def iso_from_paq(paq: np.ndarray) -> np.ndarray:
    """(clips, 2) ISOP and ISOE of (clips, 8) PAQ ratings (ISO/TS 12913-3)."""
    radians = np.deg2rad([PAQ_ANGLES[q] for q in PAQS])
    weights = np.stack([np.cos(radians), np.sin(radians)], axis=-1)  # (8, 2)
    weights[np.abs(weights) < ZERO_WEIGHT] = 0.0  # cos 90° is 6e-17, not 0
    return np.asarray(paq, dtype=np.float64) @ weights / ISO_SCALE


def split_file(labels_dir: str | Path, split: str, kind: str) -> Path:
    """The path of one of a split's five files."""
    return Path(labels_dir) / f"{split}_set_{FILE_KINDS[kind]}.txt"


def available_splits(labels_dir: str | Path) -> list[str]:
    """The splits whose clip-id file exists in `labels_dir`."""
    return [s for s in SPLITS if split_file(labels_dir, s, "ids").is_file()]


def read_lines(path: Path) -> list[str]:
    """The lines of a text file without their LF or CRLF ends; empty lines are kept."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataError(f"{path} is missing: every split needs its five label files") from exc
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _numbers(path: Path, lines: list[str], width: int) -> np.ndarray:
    rows = []
    for number, line in enumerate(lines, 1):
        try:
            values = [float(v) for v in line.split()]
        except ValueError:
            values = []
        if len(values) != width or not all(map(math.isfinite, values)):
            raise DataError(f"{path.name} line {number}: expected {width} numbers, got {line!r}")
        rows.append(values)
    return np.array(rows, dtype=np.float64).reshape(len(lines), width)


def _names(path: Path, lines: list[str], allowed: Sequence[str], many: bool) -> list:
    out = []
    for number, line in enumerate(lines, 1):
        names = [n.strip() for n in line.split(EVENT_SEPARATOR)] if many else [line.strip()]
        names = [n for n in names if n] if many else names
        unknown = [n for n in names if n not in allowed]
        if unknown:
            raise DataError(
                f"{path.name} line {number}: unknown label {unknown[0]!r} "
                f"(known: {', '.join(allowed)})"
            )
        out.append(tuple(names) if many else names[0])
    return out


def read_split(labels_dir: str | Path, split: str) -> SplitLabels:
    """One split's labels, checked: equal line counts, unique ids, known scene and event names,
    two ISO numbers and eight PAQ numbers per line."""
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}; the splits are {', '.join(SPLITS)}")
    paths = {kind: split_file(labels_dir, split, kind) for kind in FILE_KINDS}
    lines = {kind: read_lines(path) for kind, path in paths.items()}
    counts = {paths[k].name: len(v) for k, v in lines.items()}
    if len(set(counts.values())) != 1:
        raise DataError(f"the {split} files disagree on the number of clips: {counts}")
    ids = [line.strip() for line in lines["ids"]]
    if not all(ids):
        raise DataError(f"{paths['ids'].name} line {ids.index('') + 1}: empty clip id")
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise DataError(f"{paths['ids'].name}: clip {dup} is listed more than once")
    return SplitLabels(
        split=split,
        ids=tuple(ids),
        scenes=tuple(_names(paths["scenes"], lines["scenes"], SCENES, many=False)),
        events=tuple(_names(paths["events"], lines["events"], EVENTS, many=True)),
        iso=_numbers(paths["iso"], lines["iso"], 2),
        paq=_numbers(paths["paq"], lines["paq"], len(PAQS)),
    )


def _number_line(values: np.ndarray) -> str:
    return " ".join(NUMBER_FORMAT % v for v in values)


def write_split(labels_dir: str | Path, labels: SplitLabels) -> list[Path]:
    """Write a split's five files in the authors' exact text formats (e.g. for your own
    recordings); returns their paths."""
    labels_dir = Path(labels_dir)
    labels_dir.mkdir(parents=True, exist_ok=True)
    content = {
        "ids": list(labels.ids),
        "scenes": list(labels.scenes),
        "events": [EVENT_SEPARATOR.join(names) for names in labels.events],
        "iso": [_number_line(row) for row in labels.iso],
        "paq": [_number_line(row) for row in labels.paq],
    }
    written = []
    for kind, lines in content.items():
        path = split_file(labels_dir, labels.split, kind)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.writelines(line + LINE_END for line in lines)
        written.append(path)
    return written
