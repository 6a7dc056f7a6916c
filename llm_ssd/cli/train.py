"""`llm-ssd train features|fit` and `llm-ssd evaluate`: the feature cache, training any network
and the paper's metrics (beside the network's published Table V row) from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from llm_ssd.model.weights import DEFAULT_CHECKPOINT
from llm_ssd.records.files import write_output

NAMES = ("soundaqnet, ad_cnn, baseline_cnn, hierarchical_cnn, mobilenetv2, yamnet, "
         "cnn_transformer, panns")  # fmt: skip
"""The networks' registry names, for the help texts."""


def train_features_command(args: argparse.Namespace) -> int:
    """Fill the feature cache; missing or unreadable clips are listed at the end (exit 1)."""
    from llm_ssd.train.cache import extract_features

    report = extract_features(args.audio, args.labels, args.out, args.split, args.workers)
    print(report.summary(), file=sys.stderr)
    return 0 if report.ok else 1


def train_fit_command(args: argparse.Namespace) -> int:
    from llm_ssd.train.fit import FitConfig, fit

    config = FitConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                       patience=args.patience, seed=args.seed, device=args.device,
                       workers=args.workers, init=args.init, model=args.model)  # fmt: skip
    fit(args.features, args.labels, args.out, config)
    return 0


def evaluate_command(args: argparse.Namespace) -> int:
    """Print the paper's metrics of a checkpoint on a split and write them as JSON."""
    from llm_ssd.train.evaluate import evaluate
    from llm_ssd.train.metrics import format_metrics

    metrics = evaluate(args.checkpoint, args.features, args.labels, args.split, args.device,
                       args.batch_size, args.workers, model=args.model)  # fmt: skip
    print(format_metrics(metrics, f"{metrics['checkpoint']} on {args.split}"))
    stem = Path(metrics["checkpoint"]).stem
    output = Path(args.output or f"{stem}.{args.split}.metrics.json")
    write_output(output, json.dumps(metrics, indent=2) + "\n")
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
    from llm_ssd.train.fit import BATCH_SIZE, EPOCHS, PATIENCE

    t = sub.add_parser("train", help="train a network on ARAUS (features, then fit)")
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
    p.add_argument("--model", default="soundaqnet", help=f"the network to train: {NAMES}")
    p.add_argument("--lr", type=float,
                   help="Adam's learning rate (default: the network's published one, 5e-4; "
                   "AD_CNN 1e-4)")  # fmt: skip
    p.add_argument("--patience", type=int, default=PATIENCE,
                   help=f"epochs without a lower validation ISOP MSE ({PATIENCE})")  # fmt: skip
    add_device_option(p)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=0, help="data-loading processes (default 0)")
    p.add_argument("--init", help="fine-tune: start from this checkpoint (name or path)")
    p.set_defaults(run=train_fit_command)

    e = sub.add_parser("evaluate", help="the paper's metrics of a checkpoint on a split")
    e.add_argument("--checkpoint",
                   help=f"checkpoint name or path (default: the network's own; SoundAQnet's is "
                   f"{DEFAULT_CHECKPOINT})")  # fmt: skip
    e.add_argument("--model", help=f"the network (default: the checkpoint's): {NAMES}")
    e.add_argument("--features", required=True, help="feature cache folder")
    e.add_argument("--labels", required=True, help="folder of the split and label .txt files")
    e.add_argument("--split", choices=("training", "validation", "test"), default="test")
    e.add_argument("--output", help="JSON file (default: CHECKPOINT.SPLIT.metrics.json)")
    add_device_option(e)
    e.add_argument("--batch-size", type=int, default=32)
    e.add_argument("--workers", type=int, default=0, help="data-loading processes (default 0)")
    e.set_defaults(run=evaluate_command)
