"""Records as typed Parquet, written so that a long batch never loses finished work.

The columns are the CSV's (`records.rows`, the one flattening rule), typed from the record's own
shape: floats as float64 (the JSON record's values, bit for bit), whole numbers as int64, flags
as booleans, text as strings, and the wall-clock times (`archive.starts`) as timestamps.

While a batch runs, its rows go to the folder `OUTPUT.partial/`: each record is first appended
to `pending.jsonl` (flushed), and every `PART_ROWS` rows, or `PART_SECONDS` after the last part,
the rows are written as one closed Parquet file `part-NNNNNN.parquet` (one row group) and the
pending file is emptied. A killed batch so keeps every finished record: in closed parts, or in
the pending file, which the next run (`--resume`) turns into a part. When the batch ends, the
parts (and, on a resumed run, the earlier OUTPUT's rows) are joined into OUTPUT, one file that
pandas, polars and DuckDB read, in row groups of at least `PART_ROWS` rows, one part in memory
at a time."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from llm_ssd.archive.starts import START_KEY, WINDOW_TIME_KEY
from llm_ssd.records.rows import Scalar, flat_record, record_template
from llm_ssd.result import Comparison, Ensemble, NetworkOutput, Prediction, Window

PART_ROWS = 1000
"""Rows per part file while a batch runs, and at least per row group of the joined file."""
PART_SECONDS = 60.0
"""A part is written at least this often while rows wait (the pending file holds them till)."""
PENDING = "pending.jsonl"
PART_GLOB = "part-*.parquet"
SIZE_KEY, MTIME_KEY, HASH_KEY = "source_size", "source_mtime_ns", "source_sha256"
"""A file's identity in its record, by which `--resume` knows it again."""
INTEGER_KEYS = ("window", SIZE_KEY, MTIME_KEY)
TIME_KEYS = (START_KEY, WINDOW_TIME_KEY)
TIMESTAMP = pa.timestamp("ms")
"""Wall-clock times: the recorder's clock, no time zone; milliseconds hold a window's start."""
ROW_KEY = ("source", "window")
"""One row of an output: a file's, or a file's window's."""


def template_values() -> dict[str, Scalar]:
    """A zero of every column a record, a window, an ensemble or a side-by-side comparison
    flattens to: the column types are read from them."""
    values = flat_record(record_template())
    values.update(flat_record(Window(0.0, 0.0, Prediction.zero(), 0.0).to_dict()))
    zero = Prediction.zero()
    values.update(flat_record({"ensemble": Ensemble(("",), (zero,)).to_dict()}))
    side = Comparison((NetworkOutput("", "", "", False, zero),))
    values.update(flat_record({"networks": side.to_dict()}))
    return values


def arrow_type(column: str, values: dict[str, Scalar]) -> pa.DataType:
    """A column's type: a timestamp, an integer, or as its template value is."""
    if column in TIME_KEYS:
        return TIMESTAMP
    if column in INTEGER_KEYS:
        return pa.int64()
    value = values.get(column, "")
    if isinstance(value, bool):
        return pa.bool_()
    if isinstance(value, int):
        return pa.int64()
    if isinstance(value, float):
        return pa.float64()
    return pa.string()


def schema(columns: Sequence[str]) -> pa.Schema:
    values = template_values()
    return pa.schema([pa.field(c, arrow_type(c, values)) for c in columns])


def to_table(rows: Sequence[dict[str, Any]], table_schema: pa.Schema) -> pa.Table:
    """Flat rows as a table of `table_schema` (a missing cell is null; ISO times parsed)."""
    names = table_schema.names
    times = [n for n in names if n in TIME_KEYS]
    cells = []
    for row in rows:
        cell = {n: row.get(n) for n in names}
        for n in times:
            if isinstance(cell[n], str):
                cell[n] = datetime.fromisoformat(cell[n])
        cells.append(cell)
    return pa.Table.from_pylist(cells, schema=table_schema)


