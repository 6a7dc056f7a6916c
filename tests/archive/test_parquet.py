"""Typed Parquet in parts (issue 24): the CSV's columns with types, rows kept through a kill
(closed parts and the pending file), the parts joined into one file that pandas, polars and
DuckDB read; and the 100,000-row write stays in bounded memory (benchmarks/archive.py measures
it)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from analyses import make_analysis

from llm_ssd.archive import parquet
from llm_ssd.archive.resume import Done, Keeper, done_from_tables, identity
from llm_ssd.archive.starts import stamp
from llm_ssd.records.rows import csv_columns, flat_record, window_rows
from llm_ssd.result import Window

EXTRA = [parquet.SIZE_KEY, parquet.MTIME_KEY, "recording_start"]


def record(i: int, error: bool = False) -> dict:
    if error:
        return {"source": f"f{i}.wav", "error": "not audio", parquet.SIZE_KEY: 9}
    analysis = make_analysis(scene="park" if i % 2 else "street_traffic")
    windows = (Window(0.0, 30.0, analysis.prediction, 1.5 + i), Window(30.0, 60.0,
               analysis.prediction, 2.5))  # fmt: skip
    rec = {**replace(analysis, windows=windows).to_dict(), "source": f"f{i}.wav"}
    rec.update({parquet.SIZE_KEY: 100 + i, parquet.MTIME_KEY: 10**18 + i})
    return stamp(rec, datetime(2024, 6, 12, i % 24))


def sink(folder, per_window: bool = False):
    columns = csv_columns(False, per_window=per_window) + EXTRA
    columns += ["start_time"] if per_window else []
    rows_of = (lambda r: window_rows(r, EXTRA)) if per_window else (lambda r: [r])
    return parquet.ParquetSink(folder, parquet.schema(columns), rows_of)


def test_the_columns_are_the_csvs_with_types():
    columns = csv_columns(False) + EXTRA
    schema = parquet.schema(columns)
    assert schema.names == columns
    assert schema.field("isop").type == pa.float64()
    assert schema.field("sample_rate").type == pa.int64()
    assert schema.field("recording_start").type == pa.timestamp("ms")
    assert schema.field("scene").type == pa.string() and schema.field("error").type == pa.string()
    assert schema.field("warnings").type == pa.string()


def test_a_killed_sink_keeps_its_rows_and_the_next_run_joins_them_once(tmp_path, monkeypatch):
    import duckdb
    import pandas as pd
    import polars as pl

    monkeypatch.setattr(parquet, "PART_ROWS", 4)  # parts while the batch runs
    folder, out = tmp_path / "o.parquet.partial", tmp_path / "o.parquet"
    first = sink(folder)
    for i in range(6):
        first.write(record(i))  # a part after 4; 2 wait in the pending file
    assert len(parquet.parts(folder)) == 1
    assert len((folder / parquet.PENDING).read_text().splitlines()) == 2
    with open(folder / parquet.PENDING, "a") as f:
        f.write('{"source": "f6.wav", "sce')  # killed mid-line
    del first  # never closed: as after SIGKILL
    second = sink(folder)
    assert [p.name for p in second.earlier] == ["part-000000.parquet", "part-000001.parquet"]
    for i in range(6, 9):
        second.write(record(i))
    second.write(record(9, error=True))
    second.close()
    rows = parquet.join(out, folder, second.schema, second.earlier)
    assert rows == 10 and not folder.exists()
    frame = pd.read_parquet(out)
    assert list(frame["source"]) == [f"f{i}.wav" for i in range(10)]
    assert frame.loc[3, "isop"] == 0.0 and frame.loc[3, "recording_start"] == datetime(
        2024, 6, 12, 3
    )
    assert frame.loc[9, "error"] == "not audio" and pd.isna(frame.loc[9, "isop"])
    assert pl.read_parquet(out).height == 10
    assert duckdb.sql(f"select count(distinct source) from '{out}'").fetchall()[0] == (10,)
    groups = pq.ParquetFile(out).metadata
    sizes = [groups.row_group(i).num_rows for i in range(groups.num_row_groups)]
    assert sizes == [4, 6]  # at least PART_ROWS rows a group


def test_per_window_rows_carry_the_files_fields_and_their_own_time(tmp_path):
    folder = tmp_path / "w.partial"
    writer = sink(folder, per_window=True)
    writer.write(record(5))
    writer.close()
    parquet.join(tmp_path / "w.parquet", folder, writer.schema)
    rows = pq.read_table(tmp_path / "w.parquet").to_pylist()
    assert [(r["window"], r["start_time"]) for r in rows] == [
        (0, datetime(2024, 6, 12, 5)), (1, datetime(2024, 6, 12, 5, 0, 30))
    ]  # fmt: skip
    assert {r["source_size"] for r in rows} == {105} and rows[0]["loudness_n5"] == 6.5


def test_resume_knows_files_by_size_and_time_or_hash(tmp_path):
    path = tmp_path / "a.wav"
    path.write_bytes(b"RIFF" * 10)
    fields = identity(str(path), by_hash=True)
    failed = {"source": "b.wav", "error": "bad", parquet.SIZE_KEY: 1}
    table = pa.Table.from_pylist([{"source": str(path), "error": None, **fields}, failed])
    done = Done(by_hash=False)
    done_from_tables([table], done)
    assert done.holds(str(path), fields)
    assert not done.holds("b.wav", {parquet.SIZE_KEY: 1, parquet.MTIME_KEY: 0})
    assert not done.holds(str(path), {**fields, parquet.MTIME_KEY: 0})
    moved = Done(by_hash=True)
    done_from_tables([table], moved)
    assert moved.holds("elsewhere.wav", fields)


def test_the_keeper_drops_rows_of_files_done_again_and_repeats():
    keeper = Keeper(again={"b.wav"})
    table = pa.Table.from_pylist([{"source": s, "window": w} for s, w in
                                  [("a", 0), ("a", 1), ("b.wav", 0), ("a", 0)]])  # fmt: skip
    assert keeper.table(table).to_pylist() == [{"source": "a", "window": 0},
                                               {"source": "a", "window": 1}]  # fmt: skip


def test_flat_rows_of_a_record_survive_json(tmp_path):
    """The pending file's records give the rows the live sink would have written."""
    rec = record(2)
    assert [flat_record(r) for r in window_rows(json.loads(json.dumps(rec)), EXTRA)] == [
        flat_record(r) for r in window_rows(rec, EXTRA)
    ]
    with pytest.raises(ValueError, match="by must be"):
        from llm_ssd.archive.diary import aggregate

        aggregate(None, "week")
