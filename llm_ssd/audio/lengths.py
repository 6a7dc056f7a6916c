"""What a WAV or FLAC header says about its length, against what the file holds.

A stream is written before its length is known: ffmpeg's `-f wav -` leaves the WAV's data size
at 0xFFFFFFFF (other writers leave 0), and a streamed FLAC's STREAMINFO says 0 samples. Such a
length is unknown: the audio is counted while it is decoded, under the limit, never taken from
the placeholder. A header can also say less than the file holds (a recorder stopped before it
rewrote its header): a WAV with bytes past its data chunk that form no chunk, a FLAC whose
frames run past its total. `file_length` finds both from the file's own structure."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

WAV_UNKNOWN_SIZES = (0, 0xFFFFFFFF)
"""Data sizes a streaming writer leaves in a WAV header before the length is known."""
FLAC_UNKNOWN_FRAMES = 2**63 - 1
"""libsndfile's frame count for a FLAC whose STREAMINFO says 0 samples (SF_COUNT_MAX)."""
FLAC_TAIL = 1 << 20
"""Bytes at a FLAC's end searched for its last frames: several of the largest frames."""
_FLAC_SYNC = (b"\xff\xf8", b"\xff\xf9")
"""A FLAC frame's first two bytes: fixed or variable block size."""
_FLAC_BLOCK_SIZES = {1: 192, **{n: 576 << (n - 2) for n in range(2, 6)},
                     **{n: 256 << (n - 8) for n in range(8, 16)}}  # fmt: skip
"""A frame header's block-size codes (6 and 7: the size follows the coded number)."""
_FLAC_RATE_BYTES = {12: 1, 13: 2, 14: 2}
"""Sample-rate codes whose rate follows in the header, and its bytes."""
_CHUNK_ID = range(0x20, 0x7F)
"""Bytes a RIFF chunk's identifier is made of (printable ASCII)."""


@dataclass(frozen=True)
class FileLength:
    """A file's length in frames: what its header declares and what the file holds."""

    declared: int | None
    """Frames the header declares; None where it declares none (a stream)."""
    held: int | None
    """Frames the file's structure shows it holds; None where only decoding can tell."""


def file_length(path: Path, format_name: str, frames: int) -> FileLength:
    """The length of a WAV or FLAC (libsndfile's `format_name`, its `frames`); other formats
    are taken at libsndfile's word."""
    try:
        if format_name == "WAV":
            return _wav_length(path, frames)
        if format_name == "FLAC":
            declared = None if frames in (0, FLAC_UNKNOWN_FRAMES) else frames
            return FileLength(declared, _flac_held_frames(path))
    except struct.error:  # a header cut off: libsndfile's word, and its decoding, decide
        pass
    return FileLength(frames, None)


