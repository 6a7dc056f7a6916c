"""Check mono float32 audio and make SoundAQnet's log-mel (decoding is in `decode`)."""

from __future__ import annotations

import math

import librosa
import numpy as np

from llm_ssd.audio.mel import HOP_LENGTH, SAMPLE_RATE
from llm_ssd.errors import LLMSSDError

RESAMPLE_QUALITY = "HQ"
"""soxr quality of every resampling of the project: the decoder's, the loudness's and the
log-mel path's (librosa's `RESAMPLE_TYPE`)."""
RESAMPLE_TYPE = f"soxr_{RESAMPLE_QUALITY.lower()}"
WORK_RATE = 48_000
"""The highest rate any stage reads: ISO 532-1's loudness is defined at 48 kHz. The decoder
resamples audio above it as it reads."""

CALIBRATION_RMS = 0.0070527
"""Digital RMS of the authors' calibration tone (shared/reference/calibration_1kHz_60dB.wav)."""
CALIBRATION_DB_SPL = 60.0
REFERENCE_PRESSURE = 20e-6
"""Pascal at 0 dB SPL."""
PASCAL_PER_UNIT = REFERENCE_PRESSURE * 10 ** (CALIBRATION_DB_SPL / 20) / CALIBRATION_RMS
"""The authors' calibration: a full-scale sine is about 100 dB SPL."""

MAX_DURATION = 3600.0
"""Longest input accepted by default, seconds: 60 minutes (analysed in 30-s windows)."""
MIN_DURATION = 1.0
"""Shorter clips are refused: too little sound to describe a soundscape."""
NETWORK_MIN_FRAMES = 280
"""Fewest log-mel frames SoundAQnet's valid convolutions accept (the 9×9 tower's
16 + 32 + 48 frames of convolution and three halvings)."""
NETWORK_MIN_DURATION = (NETWORK_MIN_FRAMES - 1) * HOP_LENGTH / SAMPLE_RATE
"""2.79 s: clips between MIN_DURATION and this are looped up to it."""


class AudioError(LLMSSDError, ValueError):
    """The input cannot be analysed; the message says why and what to do."""


MIN_SAMPLE_RATE = 8000
"""Lowest sample rate accepted: below it there is hardly anything of the 50–8000 Hz mel range."""
DURATION_HINT = "Trim it to the part you want described."
"""What anyone can do about a recording over the limit; only the command line can also raise
the limit (`cli.describe` adds its flag to `TooLong` messages)."""


class TooLong(AudioError):
    """The audio is longer than the length limit."""


def clock(seconds: float) -> str:
    """Seconds, to the nearest, as m:ss ("60:01"), minutes counted past the hour."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def too_long(name: str, seconds: float | None, max_duration: float) -> TooLong:
    """The refusal of audio over `max_duration` seconds, in m:ss: its length rounded up and the
    limit down, so that the two always differ ("60:01 long; the limit is 60:00"); `seconds`
    None when the length is known only to be past the limit."""
    limit = f"{clock(math.floor(max_duration))} (m:ss)"
    if seconds is None:
        return TooLong(f"{name} is longer than {limit}, the limit. {DURATION_HINT}")
    length = clock(math.ceil(seconds))
    return TooLong(f"{name} is {length} long; the limit is {limit}. {DURATION_HINT}")


def check_duration(name: str, seconds: float, max_duration: float) -> None:
    """Refuse audio longer than `max_duration` seconds."""
    if seconds > max_duration:
        raise too_long(name, seconds, max_duration)


def to_float(audio: np.ndarray, name: str) -> np.ndarray:
    """Samples as float32 in [-1, 1] full scale: integer PCM is scaled by its full scale."""
    audio = np.asarray(audio)
    if audio.dtype.kind == "u":
        half = 2.0 ** (8 * audio.dtype.itemsize - 1)
        return ((audio.astype(np.float64) - half) / half).astype(np.float32)
    if audio.dtype.kind == "i":
        return (audio.astype(np.float64) / 2.0 ** (8 * audio.dtype.itemsize - 1)).astype(np.float32)
    if audio.dtype.kind != "f":
        raise AudioError(f"{name}: samples must be real numbers, got {audio.dtype} values.")
    return audio.astype(np.float32, copy=False)


def check_audio(
    audio: np.ndarray,
    sample_rate: int,
    name: str = "the audio",
    max_duration: float = MAX_DURATION,
) -> np.ndarray:
    """Mono float32 samples that are safe to analyse, or an AudioError saying what is wrong.
    Arrays may be (samples,), (samples, channels) or (channels, samples); integer PCM is
    scaled to full scale."""
    audio = to_float(audio, name)
    if audio.ndim == 2:
        audio = audio.mean(axis=1 if audio.shape[1] < audio.shape[0] else 0)
    if audio.ndim != 1:
        raise AudioError(f"{name}: expected samples × channels, got shape {audio.shape}.")
    check_rate(name, sample_rate)
    if audio.size == 0:
        check_length(name, 0, sample_rate)
    check_duration(name, audio.size / sample_rate, max_duration)
    check_finite(name, audio)
    check_length(name, audio.size, sample_rate)
    return audio


def check_rate(name: str, sample_rate: int) -> None:
    """Refuse a sample rate too low to hold the log-mel's range."""
    if sample_rate < MIN_SAMPLE_RATE:
        raise AudioError(
            f"{name}: a sample rate of {sample_rate} Hz is too low; at least "
            f"{MIN_SAMPLE_RATE} Hz is needed. Record or export it at 16 kHz or more."
        )


def check_finite(name: str, audio: np.ndarray) -> None:
    """Refuse NaN or infinite samples."""
    if not np.isfinite(audio).all():
        bad = int((~np.isfinite(audio)).sum())
        raise AudioError(
            f"{name} has {bad} NaN or infinite sample values, so the file is damaged. "
            "Export it again from the recording program."
        )


def check_length(name: str, size: int, sample_rate: int) -> None:
    """Refuse no audio at all, or less than MIN_DURATION of it."""
    if size == 0:
        raise AudioError(f"{name} holds no audio samples (zero length). Record or choose again.")
    seconds = size / sample_rate
    if seconds < MIN_DURATION:
        length = f"{seconds * 1000:.0f} ms" if seconds >= 0.001 else f"{size} sample(s)"
        raise AudioError(
            f"{name} is only {length} long; at least {MIN_DURATION:.0f} s of "
            "sound is needed to describe a soundscape. Record a longer clip."
        )


def loop_to_min_duration(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Repeat a short clip until the network can read it (it needs NETWORK_MIN_DURATION)."""
    needed = math.ceil(NETWORK_MIN_DURATION * sample_rate) + 1
    if audio.size >= needed:
        return audio
    return np.tile(audio, math.ceil(needed / audio.size))[:needed]


def resample(audio: np.ndarray, orig_sr: int, target_sr: int) -> np.ndarray:
    """High-quality (soxr) resampling; a no-op at the same rate."""
    if orig_sr == target_sr:
        return audio
    return librosa.resample(audio, orig_sr=orig_sr, target_sr=target_sr, res_type=RESAMPLE_TYPE)


def to_pascal(audio: np.ndarray) -> np.ndarray:
    """Digital samples to sound pressure with the authors' calibration."""
    return audio.astype(np.float64) * PASCAL_PER_UNIT
