"""Our ISO 532-1 time-varying loudness against mosqito 1.2.1 and the authors' reference curve.

mosqito itself runs only on signals of a fraction of a second (it needs about 1.3 s per second
of audio); the long references are stored curves in ../shared."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from app_server import ROOT
from mosqito_reference import loudness_zwtv_mosqito
from peak_memory import PEAK_MB
from reference import SHARED

from llm_ssd import loudness as L
from llm_ssd.audio.checks import PASCAL_PER_UNIT
from llm_ssd.loudness import Loudness, loudness_zwtv, pipeline, tables

ISO_DIR = SHARED / "iso532_1"
REFERENCE_DIR = SHARED / "reference"
FS = L.LOUDNESS_SAMPLE_RATE
INT16_FULL_SCALE = 32767
ANNEX_B_PEAK_PA = 2 * np.sqrt(2)
"""Pascal of int16 full scale in the Annex B files."""
ABS_TOLERANCE = 0.01
REL_TOLERANCE = 0.005
AUTHORS_TOLERANCE = 0.05
MEMORY_LIMIT = 1 << 30
CALL_MEMORY_LIMIT = 400 << 20
REPO = ROOT


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is missing: these tests need ../shared beside the repository")
    return path


def annex_b_names() -> list[str]:
    if not (ISO_DIR / "mosqito_loudness_zwtv.npz").exists():
        return []
    with np.load(ISO_DIR / "mosqito_loudness_zwtv.npz") as stored:
        return sorted(stored.files, key=lambda name: int(name.split("_")[1]))


def read_annex_b(name: str) -> np.ndarray:
    from scipy.io import wavfile

    rate, data = wavfile.read(need(ISO_DIR / f"{name}.wav"))
    assert rate == FS and data.dtype == np.int16
    return data.astype(np.float64) / INT16_FULL_SCALE * ANNEX_B_PEAK_PA


def tone(freq: float, db_spl: float, seconds: float, fs: int = FS, ramp: float = 0.0) -> np.ndarray:
    """A sine of the given RMS level in pascal, faded in and out over `ramp` seconds."""
    t = np.arange(int(seconds * fs)) / fs
    x = np.sqrt(2) * 20e-6 * 10 ** (db_spl / 20) * np.sin(2 * np.pi * freq * t)
    n = int(ramp * fs)
    if n:
        fade = np.sin(np.linspace(0, np.pi / 2, n)) ** 2
        x[:n] *= fade
        x[-n:] *= fade[::-1]
    return x


def assert_matches_mosqito(ours: Loudness, ref: Loudness, spec_rtol: float = 1e-6) -> None:
    assert ours.n.shape == ref.n.shape
    assert ours.n_specific.shape == ref.n_specific.shape == (L.N_BARK, ref.n.size)
    np.testing.assert_allclose(ours.time, ref.time, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.n, ref.n, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.n_specific, ref.n_specific, rtol=spec_rtol, atol=1e-6)


# --- Acceptance 1: every Annex B signal, against mosqito's stored curves ----------------------


@pytest.mark.parametrize("name", annex_b_names() or ["(no ../shared/iso532_1)"])
def test_annex_b_signal_matches_mosqito(name: str) -> None:
    stored = need(ISO_DIR / "mosqito_loudness_zwtv.npz")
    with np.load(stored) as refs:
        ref = refs[name]
    ours = loudness_zwtv(read_annex_b(name), FS)
    assert ours.n.shape == ref.shape
    tolerance = np.maximum(ABS_TOLERANCE, REL_TOLERANCE * ref)
    worst = int(np.argmax(np.abs(ours.n - ref) / tolerance))
    assert np.all(np.abs(ours.n - ref) <= tolerance), (
        f"{name}: step {worst}: ours {ours.n[worst]:.4f}, mosqito {ref[worst]:.4f} sone"
    )
    summary = json.loads((ISO_DIR / "mosqito_loudness_zwtv.json").read_text())[name]
    assert ours.nmax == pytest.approx(summary["N_max"], abs=ABS_TOLERANCE)
    assert ours.n5 == pytest.approx(summary["N5"], abs=ABS_TOLERANCE)


def test_every_annex_b_signal_is_checked() -> None:
    need(ISO_DIR / "mosqito_loudness_zwtv.npz")
    wavs = sorted(p.stem for p in ISO_DIR.glob("signal_*.wav"))
    assert wavs and sorted(annex_b_names()) == wavs


# --- Acceptance 2: the authors' curve of the reference stimulus -------------------------------


@pytest.fixture(scope="module")
def stimulus() -> tuple[np.ndarray, int]:
    import soundfile as sf

    audio, rate = sf.read(str(need(REFERENCE_DIR / "stimulus_13.flac")), always_2d=True)
    return audio.mean(axis=1) * PASCAL_PER_UNIT, rate


@pytest.mark.filterwarnings("ignore:Reading `.npy` or `.npz` file required additional header")
def test_stimulus_matches_authors_reference(stimulus: tuple[np.ndarray, int]) -> None:
    import librosa

    pascal, rate = stimulus
    authors = np.load(need(REFERENCE_DIR / "stimulus_13_loudness.npy")).ravel()
    assert authors.size == 15000
    at_48k = librosa.resample(pascal, orig_sr=rate, target_sr=FS, res_type="soxr_hq")
    ours = loudness_zwtv(at_48k, FS)
    assert ours.n.size == authors.size + 1  # librosa pads one sample
    assert ours.n.size >= authors.size
    deviation = np.abs(ours.n[: authors.size] - authors)
    assert deviation.max() <= AUTHORS_TOLERANCE, f"max deviation {deviation.max():.4f} sone"
    # given at 44.1 kHz, loudness_zwtv resamples the same way itself, to int(48000 · 30) samples
    direct = loudness_zwtv(pascal, rate)
    trimmed = loudness_zwtv(at_48k[: int(FS * pascal.size / rate)], FS)
    assert direct.n.size == authors.size
    np.testing.assert_array_equal(direct.n, trimmed.n)


# --- Full output (N, N', time) against mosqito run here on short signals ----------------------


def short_mixture(seconds: float = 0.45, seed: int = 0) -> np.ndarray:
    """A 70 dB tone burst over 55 dB noise with a click: rising and falling slopes."""
    rng = np.random.default_rng(seed)
    n = int(seconds * FS)
    x = 20e-6 * 10 ** (55 / 20) * rng.standard_normal(n)
    burst = tone(1000, 70, 0.1)
    x[n // 4 : n // 4 + burst.size] += burst
    x[n // 2] += 0.5
    return x


@pytest.mark.parametrize("field", ["free", "diffuse"])
def test_short_signal_full_output_matches_mosqito(field: str) -> None:
    x = short_mixture()
    assert_matches_mosqito(loudness_zwtv(x, FS, field), loudness_zwtv_mosqito(x, FS, field))


def output_steps(samples: int) -> int:
    """mosqito's count: a level every 24 samples, an output every 4th level."""
    levels = (samples + 23) // 24
    return (levels + 3) // 4


