"""Decoding whatever a visitor uploads (issue 22): arbitrary bytes, and WAV, FLAC, OGG and MP3
files cut short or with lying headers, give a clear error (LLMSSDError) or checked samples,
never a crash, in bounded memory and time. Fuzzed with Hypothesis (budget: tests/fuzz.py)."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from fuzz import fuzz
from hypothesis import given
from hypothesis import strategies as st

from llm_ssd.audio.decode import read_clip
from llm_ssd.errors import LLMSSDError

RATE = 8000
SECONDS = 2.0
MAX_DURATION = 4.0
"""The length limit of the fuzzed decodes: a header may claim far more."""
FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "VORBIS"),
           ".mp3": ("MP3", "MPEG_LAYER_III")}  # fmt: skip
MAX_PEAK_BYTES = 64 << 20
"""Python-side memory one decode of these small files may take (a header claiming hours of
audio must not make the decoder allocate them)."""
MAX_SECONDS = 60.0
"""Wall time one decode may take, however busy the machine (a hang would take forever)."""
DECODE_EXAMPLES = 25
"""Each decode may start ffmpeg, so these properties run fewer examples than the others."""


def encoded(suffix: str) -> bytes:
    """A 2-s stereo noise clip in one of the four formats."""
    fmt, subtype = FORMATS[suffix]
    noise = np.random.default_rng(7).uniform(-0.3, 0.3, (int(RATE * SECONDS), 2))
    out = io.BytesIO()
    sf.write(out, noise, RATE, format=fmt, subtype=subtype)
    return out.getvalue()


@pytest.fixture(scope="module")
def clips() -> dict[str, bytes]:
    return {suffix: encoded(suffix) for suffix in FORMATS}


def decodes_safely(folder: Path, suffix: str, data: bytes) -> None:
    """The property: checked samples within the limit, or an LLMSSDError; bounded memory and
    time."""
    path = folder / f"upload{suffix}"
    path.write_bytes(data)
    tracemalloc.start()
    started = time.monotonic()
    try:
        audio, rate = read_clip(path, MAX_DURATION)
    except LLMSSDError as exc:
        assert str(exc)
    else:
        assert audio.ndim == 1 and audio.dtype == np.float32 and np.isfinite(audio).all()
        assert rate > 0 and audio.size <= (MAX_DURATION + 1) * rate
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < MAX_PEAK_BYTES and time.monotonic() - started < MAX_SECONDS


SUFFIXES = st.sampled_from(sorted(FORMATS))


@fuzz(DECODE_EXAMPLES)
@given(suffix=SUFFIXES, data=st.binary(max_size=4096))
def test_arbitrary_bytes(tmp_path_factory, suffix, data):
    decodes_safely(tmp_path_factory.mktemp("bytes"), suffix, data)


@fuzz(DECODE_EXAMPLES)
@given(suffix=SUFFIXES, cut=st.floats(0, 1))
def test_a_file_cut_short(tmp_path_factory, clips, suffix, cut):
    data = clips[suffix]
    decodes_safely(tmp_path_factory.mktemp("cut"), suffix, data[: int(len(data) * cut)])


@fuzz(DECODE_EXAMPLES)
@given(suffix=SUFFIXES, at=st.integers(0, 127), junk=st.binary(min_size=1, max_size=16))
def test_a_lying_header(tmp_path_factory, clips, suffix, at, junk):
    data = bytearray(clips[suffix])
    data[at : at + len(junk)] = junk
    decodes_safely(tmp_path_factory.mktemp("header"), suffix, bytes(data))


@fuzz(DECODE_EXAMPLES)
@given(
    channels=st.integers(0, 0xFFFF),
    rate=st.integers(0, 0xFFFFFFFF),
    bits=st.sampled_from([0, 8, 16, 24, 32, 7, 0xFFFF]),
    declared=st.integers(0, 0xFFFFFFFF),
    held=st.integers(0, 8192),
)
def test_a_wav_header_that_claims_anything(tmp_path_factory, channels, rate, bits, declared,
                                           held):  # fmt: skip
    """The sample-rate and channel bombs: a WAV header with any rate, channel count, sample
    size and data length, over a few bytes of samples."""
    block = max(channels * bits // 8, 1) & 0xFFFF
    fmt = struct.pack("<HHIIHH", 1, channels, rate, (rate * block) & 0xFFFFFFFF, block, bits)
    body = b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", declared)
    samples = bytes(np.random.default_rng(held).integers(0, 256, held, dtype=np.uint8))
    data = b"RIFF" + struct.pack("<I", (4 + len(body) + held) & 0xFFFFFFFF) + b"WAVE" + body
    decodes_safely(tmp_path_factory.mktemp("wav"), ".wav", data + samples)
