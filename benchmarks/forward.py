"""SoundAQnet's forward pass on the CPU, the ways torch offers to make it faster (issue 21), side by
side in one run, each held to parity with the forward pass `analyze()` runs (the largest output
difference must stay ≤ 1e-5, or the way is refused whatever its speed).

The inputs are the normalised features of one 30-s clip (../shared/reference/stimulus_13.flac,
or 30 s of quiet noise where ../shared is absent). Ways measured, each after a warm-up call,
the median of `--repeats`:

- `today`: `LoadedModel.predict`'s forward, under `torch.inference_mode()`;
- `no_grad`: `torch.no_grad()` instead (what inference mode saves);
- `channels_last`: the weights and the input in the channels-last memory format;
- `jit.trace+freeze`: a traced TorchScript graph, frozen and optimised for inference (oneDNN
  fusion of convolution, batch norm and activation);
- `batch of 2`: two windows at once, per window (a long recording's batches);
- `today, again`: the first way once more, last in each turn: how far the machine's noise
  alone moves a way;
- `compile` (with `--compile`): `torch.compile` (Inductor; compiling takes minutes on 2 cores,
  not counted).

    python benchmarks/forward.py [--repeats 5] [--threads N] [--compile]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from networks import clip  # noqa: E402

from llm_ssd.model import threads  # noqa: E402
from llm_ssd.model.inputs import features  # noqa: E402
from llm_ssd.model.runtime import load_model  # noqa: E402

PARITY = 1e-5
"""The largest output difference a faster way may make."""
DECISIONS = {
    "today": "kept: inference mode, what analyze() runs",
    "no_grad": "not kept: inference mode already skips what no_grad skips, and more",
    "channels_last": "not kept: moves outputs by ~3e-6, beyond the 1e-6 to which the published "
    "outputs are reproduced, for a gain within a shared machine's noise",
    "jit.trace+freeze": "not kept: the graph is fixed to the traced length (windows run from 280 "
    "to 4,500 frames) and moves outputs by ~2e-6",
    "batch of 2": "kept as it is (long recordings' windows go in twos): no faster per window on "
    "a CPU",
    "today, again": "the control: what the machine's noise alone moves",
    "compile": "not kept: minutes of compiling on 2 cores, again for each new length",
}
"""What became of each way, and why (issue 21)."""


def flat(out: dict[str, torch.Tensor]) -> torch.Tensor:
    return torch.cat([out[k].reshape(out[k].shape[0], -1) for k in sorted(out)], dim=1)


def timed_round_robin(calls: dict, repeats: int) -> dict[str, tuple[float, torch.Tensor]]:
    """Each call's median seconds and its output; the calls take turns, so that a machine that
    gets busier part-way through slows them all alike."""
    outputs = {name: call() for name, call in calls.items()}  # warm-up
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            t0 = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - t0)
    return {name: (statistics.median(times[name]), outputs[name]) for name in calls}


def channels_last(x: torch.Tensor) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last) if x.dim() == 4 else x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, help="torch threads (default: the policy's)")
    parser.add_argument("--compile", action="store_true", help="also try torch.compile")
    args = parser.parse_args()
    threads.fit()
    if args.threads:
        torch.set_num_threads(args.threads)
    samples, rate, source = clip()
    mel, loud, _ = features(samples, rate, "cpu")
    loaded = load_model(device="cpu")
    inputs = loaded.inputs(mel[None], torch.from_numpy(loud.n.astype(np.float32))[None])
    model = loaded.model
    print(f"clip: {source}; torch {torch.__version__}; threads {torch.get_num_threads()}")

    def run(m, xs, mode=torch.inference_mode):
        def call():
            with mode():
                return flat(m(*xs))

        return call

    calls = {"today": run(model, inputs), "no_grad": run(model, inputs, torch.no_grad)}
    failed: dict[str, str] = {}
    last = copy.deepcopy(model).to(memory_format=torch.channels_last)
    calls["channels_last"] = run(last, tuple(channels_last(x) for x in inputs))
    try:
        with torch.no_grad():
            traced = torch.jit.optimize_for_inference(
                torch.jit.freeze(torch.jit.trace(model, inputs, strict=False).eval())
            )
        calls["jit.trace+freeze"] = run(traced, inputs, torch.no_grad)
    except Exception as exc:  # a graph torch cannot trace: say why
        failed["jit.trace+freeze"] = f"failed: {type(exc).__name__}: {str(exc)[:80]}"
    pair = tuple(torch.cat([x, x]) for x in inputs)
    pair_call = run(model, pair)
    calls["batch of 2"] = lambda: pair_call()[:1]
    calls["today, again"] = run(model, inputs)  # a control: the order of the turns
    if args.compile:
        try:
            compiled = torch.compile(model)
            t0 = time.perf_counter()
            run(compiled, inputs)()
            print(f"torch.compile: {time.perf_counter() - t0:.0f} s to compile (not counted)")
            calls["compile"] = run(compiled, inputs)
        except Exception as exc:
            failed["compile"] = f"failed: {type(exc).__name__}: {str(exc)[:80]}"
    ways: dict[str, tuple[float, torch.Tensor] | str] = {
        **timed_round_robin(calls, args.repeats),
        **failed,
    }
    if "batch of 2" in ways:
        seconds, out = ways["batch of 2"]  # type: ignore[misc]
        ways["batch of 2"] = (seconds / 2, out)
    base_seconds, base = ways["today"]  # type: ignore[misc]
    print(f"{'way':<18} {'s / window':>10} {'vs today':>9} {'max |diff|':>11}  parity")
    for name, result in ways.items():
        if isinstance(result, str):
            print(f"{name:<18} {result}")
            continue
        seconds, out = result
        diff = float((out - base).abs().max())
        ok = diff <= PARITY
        verdict = "parity" if ok else f"refused: outputs move by more than {PARITY:g}"
        ratio = base_seconds / seconds
        print(f"{name:<18} {seconds:>10.4f} {ratio:>8.2f}x {diff:>11.2e}  {verdict}")
    for name in ways:
        print(f"{name}: {DECISIONS[name]}")


if __name__ == "__main__":
    main()
