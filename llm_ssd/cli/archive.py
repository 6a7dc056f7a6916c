"""`llm-ssd describe` for archives: Parquet out, `--resume`, recording start times, calibrated
levels and the Ray engine (`ray_engine`). A run with none of these options is `describe`'s own;
one with any of them goes through `describe_archive`, with the same records."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from llm_ssd.archive import parquet, resume, starts
from llm_ssd.audio.calibration import PAPER, TONE_DB, Calibration, from_level, from_tone
from llm_ssd.cli.workers import Terminated, stopped, stopped_by_sigterm
from llm_ssd.errors import UsageError
from llm_ssd.records.files import partial_path, where
from llm_ssd.records.rows import RecordWriter, flat_record, record_columns, window_rows

ENGINES = ("local", "ray")


def add_archive_options(d: argparse.ArgumentParser) -> None:
    """The archive options of `describe`."""
    d.add_argument(
        "--resume",
        action="store_true",
        help="with --output: skip files whose result the output (or its .partial) holds "
        "already, known by path, size and modification time; write those for each file",
    )
    d.add_argument(
        "--hash",
        action="store_true",
        help="with --resume: know files by their content's sha256 instead (moved or renamed "
        "archives); records get source_sha256",
    )
    d.add_argument(
        "--start-pattern",
        metavar="PATTERN",
        help="each recording's start from its file name, e.g. %%Y%%m%%d_%%H%%M%%S (AudioMoth, "
        "Song Meter), or 'metadata' for its tags: records get recording_start and each window "
        "its start_time",
    )
    d.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="local: processes on this machine (default); ray: Ray Data (pip install "
        "llm-ssd[ray]), decoding in tasks and the network in --workers actors",
    )
    d.add_argument("--address", help="with --engine ray: the Ray cluster (default: a local one)")
    level = d.add_mutually_exclusive_group()
    level.add_argument(
        "--level-db",
        type=float,
        metavar="DB",
        help="each recording's known level (LAeq, dB): its samples are scaled to it "
        "(default: the paper's calibration, a full-scale sine about 100 dB SPL)",
    )
    level.add_argument(
        "--calibration",
        metavar="FILE",
        help="a calibrator's tone recorded with the same gain as the recordings",
    )
    d.add_argument(
        "--calibration-db",
        type=float,
        default=TONE_DB,
        metavar="DB",
        help=f"the calibration tone's level, dB SPL (default {TONE_DB:g}; the authors' tone is 60)",
    )


def is_archive_run(args: argparse.Namespace) -> bool:
    """Whether any archive option is given (otherwise `describe` runs as it always did)."""
    return bool(
        args.format == "parquet" or args.resume or args.engine != "local" or args.start_pattern
    )


def calibration_of(args: argparse.Namespace) -> Calibration:
    """The calibration the options ask for (a tone is measured once, here)."""
    if args.level_db is not None:
        return from_level(args.level_db)
    if args.calibration:
        return from_tone(args.calibration, args.calibration_db)
    return PAPER


def extra_columns(args: argparse.Namespace) -> list[str]:
    """The columns the archive options add after the record's own."""
    columns = ["calibration"] if args.per_window else []  # a window's row states it too
    if args.resume:
        columns += [parquet.SIZE_KEY, parquet.MTIME_KEY]
        columns += [parquet.HASH_KEY] if args.hash else []
    if args.start_pattern:
        columns += [starts.START_KEY]
        columns += [starts.WINDOW_TIME_KEY] if args.per_window else []
    return columns


def check_archive_options(args: argparse.Namespace) -> None:
    if (args.format == "parquet" or args.resume) and not args.output:
        raise UsageError("--format parquet and --resume write a file: give --output FILE.")
    if args.hash and not args.resume:
        raise UsageError("--hash goes with --resume.")
    if args.address and args.engine != "ray":
        raise UsageError("--address goes with --engine ray.")
    if args.start_pattern and args.start_pattern != starts.METADATA:
        try:
            starts.pattern_regex(args.start_pattern)
        except ValueError as exc:
            raise UsageError(f"--start-pattern {args.start_pattern}: {exc}.") from exc


