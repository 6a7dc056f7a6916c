"""Decoding, input checks and the log-mel feature."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
import soundfile as sf

from llm_ssd.audio.checks import (
    MAX_DURATION,
    MIN_DURATION,
    NETWORK_MIN_DURATION,
    AudioError,
    TooLong,
    check_audio,
    check_duration,
    loop_to_min_duration,
    resample,
)
from llm_ssd.audio.decode import load_audio, read_clip
from llm_ssd.audio.mel import log_mel_spectrogram

SR = 22050


def tone(seconds: float, sr: int = SR, channels: int = 1, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    mono = (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.repeat(mono[:, None], channels, axis=1) if channels > 1 else mono


def write(path: Path, audio: np.ndarray, sr: int = SR, **kw) -> Path:
    sf.write(path, audio, sr, **kw)
    return path


def ffmpeg_encode(src: Path, dest: Path, *codec: str) -> Path:
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-i", str(src), *codec, str(dest)]
    subprocess.run(cmd, check=True)
    return dest


def test_log_mel_matches_the_authors_features(reference_clip, authors_features):
    audio, sr = load_audio(reference_clip)
    mel = log_mel_spectrogram(resample(audio, sr, 16000)).numpy()
    assert mel.shape == authors_features[0].shape == (3001, 64)
    assert np.abs(mel - authors_features[0]).mean() <= 0.2


def test_log_mel_of_silence_is_the_floor():
    mel = log_mel_spectrogram(np.zeros(16000, np.float32)).numpy()
    assert mel.shape == (101, 64)
    assert np.all(mel == pytest.approx(-100.0))


@pytest.mark.parametrize(
    ("suffix", "codec"),
    [
        (".flac", ()),
        (".ogg", ()),
        (".mp3", ()),
        (".m4a", ("-c:a", "aac")),
        (".webm", ("-c:a", "libopus")),
    ],
)
def test_formats_decode_to_mono_at_their_rate(tmp_path, suffix, codec):
    src = write(tmp_path / "src.wav", tone(2.0, 48000, channels=2), 48000)
    path = (
        write(tmp_path / f"clip{suffix}", tone(2.0, 48000, channels=2), 48000)
        if not codec
        else ffmpeg_encode(src, tmp_path / f"clip{suffix}", *codec)
    )
    audio, sr = load_audio(path)
    assert audio.ndim == 1 and audio.dtype == np.float32
    assert sr == 48000
    assert abs(audio.size / sr - 2.0) < 0.1
    assert 0.15 < np.sqrt(np.mean(audio**2)) < 0.25  # a 0.3-amplitude sine: RMS 0.21


def test_channels_are_averaged(tmp_path):
    stereo = np.stack([tone(1.5), np.full(int(1.5 * SR), 0.1, np.float32)], axis=1)
    audio, _ = load_audio(write(tmp_path / "s.wav", stereo, subtype="FLOAT"))
    np.testing.assert_allclose(audio, stereo.mean(axis=1), atol=1e-6)


def test_six_channels_at_an_odd_rate(tmp_path):
    audio, sr = load_audio(write(tmp_path / "six.wav", tone(1.5, 11025, channels=6), 11025))
    assert sr == 11025 and audio.ndim == 1


def test_not_audio_is_refused_with_a_plain_message(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("this is a text file renamed to .wav\n" * 20)
    with pytest.raises(AudioError, match="not an audio file"):
        load_audio(path)


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        load_audio(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(AudioError, match="no such file"):
        load_audio(tmp_path / "nowhere.wav")


def test_zero_length_audio_is_refused(tmp_path):
    audio, sr = load_audio(write(tmp_path / "zero.wav", np.zeros(0, np.float32)))
    with pytest.raises(AudioError, match="zero length"):
        check_audio(audio, sr, "zero.wav")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_samples_are_refused(tmp_path, bad):
    audio = tone(2.0)
    audio[100] = bad
    decoded, sr = load_audio(write(tmp_path / "bad.wav", audio, subtype="FLOAT"))
    with pytest.raises(AudioError, match="NaN or infinite"):
        check_audio(decoded, sr, "bad.wav")


def test_one_sample_clip_is_refused():
    with pytest.raises(AudioError, match=f"at least {MIN_DURATION:.0f} s"):
        check_audio(np.array([0.5], np.float32), SR, "click.wav")


def test_too_long_audio_is_refused_before_decoding(tmp_path):
    path = write(tmp_path / "long.wav", np.zeros(8000 * 12, np.float32), 8000)
    with pytest.raises(AudioError, match=r"long\.wav is 0:12 long; the limit is 0:10 \(m:ss\)"):
        load_audio(path, max_duration=10.0)


def test_default_limit_is_sixty_minutes(tmp_path):
    sr = 1000  # a tiny rate keeps the 60-minute file small
    path = write(tmp_path / "hour.wav", np.zeros(sr * 3630, np.int16), sr, subtype="PCM_16")
    with pytest.raises(AudioError, match=r"60:30 long; the limit is 60:00"):
        load_audio(path)


@pytest.mark.parametrize(("seconds", "shown"), [(3601, "60:01"), (3600.2, "60:01")])
def test_a_length_just_over_the_limit_reads_longer_than_the_limit(seconds, shown):
    """Issue 25, case 20: 60:01 was "60.0 minutes long; the limit is 60.0 minutes". The
    message says only what anyone can do: the command line's flag is the command line's."""
    with pytest.raises(TooLong) as refused:
        check_duration("walk.wav", seconds, MAX_DURATION)
    message = str(refused.value)
    assert message.startswith(f"walk.wav is {shown} long; the limit is 60:00 (m:ss). Trim it")
    assert "--max-duration" not in message


def test_too_long_compressed_audio_is_refused(tmp_path):
    src = write(tmp_path / "src.wav", tone(6.0, 16000), 16000)
    path = ffmpeg_encode(src, tmp_path / "long.m4a", "-c:a", "aac")
    with pytest.raises(AudioError, match="limit"):
        load_audio(path, max_duration=3.0)


def test_short_clip_is_looped_to_the_network_minimum():
    audio = tone(1.2)
    looped = loop_to_min_duration(audio, SR)
    assert looped.size / SR >= NETWORK_MIN_DURATION
    np.testing.assert_array_equal(looped, np.tile(audio, 3)[: looped.size])


def test_integer_pcm_arrays_are_scaled_to_full_scale():
    wave = tone(1.5)
    as_int16 = np.round(wave * 32767).astype(np.int16)
    as_uint8 = np.round(wave * 127 + 128).astype(np.uint8)
    np.testing.assert_allclose(check_audio(as_int16, SR), wave, atol=1e-4)
    np.testing.assert_allclose(check_audio(as_uint8, SR), wave, atol=1e-2)


def test_complex_samples_are_refused():
    with pytest.raises(AudioError, match="real numbers"):
        check_audio(tone(1.5).astype(np.complex64), SR)


def test_channels_first_arrays_obey_the_length_limit():
    with pytest.raises(AudioError, match="limit"):
        check_audio(np.zeros((2, 20 * 8000), np.float32), 8000, max_duration=10.0)


def test_too_low_sample_rate_is_refused(tmp_path):
    path = write(tmp_path / "slow.wav", np.zeros(30, np.float32), 3)
    with pytest.raises(AudioError, match="3 Hz is too low"):
        read_clip(path)


def test_one_sample_is_said_in_samples():
    with pytest.raises(AudioError, match=r"only 1 sample\(s\) long"):
        check_audio(np.array([0.5], np.float32), 48000)


def test_a_folder_is_not_a_sound_file(tmp_path):
    with pytest.raises(AudioError, match="is a folder"):
        load_audio(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_says_so(tmp_path):
    path = write(tmp_path / "locked.wav", tone(1.5))
    path.chmod(0)
    with pytest.raises(AudioError, match="cannot be read"):
        load_audio(path)


def test_long_compressed_file_names_itself_and_the_limit(tmp_path):
    """Refused from the container's duration, before decoding (tests/test_decode.py: a stream
    that declares none is stopped once past the limit)."""
    src = write(tmp_path / "src.wav", tone(6.0, 16000), 16000)
    path = ffmpeg_encode(src, tmp_path / "walk.m4a", "-c:a", "aac")
    with pytest.raises(AudioError, match=r"walk\.m4a is 0:0[67] long; the limit is 0:03 \(m:ss\)"):
        load_audio(path, max_duration=3.0)
