"""The five figures of a 30-s clip, made as the app makes them (issue 21: drawn once, encoded as
WebP for the page and PNG for the downloads) against the way before (drawn for a WebP, then
drawn again for a PNG at 150 dpi), side by side in one run, taking turns; medians of
`--repeats`. The clip is ../shared/reference/stimulus_13.flac, analysed once.

    python benchmarks/figures.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from llm_ssd.analysis import analyze  # noqa: E402
from llm_ssd.figures import panels as plots  # noqa: E402
from llm_ssd.figures.images import DOWNLOAD_FORMAT, PAGE_FORMAT, render  # noqa: E402

CLIP = REPO.parent / "shared" / "reference" / "stimulus_13.flac"
BEFORE_PNG_DPI = 150
"""The downloads' resolution before: every figure drawn a second time for them."""


def now(analysis) -> None:
    for i in plots.SOONEST_FIRST:
        image = render(plots.figure_at(analysis, i))
        image.encoded(PAGE_FORMAT)
        image.encoded(DOWNLOAD_FORMAT)


def before(analysis) -> None:
    for figure in plots.all_figures(analysis):
        for fmt, dpi in ((PAGE_FORMAT, None), (DOWNLOAD_FORMAT, BEFORE_PNG_DPI)):
            with io.BytesIO() as out:
                figure.savefig(out, format=fmt, dpi=dpi or figure.dpi)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not CLIP.exists():
        sys.exit(f"{CLIP} is missing: the benchmark needs ../shared beside the repository")
    analysis = analyze(CLIP)
    ways = {"drawn once (now)": now, "drawn twice (before)": before}
    times: dict[str, list[float]] = {name: [] for name in ways}
    for way in ways.values():
        way(analysis)  # warm: fonts, caches
    for _ in range(args.repeats):
        for name, way in ways.items():
            t0 = time.perf_counter()
            way(analysis)
            times[name].append(time.perf_counter() - t0)
    medians = {name: statistics.median(t) for name, t in times.items()}
    print(f"five figures of {CLIP.name}, medians of {args.repeats}:")
    for name, seconds in medians.items():
        print(f"  {name:<22} {seconds:.2f} s")
    ratio = medians["drawn twice (before)"] / medians["drawn once (now)"]
    print(f"  before / now: {ratio:.2f}x")


if __name__ == "__main__":
    main()
