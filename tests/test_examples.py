"""The example clips the app offers: listed in examples/README.md, present, decodable, sane."""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from llm_ssd.audio.decode import load_audio

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
README = EXAMPLES / "README.md"
TABLE_FILE = re.compile(r"^\|\s*`([^`]+\.flac)`", re.MULTILINE)
"""A file name in the first column of the README's table."""
CLIPS_TABLE_HEADER = "| File | What it contains |"
MIN_SECONDS, MAX_SECONDS = 10.0, 30.0
SILENT_RMS_DBFS = -60.0


def listed_examples() -> list[str]:
    """The clip file names in the README's table of clips, in order."""
    blocks = README.read_text(encoding="utf-8").split("\n\n")
    (table,) = [b for b in blocks if b.startswith(CLIPS_TABLE_HEADER)]
    return TABLE_FILE.findall(table)


def test_readme_lists_examples() -> None:
    names = listed_examples()
    assert len(names) >= 3
    assert len(set(names)) == len(names)


def test_every_clip_is_listed() -> None:
    on_disk = {p.name for p in EXAMPLES.glob("*.flac")}
    assert on_disk <= set(listed_examples()), "clips in examples/ missing from the README table"


@pytest.mark.parametrize("name", listed_examples())
def test_example_clip(name: str) -> None:
    path = EXAMPLES / name
    assert path.is_file(), f"{name} is listed in examples/README.md but absent"
    audio, rate = load_audio(path)
    seconds = audio.size / rate
    assert MIN_SECONDS <= seconds <= MAX_SECONDS, f"{name}: {seconds:.1f} s"
    peak = float(np.max(np.abs(audio)))
    assert peak < 1.0, f"{name}: clips at full scale"
    level = 20 * np.log10(np.sqrt(np.mean(np.square(audio.astype(np.float64)))) + 1e-20)
    assert level > SILENT_RMS_DBFS, f"{name}: RMS {level:.1f} dBFS, practically silent"


@cache
def fetch_real_module():
    """examples/fetch_real.py as a module (registered, as its dataclass needs)."""
    spec = importlib.util.spec_from_file_location("fetch_real", EXAMPLES / "fetch_real.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


REAL_CLIPS = fetch_real_module().CLIPS


@pytest.mark.parametrize("clip", REAL_CLIPS, ids=lambda c: c.name)
def test_real_recording_is_the_package_files_samples(clip) -> None:
    """What `fetch_real.py` would write, checked without the network: the committed FLAC decodes
    to the pinned samples of the member of the pinned package file."""
    fetch_real_module().check(clip)


@pytest.mark.parametrize("clip", REAL_CLIPS, ids=lambda c: c.name)
def test_real_recording_has_its_source_and_licence(clip) -> None:
    rows = [line for line in README.read_text(encoding="utf-8").splitlines() if clip.name in line]
    source = [r for r in rows if clip.member.split("/", 1)[-1] in r]
    assert source, f"{clip.name}: no row naming {clip.member} in examples/README.md"
    assert "MIT" in source[0] and clip.requirement.split("==")[1] in source[0]


def test_app_offers_the_real_recordings_first() -> None:
    from ui.describe import EXAMPLES as OFFERED

    offered = list(OFFERED)
    real = [c.name for c in REAL_CLIPS]
    assert len(real) >= 2 and offered[: len(real)] == real
    assert set(offered) <= set(listed_examples())
    for name, label in OFFERED.items():
        assert label.startswith("Real recording" if name in real else "Synthetic"), label
