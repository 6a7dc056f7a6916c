"""When a recording started: from its file name by a pattern (`%Y%m%d_%H%M%S`, as AudioMoth and
Song Meter name their files), or from its metadata (a `date` tag in ISO 8601, or AudioMoth's
"Recorded at HH:MM:SS DD/MM/YYYY" comment). Times are the recorder's clock, as written: naive
datetimes, no time zone."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import soundfile as sf

FIELDS = {
    "Y": r"\d{4}", "y": r"\d{2}", "m": r"\d{2}", "d": r"\d{2}", "H": r"\d{2}", "M": r"\d{2}",
    "S": r"\d{2}", "j": r"\d{3}", "f": r"\d{1,6}", "b": r"[A-Za-z]{3}", "%": "%",
}  # fmt: skip
"""The strftime fields a name pattern may hold, and what each matches."""
METADATA = "metadata"
"""The `--start-pattern` value that reads the start from the file's tags instead of its name."""
AUDIOMOTH_COMMENT = re.compile(r"Recorded at (\d{2}:\d{2}:\d{2}) (\d{2}/\d{2}/\d{4})")
START_KEY, WINDOW_TIME_KEY = "recording_start", "start_time"
"""The record's start of the recording, and each window's wall-clock start (ISO 8601)."""


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A regular expression finding `pattern` (strftime fields) anywhere in a name."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "%" and i + 1 < len(pattern):
            field = pattern[i + 1]
            if field not in FIELDS:
                raise ValueError(f"%{field} is not a field a start pattern may use")
            out.append(FIELDS[field])
            i += 2
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def from_name(path: str | Path, pattern: str) -> datetime | None:
    """The start written in a file's name by `pattern`; None where the name holds none."""
    found = pattern_regex(pattern).search(Path(path).name)
    if not found:
        return None
    try:
        return datetime.strptime(found.group(0), pattern)
    except ValueError:  # a name of the right shape but no real date (month 13)
        return None


def from_metadata(path: str | Path) -> datetime | None:
    """The start a file's tags give; None where they give none."""
    try:
        with sf.SoundFile(str(path)) as f:
            date, comment = f.date or "", f.comment or ""
    except (sf.SoundFileError, RuntimeError, OSError):
        return None
    if found := AUDIOMOTH_COMMENT.search(comment):
        return datetime.strptime(" ".join(found.groups()), "%H:%M:%S %d/%m/%Y")
    try:
        start = datetime.fromisoformat(date.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return start.replace(tzinfo=None) if start.tzinfo is None else _utc(start)


def _utc(start: datetime) -> datetime:
    offset = start.utcoffset() or timedelta(0)
    return (start - offset).replace(tzinfo=None)


def start_of(path: str | Path, pattern: str) -> datetime | None:
    """The start by `pattern`, or from the metadata when `pattern` is `METADATA`."""
    return from_metadata(path) if pattern == METADATA else from_name(path, pattern)


def stamp(record: dict[str, Any], start: datetime | None) -> dict[str, Any]:
    """The record with its start and each window's wall-clock start (None when unknown)."""
    record[START_KEY] = start.isoformat() if start else None
    for window in record.get("windows", []):
        time = start + timedelta(seconds=window["start"]) if start else None
        window[WINDOW_TIME_KEY] = time.isoformat() if time else None
    return record