def describe_archive(
    args: argparse.Namespace,
    options: Any,
    local: Callable[..., Iterator[dict]],
    one: Callable[..., dict],
) -> int:
    """`describe` with the archive options: the files still to do, each record stamped with its
    file's identity and start time, written to JSON Lines, CSV or Parquet. `local` and `one` are
    `describe`'s records of many files and of one, given rather than imported, so that the two
    modules need not import each other. Ctrl-C and SIGTERM keep what is finished."""
    args.engines = (local, one)
    check_archive_options(args)
    ids = {path: _identity(path, args) for path in args.files} if args.resume else {}
    sink: Any = None
    try:
        with stopped_by_sigterm(), open_sink(args, ids) as (sink, todo):
            failed = write_all(args, options, sink, todo, ids)
    except (KeyboardInterrupt, Terminated) as exc:
        return stopped(exc, sink.count if sink else 0, where(args.output))
    if failed:
        print(f"{len(failed)} of {len(todo)} files failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _identity(path: str, args: argparse.Namespace) -> dict[str, Any]:
    try:
        return resume.identity(path, args.hash)
    except OSError:  # analysed anyway: its record then says what is wrong
        return {}


def write_all(
    args: argparse.Namespace, options: Any, sink: Any, todo: list[str], ids: dict[str, Any]
) -> list[str]:
    """Each file's record, stamped, into the sink as it is done; the files that failed."""
    from tqdm import tqdm

    failed: list[str] = []
    bar = tqdm(records(args, options, todo), total=len(todo), desc="describing", unit="clip",
               disable=None, file=sys.stderr)  # fmt: skip
    for record in bar:
        path = record["source"]
        record.update(ids.get(path, {}))
        if args.start_pattern and "error" not in record:
            starts.stamp(record, starts.start_of(path, args.start_pattern))
        if "error" in record:
            failed.append(path)
            tqdm.write(f"error: {path}: {record['error']}", file=sys.stderr)
        sink.write(record)
    return failed


def records(args: argparse.Namespace, options: Any, files: list[str]) -> Iterator[dict]:
    """The records of `files` from the engine asked for."""
    if not files:
        return iter(())
    local, one = args.engines
    if args.engine == "ray":
        from llm_ssd.cli.ray_engine import ray_records

        return ray_records(files, options, args.workers, args.address, one)
    return local(files, options, args.workers)


@contextmanager
def open_sink(args: argparse.Namespace, ids: dict[str, Any]) -> Iterator[tuple[Any, list[str]]]:
    """The writer of this run's records and the files still to do."""
    if args.format == "parquet":
        with parquet_sink(args, ids) as opened:
            yield opened
    else:
        with text_sink(args, ids) as opened:
            yield opened


def rows_of(args: argparse.Namespace, extra: list[str]) -> Any:
    """A record's rows: itself, or one per window with the record's own fields on each."""
    return (lambda r: window_rows(r, extra)) if args.per_window else (lambda r: [r])


@contextmanager
def parquet_sink(args: argparse.Namespace, ids: dict[str, Any]) -> Iterator[tuple[Any, list]]:
    """Parts in OUTPUT.partial/, joined into OUTPUT at the end (with the earlier OUTPUT's rows
    kept on a resumed run)."""
    output, folder = Path(args.output), partial_path(args.output)
    extra = extra_columns(args)
    table_schema = parquet.schema([*record_columns(args), *extra])
    if folder.exists() and not args.resume:
        raise UsageError(_interrupted_hint(folder))
    old = [output] if args.resume and output.exists() else []
    for path in [*old, *parquet.parts(folder)]:
        _check_columns(path, table_schema.names)
    sink = parquet.ParquetSink(folder, table_schema, rows_of(args, extra))
    earlier = old + sink.earlier
    todo, keeper = args.files, None
    if args.resume:
        done = resume.Done(args.hash)
        resume.done_from_tables(parquet.tables(earlier), done)
        todo = _todo(args, ids, done)
        keeper = resume.Keeper(todo)
    try:
        yield sink, todo
    finally:
        sink.close()
    parquet.join(output, folder, table_schema, earlier, keeper.table if keeper else None)


@contextmanager
def text_sink(args: argparse.Namespace, ids: dict[str, Any]) -> Iterator[tuple[Any, list]]:
    """JSON Lines or CSV in OUTPUT.partial, renamed to OUTPUT at the end; on a resumed run the
    earlier records that are kept are written into it first."""
    output, partial = Path(args.output), partial_path(args.output)
    extra = extra_columns(args)
    columns = [*record_columns(args), *extra]
    todo, header = args.files, True
    if args.resume:
        todo = _carry_text(args, ids, columns, output, partial)
        header = False
    elif partial.exists():
        raise UsageError(_interrupted_hint(partial))
    with open(partial, "a" if args.resume else "x", newline="", encoding="utf-8") as out:
        writer = RecordWriter(out, args, extra, header=header)
        yield writer, todo
    os.replace(partial, output)


def _carry_text(
    args: argparse.Namespace, ids: dict[str, Any], columns: list[str], output: Path, partial: Path
) -> list[str]:
    """Write the earlier records kept into a fresh OUTPUT.partial; the files still to do."""
    sources = [p for p in (partial, output) if p.exists()]
    if args.format == "csv":
        for path in sources:
            if resume.csv_header(path) != columns:
                raise UsageError(
                    f"{path} has other columns than this run writes: resume with the options "
                    "it was made with (--caption, --per-window, --ensemble, --hash, "
                    "--start-pattern), or write to another --output."
                )
    done = resume.Done(args.hash)
    for path in sources:
        for row in resume.text_records(path, args.format):
            done.add(row)
    todo = _todo(args, ids, done)
    keeper = resume.Keeper(todo)
    fresh = partial.with_name(partial.name + ".new")
    with open(fresh, "w", newline="", encoding="utf-8") as out:
        cells = csv.writer(out)
        if args.format == "csv":
            cells.writerow(columns)
        for path in sources:
            for row in resume.text_records(path, args.format, raw=True):
                if not keeper.keeps(resume.row_key(row)):
                    continue
                if args.format == "csv":
                    cells.writerow([row[c] for c in columns])
                else:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(fresh, partial)
    return todo


def _todo(args: argparse.Namespace, ids: dict[str, Any], done: resume.Done) -> list[str]:
    """The files the output holds no result for, said on standard error."""
    todo = [p for p in args.files if not (ids.get(p) and done.holds(p, ids[p]))]
    print(f"resuming: {len(args.files) - len(todo)} of {len(args.files)} files are done "
          f"already in {args.output}; {len(todo)} to describe", file=sys.stderr)  # fmt: skip
    if done.paths_only and not args.hash:
        print(f"note: {done.paths_only} earlier result(s) hold no size or time (written without "
              "--resume): their files are known by path alone", file=sys.stderr)  # fmt: skip
    return todo


def _check_columns(path: Path, names: list[str]) -> None:
    import pyarrow.parquet as pq

    found = pq.read_schema(path).names
    if found != names:
        raise UsageError(
            f"{path} has other columns than this run writes: resume with the options it was "
            "made with (--caption, --per-window, --ensemble, --hash, --start-pattern), or write "
            "to another --output."
        )


def _interrupted_hint(partial: Path) -> str:
    return (
        f"{partial} holds the records of an earlier, interrupted run: add --resume to go on "
        "from it, or move it away."
    )


def flat_rows(record: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    """A record's flat rows, as the outputs write them (for tests and the benchmark)."""
    extra = extra_columns(args)
    return [flat_record(row) for row in rows_of(args, extra)(record)]
