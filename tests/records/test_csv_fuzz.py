"""Every CSV LLM-SSD writes is safe as a spreadsheet (issue 22): no text cell starts like a
formula, numbers stay numbers, and the text reads back as it was. Fuzzed with Hypothesis
(budget: tests/fuzz.py)."""

from __future__ import annotations

import argparse
import csv
import io

from analyses import make_analysis
from fuzz import fuzz
from hypothesis import given
from hypothesis import strategies as st

from llm_ssd.records.export import write_record
from llm_ssd.records.rows import (
    FORMULA_STARTS,
    RecordWriter,
    read_spreadsheet_cell,
    spreadsheet_cell,
)

ATTACKS = ("=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
           "\t=1", "\r=1", "'=1", "''")  # fmt: skip
"""What a hostile source name, rater code, model name or caption would hold."""
TEXTS = st.one_of(st.sampled_from(ATTACKS), st.text(), st.text(alphabet="=+-@\t\r'ab1 ("))


def runs_no_formula(cell: str) -> bool:
    """What a spreadsheet opening the CSV would see: a formula only when the cell starts so;
    a number such as -0.1 is a number, not text."""
    if not cell.startswith(FORMULA_STARTS):
        return True
    try:
        float(cell)
    except ValueError:
        return False
    return True


@fuzz()
@given(TEXTS)
def test_a_cell_never_starts_a_formula_and_reads_back(text):
    cell = spreadsheet_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert read_spreadsheet_cell(cell) == text


def test_numbers_stay_numbers():
    assert spreadsheet_cell(-0.1) == -0.1 and spreadsheet_cell(-3) == -3
    assert spreadsheet_cell(None) is None


def describe_args(**kw) -> argparse.Namespace:
    values = {"format": "csv", "per_window": False, "caption": False, "ensemble": False} | kw
    return argparse.Namespace(**values)


@fuzz()
@given(source=TEXTS, warning=TEXTS)
def test_describe_csv_runs_no_formula(source, warning):
    record = make_analysis().to_dict() | {"source": source, "warnings": [warning]}
    out = io.StringIO()
    RecordWriter(out, describe_args()).write(record)
    header, row = csv.reader(io.StringIO(out.getvalue()))
    assert all(runs_no_formula(cell) for cell in row)
    cells = dict(zip(header, row, strict=True))
    assert read_spreadsheet_cell(cells["source"]) == source
    assert read_spreadsheet_cell(cells["warnings"]) == warning


@fuzz(20)
@given(caption=TEXTS)
def test_the_record_download_runs_no_formula(tmp_path_factory, caption):
    record = make_analysis().to_dict() | {"source": "clip.wav", "caption": caption}
    _, csv_path = write_record(record, tmp_path_factory.mktemp("download"))
    with open(csv_path, newline="", encoding="utf-8") as f:
        header, row = csv.reader(f)
    assert all(runs_no_formula(cell) for cell in row)
    assert read_spreadsheet_cell(row[header.index("caption")]) == caption
