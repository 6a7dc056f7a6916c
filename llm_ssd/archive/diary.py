"""A soundscape diary: the windows of an archive (the Parquet rows of `describe --per-window
--start-pattern ...`, or one row per file with its `recording_start`) aggregated by hour of day
and by day. Each group gets its windows' count, the mean ISOP, ISOE and N5, the dominant scene
(the highest mean scene probability) with that probability, and the events whose mean
probability reaches `EVENT_PRESENT`, most probable first."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from llm_ssd.archive.starts import START_KEY, WINDOW_TIME_KEY
from llm_ssd.errors import UsageError
from llm_ssd.labels import EVENTS, SCENES
from llm_ssd.records.rows import KEY_SEPARATOR

EVENT_PRESENT = 0.5
"""A group's mean event probability from which the event is named as heard in it."""
MAX_EVENTS = 3
"""Events named per group at most."""
SCENE_COLUMNS = [f"scene_probabilities{KEY_SEPARATOR}{s}" for s in SCENES]
EVENT_COLUMNS = [f"event_probabilities{KEY_SEPARATOR}{e}" for e in EVENTS]
VALUES = ["isop", "isoe", "loudness_n5"]
GROUPINGS = {"hour": "hour of day", "day": "day"}
"""The diary's two tables: what each groups by."""
SUMMARY = ["windows", *VALUES, "scene", "scene_probability", "events"]
"""The columns of a diary table after its group's key."""


def read_windows(path: str | Path) -> pd.DataFrame:
    """The rows of an archive that have a wall-clock time (`time`), with their values; rows of
    failed files and rows without a time left out."""
    try:
        names = pq.read_schema(path).names
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path} is not a Parquet file of describe's ({exc}).") from exc
    time = WINDOW_TIME_KEY if WINDOW_TIME_KEY in names else START_KEY
    wanted = [time, *VALUES, *SCENE_COLUMNS, *EVENT_COLUMNS]
    missing = [c for c in wanted if c not in names]
    if missing:
        raise UsageError(
            f"{path} has no {missing[0]} column: make it with `llm-ssd describe ... --format "
            "parquet --per-window --start-pattern PATTERN` (or with --start-pattern metadata)."
        )
    errors = ["error"] if "error" in names else []
    frame = pq.read_table(path, columns=wanted + errors).to_pandas()
    if "error" in frame:
        frame = frame[frame["error"].isna()].drop(columns="error")
    return frame.rename(columns={time: "time"}).dropna(subset=["time"])


def aggregate(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per hour of day (0–23) or per day, in order: see the module's docstring."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {sorted(GROUPINGS)}")
    key = frame["time"].dt.hour if by == "hour" else frame["time"].dt.date
    groups = frame.groupby(key.rename(by), sort=True)
    table = groups[VALUES].mean()
    table.insert(0, "windows", groups.size())
    scenes = groups[SCENE_COLUMNS].mean()
    table["scene"] = [SCENES[i] for i in scenes.to_numpy().argmax(axis=1)]
    table["scene_probability"] = scenes.max(axis=1)
    events = groups[EVENT_COLUMNS].mean()
    table["events"] = [_heard(row) for row in events.to_numpy()]
    for scene, column in zip(SCENES, SCENE_COLUMNS, strict=True):
        table[f"p_{scene}"] = scenes[column]
    for event, column in zip(EVENTS, EVENT_COLUMNS, strict=True):
        table[f"p_{event}"] = events[column]
    return table.reset_index()


def _heard(means: list[float]) -> str:
    order = sorted(range(len(EVENTS)), key=lambda i: -means[i])
    return ", ".join(EVENTS[i] for i in order[:MAX_EVENTS] if means[i] >= EVENT_PRESENT)
