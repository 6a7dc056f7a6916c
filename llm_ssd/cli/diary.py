"""`llm-ssd diary ARCHIVE.parquet`: a soundscape diary of an archive's windows, by hour of day
and by day (`archive.diary`), printed, drawn (`figures.diary`) and written as CSV and PNG."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from llm_ssd.archive.diary import GROUPINGS, SUMMARY, aggregate, read_windows
from llm_ssd.errors import UsageError

PNG_DPI = 150
"""Resolution of the diary's PNG files."""
OUTPUTS = ("hours.csv", "days.csv", "day.png", "circumplex.png")
"""What `diary` writes, each as PREFIX.<name>."""


def diary(args: argparse.Namespace) -> int:
    """Aggregate, print the hours' table, write the tables and the two figures."""
    from llm_ssd.figures.diary import diary_figure, trajectory_figure

    frame = read_windows(args.archive)
    if frame.empty:
        raise UsageError(
            f"{args.archive} holds no rows with a time: describe the recordings with "
            "--start-pattern (or --start-pattern metadata)."
        )
    prefix = Path(args.output) if args.output else Path(args.archive).with_suffix("")
    tables = {by: aggregate(frame, by) for by in GROUPINGS}
    hours = tables["hour"]
    print(hours[["hour", *SUMMARY]].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    paths = [Path(f"{prefix}.{name}") for name in OUTPUTS]
    tables["hour"].to_csv(paths[0], index=False)
    tables["day"].to_csv(paths[1], index=False)
    columns = {c: hours[c].tolist() for c in hours.columns}
    _save(diary_figure(columns), paths[2])
    _save(trajectory_figure(columns), paths[3])
    days = len(tables["day"])
    print(f"{len(frame)} windows over {days} day(s); wrote {', '.join(map(str, paths))}",
          file=sys.stderr)  # fmt: skip
    return 0


def _save(figure: Any, path: Path) -> None:
    try:
        figure.savefig(path, dpi=PNG_DPI, format="png")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from exc


def add_diary_command(sub: Any) -> None:
    d = sub.add_parser(
        "diary",
        help="a soundscape diary of an archive: its windows by hour of day and by day",
    )
    d.add_argument(
        "archive",
        help="a Parquet file of `describe --format parquet --per-window --start-pattern ...`",
    )
    d.add_argument(
        "--output",
        metavar="PREFIX",
        help="write PREFIX.hours.csv, .days.csv, .day.png and .circumplex.png (default: the "
        "archive's name without .parquet)",
    )
    d.set_defaults(run=diary)
