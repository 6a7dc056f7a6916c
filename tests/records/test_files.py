"""Where records are written (issue 25): a device or FIFO is written to directly, never renamed
over; an output that is an input is refused."""

from __future__ import annotations

import os
import stat

import pytest
from cli_run import read_fifo_in_background

from llm_ssd.errors import UsageError
from llm_ssd.records.files import check_output, is_special, where, write_output


def test_a_fifo_output_is_written_to_directly_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "out.pipe"
    os.mkfifo(fifo)
    reader, got = read_fifo_in_background(fifo)
    write_output(fifo, "a record\n")
    reader.join(timeout=30)
    assert got == [b"a record\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced by a regular file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pipe"]  # no .partial beside it
    assert where(fifo) == str(fifo)


def test_a_device_output_is_special_and_a_regular_file_is_not(tmp_path):
    assert is_special(os.devnull) and where(os.devnull) == os.devnull
    regular = tmp_path / "out.csv"
    regular.write_text("earlier\n")
    assert not is_special(regular) and not is_special(tmp_path / "missing.csv")
    assert where(regular) == f"{regular}.partial"
    write_output(regular, "new\n")
    assert regular.read_text() == "new\n" and not (tmp_path / "out.csv.partial").exists()


def test_an_output_that_is_an_input_under_any_name_is_refused(tmp_path):
    data = tmp_path / "db.sqlite3"
    data.write_text("keep")
    (tmp_path / "hard").hardlink_to(data)
    (tmp_path / "soft").symlink_to(data)
    for output in (data, tmp_path / "." / "db.sqlite3", tmp_path / "hard", tmp_path / "soft"):
        with pytest.raises(UsageError, match="would overwrite the database"):
            check_output(output, [str(data)], "the database")
    assert data.read_text() == "keep"
