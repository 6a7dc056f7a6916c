"""analyze(): from a sound file or samples to an Analysis, end to end."""

from __future__ import annotations

import json

import numpy as np
import pytest

from llm_ssd.analysis import analyze
from llm_ssd.audio.checks import NETWORK_MIN_DURATION, AudioError
from llm_ssd.labels import EVENTS, PAQS, SCENES


@pytest.fixture(scope="module")
def reference_analysis(reference_clip):
    return analyze(reference_clip)


def test_reference_clip_end_to_end_matches_published(reference_analysis, published):
    a = reference_analysis
    assert a.scene == published["scene"]
    events = np.array([a.event_probabilities[e] for e in EVENTS])
    np.testing.assert_allclose(events, published["event_probabilities"], atol=0.05, rtol=0)
    np.testing.assert_allclose([a.paq[p] for p in PAQS], published["paq"], atol=0.05, rtol=0)
    assert a.isop == pytest.approx(published["isop"], abs=0.02)
    assert a.isoe == pytest.approx(published["isoe"], abs=0.02)


def test_reference_clip_features_match_the_authors(reference_analysis, authors_features):
    mel, loud = authors_features
    assert np.abs(reference_analysis.log_mel - mel).mean() <= 0.2
    assert reference_analysis.loudness.shape == (15000,)
    assert np.abs(reference_analysis.loudness - loud[:, 0]).max() <= 0.05


def test_analysis_record_is_json_ready(reference_analysis):
    a = reference_analysis
    record = json.loads(json.dumps(a.to_dict()))
    assert record["scene"] == a.scene
    assert set(record["scene_probabilities"]) == set(SCENES)
    assert sum(record["scene_probabilities"].values()) == pytest.approx(1.0, abs=1e-5)
    assert list(record["event_probabilities"]) == list(EVENTS)
    assert list(record["paq"]) == list(PAQS)
    assert record["duration"] == pytest.approx(30.0)
    assert record["loudness_nmax"] >= record["loudness_n5"] >= record["loudness_n10"] > 0
    assert record["checkpoint"] == "SoundAQnet_ASC96_AEC94_PAQ1027.pth"
    assert {"decode", "log_mel", "loudness", "model", "total"} <= set(record["timings"])
    assert "log_mel" not in record and len(a.to_dict(arrays=True)["loudness"]) == 15000


def assert_valid(a, seconds: float) -> None:
    assert a.scene in SCENES
    assert all(0.0 <= p <= 1.0 for p in a.event_probabilities.values())
    assert all(np.isfinite(v) for v in a.paq.values())
    assert np.isfinite(a.isop) and np.isfinite(a.isoe)
    assert np.isfinite(a.log_mel).all() and np.isfinite(a.loudness).all()
    assert a.duration == pytest.approx(seconds)


def test_digital_silence_gives_a_valid_analysis():
    a = analyze(np.zeros(16000 * 4, np.float32), 16000)
    assert_valid(a, 4.0)
    assert a.nmax == 0.0 and a.n5 == 0.0
    assert np.all(a.log_mel == pytest.approx(-100.0))


def test_short_clip_is_looped_with_a_warning():
    rng = np.random.default_rng(1)
    a = analyze((0.05 * rng.standard_normal(int(1.5 * 22050))).astype(np.float32), 22050)
    assert_valid(a, 1.5)
    assert any("looped" in w and f"{NETWORK_MIN_DURATION:.2f} s" in w for w in a.warnings)
    assert a.log_mel.shape[0] >= 280


@pytest.mark.parametrize("sr", [8000, 11025, 192000])
def test_odd_sample_rates(sr):
    t = np.arange(int(3.0 * sr)) / sr
    a = analyze((0.1 * np.sin(2 * np.pi * 500 * t)).astype(np.float32), sr)
    assert_valid(a, 3.0)
    assert a.sample_rate == sr
    if sr < 16000:
        assert len(a.warnings) == 1 and f"no sound above {sr / 2000:g} kHz" in a.warnings[0]
    else:
        assert a.warnings == ()


def test_multichannel_array_is_averaged():
    rng = np.random.default_rng(2)
    stereo = (0.05 * rng.standard_normal((3 * 16000, 2))).astype(np.float32)
    a = analyze(stereo, 16000)
    b = analyze(stereo.mean(axis=1), 16000)
    assert a.paq == b.paq


def test_array_without_sample_rate_is_refused():
    with pytest.raises(AudioError, match="sample rate"):
        analyze(np.zeros(48000, np.float32))


def test_long_array_is_refused():
    with pytest.raises(AudioError, match="limit"):
        analyze(np.zeros(8000 * 20, np.float32), 8000, max_duration=10.0)


def test_unknown_checkpoint_names_the_available_ones():
    from llm_ssd.model.weights import WeightsError

    with pytest.raises(WeightsError, match="SoundAQnet_ASC96_AEC94_PAQ1027"):
        analyze(np.zeros(16000 * 3, np.float32), 16000, checkpoint="no_such_model")


def test_louder_than_iso_532_1_allows_is_a_clear_error():
    t = np.arange(3 * 44100) / 44100
    hot = (20 * np.sin(2 * np.pi * 50 * t)).astype(np.float32)  # +26 dB above full scale
    with pytest.raises(AudioError, match=r"too loud to measure.*peak is \+26 dB"):
        analyze(hot, 44100)


def test_int16_array_gives_the_same_analysis_as_float():
    rng = np.random.default_rng(4)
    wave = np.clip(0.1 * rng.standard_normal(3 * 16000), -1, 1)
    as_int16 = np.round(wave * 32767).astype(np.int16)
    a, b = analyze(as_int16, 16000), analyze((as_int16 / 32768).astype(np.float32), 16000)
    assert a.paq == b.paq and a.nmax == b.nmax
