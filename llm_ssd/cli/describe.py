"""`llm-ssd describe`: analyse clips in batches, in this process or in worker processes, and
write each record as soon as it is done."""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import cache
from typing import Any

from llm_ssd.audio.calibration import PAPER, Calibration
from llm_ssd.audio.checks import MAX_DURATION, TooLong
from llm_ssd.cli.workers import (
    Terminated,
    available_memory,
    run_workers,
    stopped,
    stopped_by_sigterm,
    worker_count,
)
from llm_ssd.errors import LLMSSDError
from llm_ssd.model.weights import DEFAULT_CHECKPOINT
from llm_ssd.records.files import check_output, record_file, where
from llm_ssd.records.rows import RecordWriter, checked_record

RAISE_LIMIT = "Or raise the limit with --max-duration (seconds)."
"""Added to a refusal of a recording over the length limit: only the command line can."""


@dataclass(frozen=True)
class DescribeOptions:
    """What `describe` does with each file (sent to the worker processes)."""

    checkpoint: str | None
    max_duration: float
    caption: bool = False
    ensemble: bool = False
    language: str | None = None
    """The caption's language (None: LLM_SSD_LANGUAGE, else English)."""
    model: str | None = None
    """The network (`model.networks.registry`), or "all" side by side; None: SoundAQnet."""
    calibration: Calibration = PAPER
    """How samples map to pascals (`audio.calibration`)."""


def describe_one(path: str, options: DescribeOptions, audio: Any = None) -> dict[str, Any]:
    """The record of one clip (`audio`: the file decoded elsewhere); raises AudioError/
    WeightsError for what the user must fix."""
    from llm_ssd.analysis import analyze

    analysis = analyze(
        path if audio is None else audio,
        calibration=options.calibration,
        checkpoint=options.checkpoint,
        max_duration=options.max_duration,
        ensemble=options.ensemble,
        model=options.model,
    )
    record = {"source": path, **{k: v for k, v in analysis.to_dict().items() if k != "source"}}
    if options.caption:
        record.update(make_captioner(options.language)(analysis))
    return record


def describe_safely(path: str, options: DescribeOptions, audio: Any = None) -> dict[str, Any]:
    """The record of one clip, or one with an `error` field: a file never stops the batch."""
    try:
        return checked_record(describe_one(path, options, audio))
    except TooLong as exc:  # here, unlike in the app, the limit can be raised
        return {"source": path, "error": f"{exc} {RAISE_LIMIT}"}
    except LLMSSDError as exc:
        return {"source": path, "error": str(exc)}
    except Exception as exc:  # a bug must not cost the rest of the batch
        return {"source": path, "error": f"unexpected {type(exc).__name__}: {exc}"}


@cache
def make_captioner(language: str | None = None) -> Callable[[Any], dict]:
    """Caption each analysis, in `language` (default: LLM_SSD_LANGUAGE, else English), with the
    first source configured: OpenAI settings, HF_TOKEN through the router, the offline template."""
    from llm_ssd.caption.client import caption_text
    from llm_ssd.caption.settings import CaptionSettings

    settings = CaptionSettings.from_env(language=language)
    return lambda analysis: caption_text(analysis, settings).to_dict()


def describe_records(
    files: list[str], options: DescribeOptions, workers: int
) -> Iterator[dict[str, Any]]:
    """Each file's record as it is done: in this process, or in `workers` processes
    (`cli.workers`: a worker that dies costs only its own file), in the order they finish."""
    if workers == 1 or len(files) == 1:
        for path in files:
            yield describe_safely(path, options)
        return
    yield from run_workers(files, describe_safely, options, workers)


