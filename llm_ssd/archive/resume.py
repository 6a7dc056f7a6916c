"""Which files an earlier output holds already, so that `--resume` goes on where a batch stopped.

A file is known again by its path, size and modification time (`source`, `source_size`,
`source_mtime_ns`), or, when asked, by its content's sha256 (`source_sha256`) wherever it has
moved. A record with an `error` is not a result: its file is analysed again, and its old rows
give way to the new ones. An output written without `--resume` holds no sizes or times; its
files are known by their path alone."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from llm_ssd.archive.parquet import HASH_KEY, MTIME_KEY, ROW_KEY, SIZE_KEY
from llm_ssd.records.rows import read_spreadsheet_cell

HASH_BLOCK = 1 << 20
"""Bytes read at a time while hashing a file."""


def identity(path: str, by_hash: bool) -> dict[str, Any]:
    """A file's identity fields for its record."""
    info = os.stat(path)
    fields: dict[str, Any] = {SIZE_KEY: info.st_size, MTIME_KEY: info.st_mtime_ns}
    if by_hash:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            while block := f.read(HASH_BLOCK):
                digest.update(block)
        fields[HASH_KEY] = digest.hexdigest()
    return fields


@dataclass
class Done:
    """The files an output holds a result for."""

    by_hash: bool
    files: set[tuple[str, int | None, int | None]] = field(default_factory=set)
    hashes: set[str] = field(default_factory=set)
    paths_only: int = 0
    """Results without a size and time (an output written without --resume)."""

    def add(self, row: dict[str, Any]) -> None:
        if row.get("error") not in (None, ""):
            return
        size, mtime = _integer(row.get(SIZE_KEY)), _integer(row.get(MTIME_KEY))
        if size is None or mtime is None:
            self.paths_only += 1
        self.files.add((str(row["source"]), size, mtime))
        if row.get(HASH_KEY):
            self.hashes.add(str(row[HASH_KEY]))

    def holds(self, path: str, fields: dict[str, Any]) -> bool:
        if self.by_hash:
            return fields.get(HASH_KEY) in self.hashes
        return (path, fields[SIZE_KEY], fields[MTIME_KEY]) in self.files or (
            path, None, None) in self.files  # fmt: skip


def _integer(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


def text_records(path: Path, fmt: str, raw: bool = False) -> Iterator[dict[str, Any]]:
    """The records (JSON Lines) or rows (CSV: text cells as they were given, or with `raw` as
    they are written) of an earlier text output; a last line cut short by a kill left out."""
    if not path.exists():
        return
    with open(path, encoding="utf-8", newline="") as f:
        if fmt == "csv":
            reader = csv.DictReader(f)
            for row in reader:
                if None in row or None in row.values():  # cut short: too few or many cells
                    return
                yield row if raw else {k: read_spreadsheet_cell(v) for k, v in row.items()}
            return
        for line in f:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                return


def csv_header(path: Path) -> list[str] | None:
    if not path.exists():
        return None
    with open(path, encoding="utf-8", newline="") as f:
        return next(csv.reader(f), None)


def row_key(row: dict[str, Any]) -> dict[str, Any]:
    """The key fields of a row as written (a CSV cell unmarked)."""
    source = row["source"]
    return {"source": read_spreadsheet_cell(source) if isinstance(source, str) else source,
            ROW_KEY[1]: row.get(ROW_KEY[1])}  # fmt: skip


class Keeper:
    """Which earlier rows a resumed output keeps: none of a file analysed again, and each
    (source, window) once."""

    def __init__(self, again: Collection[str]) -> None:
        self.again = set(again)
        self.seen: set[tuple[str, Any]] = set()

    def keeps(self, row: dict[str, Any]) -> bool:
        key = (str(row["source"]), row.get(ROW_KEY[1]))
        if key[0] in self.again or key in self.seen:
            return False
        self.seen.add(key)
        return True

    def table(self, table: pa.Table) -> pa.Table:
        """The rows of a Parquet row group that are kept."""
        sources = table.column("source").to_pylist()
        windows = (
            table.column(ROW_KEY[1]).to_pylist() if ROW_KEY[1] in table.column_names
            else [None] * len(sources)
        )  # fmt: skip
        pairs = zip(sources, windows, strict=True)
        mask = [self.keeps({"source": s, ROW_KEY[1]: w}) for s, w in pairs]
        return table.filter(pa.array(mask, pa.bool_()))


def done_from_tables(tables: Iterable[pa.Table], done: Done) -> None:
    """Add the results of Parquet row groups."""
    keys = ["source", "error", SIZE_KEY, MTIME_KEY, HASH_KEY]
    for group in tables:
        present = [k for k in keys if k in group.column_names]
        if "error" in present:
            group = group.filter(pc.is_null(group.column("error")))  # noqa: PLW2901
        for row in group.select(present).to_pylist():
            done.add(row)
