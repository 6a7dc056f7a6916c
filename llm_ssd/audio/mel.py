"""SoundAQnet's front end: the log-mel spectrogram of 16 kHz audio, as the authors compute it."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import librosa
import numpy as np

if TYPE_CHECKING:
    import torch


SAMPLE_RATE = 16000
"""Sample rate of the log-mel path."""
N_FFT = 512
HOP_LENGTH = 160
"""10 ms at 16 kHz: 100 frames per second."""
N_MELS = 64
MEL_FMIN = 50.0
MEL_FMAX = 8000.0
LOG_FLOOR = 1e-10
"""Power floor before 10·log10 (-100 dB)."""


@cache
def _mel_filters(device: str) -> torch.Tensor:
    import torch

    fb = librosa.filters.mel(
        sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS, fmin=MEL_FMIN, fmax=MEL_FMAX
    )
    return torch.from_numpy(fb).to(device)


def log_mel_spectrogram(audio: np.ndarray | torch.Tensor, device: str = "cpu") -> torch.Tensor:
    """(frames, 64) log-mel in dB of 16 kHz audio: power STFT (512-point periodic Hann, hop
    160, centred, reflect padding), Slaney mel bank 50–8000 Hz, 10·log10(max(x, 1e-10)).
    torch is imported here, not with the module: decoding and the constants need none."""
    import torch

    x = torch.as_tensor(audio, dtype=torch.float32, device=device)
    window = torch.hann_window(N_FFT, periodic=True, device=device)
    stft = torch.stft(
        x, N_FFT, HOP_LENGTH, window=window, center=True, pad_mode="reflect", return_complex=True
    )
    mel = _mel_filters(str(x.device)) @ stft.abs().square()
    return (10.0 * torch.log10(mel.clamp_min(LOG_FLOOR))).T
