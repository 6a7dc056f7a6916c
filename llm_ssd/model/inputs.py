"""SoundAQnet's two inputs from checked mono audio: the log-mel and the ISO 532-1 loudness."""

from __future__ import annotations

import time

import numpy as np
import torch

from llm_ssd.audio.checks import AudioError, loop_to_min_duration, resample, to_pascal
from llm_ssd.audio.mel import SAMPLE_RATE, log_mel_spectrogram
from llm_ssd.loudness import LOUDNESS_STEP, Loudness, LoudnessRangeError, loudness_zwtv


def features(
    samples: np.ndarray, sample_rate: int, device: str = "cpu"
) -> tuple[torch.Tensor, Loudness, dict[str, float]]:
    """The two inputs of SoundAQnet for checked mono audio: the (frames, 64) log-mel in dB and
    the ISO 532-1 loudness N(t) (calibrated as the authors did; no specific loudness, which the
    network does not use), with the seconds each took. A clip shorter than the network's minimum
    is looped up to it first."""
    samples = loop_to_min_duration(samples, sample_rate)
    t0 = time.perf_counter()
    mel = log_mel_of(samples, sample_rate, device)
    t1 = time.perf_counter()
    loud = loudness_of(samples, sample_rate)
    return mel, loud, {"log_mel": t1 - t0, "loudness": time.perf_counter() - t1}


def log_mel_of(samples: np.ndarray, sample_rate: int, device: str = "cpu") -> torch.Tensor:
    """The (frames, 64) log-mel in dB of audio already looped to the network's minimum."""
    return log_mel_spectrogram(resample(samples, sample_rate, SAMPLE_RATE), device)


def loudness_of(samples: np.ndarray, sample_rate: int) -> Loudness:
    """The loudness N(t) of audio already looped to the network's minimum, `steps` long as the
    authors counted them (15,000 for 30 s)."""
    try:
        # resamples to 48 kHz in blocks; N'(z, t) would be 288 MB for 10 minutes
        loud = loudness_zwtv(to_pascal(samples), sample_rate, specific=False)
    except LoudnessRangeError as exc:
        peak = 20 * np.log10(np.abs(samples).max())
        raise AudioError(
            f"the clip is too loud to measure: {exc} (its peak is {peak:+.0f} dB relative to "
            "full scale). Lower its level so that it peaks below full scale, and try again."
        ) from exc
    steps = round(samples.size / sample_rate / LOUDNESS_STEP)
    return Loudness(loud.n[:steps], None, loud.time[:steps])
