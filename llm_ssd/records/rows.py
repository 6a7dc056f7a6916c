"""Records as rows: the one flattening rule from a JSON record to a flat row (`flat_record`), the
CSV columns derived from `Analysis.to_dict()` by it, one row per window, the writer that puts
each clip's record out (JSON Lines or CSV) the moment it is done, and the rule that keeps every
CSV of LLM-SSD's from running as a spreadsheet formula (`spreadsheet_cell`)."""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Collection, Sequence
from typing import IO, Any

import numpy as np

from llm_ssd.result import (
    TIMING_STAGES,
    Analysis,
    Comparison,
    Ensemble,
    NetworkOutput,
    Prediction,
    Window,
)


def csv_columns(
    caption: bool, ensemble: bool = False, per_window: bool = False, networks: bool = False
) -> list[str]:
    """The CSV header: the flat columns of an analysis record (derived from
    `Analysis.to_dict()`), or of a window's with `per_window`, with the error column after the
    source, then the ensemble's, the networks' comparison's and the caption's fields."""
    from llm_ssd.caption.client import Caption
    from llm_ssd.result import Prediction

    if per_window:
        window = Window(0.0, 0.0, Prediction.zero(), 0.0).to_dict()
        columns = ["source", "window", *flat_record(window)]
    else:
        columns = list(flat_record(record_template()))
    columns.insert(columns.index("source") + 1, "error")
    if ensemble and not per_window:
        zero = Ensemble(("",), (Prediction.zero(),))
        columns += list(flat_record({"ensemble": zero.to_dict()}))
    if networks and not per_window:
        side = Comparison((NetworkOutput("", "", "", False, Prediction.zero()),))
        columns += list(flat_record({"networks": side.to_dict()}))
    if caption:
        columns += list(Caption("", "").to_dict())
    return columns


def window_rows(record: dict[str, Any], shared: Collection[str] = ()) -> list[dict[str, Any]]:
    """One row per window of a record (its source, caption and `shared` fields on each), or the
    error's row."""
    if "error" in record:
        return [record]
    common = {k: v for k, v in record.items() if k.startswith("caption") or k in shared}
    return [
        {"source": record["source"], "window": i, **window, **common}
        for i, window in enumerate(record["windows"])
    ]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is read as a formula by spreadsheets (OWASP's list)."""
TEXT_MARK = "'"
"""Put before such a cell (and before a text cell that starts with it), so that a spreadsheet
shows text; `read_spreadsheet_cell` takes one off again."""


def spreadsheet_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs: text starting with = + - @, a tab or a carriage
    return, or with `TEXT_MARK` itself, gets `TEXT_MARK` in front. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, TEXT_MARK)):
        return TEXT_MARK + value
    return value


def read_spreadsheet_cell(cell: str) -> str:
    """The text `spreadsheet_cell` was given, from its CSV cell."""
    return cell[len(TEXT_MARK) :] if cell.startswith(TEXT_MARK) else cell


def safe_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row with every cell through `spreadsheet_cell`."""
    return {k: spreadsheet_cell(v) for k, v in row.items()}


NOT_FINITE = (
    "its results hold a number that is not finite (NaN or infinity), which no record may hold; "
    "check the checkpoint"
)
"""The error of a record that would otherwise be written as non-standard JSON (`NaN`)."""


def json_line(record: dict[str, Any]) -> str:
    """A record as one line of standard JSON: a NaN or infinity is a ValueError, never `NaN`."""
    return json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n"


def checked_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record, or its error record (`NOT_FINITE`) when a number in it is not finite."""
    try:
        json_line(record)
    except ValueError:
        return {"source": record.get("source"), "error": NOT_FINITE}
    return record


def record_columns(args: argparse.Namespace) -> list[str]:
    """The CSV columns of `describe`'s records for its options (`--caption`, `--ensemble`,
    `--per-window`, `--model all`)."""
    networks = (getattr(args, "model", None) or "").strip().lower() == "all"
    return csv_columns(args.caption, args.ensemble, args.per_window, networks)


class RecordWriter:
    """Writes each clip's record the moment it is done (JSON Lines or CSV), flushing each."""

    def __init__(
        self,
        out: IO[str],
        args: argparse.Namespace,
        extra: Sequence[str] = (),
        header: bool = True,
    ) -> None:
        """`extra`: columns after the record's (a record's own fields, also put on each of its
        windows' rows); `header`: whether to write the CSV header (not when appending)."""
        self.out, self.fmt, self.per_window = out, args.format, args.per_window
        self.count, self.extra = 0, tuple(extra)
        columns = [*record_columns(args), *self.extra]
        self.csv = (
            csv.DictWriter(out, columns, extrasaction="ignore") if self.fmt == "csv" else None
        )
        if self.csv and header:
            self.csv.writeheader()

    def write(self, record: dict[str, Any]) -> None:
        if self.csv:
            for row in window_rows(record, self.extra) if self.per_window else [record]:
                self.csv.writerow(safe_row(flat_record(row)))
        else:
            self.out.write(json_line(record))
        self.out.flush()
        self.count += 1


LIST_SEPARATOR = " | "
"""Joins a list of scalars (e.g. the warnings) into one flat-record cell."""
KEY_SEPARATOR = "."
"""Joins a nested record's keys into one flat-record column: `paq.pleasant`."""

Scalar = str | int | float | bool | None


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
        prediction=Prediction.zero(),
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
