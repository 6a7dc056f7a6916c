"""Ratings of captions with the paper's rubric (`rubric`), kept in SQLite.

Every caption the app shows is registered first (`RatingStore.register_caption` returns its id);
a rating names that id, so a rating of a caption nobody was shown is refused. A rating keeps its
time, an optional rater code (a class or group code, no personal data) and the five scores; its
caption keeps the clip's sha256 and duration, the analysis record (JSON, without the file name),
the caption's text, source and model, and its blind-mode position. Never an API key, and audio
only when the person asked for it to be kept.

The schema carries its version in `PRAGMA user_version`; `MIGRATIONS` bring any older file up to
`SCHEMA_VERSION` on opening. A database that cannot be used (`faults`) is reported, never
overwritten or repaired; the app opens it with `tolerate`, so that describing goes on without
ratings, and every use tries it again. Importing this module does not import torch."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from llm_ssd.env import ENV_DATA_HOME, ENV_DB, on_space
from llm_ssd.ratings.faults import DatabaseFault, RatingError, fault_of
from llm_ssd.ratings.rubric import (
    CRITERION_KEYS,
    OVERALL,
    SCORE_DIGITS,
    overall,
    score_problems,
)

log = logging.getLogger(__name__)

APP_DIR = "llm-ssd"
DB_NAME = "ratings.sqlite3"
SPACE_STORAGE = Path("/data")
"""A Hugging Face Space's persistent storage, when the Space has it."""
CLIPS_DIR = "clips"
"""Beside the database: the clips people asked to keep, named by their sha256."""
MAX_KEPT_BYTES = 2 << 30
"""2 GiB of kept clips at most (40 uploads of the largest size, hundreds of class clips): past
it, a clip is not kept (its caption is still registered), and the page says so. Nothing kept
is ever deleted."""
MAX_RATER_CODE = 32
"""Characters of a rater code (a class or group code)."""
MAX_CAPTION_ID = 64
BUSY_TIMEOUT = 30.0
"""Seconds a writer waits for another one to finish."""
HASH_CHUNK = 1 << 20
POSITIONS = ("A", "B")
CLIP_FAULTS = ("full", "read-only")
"""Faults of the database's folder that keeping a clip there can run into."""
EXPORT_FORMATS = ("csv", "json")
NOTHING_STORED = "Nothing was stored."
EPHEMERAL_NOTICE = (
    "**Note:** this Space has no persistent storage, so ratings are lost when it restarts. Its "
    "owner can add persistent storage in the Space's settings; ratings then go to /data."
)


@dataclass(frozen=True)
class DatabaseLocation:
    """Where the ratings live, and a notice for the page when they will not survive a restart."""

    path: Path
    notice: str | None = None


def database_location(
    environ: Mapping[str, str] | None = None, space_storage: Path = SPACE_STORAGE
) -> DatabaseLocation:
    """$LLM_SSD_DB; else on a Hugging Face Space its persistent /data when present; else
    $XDG_DATA_HOME/llm-ssd/ratings.sqlite3 (~/.local/share/llm-ssd/... by default)."""
    env = os.environ if environ is None else environ
    if chosen := env.get(ENV_DB, "").strip():
        return DatabaseLocation(Path(chosen).expanduser())
    space = on_space(env)
    if space and space_storage.is_dir() and os.access(space_storage, os.W_OK):
        return DatabaseLocation(space_storage / APP_DIR / DB_NAME)
    data_home = env.get(ENV_DATA_HOME, "").strip() or str(Path.home() / ".local" / "share")
    path = Path(data_home).expanduser() / APP_DIR / DB_NAME
    return DatabaseLocation(path, EPHEMERAL_NOTICE if space else None)


