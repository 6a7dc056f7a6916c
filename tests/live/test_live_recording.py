"""What a live session keeps of the microphone (issue 23): mono 16-bit, the last window, the
whole up to a limit, and a WAV of it for Describe."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from llm_ssd.audio.checks import AudioError
from llm_ssd.live.recording import Recording, mono_int16

RATE = 16000


def test_chunks_of_any_format_become_mono_16_bit():
    stereo = np.stack([np.full(10, 1000, np.int16), np.full(10, 3000, np.int16)], axis=1)
    assert mono_int16(stereo).tolist() == [2000] * 10
    assert mono_int16(np.array([0.5, -1.0], np.float32)).tolist() == [16384, -32768]
    assert mono_int16(np.array([65536 * 100], np.int32)).tolist() == [100]


def test_the_last_seconds_and_the_limit():
    recording = Recording(limit=5.0)
    for i in range(7):
        recording.add(np.full(RATE, i * 1000, np.int16), RATE)
    assert recording.full and recording.seconds == 5.0  # seconds 5 and 6 were not kept
    last = recording.last(2.5)
    assert last.size == 2.5 * RATE and last.dtype == np.float32
    assert last[0] * 32768 == pytest.approx(2000) and last[-1] * 32768 == pytest.approx(4000)
    assert recording.last(60).size == 5 * RATE


def test_a_changed_rate_is_refused_and_the_wav_holds_everything(tmp_path):
    recording = Recording(limit=60.0)
    with pytest.raises(AudioError):
        recording.write(tmp_path / "none.wav")
    recording.add(np.arange(RATE, dtype=np.int16), RATE)
    with pytest.raises(AudioError, match="changed rate"):
        recording.add(np.zeros(10, np.int16), 44100)
    data, rate = sf.read(recording.write(tmp_path / "r.wav"), dtype="int16")
    assert rate == RATE and data.tolist() == list(range(RATE))
