"""Recording start times (issue 24): from a file name by a strftime pattern, or from its tags."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
import soundfile as sf

from llm_ssd.archive.starts import METADATA, from_name, pattern_regex, stamp, start_of


@pytest.mark.parametrize(
    ("name", "pattern", "start"),
    [
        ("20240612_053000.WAV", "%Y%m%d_%H%M%S", datetime(2024, 6, 12, 5, 30)),  # AudioMoth
        ("SMA01234_20240612_053000.wav", "%Y%m%d_%H%M%S", datetime(2024, 6, 12, 5, 30)),
        ("site-3 2024-06-12 05.30.flac", "%Y-%m-%d %H.%M", datetime(2024, 6, 12, 5, 30)),
        ("notes.wav", "%Y%m%d_%H%M%S", None),
        ("20241312_053000.wav", "%Y%m%d_%H%M%S", None),  # month 13: no date
    ],
)
def test_a_name_pattern_finds_the_start_anywhere_in_the_name(name, pattern, start):
    assert from_name(f"/archive/{name}", pattern) == start


def test_a_pattern_with_an_unknown_field_is_refused():
    with pytest.raises(ValueError, match="%Q"):
        pattern_regex("%Y%Q")


def test_tags_give_the_start(tmp_path):
    audio = np.zeros(8000, np.float32)
    tagged, moth, plain = tmp_path / "a.wav", tmp_path / "b.wav", tmp_path / "c.wav"
    for path in (tagged, moth, plain):
        sf.write(path, audio, 8000)
    with sf.SoundFile(tagged, "r+") as f:
        f.date = "2024-06-12T05:30:00"
    with sf.SoundFile(moth, "r+") as f:
        f.comment = "Recorded at 05:30:00 12/06/2024 (UTC) by AudioMoth 24F319055FDF1C2D"
    assert start_of(tagged, METADATA) == datetime(2024, 6, 12, 5, 30)
    assert start_of(moth, METADATA) == datetime(2024, 6, 12, 5, 30)
    assert start_of(plain, METADATA) is None


def test_each_window_gets_its_wall_clock_start():
    record = {"windows": [{"start": 0.0}, {"start": 30.0}]}
    stamp(record, datetime(2024, 6, 12, 23, 59, 45))
    assert record["recording_start"] == "2024-06-12T23:59:45"
    assert [w["start_time"] for w in record["windows"]] == [
        "2024-06-12T23:59:45", "2024-06-13T00:00:15"
    ]  # fmt: skip
    assert stamp({"windows": [{"start": 0.0}]}, None)["windows"][0]["start_time"] is None
