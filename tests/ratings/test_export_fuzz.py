"""The ratings export (issue 22): whatever text a caption, model or rater code holds, the CSV
runs no formula in a spreadsheet and both CSV and JSON read back as stored. Fuzzed with
Hypothesis (budget: tests/fuzz.py)."""

from __future__ import annotations

import csv
import io

import pytest
from fuzz import fuzz
from hypothesis import given
from hypothesis import strategies as st
from rating_cases import GOOD, shown

from llm_ssd.ratings.store import MAX_RATER_CODE, RatingError, RatingStore
from llm_ssd.ratings.summary import export_text, read_export
from llm_ssd.records.rows import FORMULA_STARTS

FORMULAS = st.sampled_from(['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "-2+3",
                            "@SUM(A1:A9)", "\t=1", "\r=1", "'=1"])  # fmt: skip
TEXT = st.one_of(FORMULAS, st.text(max_size=60))


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> RatingStore:
    return RatingStore(tmp_path_factory.mktemp("export") / "ratings.sqlite3")


@fuzz()
@given(caption=TEXT, model=TEXT, source=TEXT, rater=st.one_of(FORMULAS, st.text(max_size=40)))
def test_any_text_exports_safely_and_reads_back(store, caption, model, source, rater):
    caption_id = store.register_caption(shown(caption, source=source, model=model))
    try:
        store.rate(caption_id, GOOD, rater)
    except RatingError:
        assert len(rater.strip()) > MAX_RATER_CODE or not rater.isprintable()
    rows = store.rows()
    text = export_text(rows, "csv")
    for line in list(csv.reader(io.StringIO(text)))[1:]:
        for cell in line:
            assert not cell.startswith(FORMULA_STARTS) or float(cell) <= 0
    assert read_export(text, "csv") == rows
    assert read_export(export_text(rows, "json"), "json") == rows
