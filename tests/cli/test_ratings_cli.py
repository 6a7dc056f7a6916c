"""`llm-ssd ratings summary` and `llm-ssd ratings export` (issue 13, acceptance 3)."""

from __future__ import annotations

import pytest
from cli_run import read_fifo_in_background, run_cli
from rating_cases import CLIP_A, CLIP_B, GOOD, shown

from llm_ssd.ratings.rubric import overall
from llm_ssd.ratings.store import RatingStore
from llm_ssd.ratings.summary import read_export

LLM_SOURCE = "model gpt-x via api.example.org"


@pytest.fixture
def store(tmp_path) -> RatingStore:
    """Offline template: clip A rated by 7B (P 5) and 7C (P 3), clip B by 7B (P 1); an LLM
    caption (blind, A) of clip A rated by 7C (P 4)."""
    store = RatingStore(tmp_path / "class.sqlite3")
    on_a = store.register_caption(shown(clip_sha256=CLIP_A))
    on_b = store.register_caption(shown(clip_sha256=CLIP_B))
    llm = store.register_caption(
        shown("Birds, and a fountain.", source=LLM_SOURCE, model="gpt-x", position="A", pair="p")
    )
    for caption_id, precision, rater in ((on_a, 5, "7B"), (on_a, 3, "7C"), (on_b, 1, "7B"),
                                         (llm, 4, "7C")):  # fmt: skip
        store.rate(caption_id, GOOD | {"precision": precision}, rater)
    return store


def summary_rows(stdout: str) -> dict[str, list[str]]:
    """The class's rows of the printed summary: source -> its nine cells."""
    rows = {}
    for line in stdout.split("\n\nPublished")[0].splitlines()[2:]:
        tokens = line.split()
        rows[" ".join(tokens[:-9])] = tokens[-9:]
    return rows


def test_summary_prints_means_and_counts_per_source_beside_the_papers(store):
    done = run_cli("ratings", "summary", "--db", str(store.path))
    assert done.returncode == 0, done.stderr
    rows = summary_rows(done.stdout)
    # ratings, clips, blind, P, R, F, C, I, overall; P: per clip (4 and 1), then over clips
    template_overall = overall(GOOD | {"precision": 2.5})
    assert rows["offline template"] == ["3", "2", "0", "2.50", "3.00", "-0.10", "0.00", "-0.30",
                                        f"{template_overall:.2f}"]  # fmt: skip
    assert rows[LLM_SOURCE][:4] == ["1", "1", "1", "4.00"]
    assert "D2 SoundSCaper" in done.stdout and "3.64" in done.stdout and "2.91" in done.stdout
    assert "all 60 human expert" in done.stdout and "3.34" in done.stdout


def test_summary_filters_by_rater_and_reads_llm_ssd_db(store):
    done = run_cli("ratings", "summary", "--rater", "7B", env={"LLM_SSD_DB": str(store.path)})
    assert done.returncode == 0, done.stderr
    assert f"ratings in {store.path}, rater 7B" in done.stdout
    rows = summary_rows(done.stdout)
    assert list(rows) == ["offline template"] and rows["offline template"][:4] == [
        "2", "2", "0", "3.00"
    ]  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_round_trips(store, tmp_path, fmt):
    out = tmp_path / f"ratings.{fmt}"
    done = run_cli("ratings", "export", "--db", str(store.path), "--format", fmt, "--output",
                   str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert read_export(out.read_text(encoding="utf-8"), fmt) == store.rows()
    printed = run_cli("ratings", "export", "--db", str(store.path), "--format", fmt)
    assert printed.stdout == out.read_text(encoding="utf-8")
    only = run_cli("ratings", "export", "--db", str(store.path), "--format", fmt, "--rater", "7C")
    assert read_export(only.stdout, fmt) == store.rows("7C") and len(store.rows("7C")) == 2


def test_a_missing_database_is_a_message_and_is_not_created(tmp_path):
    path = tmp_path / "none.sqlite3"
    for action in ("summary", "export"):
        done = run_cli("ratings", action, "--db", str(path))
        assert done.returncode == 2
        assert done.stderr.startswith(f"error: There is no ratings database at {path}")
        assert "Traceback" not in done.stderr
    assert not path.exists()


@pytest.mark.parametrize(
    ("action", "case"),
    [("summary", "corrupt"), ("summary", "newer"), ("export", "corrupt past the schema"),
     ("export", "incomplete"),
     # issue 25, case 14: the summary of the two faults the export was tested with
     ("summary", "corrupt past the schema"), ("summary", "incomplete")],
)  # fmt: skip
def test_a_broken_database_is_one_line_and_status_2(tmp_path, action, case):
    from broken_databases import BROKEN, snapshot

    path = BROKEN[case](tmp_path / "ratings.sqlite3")
    before = snapshot(path)
    done = run_cli("ratings", action, "--db", str(path))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"error: The ratings database {path} ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert snapshot(path) == before


def test_an_export_onto_the_database_is_refused_under_any_name(store, tmp_path):
    """Issue 25, case 2: the database (any spelling, link) or SQLite's files beside it."""
    from broken_databases import snapshot

    db = store.path
    before = snapshot(db)
    (tmp_path / "hard.sqlite3").hardlink_to(db)
    (tmp_path / "soft.sqlite3").symlink_to(db)
    # other spellings and links of any file: tests/records/test_files.py
    for output in (tmp_path / "." / "soft.sqlite3", tmp_path / "hard.sqlite3", f"{db}-wal"):
        done = run_cli("ratings", "export", "--db", str(db), "--output", str(output))
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"error: --output {output} would overwrite the ratings")
        assert done.stderr.count("\n") == 1 and done.stdout == ""
    assert snapshot(db) == before and store.rows()


def test_an_export_into_a_fifo_keeps_the_fifo(store, tmp_path):
    """Issue 25, case 3: a special file is written to directly, never renamed over."""
    import os
    import stat

    fifo = tmp_path / "export.pipe"
    os.mkfifo(fifo)
    reader, got = read_fifo_in_background(fifo)
    done = run_cli("ratings", "export", "--db", str(store.path), "--output", str(fifo))
    reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert read_export(got[0].decode(), "csv") == store.rows()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert not (tmp_path / "export.pipe.partial").exists()
