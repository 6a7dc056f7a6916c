"""A ratings database that cannot be used (issue 22): each fault is told apart, reported with
what to do, the file left as it was; a tolerant store (the app's) goes on without ratings and
comes back once the file is fixed; no rating is lost without saying so."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from broken_databases import BROKEN, filled, kind_of, snapshot
from rating_cases import GOOD, shown

from llm_ssd.ratings.faults import KINDS, DatabaseFault, public_message
from llm_ssd.ratings.store import RatingStore


@pytest.fixture(params=sorted(BROKEN))
def broken(request, tmp_path) -> tuple[str, Path]:
    """A broken database: its case name and path."""
    return request.param, BROKEN[request.param](tmp_path / "ratings.sqlite3")


def test_each_fault_is_named_with_what_to_do_and_the_file_is_left_as_it_was(broken):
    name, path = broken
    before = snapshot(path)
    with pytest.raises(DatabaseFault) as refused:
        RatingStore(path)
    fault = refused.value
    assert fault.kind == kind_of(name)
    assert str(path) in str(fault) and KINDS[fault.kind].remedy in str(fault)
    assert str(path) not in fault.public and str(path.parent) not in fault.public
    assert "Ratings are off" in fault.public and "describing clips works" in fault.public
    assert snapshot(path) == before  # never overwritten or "repaired"


def test_a_tolerant_store_reports_the_fault_on_every_use_and_writes_nothing(broken, caplog):
    name, path = broken
    before = snapshot(path)
    store = RatingStore(path, tolerate=True)
    assert store.fault is not None and store.fault.kind == kind_of(name)
    assert [r.getMessage() for r in caplog.records] == [f"ratings are off: {store.fault}"]
    for use in (store.rows, store.raters, lambda: store.register_caption(shown())):
        with pytest.raises(DatabaseFault):
            use()
    with pytest.raises(DatabaseFault) as refused:
        store.rate("0123456789abcdef", GOOD, "7B")
    assert public_message(refused.value) == refused.value.public
    assert snapshot(path) == before


def test_moving_the_file_aside_brings_ratings_back_without_a_restart(broken):
    _, path = broken
    store = RatingStore(path, tolerate=True)
    aside = path.with_name("broken-aside")
    os.rename(path, aside)
    caption_id = store.register_caption(shown())
    assert store.rate(caption_id, GOOD)["caption_id"] == caption_id
    assert store.fault is None and len(store.rows()) == 1
    assert aside.exists()  # the broken one is kept for its owner


def test_a_database_that_breaks_while_in_use_is_reported_and_remembered(tmp_path):
    path = filled(tmp_path / "ratings.sqlite3")
    store = RatingStore(path, tolerate=True)
    caption_id = store.rows()[0]["caption_id"]
    with open(path, "r+b") as f:  # "database disk image is malformed", as seen in a class
        f.seek(4096)
        f.write(b"\x00" * 4096 * 8)
    with pytest.raises(DatabaseFault) as refused:
        store.rate(caption_id, GOOD, "7B")
    assert refused.value.kind == "corrupt" and store.fault is refused.value
    with pytest.raises(DatabaseFault):
        store.rows()  # the Results page learns it too


def connecting_with(monkeypatch, store: RatingStore, *pragmas: str, uri: str = "") -> None:
    """Make the store's connections as a read-only file, a full disk, ... would."""
    real = RatingStore._connect

    def connect(self):
        if uri:
            con = sqlite3.connect(uri, uri=True, timeout=0.2, isolation_level=None)
        else:
            con = real(self)
        for pragma in pragmas:
            con.execute(pragma)
        return con

    monkeypatch.setattr(RatingStore, "_connect", connect)


def test_a_full_disk_says_so_and_stores_nothing(tmp_path, monkeypatch):
    store = RatingStore(tmp_path / "ratings.sqlite3")
    caption_id = store.register_caption(shown())
    with sqlite3.connect(store.path) as con:
        pages = con.execute("PRAGMA page_count").fetchone()[0]
    connecting_with(monkeypatch, store, f"PRAGMA max_page_count = {pages}")
    with pytest.raises(DatabaseFault) as refused:
        store.register_caption(shown("A long caption. " * 2000))
    assert refused.value.kind == "full" and "free some disk space" in refused.value.public
    monkeypatch.undo()
    assert store.rate(caption_id, GOOD)["rating_id"] == 1  # space again: ratings resume
    assert store.fault is None


def test_a_read_only_database_says_so(tmp_path, monkeypatch):
    store = RatingStore(tmp_path / "ratings.sqlite3")
    caption_id = store.register_caption(shown())
    connecting_with(monkeypatch, store, uri=f"file:{store.path}?mode=ro")
    with pytest.raises(DatabaseFault) as refused:
        store.rate(caption_id, GOOD)
    assert refused.value.kind == "read-only" and "writable" in refused.value.public


def test_a_locked_database_says_so(tmp_path, monkeypatch):
    store = RatingStore(tmp_path / "ratings.sqlite3")
    caption_id = store.register_caption(shown())
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        connecting_with(monkeypatch, store, "PRAGMA busy_timeout = 200")
        with pytest.raises(DatabaseFault) as refused:
            store.rate(caption_id, GOOD)
        assert refused.value.kind == "locked" and "close the program" in refused.value.public
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.rate(caption_id, GOOD)["rating_id"] == 1


def test_a_folder_that_cannot_be_made_says_so(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(DatabaseFault) as refused:
        RatingStore(blocker / "ratings.sqlite3")
    assert refused.value.kind == "unopenable" and str(blocker) not in refused.value.public


def test_an_intact_copy_is_still_readable_after_the_checks(tmp_path):
    path = filled(tmp_path / "ratings.sqlite3")
    shutil.copy(path, tmp_path / "copy.sqlite3")
    assert len(RatingStore(tmp_path / "copy.sqlite3").rows()) == len(RatingStore(path).rows())
