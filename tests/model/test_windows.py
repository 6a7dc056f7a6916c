"""Whole recordings (issue 11): the 30-s windows, their combination, pooled display arrays, and
memory that does not grow with the length."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from app_server import ROOT
from peak_memory import PEAK_MB

from llm_ssd.analysis import analyze
from llm_ssd.audio.checks import resample
from llm_ssd.audio.decode import load_audio
from llm_ssd.caption.offline import offline_caption
from llm_ssd.labels import SCENES
from llm_ssd.model.windows import MAX_DISPLAY_COLUMNS, MaxPool, Span, cut, plan
from llm_ssd.result import Prediction, mean_prediction

STREET_EXAMPLE = ROOT / "examples" / "street_traffic.flac"  # street_traffic 0.996
RATE = 100  # samples per second: spans read as hundredths of a second
MAX_RSS_MB = 1024
LONG_MINUTES = 60
"""The length the memory target is for (issue 8: an hour in a gigabyte)."""
MEASURED_MINUTES = 15
"""The length analysed: its peak, and how its resident memory grew from window to window, say
what an hour takes without analysing one (which took over 3 minutes of the suite on 2 cores).
The peaks of two lengths differed by up to 80 MB either way, run to run: peaks are set by the
allocator in the first windows, so their difference says nothing of growth."""


def seconds(spans: list[Span]) -> list[tuple[float, float, float]]:
    return [(s.start / RATE, s.end / RATE, s.new / RATE) for s in spans]


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        (2.0, [(0, 2, 0)]),
        (30.0, [(0, 30, 0)]),
        (45.0, [(0, 45, 0)]),  # up to 45 s: one window, analysed whole
        (45.01, [(0, 30, 0), (30, 45.01, 30)]),  # a 15-s remainder is a window of its own
        (60.0, [(0, 30, 0), (30, 60, 30)]),
        (70.0, [(0, 30, 0), (30, 60, 30), (60, 70, 60)]),
        (65.0, [(0, 30, 0), (30, 60, 30), (35, 65, 60)]),  # 5 s left: the last 30 s, overlapping
    ],
)
def test_plan(length, expected):
    assert seconds(plan(round(length * RATE), RATE)) == expected


@pytest.mark.parametrize("length", [1.5, 44.0, 45.0, 46.0, 65.0, 90.0, 131.37])
@pytest.mark.parametrize("block", [1, 7, 450, 10_000])
def test_cut_streams_the_windows_of_the_plan(length, block):
    signal = np.arange(round(length * RATE), dtype=np.float32)
    blocks = (signal[i : i + block] for i in range(0, signal.size, block))
    windows = list(cut(blocks, RATE))
    assert [span for span, _ in windows] == plan(signal.size, RATE)
    for span, samples in windows:
        np.testing.assert_array_equal(samples, signal[span.start : span.end])


@pytest.mark.parametrize("chunk", [1, 13, 1000])
def test_max_pool_keeps_at_most_the_limit_and_pools_by_its_factor(chunk):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((12_345, 3))
    pool = MaxPool(limit=100)
    for i in range(0, len(x), chunk):
        pool.add(x[i : i + chunk])
    pooled = pool.result()
    assert len(pooled) <= 100 and pool.factor == 128
    groups = [x[i : i + pool.factor].max(axis=0) for i in range(0, len(x), pool.factor)]
    np.testing.assert_array_equal(pooled, np.array(groups))


def test_duration_weighted_mean():
    def flat(value: float) -> Prediction:
        return Prediction.from_vector(np.full(28, value))

    mean = mean_prediction([flat(0.0), flat(1.0)], [30.0, 10.0])
    assert mean.isop == pytest.approx(0.25) and mean.paq["calm"] == pytest.approx(0.25)


@pytest.fixture(scope="module")
def park_then_street(reference_clip) -> np.ndarray:
    """Two minutes of a park (the reference ARAUS clip, park 0.9999, four times), then two of a
    street (the street example, 15 s, eight times), at 44.1 kHz. The park example looped reads as
    a near tie (park 0.50), so the real park recording is used."""
    park, rate = load_audio(reference_clip)
    street, street_rate = load_audio(STREET_EXAMPLE)
    street = resample(street, street_rate, rate)
    return np.concatenate([np.tile(park, 4), np.tile(street, 8)]), rate


@pytest.fixture(scope="module")
def timeline(park_then_street):
    samples, rate = park_then_street
    return analyze(samples, rate)


def test_a_park_then_a_street_gives_a_timeline_that_changes(timeline):
    a = timeline
    assert a.duration == pytest.approx(240.0)
    assert [(w.start, w.end) for w in a.windows] == [(30.0 * i, 30.0 * (i + 1)) for i in range(8)]
    scenes = [w.prediction.scene for w in a.windows]
    assert scenes == ["park"] * 4 + ["street_traffic"] * 4, scenes
    park = np.mean([w.prediction.scene_probabilities["park"] for w in a.windows])
    assert a.scene_probabilities["park"] == pytest.approx(park)  # equal weights: the plain mean
    assert sum(a.scene_probabilities[s] for s in SCENES) == pytest.approx(1.0)


def test_the_offline_caption_says_the_place_changes(timeline):
    caption = offline_caption(timeline)
    assert caption.startswith("In this place, ")
    assert re.search(r" It starts as an? \w+ park, then becomes an? \w+ street\.$", caption), (
        caption
    )


def test_windows_in_the_record(timeline):
    record = json.loads(json.dumps(timeline.to_dict()))
    assert len(record["windows"]) == 8
    first = record["windows"][0]
    assert list(first) == ["start", "end", "scene", "scene_probabilities",
                           "event_probabilities", "isop", "isoe", "paq", "loudness_n5"]  # fmt: skip
    assert first["scene"] == "park" and record["windows"][-1]["scene"] == "street_traffic"
    assert record["loudness_nmax"] >= max(w["loudness_n5"] for w in record["windows"])


def test_long_display_arrays_are_pooled(timeline):
    a = timeline
    assert a.log_mel.shape[1] == 64 and len(a.log_mel) <= MAX_DISPLAY_COLUMNS
    assert len(a.loudness) <= MAX_DISPLAY_COLUMNS
    assert len(a.log_mel) * a.mel_pooling == pytest.approx(240 * 100, abs=a.mel_pooling)
    assert len(a.loudness) * a.loudness_pooling == pytest.approx(240 * 500, abs=a.loudness_pooling)
    assert a.loudness.max() == pytest.approx(a.nmax)


def test_a_single_window_clip_has_one_window_and_its_whole_features(reference_clip):
    a = analyze(reference_clip)
    (window,) = a.windows
    assert (window.start, window.end) == (0.0, 30.0) and window.prediction.scene == a.scene
    assert a.log_mel.shape == (3001, 64) and a.mel_pooling == a.loudness_pooling == 1


LONG_RUN = (
    PEAK_MB
    + """
