"""What can be wrong with a ratings database, told so that someone can act on it.

Each fault has two texts: `str()` names the file and SQLite's own words, for the server's log
and the command line; `public` names neither, for the page a visitor sees (the server's paths
are not theirs to know). Nothing here changes the file: a damaged or foreign database is
reported and left as it is, never overwritten or "repaired"."""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from llm_ssd.env import ENV_DB
from llm_ssd.errors import LLMSSDError


class RatingError(LLMSSDError):
    """A rating that cannot be stored as given, or a ratings database that cannot be used."""


@dataclass(frozen=True)
class Kind:
    """A kind of fault: what is wrong, and what the server's owner should do about it."""

    problem: str
    remedy: str


MOVE_ASIDE = "move it aside (keep it: it may be recoverable) and a new one is made on the next try"
KINDS: dict[str, Kind] = {
    "corrupt": Kind("is damaged (not a readable SQLite database)", MOVE_ASIDE),
    "foreign": Kind(
        "is another program's SQLite database (it has no LLM-SSD ratings in it)",
        f"set {ENV_DB} to another file; this one is left as it is",
    ),
    "incomplete": Kind("is missing LLM-SSD's tables (captions and ratings)", MOVE_ASIDE),
    "newer": Kind(
        "is schema version {found}, newer than this LLM-SSD understands ({known})",
        f"update LLM-SSD, or set {ENV_DB} to another file",
    ),
    "locked": Kind(
        "is locked by another program",
        "close the program that holds it (a database browser, a copy or sync) and try again",
    ),
    "read-only": Kind(
        "is read-only",
        f"make the file and its folder writable, or set {ENV_DB} to a writable place",
    ),
    "directory": Kind(
        "is a folder, not a file",
        f"set {ENV_DB} to a file's path, such as a ratings.sqlite3 inside that folder",
    ),
    "full": Kind("cannot grow: the disk is full", "free some disk space and try again"),
    "unopenable": Kind(
        "cannot be opened or created",
        f"check that its folder exists and may be written, or set {ENV_DB} to another file",
    ),
}
"""Every fault the ratings store tells apart."""
PRIMARY_CODE = 0xFF
"""SQLite's extended result codes carry the primary code in their low byte."""
SQLITE_KINDS = {
    sqlite3.SQLITE_CORRUPT: "corrupt",
    sqlite3.SQLITE_NOTADB: "corrupt",
    sqlite3.SQLITE_BUSY: "locked",
    sqlite3.SQLITE_LOCKED: "locked",
    sqlite3.SQLITE_READONLY: "read-only",
    sqlite3.SQLITE_PERM: "read-only",
    sqlite3.SQLITE_FULL: "full",
    sqlite3.SQLITE_CANTOPEN: "unopenable",
    sqlite3.SQLITE_IOERR: "unopenable",
}
OS_KINDS = {
    errno.ENOSPC: "full",
    errno.EDQUOT: "full",
    errno.EROFS: "read-only",
    errno.EACCES: "read-only",
    errno.EPERM: "read-only",
    errno.EISDIR: "directory",
    errno.ENOTDIR: "unopenable",
}


class DatabaseFault(RatingError):
    """The ratings database cannot be used: which file, what kind of fault, and SQLite's (or the
    system's) own words for it."""

    def __init__(self, kind: str, path: Path, detail: str = "", **values: object) -> None:
        self.kind, self.path, self.detail = kind, Path(path), detail
        known = KINDS[kind]
        self.problem = known.problem.format(**values)
        self.remedy = known.remedy
        said = f" ({detail})" if detail else ""
        super().__init__(f"The ratings database {self.path} {self.problem}{said}: {self.remedy}.")

    @property
    def public(self) -> str:
        """The fault in words for a visitor's page: no path, no SQLite message."""
        return (
            f"Ratings are off: the ratings database {self.problem}. The server's owner can fix "
            f"it ({self.remedy}); describing clips works as before."
        )


def fault_of(exc: sqlite3.Error | OSError, path: Path) -> DatabaseFault:
    """The fault an error of SQLite's or of the system's stands for."""
    if isinstance(exc, DatabaseFault):
        return exc
    if isinstance(exc, OSError):
        return DatabaseFault(OS_KINDS.get(exc.errno or 0, "unopenable"), path, exc.strerror or "")
    code = getattr(exc, "sqlite_errorcode", None)
    detail = str(exc)
    if code is not None and (kind := SQLITE_KINDS.get(code & PRIMARY_CODE)):
        if kind == "unopenable" and Path(path).is_dir():
            kind = "directory"
        return DatabaseFault(kind, path, detail)
    if "no such table" in detail or "no such column" in detail:
        return DatabaseFault("incomplete", path, detail)
    if "malformed" in detail or "not a database" in detail:
        return DatabaseFault("corrupt", path, detail)
    return DatabaseFault("unopenable", path, detail)


def public_message(exc: RatingError) -> str:
    """What a visitor is told: a fault without its path, any other refusal as it is."""
    return exc.public if isinstance(exc, DatabaseFault) else str(exc)