@pytest.mark.parametrize("length", [25, 95, 96, 97, 4801])
def test_length_and_time_base_match_mosqito(length: int) -> None:
    x = short_mixture(0.2, seed=length)[:length]
    ours, ref = loudness_zwtv(x, FS), loudness_zwtv_mosqito(x, FS)
    assert ours.n.size == ref.n.size == output_steps(length)
    assert_matches_mosqito(ours, ref)


@pytest.mark.parametrize("length", [1, 23, 24])
def test_one_step_signals(length: int) -> None:
    """Up to 24 samples give one value (mosqito 1.2.1 itself fails on them)."""
    result = loudness_zwtv(short_mixture(0.2)[:length], FS)
    assert result.n.shape == result.time.shape == (1,)
    assert result.n_specific.shape == (L.N_BARK, 1) and result.time[0] == 0


def test_diffuse_field_correction_direction() -> None:
    """Table A.4: a diffuse field is louder than a free one at 1 kHz, softer at 4 kHz."""
    for freq, louder in ((1000, True), (4000, False)):
        x = tone(freq, 60, 0.3)
        diffuse, free = loudness_zwtv(x, FS, "diffuse").n[-1], loudness_zwtv(x, FS, "free").n[-1]
        assert (diffuse > free) == louder, (freq, diffuse, free)


# --- Acceptance 4: inputs that break naive DSP ------------------------------------------------


def test_digital_silence_is_zero() -> None:
    result = loudness_zwtv(np.zeros(3 * FS), FS)
    assert result.n.shape == (1500,)
    assert np.all(result.n == 0) and np.all(result.n_specific == 0)
    assert np.all(np.isfinite(result.time))
    assert result.nmax == result.n5 == result.n10 == 0


def test_full_scale_square_wave() -> None:
    """A full-scale square wave at the authors' calibration (about 103 dB SPL)."""
    t = np.arange(int(0.4 * FS)) / FS
    x = np.sign(np.sin(2 * np.pi * 100 * t)) * PASCAL_PER_UNIT
    ours, ref = loudness_zwtv(x, FS), loudness_zwtv_mosqito(x, FS)
    assert np.all(np.isfinite(ours.n)) and ours.nmax > 50
    assert_matches_mosqito(ours, ref)


