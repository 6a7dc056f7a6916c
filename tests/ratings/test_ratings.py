"""Caption ratings in SQLite (issue 13): the rubric, validation, storage, migration, summary and
export, without the app."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rating_cases import CLIP_A, CLIP_B, GOOD, shown
from reference import shared_file

from llm_ssd.ratings import store as ratings
from llm_ssd.ratings.rubric import CRITERIA, CRITERION_KEYS, PUBLISHED, overall
from llm_ssd.ratings.store import (
    EPHEMERAL_NOTICE,
    MAX_RATER_CODE,
    SCHEMA_VERSION,
    RatingError,
    RatingStore,
    database_location,
)
from llm_ssd.ratings.summary import export_text, read_export, summarize

V1_SCHEMA = """
CREATE TABLE ratings (id INTEGER PRIMARY KEY, rated_at TEXT NOT NULL, rater TEXT,
    caption TEXT NOT NULL, source TEXT NOT NULL, precision REAL NOT NULL, recall REAL NOT NULL,
    fluency REAL NOT NULL, conciseness REAL NOT NULL, irrelevance REAL NOT NULL);
PRAGMA user_version = 1;
"""
"""Version 1, the first and minimal schema, written out here as an old file would hold it."""


@pytest.fixture
def store(tmp_path) -> RatingStore:
    return RatingStore(tmp_path / "ratings.sqlite3")


def count(path: Path, table: str = "ratings") -> int:
    with sqlite3.connect(path) as con:
        return con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_the_rubric_is_the_papers():
    assert [(c.letter, c.low, c.high) for c in CRITERIA] == [
        ("P", 1, 5), ("R", 1, 5), ("F", -2, 0), ("C", -2, 0), ("I", -2, 0)
    ]  # fmt: skip
    assert overall({"precision": 4, "recall": 3, "fluency": -1, "conciseness": 0,
                    "irrelevance": -0.5}) == 2.0  # fmt: skip
    for row in PUBLISHED:  # the printed overall is the formula on the printed means, rounded
        if row.scores:
            assert overall(row.scores) == pytest.approx(row.overall, abs=0.02)


def test_the_published_rows_are_those_of_docs_rating_md():
    text = shared_file("docs", "rating.md").read_text()
    table = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 8 and cells[1] in ("SoundSCaper", "human expert"):
            numbers = [float(c.replace("−", "-")) for c in cells[2:] if c]
            table[(cells[0], cells[1])] = numbers
    assert len(table) == len(PUBLISHED)
    for row in PUBLISHED:
        mine = [row.scores[k] for k in CRITERION_KEYS] if row.scores else []
        assert table[(row.dataset, row.caption_by)] == [*mine, row.overall]


def test_database_location(tmp_path):
    assert database_location({"LLM_SSD_DB": "~/x.db"}).path == Path.home() / "x.db"
    local = database_location({"XDG_DATA_HOME": str(tmp_path)})
    assert local.path == tmp_path / "llm-ssd" / "ratings.sqlite3" and local.notice is None
    default = database_location({})
    assert default.path == Path.home() / ".local/share/llm-ssd/ratings.sqlite3"
    space = {"SPACE_ID": "someone/llm-ssd", "XDG_DATA_HOME": str(tmp_path)}
    persistent = database_location(space, space_storage=tmp_path)
    assert persistent.path == tmp_path / "llm-ssd" / "ratings.sqlite3"
    assert persistent.notice is None
    ephemeral = database_location(space, space_storage=tmp_path / "absent")
    assert ephemeral.notice == EPHEMERAL_NOTICE and "lost when it restarts" in EPHEMERAL_NOTICE


def test_a_rating_keeps_its_caption_clip_and_scores(store):
    caption_id = store.register_caption(shown(model=None))
    row = store.rate(caption_id, GOOD, "  7B ")
    assert row["rater"] == "7B" and row["caption_id"] == caption_id
    assert row["clip_sha256"] == CLIP_A and row["clip_duration"] == 30.0
    assert row["analysis"]["scene"] == "park" and "source" not in row["analysis"]
    assert row["source"] == "offline template" and row["position"] is None
    assert [row[k] for k in CRITERION_KEYS] == [4, 3, -0.1, 0, -0.3]
    assert row["overall"] == pytest.approx(3.1)
    assert row["rated_at"].endswith("+00:00") and row["audio"] is None
    assert store.rows() == [row] and store.raters() == ["7B"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"precision": 6}, "Precision must be 1 to 5; 6 is outside the scale"),
        ({"recall": 0}, "Recall must be 1 to 5; 0 is outside the scale"),
        ({"fluency": 0.5}, "Fluency must be −2 to 0 in steps of 0.1; 0.5 is outside the scale"),
        ({"irrelevance": -2.5}, "Irrelevance must be −2 to 0 in steps of 0.1; -2.5 is outside"),
        ({"precision": 3.5}, "Precision must be 1 to 5; 3.5 is between two steps"),
        ({"conciseness": -0.15}, "-0.15 is between two steps"),
        ({"recall": None}, "Recall is missing (give 1 to 5)"),
        ({"fluency": "bad"}, "Fluency must be a number"),
        ({"precision": True}, "Precision must be a number"),
        ({"recall": float("nan")}, "Recall must be 1 to 5; nan is outside the scale"),
        ({"clarity": 3}, "unknown criterion 'clarity'"),
    ],
)
def test_bad_scores_are_refused_and_nothing_is_written(store, change, message):
    caption_id = store.register_caption(shown())
    with pytest.raises(RatingError, match=re.escape(message)) as refused:
        store.rate(caption_id, GOOD | change)
    assert str(refused.value).endswith("Nothing was stored.")
    assert count(store.path) == 0


def test_a_missing_criterion_is_named(store):
    caption_id = store.register_caption(shown())
    without = {k: v for k, v in GOOD.items() if k != "conciseness"}
    with pytest.raises(RatingError, match=r"^Conciseness is missing \(give −2 to 0"):
        store.rate(caption_id, without)
    assert count(store.path) == 0


def test_an_unknown_caption_and_an_overlong_rater_code_are_refused(store):
    caption_id = store.register_caption(shown())
    for unknown in ("0123456789abcdef", "", None, "x" * 500):
        with pytest.raises(RatingError, match="caption"):
            store.rate(unknown, GOOD)
    limit = f"at most {MAX_RATER_CODE} are allowed"
    with pytest.raises(RatingError, match=limit):
        store.rate(caption_id, GOOD, "x" * (MAX_RATER_CODE + 1))
    with pytest.raises(RatingError, match="letters, digits, spaces and punctuation"):
        store.rate(caption_id, GOOD, "7B\x00")
    assert count(store.path) == 0
    store.rate(caption_id, GOOD, "x" * MAX_RATER_CODE)  # at the limit: stored
    assert count(store.path) == 1


def test_a_kept_clip_is_stored_once_by_its_hash(store, tmp_path):
    clip = tmp_path / "My Recording.FLAC"
    clip.write_bytes(b"fLaC not really")
    sha = ratings.clip_sha256(clip)
    first = store.register_caption(shown(clip_sha256=sha), audio=clip)
    store.register_caption(shown(clip_sha256=sha), audio=clip)
    store.rate(first, GOOD)
    (row,) = store.rows()
    assert row["audio"] == f"clips/{sha}.flac"
    assert (store.path.parent / row["audio"]).read_bytes() == clip.read_bytes()
    assert [p.name for p in store.clips_dir.iterdir()] == [f"{sha}.flac"]


def test_kept_clips_stop_at_their_bound_and_the_caption_is_still_registered(
    store, tmp_path, monkeypatch
):
    """Issue 25, case 13: every distinct clip was kept for good, whatever its size."""
    monkeypatch.setattr(ratings, "MAX_KEPT_BYTES", 2500)
    clips = []
    for i in range(3):
        clips.append(tmp_path / f"clip{i}.wav")
        clips[-1].write_bytes(bytes([i]) * 1000)
    ids = [store.register_caption(shown(clip_sha256=None), audio=clip) for clip in clips]
    assert not store.room_for(clips[2])
    kept = {row["caption_id"]: row["audio"] for row in (store.rate(i, GOOD) for i in ids)}
    assert [kept[i] is None for i in ids] == [False, False, True]
    assert sum(p.stat().st_size for p in store.clips_dir.iterdir()) == 2000


def test_concurrent_ratings_are_all_stored_once(store):
    caption_id = store.register_caption(shown())
    with ThreadPoolExecutor(16) as pool:
        rows = list(pool.map(lambda i: store.rate(caption_id, GOOD, f"r{i}"), range(16)))
    assert sorted(r["rater"] for r in rows) == sorted(f"r{i}" for i in range(16))
    assert len({r["rating_id"] for r in rows}) == 16 == count(store.path)


def test_summary_averages_raters_per_clip_then_clips(store):
    """Two raters on clip A (P 5 and 3), one on clip B (P 1): per clip 4 and 1, mean 2.5 (the
    paper's order), where a plain mean over the three ratings would give 3."""
    on_a = store.register_caption(shown(clip_sha256=CLIP_A))
    on_b = store.register_caption(shown(clip_sha256=CLIP_B))
    llm = store.register_caption(shown(source="model m via host", model="m", position="A",
                                       pair="p1"))  # fmt: skip
    for caption_id, precision in ((on_a, 5), (on_a, 3), (on_b, 1), (llm, 4)):
        store.rate(caption_id, GOOD | {"precision": precision})
    by_source = {s.source: s for s in summarize(store.rows())}
    template = by_source["offline template"]
    assert (template.ratings, template.clips, template.blind) == (3, 2, 0)
    assert template.means["precision"] == pytest.approx(2.5)
    assert template.means["overall"] == pytest.approx(overall(GOOD | {"precision": 2.5}))
    model = by_source["model m via host"]
    assert (model.ratings, model.clips, model.blind, model.means["precision"]) == (1, 1, 1, 4)
    assert summarize([]) == []


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_round_trips(store, fmt):
    plain = store.register_caption(shown('A caption, with "quotes"\nand a new line'))
    blind = store.register_caption(shown(model="gpt-x", source="model gpt-x via h", position="B",
                                         pair="p", clip_sha256=None, analysis=None))  # fmt: skip
    store.rate(plain, GOOD, "7B")
    store.rate(blind, GOOD | {"precision": 1})
    rows = store.rows()
    text = export_text(rows, fmt)
    assert read_export(text, fmt) == rows
    assert read_export(text, fmt)[1]["clip_sha256"] is None


def test_rows_filter_by_rater(store):
    caption_id = store.register_caption(shown())
    for code in ("7B", "7C", None, "7B"):
        store.rate(caption_id, GOOD, code)
    assert [r["rater"] for r in store.rows("7B")] == ["7B", "7B"]
    assert len(store.rows()) == 4 and store.raters() == ["7B", "7C"]


def test_a_new_database_is_the_current_schema_in_wal_mode(store):
    with sqlite3.connect(store.path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        columns = {r[1] for r in con.execute("PRAGMA table_info(ratings)")}
    assert set(CRITERION_KEYS) <= columns


@pytest.fixture
def v1_database(tmp_path) -> Path:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as con:
        con.executescript(V1_SCHEMA)
        con.executemany(
            "INSERT INTO ratings (rated_at, rater, caption, source, precision, recall, fluency, "
            "conciseness, irrelevance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [("2025-03-01T10:00:00+00:00", "7B", "Birds sing.", "offline template",
              4, 3, 0, -0.2, 0),
             ("2025-03-01T10:01:00+00:00", None, "Cars pass.", "model m via host",
              2, 2, -0.1, 0, -1)],
        )  # fmt: skip
    return path


