"""Lengths a header gets wrong (issue 25, cases 7 and 8): a stream's placeholder length is
counted while decoding, under the limit; a header that says less than the file holds is read to
the file's real end, with a warning."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
import soundfile as sf

from llm_ssd.audio.checks import AudioError
from llm_ssd.audio.decode import open_audio
from llm_ssd.audio.lengths import file_length

RATE = 16000
SECONDS = 5


def noise() -> np.ndarray:
    """SECONDS of 16-bit noise, as the float32 values a decoder gives back."""
    pcm = (3000 * np.random.default_rng(0).standard_normal(RATE * SECONDS)).astype(np.int16)
    return pcm.astype(np.float32) / 32768


def wav_declaring(path: Path, data_size: int | None) -> Path:
    """A WAV of `noise()` whose RIFF and data sizes say `data_size` bytes (None: the truth)."""
    sf.write(path, noise(), RATE, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    if data_size is not None:
        at = data.find(b"data")
        data[at + 4 : at + 8] = struct.pack("<I", data_size)
        data[4:8] = struct.pack("<I", 0xFFFFFFFF if data_size == 0xFFFFFFFF else at + data_size)
    path.write_bytes(bytes(data))
    return path


def flac_declaring(path: Path, total_samples: int) -> Path:
    """A FLAC of `noise()` whose STREAMINFO says `total_samples` samples."""
    sf.write(path, noise(), RATE, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    fields = int.from_bytes(data[18:26], "big")  # rate, channels, bits, then 36 bits of total
    data[18:26] = ((fields >> 36 << 36) | total_samples).to_bytes(8, "big")
    path.write_bytes(bytes(data))
    return path


def decoded(path: Path, max_duration: float = 3600.0) -> tuple[np.ndarray, list[str]]:
    stream = open_audio(path, max_duration)
    return np.concatenate(list(stream.blocks())), stream.warnings


def piped(fmt: str, tmp_path: Path) -> Path:
    """What `ffmpeg -i clip.wav -f FMT -` writes to a pipe: the length unknown in the header."""
    source = wav_declaring(tmp_path / "source.wav", None)
    out = tmp_path / f"piped.{fmt}"
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(source), "-f", fmt, "-"]
    with open(out, "wb") as f:
        subprocess.run(cmd, stdout=f, check=True)
    return out


@pytest.mark.parametrize(
    "make",
    [lambda d: wav_declaring(d / "stream.wav", 0xFFFFFFFF),
     lambda d: wav_declaring(d / "zero.wav", 0),
     lambda d: flac_declaring(d / "stream.flac", 0),
     lambda d: piped("wav", d), lambda d: piped("flac", d)],
    ids=["wav-0xFFFFFFFF", "wav-0", "flac-0", "ffmpeg-wav-pipe", "ffmpeg-flac-pipe"],
)  # fmt: skip
def test_a_streamed_file_is_counted_while_decoding(tmp_path, make):
    """Case 7: the placeholder length is no length; all the audio is decoded, no warning, and
    the limit is met by counting, not by the placeholder ("2237.0 minutes")."""
    path = make(tmp_path)
    info = sf.info(str(path))
    assert file_length(path, info.format, info.frames).declared is None
    samples, warnings = decoded(path)
    np.testing.assert_allclose(samples, noise(), atol=1e-6)
    assert warnings == []
    over = rf"^{path.name} is (longer than 0:04 \(m:ss\), the limit|0:05 long; the limit)"
    with pytest.raises(AudioError, match=over):  # counted, or known from the file's size
        decoded(path, max_duration=4.0)


@pytest.mark.parametrize(
    "make",
    [lambda d: wav_declaring(d / "short.wav", RATE * 2),  # 1 s of 16-bit samples
     lambda d: flac_declaring(d / "short.flac", RATE)],
    ids=["wav", "flac"],
)  # fmt: skip
def test_a_header_that_says_less_than_the_file_holds_is_read_to_the_end(tmp_path, make):
    """Case 8: every sample the file holds is analysed, and a warning says the header was
    wrong."""
    path = make(tmp_path)
    samples, (warning,) = decoded(path)
    np.testing.assert_allclose(samples, noise(), atol=1e-6)
    assert warning.startswith(f"{path.name}'s header says 1.0 s of audio, but the file ")
    assert f"holds {SECONDS:.1f} s: it was read to its end" in warning


def test_a_header_that_hides_a_length_over_the_limit_is_refused_before_decoding(tmp_path):
    path = flac_declaring(tmp_path / "short.flac", RATE)
    with pytest.raises(AudioError, match=r"short\.flac is 0:05 long; the limit is 0:03"):
        open_audio(path, max_duration=3.0)


def test_a_whole_file_declares_what_it_holds(tmp_path):
    for path in (
        wav_declaring(tmp_path / "a.wav", None),
        flac_declaring(tmp_path / "a.flac", RATE * SECONDS),
    ):
        info = sf.info(str(path))
        length = file_length(path, info.format, info.frames)
        assert length.declared == RATE * SECONDS and length.held in (None, RATE * SECONDS)
        assert decoded(path)[1] == []