def test_single_sample_spike() -> None:
    x = np.zeros(int(0.4 * FS))
    x[FS // 10] = PASCAL_PER_UNIT
    ours, ref = loudness_zwtv(x, FS), loudness_zwtv_mosqito(x, FS)
    assert np.all(np.isfinite(ours.n)) and np.all(ours.n >= 0)
    assert ours.nmax > 0 and ours.n[: FS // 10 // 96].max() == 0
    assert_matches_mosqito(ours, ref)


def test_ten_minutes_of_noise_stay_under_1_gb() -> None:
    """Peak resident memory of a process that makes 10 minutes of 44.1 kHz noise and measures
    it (resampled on the way); the call adds little more than its result (N' is 288 MB)."""
    script = PEAK_MB + textwrap.dedent(
        """
        import numpy as np
        from llm_ssd.loudness import loudness_zwtv
        x = np.random.default_rng(0).standard_normal(600 * 44100, dtype=np.float32)
        x *= 0.02  # 60 dB SPL
        before = peak_mb() * 2**20
        result = loudness_zwtv(x, 44100)
        assert result.n.shape == (300000,) and np.isfinite(result.n).all()
        assert result.n_specific.shape == (240, 300000)
        peak = peak_mb() * 2**20
        print(before, peak, float(np.median(result.n)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    before, peak, median = (float(v) for v in done.stdout.split())
    assert peak < MEMORY_LIMIT, f"peak RSS {peak / 2**20:.0f} MiB"
    assert peak - before < CALL_MEMORY_LIMIT, f"the call added {(peak - before) / 2**20:.0f} MiB"
    assert 5 < median < 20  # white noise at 60 dB SPL: about 10 sone


@pytest.mark.parametrize("field", ["free", "diffuse"])
def test_skipping_specific_loudness_keeps_total_loudness(field: str) -> None:
    """Without N' the result holds no N' array, and N(t) and the time base are bit-identical;
    over two blocks, so that the first block's second pass is covered too."""
    x = short_mixture(9.0)
    full, total_only = loudness_zwtv(x, FS, field), loudness_zwtv(x, FS, field, specific=False)
    assert total_only.n_specific is None and full.n_specific is not None
    np.testing.assert_array_equal(total_only.n, full.n)
    np.testing.assert_array_equal(total_only.time, full.time)
    for length in (0, 1, 97):
        short = loudness_zwtv(x[:length], FS, specific=False)
        assert short.n_specific is None
        np.testing.assert_array_equal(short.n, loudness_zwtv(x[:length], FS).n)


def test_skipping_specific_loudness_saves_its_memory(monkeypatch) -> None:
    """The peak of numpy's allocations (traced) drops by at least N' itself. One thread, so
    that the peak does not depend on how the blocks of two threads happen to overlap."""
    monkeypatch.setattr(pipeline, "_THREADS", threading.local())  # this thread: the default
    x = short_mixture(20.0)
    for specific in (True, False):  # compile both variants before measuring
        loudness_zwtv(x[:FS], FS, specific=specific)

    def peak(specific: bool) -> int:
        tracemalloc.start()
        try:
            loudness_zwtv(x, FS, specific=specific)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    n_specific_bytes = (
        L.N_BARK * output_steps(x.size) * np.dtype(L.SPECIFIC_LOUDNESS_DTYPE).itemsize
    )
    with_n_specific, without = peak(True), peak(False)
    assert with_n_specific - without >= 0.9 * n_specific_bytes, (with_n_specific, without)


def test_features_keep_total_loudness_only() -> None:
    """The network's features skip N'; N(t) is the full computation's, cut to 500 per second."""
    from llm_ssd.audio.checks import to_pascal
    from llm_ssd.model.inputs import features

    samples = (0.1 * np.sin(np.arange(3 * FS) / 7.6)).astype(np.float32)
    _, loud, _ = features(samples, FS)
    assert loud.n_specific is None and loud.n.shape == loud.time.shape == (1500,)
    np.testing.assert_array_equal(loud.n, loudness_zwtv(to_pascal(samples), FS).n[:1500])


@pytest.mark.parametrize("rate", [8000, 192000])
def test_other_sample_rates_give_the_48k_loudness(rate: int) -> None:
    """A 1 kHz tone at 60 dB is as loud at 8 kHz and 192 kHz as at 48 kHz."""
    seconds = 0.5
    ours = loudness_zwtv(tone(1000, 60, seconds, rate), rate)
    ref = loudness_zwtv(tone(1000, 60, seconds), FS)
    assert ours.n.shape == ref.n.shape and ours.time.shape == ref.time.shape
    steady = slice(ref.n.size // 2, -10)
    np.testing.assert_allclose(ours.n[steady], ref.n[steady], rtol=REL_TOLERANCE)


def test_44k_resampling_agrees_with_mosqitos_fft_resampling() -> None:
    """soxr (ours) and scipy's FFT resampling (mosqito's below 48 kHz) agree at 44.1 kHz."""
    rate = 44100
    x = short_mixture(0.5)[: int(0.5 * rate)]  # any signal will do
    ours, ref = loudness_zwtv(x, rate), loudness_zwtv_mosqito(x, rate)
    assert ours.n.shape == ref.n.shape
    np.testing.assert_allclose(ours.time, ref.time, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.n, ref.n, rtol=0, atol=1e-3)


def test_192k_ultrasound_is_filtered_out() -> None:
    """Above 24 kHz nothing survives the resampling (no aliasing into the audible bands)."""
    rate = 192000
    result = loudness_zwtv(tone(30000, 90, 0.3, rate, ramp=0.02), rate)
    assert result.nmax == 0.0
    assert loudness_zwtv(tone(3000, 40, 0.3, rate, ramp=0.02), rate).nmax > 0.5


def test_odd_rate_length_follows_mosqito_rule() -> None:
    rate, n = 22050, 12345
    result = loudness_zwtv(np.zeros(n), rate)
    samples = int(FS * n / rate)
    assert result.n.size == output_steps(samples)
    assert result.time[-1] <= samples / FS


# --- Errors, empty input, threads, numba's cache ----------------------------------------------


def test_level_range_thresholds_increase() -> None:
    """The range of Table A.3 is found by counting exceeded thresholds: they must increase."""
    assert np.all(np.diff(tables.DLL_THRESHOLD, axis=0) > 0)


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="field"):
        loudness_zwtv(np.zeros(100), FS, "near")
    with pytest.raises(ValueError, match="1-D"):
        loudness_zwtv(np.zeros((2, 100)), FS)
    with pytest.raises(ValueError, match="NaN"):
        loudness_zwtv(np.array([0.0, np.nan, 0.0]), FS)
    with pytest.raises(ValueError, match="sample rate"):
        loudness_zwtv(np.zeros(100), 0)
    with pytest.raises(ValueError, match="120 dB"):
        loudness_zwtv(tone(100, 130, 0.2), FS)


def test_empty_signal_gives_empty_curves() -> None:
    result = loudness_zwtv(np.zeros(0), FS)
    assert result.n.shape == (0,) and result.n_specific.shape == (L.N_BARK, 0)
    assert result.nmax == 0.0


def test_float32_input_and_concurrent_calls_agree() -> None:
    x = short_mixture(1.0).astype(np.float32)
    expected = loudness_zwtv(x.astype(np.float64), FS)
    results: list[Loudness] = []

    def run() -> None:
        results.append(loudness_zwtv(x, FS))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3
    for result in results:
        np.testing.assert_array_equal(result.n, expected.n)
        np.testing.assert_array_equal(result.n_specific, expected.n_specific)


def test_specific_loudness_integrates_to_total() -> None:
    """N' over 24 Bark (0.1 Bark rows) is the unweighted total of the same step."""
    x = tone(1000, 70, 1.0)
    result = loudness_zwtv(x, FS)
    integral = result.n_specific[:, -1].sum() * 0.1
    assert integral == pytest.approx(result.n[-1], rel=0.02)


@pytest.mark.slow
def test_works_without_a_writable_numba_cache(tmp_path: Path) -> None:
    """With no writable cache directory the kernels compile in memory instead."""
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    env = dict(os.environ)
    env["NUMBA_CACHE_DIR"] = str(blocker / "cache")
    env["NUMBA_CACHE_LOCATOR_CLASSES"] = "UserProvidedCacheLocator"
    script = (
        "import numpy as np; from llm_ssd.loudness import kernels, loudness_zwtv; "
        "r = loudness_zwtv(np.sin(np.arange(4800) / 7.6) * 0.1, 48000); "
        "print(type(kernels.filter_bank._cache).__name__, r.n.size, bool(r.nmax > 0))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], check=False, cwd=REPO, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["NullCache", "50", "True"]


@pytest.mark.parametrize("count", [1, 3])
def test_the_thread_count_does_not_change_the_numbers(monkeypatch, count: int) -> None:
    """The thread policy may give the loudness any number of threads (issue 21): over several
    blocks, N(t) and N'(z, t) are the same bits with `count` threads as with two."""
    x = short_mixture(9.0, seed=4)
    monkeypatch.setattr(pipeline, "_THREADS", threading.local())
    pipeline.set_threads(2)
    two = loudness_zwtv(x, FS)
    pipeline.set_threads(count)
    assert pipeline.threads() == count
    other = loudness_zwtv(x, FS)
    np.testing.assert_array_equal(other.n, two.n)
    np.testing.assert_array_equal(other.n_specific, two.n_specific)