def test_a_version_1_database_is_migrated_and_keeps_its_ratings(v1_database):
    store = RatingStore(v1_database)
    with sqlite3.connect(v1_database) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    old = store.rows()
    assert [(r["rater"], r["caption"], r["source"], r["precision"]) for r in old] == [
        ("7B", "Birds sing.", "offline template", 4), (None, "Cars pass.", "model m via host", 2)
    ]  # fmt: skip
    assert old[0]["caption_id"] == "v1-1" and old[0]["rated_at"] == "2025-03-01T10:00:00+00:00"
    assert old[1]["overall"] == pytest.approx(0.9)
    store.rate("v1-1", GOOD)  # a migrated caption can be rated again
    new = store.register_caption(shown())
    store.rate(new, GOOD)
    assert [s.ratings for s in summarize(store.rows())] == [1, 3]
    assert RatingStore(v1_database).rows() == store.rows()  # opening again changes nothing


def test_a_database_of_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as con:
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RatingError, match="newer than this LLM-SSD understands"):
        RatingStore(path)


def test_an_unusable_file_or_a_missing_one_gives_a_clear_error(tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RatingError, match=r"database .*junk\.sqlite3 is damaged"):
        RatingStore(junk)
    missing = r"no ratings database at .*absent\.sqlite3 \(set LLM_SSD_DB or --db\)"
    with pytest.raises(RatingError, match=missing):
        RatingStore(tmp_path / "absent.sqlite3", create=False)
    assert not (tmp_path / "absent.sqlite3").exists()


def test_importing_the_ratings_does_not_import_torch():
    code = (
        "import sys, llm_ssd.ratings.store, llm_ssd.ratings.rubric; print('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