class ParquetSink:
    """Each record's rows into the folder of parts (see the module's docstring)."""

    def __init__(
        self,
        folder: Path,
        table_schema: pa.Schema,
        rows_of: Callable[[dict[str, Any]], list[dict[str, Any]]],
    ) -> None:
        self.folder, self.schema, self.rows_of = folder, table_schema, rows_of
        folder.mkdir(parents=True, exist_ok=True)
        self.parts = len(parts(folder))
        self.buffer: list[dict[str, Any]] = []
        self.count = 0
        self.last = time.monotonic()
        carried = list(pending_records(folder))
        self.pending = open(folder / PENDING, "w", encoding="utf-8")  # noqa: SIM115 - closed
        self.buffer = [flat_record(row) for r in carried for row in rows_of(r)]
        self.flush()
        self.earlier = parts(folder)
        """The parts of earlier, interrupted runs (their pending records among them)."""

    def write(self, record: dict[str, Any]) -> None:
        self.pending.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.pending.flush()
        self.buffer += [flat_record(row) for row in self.rows_of(record)]
        self.count += 1
        if len(self.buffer) >= PART_ROWS or time.monotonic() - self.last >= PART_SECONDS:
            self.flush()

    def flush(self) -> None:
        """The waiting rows as one closed part; the pending file emptied after."""
        self.last = time.monotonic()
        if not self.buffer:
            return
        path = self.folder / f"part-{self.parts:06d}.parquet"
        temporary = path.with_suffix(".tmp")
        pq.write_table(to_table(self.buffer, self.schema), temporary)
        os.replace(temporary, path)
        self.parts += 1
        self.buffer = []
        self.pending.seek(0)
        self.pending.truncate()
        self.pending.flush()

    def close(self) -> None:
        self.flush()
        self.pending.close()


def parts(folder: Path) -> list[Path]:
    return sorted(folder.glob(PART_GLOB)) if folder.is_dir() else []


def pending_records(folder: Path) -> Iterator[dict[str, Any]]:
    """The records of a pending file (a line cut short by a kill left out)."""
    path = folder / PENDING
    if not path.exists():
        return
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                return


def tables(paths: Iterable[Path]) -> Iterator[pa.Table]:
    """Each row group of each Parquet file, in order, one in memory at a time."""
    for path in paths:
        with pq.ParquetFile(path) as f:
            for group in range(f.num_row_groups):
                yield f.read_row_group(group)


def join(
    output: Path,
    folder: Path,
    table_schema: pa.Schema,
    earlier: Sequence[Path] = (),
    keep: Callable[[pa.Table], pa.Table] | None = None,
) -> int:
    """The `earlier` files' rows and the folder's parts into OUTPUT, in row groups of at least
    `PART_ROWS` rows, the folder removed after; `keep` filters the rows of the earlier files
    (parts among them). Returns the rows written."""
    temporary = output.with_name(output.name + ".joining")
    rows, waiting = 0, []
    with pq.ParquetWriter(temporary, table_schema) as writer:
        new = [p for p in parts(folder) if p not in earlier]
        for path in [*earlier, *new]:
            for table in tables([path]):
                waiting.append(_conform(keep(table) if keep and path not in new else table,
                                        table_schema))  # fmt: skip
                if sum(t.num_rows for t in waiting) >= PART_ROWS:
                    rows += _write(writer, waiting)
                    waiting = []
        rows += _write(writer, waiting)
    os.replace(temporary, output)
    shutil.rmtree(folder)
    return rows


def _conform(table: pa.Table, table_schema: pa.Schema) -> pa.Table:
    return table.select(table_schema.names).cast(table_schema)


def _write(writer: pq.ParquetWriter, waiting: list[pa.Table]) -> int:
    if not waiting:
        return 0
    table = pa.concat_tables(waiting)
    writer.write_table(table, row_group_size=max(table.num_rows, 1))
    return table.num_rows
