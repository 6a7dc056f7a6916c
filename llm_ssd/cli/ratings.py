"""`llm-ssd ratings`: the app's caption ratings, as a summary beside the paper's or exported."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from llm_ssd.errors import UsageError
from llm_ssd.records.files import check_output, write_output

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a database, named by these suffixes."""
DATABASE_PROBLEM = 2
"""Exit status when the ratings database is missing or cannot be used (one line says why)."""


def format_summary(table: list[list[Any]]) -> str:
    """The class's table (`ratings.summary_table`) and the paper's, as plain text."""
    from llm_ssd.ratings.rubric import PUBLISHED_SOURCE, published_table
    from llm_ssd.ratings.summary import SUMMARY_HEADERS

    published = [[f"{r[0]} {r[1]}", "", "", "", *r[2:]] for r in published_table()]
    width = max(len(str(row[0])) for row in [SUMMARY_HEADERS, *published, *table])

    def line(cells: Iterable[Any]) -> str:
        first, *rest = (
            "" if c is None else f"{c:.2f}" if isinstance(c, float) else c for c in cells
        )
        return f"{first:<{width}}" + "".join(f"{c:>9}" for c in rest)

    out = [line(SUMMARY_HEADERS), *(map(line, table) if table else ["(no ratings yet)"])]
    return "\n".join([*out, "", f"Published ({PUBLISHED_SOURCE}):", *map(line, published)])


def stored_rows(args: argparse.Namespace) -> list[dict[str, Any]] | None:
    """The ratings in `--db` (one rater's with `--rater`), or None after one line on standard
    error saying why the database cannot be read."""
    from llm_ssd.ratings.faults import RatingError
    from llm_ssd.ratings.store import RatingStore

    try:
        return RatingStore(args.db, create=False).rows(args.rater)
    except RatingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def ratings_summary_command(args: argparse.Namespace) -> int:
    """Print the class's means per caption source beside the paper's."""
    from llm_ssd.ratings.summary import summarize, summary_table

    if (rows := stored_rows(args)) is None:
        return DATABASE_PROBLEM
    print(f"ratings in {args.db}" + (f", rater {args.rater}" if args.rater else ""))
    print(format_summary(summary_table(summarize(rows))))
    return 0


def ratings_export_command(args: argparse.Namespace) -> int:
    """Write every rating with its caption and clip, as CSV or JSON; an output that is the
    database (or one of SQLite's files beside it) is refused, status 2, before it is read."""
    from llm_ssd.ratings.summary import export_text

    try:
        check_output(args.output, database_files(args.db), "the ratings database")
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return DATABASE_PROBLEM
    if (rows := stored_rows(args)) is None:
        return DATABASE_PROBLEM
    write_output(args.output, export_text(rows, args.format))
    if args.output:
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


def database_files(db: str | Path) -> list[str]:
    """The database and the files SQLite keeps beside it (write-ahead log, shared memory,
    rollback journal): an export must overwrite none of them."""
    return [str(db), *(f"{db}{suffix}" for suffix in SQLITE_SIDE_FILES)]


def add_ratings_commands(sub: Any) -> None:
    """`ratings summary` and `ratings export` (the database of the app's caption ratings)."""
    from llm_ssd.ratings.store import EXPORT_FORMATS, database_location

    r = sub.add_parser("ratings", help="the app's caption ratings: summary or export")
    actions = r.add_subparsers(dest="action", required=True)
    default = database_location().path
    for name, help_text, run in (
        (
            "summary",
            "per-source means and counts, beside the paper's",
            ratings_summary_command,
        ),
        ("export", "every rating with its caption and clip", ratings_export_command),
    ):
        a = actions.add_parser(name, help=help_text)
        a.add_argument("--db", default=default, help=f"ratings database (default {default})")
        a.add_argument("--rater", help="only this rater code")
        a.set_defaults(run=run)
        if name == "export":
            a.add_argument("--format", choices=EXPORT_FORMATS, default="csv", help="default csv")
            a.add_argument("--output", help="write here instead of standard output")