def clip_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def now() -> str:
    """UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# Validation ------------------------------------------------------------------------------------


def check_scores(scores: Mapping[str, Any]) -> dict[str, float]:
    """The five scores as floats on their scales, or a RatingError naming every problem."""
    checked, problems = score_problems(scores)
    if problems:
        raise RatingError(f"{'; '.join(problems)}. {NOTHING_STORED}")
    return checked


def check_rater(code: str | None) -> str | None:
    """A stripped rater code of at most `MAX_RATER_CODE` printable characters, or None."""
    if code is None:
        return None
    if not isinstance(code, str):
        raise RatingError(f"The rater code must be text, not {code!r}. {NOTHING_STORED}")
    code = code.strip()
    if len(code) > MAX_RATER_CODE:
        raise RatingError(
            f"The rater code has {len(code)} characters; at most {MAX_RATER_CODE} are allowed "
            f"(a class or group code, not a name). {NOTHING_STORED}"
        )
    if any(unicodedata.category(ch).startswith("C") for ch in code):
        raise RatingError(
            f"The rater code may hold letters, digits, spaces and punctuation only. "
            f"{NOTHING_STORED}"
        )
    return code or None


def unknown_caption(caption_id: Any) -> RatingError:
    if not caption_id:
        return RatingError(
            f"There is no caption to rate yet: describe a clip first. {NOTHING_STORED}"
        )
    return RatingError(
        f"No caption with the id {str(caption_id)[:MAX_CAPTION_ID]!r} was shown by this app: rate "
        f"a caption it has just shown (the id comes with it). {NOTHING_STORED}"
    )


# Schema ----------------------------------------------------------------------------------------


def _v1(con: sqlite3.Connection) -> None:
    """The first schema: one table, each rating with its caption's text and source inline."""
    scores = ", ".join(f"{k} REAL NOT NULL" for k in CRITERION_KEYS)
    con.execute(
        "CREATE TABLE ratings (id INTEGER PRIMARY KEY, rated_at TEXT NOT NULL, rater TEXT, "
        f"caption TEXT NOT NULL, source TEXT NOT NULL, {scores})"
    )


def _v2(con: sqlite3.Connection) -> None:
    """Register each caption shown (its clip, analysis, model and blind position) and rate it by
    id. A version-1 rating becomes a caption of its own, id "v1-<rating id>"."""
    scores = ", ".join(CRITERION_KEYS)
    for statement in (
        "CREATE TABLE captions (id TEXT PRIMARY KEY, shown_at TEXT NOT NULL, clip_sha256 TEXT, "
        "clip_duration REAL, analysis TEXT, text TEXT NOT NULL, source TEXT NOT NULL, model TEXT, "
        "position TEXT CHECK (position IN ('A', 'B')), pair TEXT, audio TEXT)",
        "CREATE TABLE ratings_v2 (id INTEGER PRIMARY KEY, rated_at TEXT NOT NULL, "
        "caption_id TEXT NOT NULL REFERENCES captions (id), rater TEXT, "
        + ", ".join(f"{k} REAL NOT NULL" for k in CRITERION_KEYS)
        + ")",
        "INSERT INTO captions (id, shown_at, text, source) "
        "SELECT 'v1-' || id, rated_at, caption, source FROM ratings",
        f"INSERT INTO ratings_v2 (id, rated_at, caption_id, rater, {scores}) "
        f"SELECT id, rated_at, 'v1-' || id, rater, {scores} FROM ratings",
        "DROP TABLE ratings",
        "ALTER TABLE ratings_v2 RENAME TO ratings",
        "CREATE INDEX ratings_by_caption ON ratings (caption_id)",
        "CREATE INDEX ratings_by_rater ON ratings (rater)",
    ):
        con.execute(statement)  # one by one: executescript() would commit the transaction


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2)
"""Step n brings a file from version n to n + 1 (a new file takes every step)."""
SCHEMA_VERSION = len(MIGRATIONS)


REQUIRED_COLUMNS = {
    "captions": {"id", "shown_at", "clip_sha256", "analysis", "text", "source", "position"},
    "ratings": {"id", "rated_at", "caption_id", "rater", *CRITERION_KEYS},
}
"""What a current database must hold (a file with less was damaged or made by something else)."""


def tables(con: sqlite3.Connection) -> set[str]:
    """The database's own tables (SQLite's internal ones left out)."""
    found = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in found if not name.startswith("sqlite_")}


def known_version(con: sqlite3.Connection, path: Path) -> int:
    """The database's schema version; a DatabaseFault for a newer LLM-SSD's file or another
    program's database (read before anything is written to it)."""
    found = con.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise DatabaseFault("newer", path, found=found, known=SCHEMA_VERSION)
    if found == 0 and (other := tables(con)):
        raise DatabaseFault("foreign", path, f"tables {', '.join(sorted(other))}")
    return found


