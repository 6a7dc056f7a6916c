"""The example clips the app offers: listed in examples/README.md, present, decodable, sane."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from llm_ssd.decode import load_audio

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
README = EXAMPLES / "README.md"
TABLE_FILE = re.compile(r"^\|\s*`([^`]+\.flac)`", re.MULTILINE)
"""A file name in the first column of the README's table."""
MIN_SECONDS, MAX_SECONDS = 10.0, 30.0
SILENT_RMS_DBFS = -60.0


def listed_examples() -> list[str]:
    """The clip file names in the README's table, in order."""
    return TABLE_FILE.findall(README.read_text(encoding="utf-8"))


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
