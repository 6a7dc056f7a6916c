"""Ratings databases broken in each way a server can meet, for the tests of several folders
(issue 22): each maker writes one at `path` and returns it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from rating_cases import GOOD, shown

from llm_ssd.ratings.store import SCHEMA_VERSION, RatingStore

PAGE = 4096
"""SQLite's default page size."""
RATINGS_IN_A_BIG_FILE = 200


def change(path: Path, *statements: str) -> Path:
    """Run statements on the file and close it, everything in the main file (no WAL left)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as con:
        for statement in statements:
            con.execute(statement)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def not_a_database(path: Path) -> Path:
    path.write_bytes(b"this is not a database\n" * 100)
    return path


def newer_schema(path: Path) -> Path:
    return change(path, f"PRAGMA user_version = {SCHEMA_VERSION + 97}")


def filled(path: Path) -> Path:
    """A good database of `RATINGS_IN_A_BIG_FILE` ratings, spread over many pages, all in the
    main file (the WAL checkpointed)."""
    store = RatingStore(path)
    caption_id = store.register_caption(shown("A long caption. " * 200))
    for i in range(RATINGS_IN_A_BIG_FILE):
        store.rate(caption_id, GOOD, f"class {i % 7}")
    return change(path)


def damaged_past_the_schema(path: Path) -> Path:
    """A database whose first pages (the header and schema) are intact and whose later pages,
    holding the ratings, are overwritten."""
    filled(path)
    with open(path, "r+b") as f:
        f.seek(3 * PAGE)
        f.write(b"\xff" * 3 * PAGE)
    return path


def ratings_table_missing(path: Path) -> Path:
    RatingStore(path)
    return change(path, "DROP TABLE ratings")


def another_programs(path: Path) -> Path:
    return change(path, "CREATE TABLE contacts (name TEXT, phone TEXT)",
                  "INSERT INTO contacts VALUES ('Ann', '123')")  # fmt: skip


def a_directory(path: Path) -> Path:
    path.mkdir()
    return path


BROKEN: dict[str, Callable[[Path], Path]] = {
    "corrupt": not_a_database,
    "newer": newer_schema,
    "corrupt past the schema": damaged_past_the_schema,
    "incomplete": ratings_table_missing,
    "foreign": another_programs,
    "directory": a_directory,
}
"""Each file-level fault (the fault's kind, after its first word) and how to make it."""


def kind_of(name: str) -> str:
    """The `DatabaseFault.kind` a `BROKEN` case gives."""
    return name.split()[0]


def snapshot(path: Path) -> bytes | None:
    """The file's bytes (None for a folder), to show that nothing was overwritten."""
    return None if path.is_dir() else path.read_bytes()