def migrate(con: sqlite3.Connection, path: Path = Path()) -> int:
    """Bring the database up to `SCHEMA_VERSION` in one transaction (all steps or none);
    returns the version it had. A file of a newer LLM-SSD, or another program's database, is
    refused, not guessed at."""
    con.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait, then see it done
    try:
        found = known_version(con, path)
        for version in range(found, SCHEMA_VERSION):
            MIGRATIONS[version](con)
            con.execute(f"PRAGMA user_version = {version + 1}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if found < SCHEMA_VERSION:
        log.info("ratings database migrated from version %d to %d", found, SCHEMA_VERSION)
    return found


def check(con: sqlite3.Connection, path: Path) -> None:
    """A DatabaseFault unless the database holds LLM-SSD's tables and passes SQLite's own
    integrity check (which reads every page: damage past the first pages is found too)."""
    for table, columns in REQUIRED_COLUMNS.items():
        have = {row[1] for row in con.execute(f"PRAGMA table_info({table})")}
        if not columns <= have:
            missing = sorted(columns - have) if have else [f"table {table}"]
            raise DatabaseFault("incomplete", path, f"no {', '.join(missing)}")
    verdict = [row[0] for row in con.execute("PRAGMA quick_check")]
    if verdict != ["ok"]:
        raise DatabaseFault("corrupt", path, "; ".join(verdict[:2]))


# Storage ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownCaption:
    """A caption as a person saw it, to be registered before it can be rated."""

    text: str
    source: str
    model: str | None = None
    analysis: Mapping[str, Any] | None = None
    clip_sha256: str | None = None
    clip_duration: float | None = None
    position: str | None = None
    """"A" or "B" in blind mode, None otherwise."""
    pair: str | None = None
    """Shared by the two captions shown together in blind mode."""


EXPORT_COLUMNS: dict[str, type] = {
    "rating_id": int, "rated_at": str, "rater": str, "caption_id": str, "shown_at": str,
    "clip_sha256": str, "clip_duration": float, "caption": str, "source": str, "model": str,
    "position": str, "pair": str, "audio": str, "analysis": dict,
    **dict.fromkeys(CRITERION_KEYS, float), OVERALL: float,
}  # fmt: skip
"""One rating as exported: the columns, in order, and their types."""
OPTIONAL_COLUMNS = frozenset(
    ("rater", "clip_sha256", "clip_duration", "model", "position", "pair", "audio", "analysis")
)
"""Columns that may be absent (None; an empty CSV cell)."""
_SELECT = (
    "SELECT r.id, r.rated_at, r.rater, r.caption_id, c.shown_at, c.clip_sha256, c.clip_duration, "
    "c.text, c.source, c.model, c.position, c.pair, c.audio, c.analysis, "
    + ", ".join(f"r.{k}" for k in CRITERION_KEYS)
    + " FROM ratings r JOIN captions c ON c.id = r.caption_id"
)


class RatingStore:
    """The ratings database at `path`: opened (created unless `create` is off), migrated and
    checked; a DatabaseFault when it cannot be used.

    With `tolerate`, a fault does not stop the store being made: it is logged in one line and
    kept in `fault`, and each later use tries the file again (so that ratings come back once
    the file is fixed or moved aside), raising the fault while it lasts. A fault that arises
    while in use is kept the same way. Each call opens its own connection, so any thread may
    use one store; SQLite's WAL journal lets readers go on while one writer writes."""

    def __init__(self, path: str | Path, create: bool = True, tolerate: bool = False) -> None:
        self.path = Path(path)
        self.fault: DatabaseFault | None = None
        if not create and not self.path.exists():
            raise RatingError(
                f"There is no ratings database at {self.path} (set {ENV_DB} or --db)."
            )
        try:
            self._open()
        except DatabaseFault as fault:
            if not tolerate:
                raise
            self.fault = fault
            log.warning("ratings are off: %s", fault)

    def _open(self) -> None:
        if self.path.is_dir():
            raise DatabaseFault("directory", self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as con:
                known_version(con, self.path)  # before WAL mode changes the file's header
                mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode != "wal":
                    log.warning("%s: journal mode %s (WAL unavailable here)", self.path, mode)
                migrate(con, self.path)
                check(con, self.path)
        except (OSError, sqlite3.Error) as exc:
            raise fault_of(exc, self.path) from exc

    def _usable(self) -> None:
        """Raise the fault that keeps the database unusable, after trying it again."""
        if self.fault is None:
            return
        try:
            self._open()
        except DatabaseFault as fault:
            self.fault = fault
            raise
        self.fault = None
        log.warning("ratings are on again: %s can be used", self.path)

    def problem(self) -> DatabaseFault | None:
        """What keeps ratings off now (the file tried again), or None when they work."""
        try:
            self._usable()
        except DatabaseFault as fault:
            return fault
        return None

    def _failed(self, exc: sqlite3.Error | OSError) -> DatabaseFault:
        """Keep and return the fault an error in use stands for."""
        self.fault = fault = fault_of(exc, self.path)
        log.warning("ratings are off: %s", fault)
        return fault

    @property
    def clips_dir(self) -> Path:
        return self.path.parent / CLIPS_DIR

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        con.execute("PRAGMA foreign_keys = ON")
        return con

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A connection inside one write transaction: committed, or rolled back on any error;
        a database error (a full disk, a lock held too long) becomes a DatabaseFault."""
        self._usable()
        try:
            with closing(self._connect()) as con:
                con.execute("BEGIN IMMEDIATE")
                try:
                    yield con
                    con.execute("COMMIT")
                except BaseException:
                    if con.in_transaction:
                        con.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            raise self._failed(exc) from exc

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        self._usable()
        try:
            with closing(self._connect()) as con:
                return con.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise self._failed(exc) from exc

    def register_caption(self, shown: ShownCaption, audio: str | Path | None = None) -> str:
        """Store a caption as shown and return its id; `audio`, only when the person asked for
        it to be kept, is copied beside the database (clips/<sha256><suffix>)."""
        if shown.position not in (None, *POSITIONS):
            raise ValueError(f"position must be one of {POSITIONS} or None")
        caption_id = secrets.token_hex(8)
        try:
            kept = self.keep_clip(audio, shown.clip_sha256) if audio else None
        except OSError as exc:
            if fault_of(exc, self.path).kind in CLIP_FAULTS:
                raise self._failed(exc) from exc
            raise  # the clip itself is gone: not the database's fault
        analysis = None if shown.analysis is None else json.dumps(shown.analysis)
        with self._write() as con:
            con.execute(
                "INSERT INTO captions (id, shown_at, clip_sha256, clip_duration, analysis, text, "
                "source, model, position, pair, audio) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (caption_id, now(), shown.clip_sha256, shown.clip_duration, analysis,
                 shown.text, shown.source, shown.model or None, shown.position, shown.pair, kept),
            )  # fmt: skip
        return caption_id

    def room_for(self, audio: str | Path) -> bool:
        """Whether keeping `audio` keeps the clips folder within `MAX_KEPT_BYTES`."""
        kept = self.clips_dir.glob("*") if self.clips_dir.is_dir() else ()
        used = sum(path.stat().st_size for path in kept if path.is_file())
        return used + Path(audio).stat().st_size <= MAX_KEPT_BYTES

    def keep_clip(self, audio: str | Path, sha256: str | None) -> str | None:
        """Copy a clip into the clips folder (once per content); its path relative to the
        database's folder, or None when the folder has no room for it (`room_for`)."""
        source = Path(audio)
        suffix = "".join(ch for ch in source.suffix.lower() if ch.isalnum() or ch == ".")[:6]
        name = f"{sha256 or clip_sha256(source)}{suffix or '.audio'}"
        target = self.clips_dir / name
        if not target.exists():
            if not self.room_for(source):
                log.warning("clip not kept: the clips reached their bound, %d B", MAX_KEPT_BYTES)
                return None
            self.clips_dir.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{name}.{secrets.token_hex(4)}")
            shutil.copyfile(source, partial)
            os.replace(partial, target)
        return f"{CLIPS_DIR}/{name}"

    def rate(
        self, caption_id: str, scores: Mapping[str, Any], rater: str | None = None
    ) -> dict[str, Any]:
        """Store one rating of a registered caption; returns it as an export row. Bad input
        raises RatingError and writes nothing."""
        checked, code = check_scores(scores), check_rater(rater)
        if not isinstance(caption_id, str) or not 0 < len(caption_id) <= MAX_CAPTION_ID:
            raise unknown_caption(caption_id)
        with self._write() as con:
            if con.execute("SELECT 1 FROM captions WHERE id = ?", (caption_id,)).fetchone() is None:
                raise unknown_caption(caption_id)
            cursor = con.execute(
                f"INSERT INTO ratings (rated_at, caption_id, rater, {', '.join(checked)}) "
                f"VALUES (?, ?, ?, {', '.join('?' * len(checked))})",
                (now(), caption_id, code, *checked.values()),
            )
            rating_id = cursor.lastrowid
        (row,) = self._select("WHERE r.id = ?", (rating_id,))
        return row

    def rows(self, rater: str | None = None) -> list[dict[str, Any]]:
        """Every rating with its caption, oldest first; only one rater code's when given."""
        if rater:
            return self._select("WHERE r.rater = ? ORDER BY r.id", (rater,))
        return self._select("ORDER BY r.id", ())

    def raters(self) -> list[str]:
        """The rater codes in use, sorted."""
        found = self._query("SELECT DISTINCT rater FROM ratings WHERE rater IS NOT NULL")
        return sorted(code for (code,) in found)

    def _select(self, where: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
        return [_row(values) for values in self._query(f"{_SELECT} {where}", args)]


def _row(values: Iterable[Any]) -> dict[str, Any]:
    names = [c for c in EXPORT_COLUMNS if c != OVERALL]
    row = dict(zip(names, values, strict=True))
    row["analysis"] = None if row["analysis"] is None else json.loads(row["analysis"])
    row[OVERALL] = round(overall(row), SCORE_DIGITS)
    return row