def describe(args: argparse.Namespace) -> int:
    """Analyse every file, in parallel processes, writing each record as soon as it is done
    (completion order); a bad file is reported and skipped. Exit 1 if any failed; 130 on
    Ctrl-C and 143 on SIGTERM, saying how many records were kept and where."""
    check_output(args.output, args.files)  # before any file is opened
    check_networks(args)  # a wrong checkpoint or network is said once, before any file
    if args.caption:
        make_captioner(args.language)  # a caption setting out of bounds is said before any file
    from llm_ssd.cli.archive import calibration_of, describe_archive, is_archive_run

    options = DescribeOptions(
        args.checkpoint, args.max_duration, args.caption, args.ensemble, args.language, args.model,
        calibration_of(args),
    )  # fmt: skip
    asked = args.workers or os.cpu_count() or 1
    workers, why = worker_count(asked, len(args.files), available_memory())
    if why and (args.workers or workers < min(asked, len(args.files))):
        print(why, file=sys.stderr)  # said when --workers was given, or memory lowered it
    if is_archive_run(args):  # Parquet, --resume, start times, Ray (`cli.archive`)
        args.workers = workers  # the capped count, for either engine
        return describe_archive(args, options, describe_records, describe_safely)
    writer: RecordWriter | None = None
    try:
        with stopped_by_sigterm(), record_file(args.output) as out:
            writer = RecordWriter(out, args)
            failed = write_records(args, options, writer, workers)
    except (KeyboardInterrupt, Terminated) as exc:
        return stopped(exc, writer.count if writer else 0, where(args.output))
    if failed:
        print(
            f"{len(failed)} of {len(args.files)} files failed: {', '.join(failed)}", file=sys.stderr
        )
    return 1 if failed else 0


def check_networks(args: argparse.Namespace) -> None:
    """Load the checkpoint or networks asked for; with `--model all`, say which networks have no
    weights here (and how to get them) and go on with the rest."""
    from llm_ssd.model.networks.registry import is_all
    from llm_ssd.model.runtime import load_models, side_by_side

    load_models(args.checkpoint, None, args.ensemble, args.model)
    if is_all(args.model):
        loaded, left_out = side_by_side()
        print(f"comparing {len(loaded)} networks: {', '.join(m.spec.label for m in loaded)}",
              file=sys.stderr)  # fmt: skip
        for spec, why in left_out:
            print(f"not compared: {spec.label} ({why}): `{spec.how_to_get()}`", file=sys.stderr)


def write_records(
    args: argparse.Namespace, options: DescribeOptions, writer: RecordWriter, workers: int
) -> list[str]:
    """Write each file's record as it is done (an `error` one for a file that failed); the
    files that failed. Stopped early, the workers are stopped with it."""
    from tqdm import tqdm

    failed: list[str] = []
    with closing(describe_records(args.files, options, workers)) as records:
        bar = tqdm(records, total=len(args.files), desc="describing", unit="clip",
                   disable=None, file=sys.stderr)  # fmt: skip
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


def add_describe_command(sub: Any) -> None:
    """`describe`: analyse files, one record each."""
    d = sub.add_parser("describe", help="analyse sound files (one record per file)")
    d.add_argument("files", nargs="+", help="sound files (wav, flac, ogg, mp3, m4a, webm, ...)")
    d.add_argument(
        "--format",
        choices=("json", "csv", "parquet"),
        default="json",
        help="json: one JSON object per line (default); csv: one row per file; parquet: typed "
        "columns, the CSV's, written a row group at a time (needs --output)",
    )
    d.add_argument(
        "--checkpoint",
        help=f"checkpoint name or path (default: the network's own; SoundAQnet's is "
        f"{DEFAULT_CHECKPOINT})",
    )
    d.add_argument(
        "--model",
        help="the network: soundaqnet (default), ad_cnn, baseline_cnn, hierarchical_cnn, "
        "mobilenetv2, yamnet, cnn_transformer, panns; or all: every network whose weights are "
        "here, side by side on the same features, with where they agree",
    )
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
        help="with --format csv or parquet: one row per 30-s window, not per file",
    )
    d.add_argument(
        "--workers",
        type=positive_int,
        help="processes analysing files at once (default: one per CPU); at most one per file "
        "and as many as the available memory holds, about 0.6 GB each",
    )
    from llm_ssd.cli.archive import add_archive_options

    add_archive_options(d)
    d.set_defaults(run=describe)
