"""The audio a live session has heard: chunks as they arrive, the last window for the analysis
and the whole (up to a limit) for Describe, in bounded memory."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np
import soundfile as sf

from llm_ssd.audio.checks import AudioError

INT16_SCALE = 32768.0
"""Full scale of the 16-bit samples the recording is kept in (half the memory of float32)."""


def mono_int16(samples: np.ndarray) -> np.ndarray:
    """A chunk as mono 16-bit samples: channels (the last axis of a 2-D chunk) averaged; float
    chunks taken as full scale ±1, integer ones as 16-bit."""
    data = np.asarray(samples)
    if data.ndim not in (1, 2):
        raise AudioError(f"a live chunk must be 1-D or 2-D samples, not {data.ndim}-D")
    if np.issubdtype(data.dtype, np.floating):
        scaled = data * INT16_SCALE
    elif data.dtype.itemsize > 2:  # 32-bit integer PCM
        scaled = data / 65536.0
    else:
        scaled = data.astype(np.float64)
    if scaled.ndim == 2:
        scaled = scaled.mean(axis=1)
    scaled = np.round(scaled)
    return np.clip(scaled, -INT16_SCALE, INT16_SCALE - 1).astype(np.int16)


class Recording:
    """Everything heard, up to `limit` seconds: the chunks in order, and their count in samples.
    The first chunk's rate is the recording's; a chunk at another rate is refused."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.rate: int | None = None
        self.chunks: deque[np.ndarray] = deque()
        self.samples = 0

    @property
    def seconds(self) -> float:
        """How much has been heard."""
        return self.samples / self.rate if self.rate else 0.0

    @property
    def full(self) -> bool:
        """Whether the limit is reached: later chunks are not kept."""
        return self.rate is not None and self.samples >= self.limit * self.rate

    def add(self, samples: np.ndarray, rate: int) -> int:
        """Keep a chunk (the part within the limit); how many samples were kept."""
        if self.rate is None:
            self.rate = int(rate)
        elif int(rate) != self.rate:
            raise AudioError(f"the microphone changed rate ({self.rate} Hz, then {rate} Hz)")
        room = int(self.limit * self.rate) - self.samples
        chunk = mono_int16(samples)[: max(room, 0)]
        if chunk.size:
            self.chunks.append(chunk)
            self.samples += chunk.size
        return chunk.size

    def last(self, seconds: float) -> np.ndarray:
        """The last `seconds` heard (all of it when less), float32 at full scale ±1."""
        wanted = int(seconds * self.rate) if self.rate else 0
        if not wanted:
            return np.zeros(0, np.float32)
        tail: list[np.ndarray] = []
        count = 0
        for chunk in reversed(self.chunks):
            if count >= wanted:
                break
            tail.append(chunk)
            count += chunk.size
        joined = np.concatenate(tail[::-1]) if tail else np.zeros(0, np.int16)
        return joined[-wanted:].astype(np.float32) / INT16_SCALE

    def write(self, path: Path) -> Path:
        """The whole recording as a 16-bit WAV file."""
        if not self.rate or not self.samples:
            raise AudioError("nothing has been heard yet")
        sf.write(path, np.concatenate(list(self.chunks)), self.rate, subtype="PCM_16")
        return path
