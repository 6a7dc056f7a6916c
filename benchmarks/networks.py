"""The paper's eight networks side by side in one run (issue 19): parameters, and seconds per
30-s clip for each network on the same features, with the cost of the features themselves.

The clip is ../shared/reference/stimulus_13.flac, or 30 s of quiet noise where ../shared is
absent. Its log-mel and loudness are computed once (timed); each network then predicts from them
through `LoadedModel.predict`, as `analyze()` runs it, after one warm-up call (the features too
are timed warm); the median of
`--repeats` calls is reported, at batch 1 and per clip at batch `--batch`, with the fastest call
beside the median (on a machine shared with other work the fastest is the better estimate).
Networks whose weights are not here run with freshly initialised weights: the arithmetic is the
same.

    python benchmarks/networks.py [--repeats 5] [--batch 16] [--device cpu|cuda] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from llm_ssd.audio.decode import load_audio  # noqa: E402
from llm_ssd.model import threads  # noqa: E402
from llm_ssd.model.inputs import features  # noqa: E402
from llm_ssd.model.networks.registry import NETWORKS  # noqa: E402
from llm_ssd.model.runtime import LoadedModel, available_networks, load_model  # noqa: E402
from llm_ssd.model.weights import NORM_FILE, ensure_published, load_norm_stats, weights_dir  # noqa: E402

CLIP = REPO.parent / "shared" / "reference" / "stimulus_13.flac"


def clip() -> tuple[np.ndarray, int, str]:
    if CLIP.exists():
        samples, rate = load_audio(CLIP)
        return samples, rate, CLIP.name
    rate = 44100
    noise = 0.01 * np.random.default_rng(0).standard_normal(30 * rate).astype(np.float32)
    return noise, rate, "30 s of quiet noise"


def network_model(name: str, device: str) -> tuple[LoadedModel, str]:
    """The network with its weights where they are here, else freshly initialised."""
    present = {spec.name for spec in available_networks()[0]}
    if name in present:
        return load_model(model=name, device=device), "published or trained weights"
    ensure_published()
    norm = {k: torch.from_numpy(v).to(device)
            for k, v in load_norm_stats(weights_dir() / NORM_FILE).items()}  # fmt: skip
    model = NETWORKS[name].build().eval().to(device)
    return LoadedModel(model, norm, "(initialised)", device, name), "initialised weights"


def timed(call, repeats: int, device: str) -> tuple[float, float]:
    call()  # warm-up: kernels chosen, caches filled
    times = []
    for _ in range(repeats):
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        call()
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def measure(
    loaded: LoadedModel, mel: torch.Tensor, loudness: torch.Tensor, batch: int, repeats: int
) -> tuple[tuple[float, float], float]:
    """Seconds (median, fastest) of one clip's prediction, and per clip (median) of a batch of
    `batch` clips."""
    device = loaded.device
    one = timed(lambda: loaded.predict(mel[None], loudness[None]), repeats, device)
    mels, louds = mel[None].expand(batch, -1, -1), loudness[None].expand(batch, -1)
    many, _ = timed(lambda: loaded.predict(mels, louds), repeats, device)
    return one, many / batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    threads.fit()
    samples, rate, source = clip()
    features(samples, rate, args.device)  # warm: numba kernels and the mel filters loaded
    t0 = time.perf_counter()
    mel, loud, stages = features(samples, rate, args.device)
    seconds_features = time.perf_counter() - t0
    loudness = torch.from_numpy(loud.n.astype(np.float32))
    print(f"clip: {source}; device {args.device}; torch threads {torch.get_num_threads()}")
    print(f"features once: {seconds_features:.3f} s (log-mel {stages['log_mel']:.3f} s, "
          f"loudness {stages['loudness']:.3f} s)")  # fmt: skip
    print(f"{'network':<20} {'parameters':>12} {'s / clip':>10} {'fastest':>10} {'batched':>10}"
          "  weights")  # fmt: skip
    rows = []
    for name, spec in NETWORKS.items():
        loaded, weights = network_model(name, args.device)
        (one, fastest), many = measure(loaded, mel, loudness, args.batch, args.repeats)
        rows.append({"network": name, "label": spec.label, "parameters": spec.parameters,
                     "seconds_per_clip": one, "fastest_seconds_per_clip": fastest,
                     "seconds_per_clip_batched": many, "batch": args.batch,
                     "weights": weights})  # fmt: skip
        print(f"{spec.label:<20} {spec.parameters:>12,} {one:>10.4f} {fastest:>10.4f} "
              f"{many:>10.4f}  {weights}")  # fmt: skip
        del loaded
    print(f"(batched: seconds per clip at batch {args.batch})")
    if args.json:
        result = {"device": args.device, "clip": source, "features_seconds": seconds_features,
                  "threads": torch.get_num_threads(), "networks": rows}  # fmt: skip
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
