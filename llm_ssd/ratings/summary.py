"""What the ratings add up to: per-source means (raters averaged per clip, then clips), the
summary table, and the export as CSV or JSON (and reading it back)."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from llm_ssd.ratings.rubric import (
    MEASURE_HEADERS,
    MEASURES,
)
from llm_ssd.ratings.store import (
    EXPORT_COLUMNS,
    EXPORT_FORMATS,
    OPTIONAL_COLUMNS,
    POSITIONS,
    RatingError,
)
from llm_ssd.records.rows import read_spreadsheet_cell, spreadsheet_cell

# Summary ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceSummary:
    """A caption source's results: means over raters per clip, then over clips (the paper's
    order), with the counts behind them."""

    source: str
    ratings: int
    clips: int
    blind: int
    """Ratings given in blind mode."""
    means: dict[str, float]
    """Each criterion's and the overall score's mean."""


def settled(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The ratings the Results page counts, which every rater may see: every rating of a
    caption shown alone, and a blind pair's once both its captions, A and B, have been rated
    (among `rows`). Until then neither counts: a per-source count that grew by one after rating
    A would tell the rater which source A was, while once both are rated both sources grow
    together, and the rater's judgement is in."""
    rows = list(rows)
    positions: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["pair"] is not None:
            positions[row["pair"]].add(row["position"])
    return [r for r in rows if r["pair"] is None or len(positions[r["pair"]]) == len(POSITIONS)]


def summarize(rows: Iterable[Mapping[str, Any]]) -> list[SourceSummary]:
    """Per caption source, sorted by name. A clip is its sha256 (a caption without one, from a
    version-1 database, counts as a clip of its own)."""
    by_source: dict[str, dict[str, list[Mapping[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in rows:
        by_source[row["source"]][row["clip_sha256"] or row["caption_id"]].append(row)
    summaries = []
    for source, clips in sorted(by_source.items()):
        per_clip = [
            {m: fmean(r[m] for r in ratings) for m in MEASURES} for ratings in clips.values()
        ]
        rated = [r for ratings in clips.values() for r in ratings]
        summaries.append(
            SourceSummary(
                source=source,
                ratings=len(rated),
                clips=len(clips),
                blind=sum(r["position"] is not None for r in rated),
                means={m: fmean(c[m] for c in per_clip) for m in MEASURES},
            )
        )
    return summaries


SUMMARY_HEADERS = ("caption source", "ratings", "clips", "blind", *MEASURE_HEADERS)


def summary_table(summaries: Iterable[SourceSummary]) -> list[list[Any]]:
    """Rows under `SUMMARY_HEADERS`, means to two decimals."""
    return [
        [s.source, s.ratings, s.clips, s.blind, *(round(s.means[m], 2) for m in MEASURES)]
        for s in summaries
    ]


# Export ----------------------------------------------------------------------------------------


def export_text(rows: Iterable[Mapping[str, Any]], fmt: str) -> str:
    """The rows as CSV (the analysis as a JSON cell, an absent value as an empty cell, no cell a
    spreadsheet would run: `records.rows.spreadsheet_cell`) or as a JSON list."""
    rows = [{c: row[c] for c in EXPORT_COLUMNS} for row in rows]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    if fmt != "csv":
        raise RatingError(f"Unknown export format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}.")
    out = io.StringIO()
    writer = csv.DictWriter(out, list(EXPORT_COLUMNS))  # RFC 4180: CR in a cell is quoted
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    return out.getvalue()


def read_export(text: str, fmt: str) -> list[dict[str, Any]]:
    """The rows of `export_text`'s output, typed as `RatingStore.rows` gives them."""
    if fmt == "json":
        return [{c: row[c] for c in EXPORT_COLUMNS} for row in json.loads(text)]
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != list(EXPORT_COLUMNS):
        raise RatingError(f"Not a ratings export: the columns are {reader.fieldnames}.")
    return [{c: _parse_cell(row[c], c) for c in EXPORT_COLUMNS} for row in reader]


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    return spreadsheet_cell(
        json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value
    )


def _parse_cell(cell: str, column: str) -> Any:
    kind = EXPORT_COLUMNS[column]
    if cell == "" and column in OPTIONAL_COLUMNS:
        return None
    if kind is str:
        return read_spreadsheet_cell(cell)
    return json.loads(cell) if kind is dict else kind(cell)