def _wav_length(path: Path, frames: int) -> FileLength:
    """A WAV's declared frames (None for a streaming placeholder) and, where bytes that form no
    chunk follow its data chunk or the data size is a placeholder, the frames to the file's
    end."""
    with open(path, "rb") as f:
        size = f.seek(0, 2)
        f.seek(0)
        if f.read(4) != b"RIFF" or f.seek(8) != 8 or f.read(4) != b"WAVE":
            return FileLength(frames, None)  # RF64, W64: libsndfile's word
        pos, align = 12, 0
        while pos + 8 <= size:
            f.seek(pos)
            chunk, length = struct.unpack("<4sI", f.read(8))
            if chunk == b"fmt " and length >= 14:
                align = struct.unpack("<12xH", f.read(14))[0]
            if chunk == b"data":
                break
            pos += 8 + length + (length & 1)
        else:
            return FileLength(frames, None)
        start = pos + 8
        if not align:
            return FileLength(frames, None)
        if length in WAV_UNKNOWN_SIZES:
            return FileLength(None, (size - start) // align)
        end = start + length + (length & 1)
        if end >= size:  # the whole data chunk, or a cut-short file (the decoder warns)
            return FileLength(frames, None)
        trailing = _bytes_past_chunks(f, end, size)
    return FileLength(frames, (length + trailing) // align if trailing else None)


def _bytes_past_chunks(f, pos: int, size: int) -> int:
    """Bytes from the first place at or after `pos` that is no RIFF chunk to the file's end."""
    while pos + 8 <= size:
        f.seek(pos)
        header = f.read(8)
        length = struct.unpack_from("<I", header, 4)[0]
        if any(b not in _CHUNK_ID for b in header[:4]) or pos + 8 + length > size:
            return size - pos
        pos += 8 + length + (length & 1)
    return 0


def _flac_held_frames(path: Path) -> int | None:
    """Samples a FLAC's frames hold: where its last frame, chained to the one before it, ends;
    None when the file's end holds no two such frames."""
    with open(path, "rb") as f:
        head = f.read(42)
        size = f.seek(0, 2)
        f.seek(max(0, size - FLAC_TAIL))
        tail = f.read()
    if head[:4] != b"fLaC" or len(head) < 42:
        return None
    nominal = struct.unpack_from(">H", head, 10)[0]  # STREAMINFO's largest block size
    frames = _frame_headers(tail, nominal)
    held = None
    for (_, start_a, size_a), (_, start_b, size_b) in pairwise(frames):
        if start_b == start_a + size_a:
            held = start_b + size_b
    return held


def _frame_headers(data: bytes, nominal: int) -> list[tuple[int, int, int]]:
    """(offset, first sample, samples) of each frame header in `data` whose CRC-8 holds."""
    found = []
    for sync in _FLAC_SYNC:
        pos = data.find(sync)
        while pos >= 0:
            header = _frame_header(data, pos, nominal)
            if header is not None:
                found.append((pos, *header))
            pos = data.find(sync, pos + 1)
    return sorted(found)


def _frame_header(data: bytes, pos: int, nominal: int) -> tuple[int, int] | None:
    """The first sample and block size of the frame header at `pos`, or None if it is none."""
    if pos + 5 > len(data):
        return None
    size_code, rate_code = data[pos + 2] >> 4, data[pos + 2] & 15
    channels, bits, reserved = data[pos + 3] >> 4, (data[pos + 3] >> 1) & 7, data[pos + 3] & 1
    if size_code == 0 or rate_code == 15 or channels > 10 or bits == 3 or reserved:
        return None
    number, end = _utf8_number(data, pos + 4)
    if number is None:
        return None
    if size_code in (6, 7):
        extra = 1 if size_code == 6 else 2
        block = int.from_bytes(data[end : end + extra], "big") + 1
        end += extra
    else:
        block = _FLAC_BLOCK_SIZES[size_code]
    end += _FLAC_RATE_BYTES.get(rate_code, 0)
    if end >= len(data) or _crc8(data[pos:end]) != data[end]:
        return None
    variable = data[pos + 1] == 0xF9
    return (number if variable else number * nominal), block


def _utf8_number(data: bytes, pos: int) -> tuple[int | None, int]:
    """FLAC's UTF-8-like coded frame or sample number at `pos`, and where it ends."""
    if pos >= len(data):
        return None, pos
    first = data[pos]
    extra = next((n for n in range(7) if not (first << n) & 0x80), 7) - 1
    if extra < 0:
        return first, pos + 1
    if extra == 0 or pos + 1 + extra > len(data):
        return None, pos  # a continuation byte, or cut off
    value = first & (0x3F >> extra) if extra < 6 else 0
    for byte in data[pos + 1 : pos + 1 + extra]:
        if byte >> 6 != 2:
            return None, pos
        value = value << 6 | byte & 0x3F
    return value, pos + 1 + extra


def _crc8(data: bytes) -> int:
    """CRC-8 of a FLAC frame header (polynomial x^8 + x^2 + x + 1)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc << 1 ^ 0x07) & 0xFF if crc & 0x80 else crc << 1
    return crc