import json, re, sys
from llm_ssd.analysis import analyze
from llm_ssd.model import windows

def resident_mb():
    with open("/proc/self/status") as status:
        return int(re.search(r"VmRSS:\\s+(\\d+) kB", status.read()).group(1)) / 1024

after_each, add = [], windows.Recording.add
def measured_add(self, *args):  # the memory held once each window is added
    add(self, *args)
    after_each.append(resident_mb())
windows.Recording.add = measured_add
a = analyze(sys.argv[1], device="cpu")
print(json.dumps({"windows": len(a.windows), "duration": a.duration, "maxrss_mb": peak_mb(),
                  "after_each_mb": after_each}))
"""
)


def noise_flac(path: Path, minutes: int, rate: int = 16_000) -> Path:
    """Quiet noise, written a minute at a time (FLAC at 16 kHz: ~60 MB an hour)."""
    rng = np.random.default_rng(7)
    with sf.SoundFile(path, "w", rate, 1, "PCM_16") as f:
        for _ in range(minutes):
            f.write((0.01 * rng.standard_normal(rate * 60)).astype(np.float32))
    return path


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_a_sixty_minute_recording_fits_in_a_gigabyte(tmp_path):
    """A 15-minute analysis's peak, plus its growth per window (the median resident memory of
    its last third of windows over that of its middle third) for the 90 windows an hour has
    more, stays within a gigabyte: the windows stream, nothing of the recording is held but
    its pooled display arrays, its loudness curve and its outputs."""
    path = noise_flac(tmp_path / "long.flac", MEASURED_MINUTES)
    done = subprocess.run([sys.executable, "-c", LONG_RUN, str(path)], cwd=ROOT,
                          capture_output=True, text=True, check=True)  # fmt: skip
    result = json.loads(done.stdout)
    count = MEASURED_MINUTES * 2
    assert result["windows"] == count and result["duration"] == MEASURED_MINUTES * 60
    after = result["after_each_mb"]
    assert len(after) == count
    third = count // 3
    growth = (np.median(after[-third:]) - np.median(after[third:-third])) / third
    hour = result["maxrss_mb"] + max(0.0, growth) * (LONG_MINUTES - MEASURED_MINUTES) * 2
    assert hour <= MAX_RSS_MB, (result["maxrss_mb"], growth, after)
