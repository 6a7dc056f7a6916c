"""Decode any sound file to mono float32 in bounded memory.

The header decides the work before a sample is read: a rate above `MAX_SAMPLE_RATE`, more than
`MAX_CHANNELS` channels or a length over the limit is refused. Then the file is read block by
block, each block averaged to mono and, above `WORK_RATE`, resampled as it is read, so memory
holds a block, never the whole multichannel signal. libsndfile reads WAV, FLAC, OGG and MP3;
anything else goes through the ffmpeg that imageio-ffmpeg ships, which downmixes and resamples
itself and streams raw samples through a pipe (no temporary file), stopped once past the limit.
"""

from __future__ import annotations

import errno
import re
import stat
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from llm_ssd.audio.checks import (
    MAX_DURATION,
    RESAMPLE_QUALITY,
    WORK_RATE,
    AudioError,
    check_audio,
    check_duration,
    too_long,
)
from llm_ssd.audio.lengths import FLAC_UNKNOWN_FRAMES, FileLength, file_length

MAX_SAMPLE_RATE = 192_000
"""Highest sample rate accepted: above it a small file can declare gigabytes of samples."""
MAX_CHANNELS = 32
"""Most channels accepted (7.1 is 8, third-order ambisonics 16)."""
READ_BLOCK = 1 << 18
"""Samples (frames × channels) per block read: 1 MB of float32, whatever the channel count."""
FFMPEG_PRECISION = 20
"""Bits of ffmpeg's soxr resampler: soxr's "HQ"."""
RETRY_BLOCK = 4096
"""Frames per read when reading again up to a decoding error (a FLAC frame's usual size)."""
LENGTH_TOLERANCE = 0.5
"""Seconds the decoded audio may fall short of the header's length before a warning."""
PROBE_TIMEOUT = 30.0
"""Seconds ffmpeg may take to read a file's header."""
STALL_TIMEOUT = 60.0
"""Seconds ffmpeg may go without producing a sample before it is stopped."""
FFMPEG_FORMATS = "m4a, aac, mp4, webm, opus, wma, amr"
NOT_AUDIO = (
    "is not an audio file that can be read. Use a sound file such as WAV, FLAC, OGG, MP3 or "
    f"{FFMPEG_FORMATS}."
)
_FFMPEG_AUDIO = re.compile(r"Stream #\d+:\d+.*?: Audio: [^,]+(?:\([^)]*\))*, (\d+) Hz, ([^,]+)")
_FFMPEG_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_CHANNEL_LAYOUTS = {
    "mono": 1,
    "stereo": 2,
    "downmix": 2,
    "quad": 4,
    "hexagonal": 6,
    "octagonal": 8,
    "hexadecagonal": 16,
}
_WAV_DATA_SIZE = re.compile(r"^data\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)
"""libsndfile's log of a WAV whose data chunk declares more bytes than the file holds."""


@dataclass(eq=False)
class AudioStream:
    """A sound's audio as mono float32 blocks at `rate`, to be read once with `blocks()`."""

    name: str
    source_rate: int
    """The file's own sample rate."""
    rate: int
    """The rate of the blocks: the source rate, or `WORK_RATE` above it."""
    declared: float | None
    """Seconds the header declares; None where it declares none."""
    max_duration: float
    read: Callable[[list[str]], Iterator[np.ndarray]]
    """Mono float32 blocks at `read_rate`; it may add to the warnings it is given."""
    read_rate: int
    warnings: list[str] = field(default_factory=list)
    """Set while reading: e.g. the file decoded to less than its header says."""

    def blocks(self) -> Iterator[np.ndarray]:
        """Mono float32 blocks at `rate`; an AudioError once past the length limit."""
        limit = self.max_duration * self.read_rate
        frames = 0
        resampler = None
        if self.rate != self.read_rate:
            import soxr

            resampler = soxr.ResampleStream(
                self.read_rate, self.rate, 1, "float32", RESAMPLE_QUALITY
            )
        for block in self.read(self.warnings):
            frames += block.size
            if frames > limit:
                raise too_long(self.name, None, self.max_duration)
            yield block if resampler is None else resampler.resample_chunk(block)
        if resampler is not None:
            yield resampler.resample_chunk(np.zeros(0, np.float32), last=True)
        decoded = frames / self.read_rate
        if self.declared is not None and self.declared - decoded > LENGTH_TOLERANCE:
            self.warnings.append(
                f"{self.name} decoded to {decoded:.1f} s of audio, but its header says "
                f"{self.declared:.1f} s: the file seems cut short (an interrupted copy or "
                "download?). Only the decoded part was analysed."
            )


def open_audio(path: str | Path, max_duration: float = MAX_DURATION) -> AudioStream:
    """A sound file ready to decode, after the checks its header allows."""
    path = Path(path)
    _check_path(path)
    try:
        return _soundfile_stream(path, max_duration)
    except sf.SoundFileError:
        return _ffmpeg_stream(path, max_duration)


def array_stream(samples: np.ndarray, rate: int, name: str) -> AudioStream:
    """Checked mono samples as a stream (in `READ_BLOCK` views)."""

    def read(_: list[str]) -> Iterator[np.ndarray]:
        for start in range(0, samples.size, READ_BLOCK):
            yield samples[start : start + READ_BLOCK]

    seconds = (samples.size + 1) / rate  # its own length passes: size / rate * rate may round down
    return AudioStream(name, rate, min(rate, WORK_RATE), None, seconds, read, rate)


@dataclass(frozen=True, eq=False)
class DecodedAudio:
    """A sound decoded to the blocks its stream gave, with what the stream said: plain data, to
    send from a decoding process to the one that runs the network (`analyze()` takes it and
    gives what it gives for the file itself, bit for bit)."""

    name: str
    source_rate: int
    rate: int
    blocks: tuple[np.ndarray, ...]
    warnings: tuple[str, ...] = ()

    def stream(self) -> AudioStream:
        """The blocks as a stream again (as often as asked)."""
        seconds = sum(b.size for b in self.blocks) / self.rate
        return AudioStream(
            self.name, self.source_rate, self.rate, None, seconds + 1.0,
            lambda _: iter(self.blocks), self.rate, list(self.warnings),
        )  # fmt: skip


def decode(path: str | Path, max_duration: float = MAX_DURATION) -> DecodedAudio:
    """A sound file decoded whole, as `analyze()` would stream it."""
    stream = open_audio(path, max_duration)
    blocks = tuple(stream.blocks())
    warnings = tuple(stream.warnings)
    return DecodedAudio(stream.name, stream.source_rate, stream.rate, blocks, warnings)


def load_audio(path: str | Path, max_duration: float = MAX_DURATION) -> tuple[np.ndarray, int]:
    """Decode a sound file to mono (channel mean) float32, at its own rate up to `WORK_RATE`."""
    stream = open_audio(path, max_duration)
    blocks = list(stream.blocks())
    audio = np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
    return audio.astype(np.float32, copy=False), stream.rate


def read_clip(path: str | Path, max_duration: float = MAX_DURATION) -> tuple[np.ndarray, int]:
    """A sound file decoded and checked: mono float32 samples safe to analyse, and their rate."""
    audio, sr = load_audio(path, max_duration)
    return check_audio(audio, sr, Path(path).name, max_duration), sr


def _check_path(path: Path) -> None:
    """A readable, non-empty regular file, or an AudioError saying what it is instead (never
    opened when it is not a regular file: opening a FIFO waits for a writer)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise AudioError(f"{path}: no such file.") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise AudioError(
                f"{path}: its symbolic links form a loop, so it leads to no file. Point the link "
                "at the sound file itself."
            ) from None
        raise AudioError(f"{path}: cannot be opened ({exc.strerror}).") from exc
    if stat.S_ISDIR(mode):
        raise AudioError(f"{path} is a folder, not a sound file. Choose a file inside it.")
    if not stat.S_ISREG(mode):  # a FIFO, device or socket may never end: reading would hang
        raise AudioError(
            f"{path} is not a regular file (a pipe, device or socket), so its end is not known. "
            "Save the sound to a file first and give that file."
        )
    try:
        with open(path, "rb") as f:
            empty = not f.read(1)
    except OSError as exc:
        message = f"{path.name} cannot be read ({exc.strerror}). Check its permissions."
        raise AudioError(message) from exc
    if empty:
        raise AudioError(f"{path.name} is empty (0 bytes). Record or choose the clip again.")


def _check_header(
    name: str, rate: int, channels: int | None, seconds: float | None, max_duration: float
) -> None:
    """Refuse, before decoding, what the header says is beyond the limits."""
    if rate <= 0:
        raise AudioError(f"{name}: the file declares no sample rate.")
    if rate > MAX_SAMPLE_RATE:
        raise AudioError(
            f"{name} has a sample rate of {rate} Hz; at most {MAX_SAMPLE_RATE} Hz is accepted. "
            "Export it at 48 kHz (the model needs nothing above 16 kHz)."
        )
    if channels is not None and channels > MAX_CHANNELS:
        raise AudioError(
            f"{name} has {channels} channels; at most {MAX_CHANNELS} are accepted. Export a "
            "stereo or mono mix."
        )
    if seconds is not None:
        check_duration(name, seconds, max_duration)


def _soundfile_stream(path: Path, max_duration: float) -> AudioStream:
    info = sf.info(str(path))
    rate = info.samplerate
    length = file_length(path, info.format, _declared_frames(info))
    unknown = info.frames == FLAC_UNKNOWN_FRAMES  # a streamed FLAC: libsndfile cannot read it
    readable = 0 if unknown else info.frames  # what libsndfile reads
    held = length.held or 0
    if rate > 0 and (unknown or held - readable > LENGTH_TOLERANCE * rate or readable == 0 < held):
        return _to_the_end(path, info, length, max_duration)
    declared = length.declared / rate if rate > 0 and length.declared is not None else None
    _check_header(path.name, rate, info.channels, declared, max_duration)
    return AudioStream(
        path.name,
        rate,
        min(rate, WORK_RATE),
        declared,
        max_duration,
        lambda _: _soundfile_blocks(path),
        rate,
    )


def _to_the_end(
    path: Path, info: sf._SoundFileInfo, length: FileLength, max_duration: float
) -> AudioStream:
    """A file that holds more than its header says (or a stream whose header says nothing),
    decoded by ffmpeg to its real end, counted under the limit, with a warning where the header
    gave a length."""
    rate, held = info.samplerate, (length.held or 0) / info.samplerate
    _check_header(path.name, rate, info.channels, held, max_duration)
    wav_to_end = ("-ignore_length", "1") if info.format == "WAV" else ()
    stream = _ffmpeg_stream(path, max_duration, wav_to_end)
    stream.declared = None  # the header's length is the one thing not to trust
    if length.declared is not None:
        stream.warnings.append(
            f"{path.name}'s header says {length.declared / rate:.1f} s of audio, but the file "
            f"holds {held:.1f} s: it was read to its end. (Its header was not updated when the "
            "recording ended; exporting the file again fixes it.)"
        )
    return stream


def _declared_frames(info: sf._SoundFileInfo) -> int:
    """Frames the header declares: libsndfile counts a cut-short WAV's frames from what the file
    holds, and logs the data size its header declared."""
    found = _WAV_DATA_SIZE.search(info.extra_info or "")
    if found and int(found.group(2)) > 0:
        return round(info.frames * int(found.group(1)) / int(found.group(2)))
    return info.frames


def _soundfile_blocks(path: Path) -> Iterator[np.ndarray]:
    """Mono blocks of `READ_BLOCK` samples; a decoding error ends the audio where the decoder
    lost it (the length check then warns), or is an AudioError before any audio."""
    with sf.SoundFile(str(path)) as f:
        frames_per_block = max(1, READ_BLOCK // f.channels)
        decoded = 0
        while True:
            try:
                block = f.read(frames_per_block, dtype="float32", always_2d=True)
            except sf.LibsndfileError as exc:
                block = _frames_before_error(f, decoded)
                if not decoded and not len(block):
                    raise AudioError(f"{path.name} is damaged ({exc}). Export it again.") from exc
                if len(block):
                    yield block.mean(axis=1)
                return
            if not len(block):
                return
            decoded += len(block)
            yield block.mean(axis=1)


def _frames_before_error(f: sf.SoundFile, decoded: int) -> np.ndarray:
    """The frames a failed read decoded before its error (libsndfile's position says how
    many), read again in small pieces up to the first that fails."""
    reached, pieces = f.tell(), []
    try:
        f.seek(decoded)
        while decoded < reached:
            pieces.append(f.read(min(RETRY_BLOCK, reached - decoded), "float32", always_2d=True))
            decoded += len(pieces[-1])
    except (sf.LibsndfileError, RuntimeError):
        pass
    return np.concatenate(pieces) if pieces else np.zeros((0, f.channels), np.float32)


def _ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _ffmpeg_stream(path: Path, max_duration: float, options: tuple[str, ...] = ()) -> AudioStream:
    """Probe the header with ffmpeg (rate, channels, duration), then decode through a pipe;
    `options` go before the input (`-ignore_length 1`)."""
    cmd = [_ffmpeg_exe(), "-hide_banner", "-nostdin", *options, "-i", str(path)]
    try:
        probe = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            errors="replace",
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise AudioError(f"{path.name} {NOT_AUDIO}") from exc
    audio = _FFMPEG_AUDIO.search(probe.stderr)
    if audio is None:
        raise AudioError(f"{path.name} {NOT_AUDIO}")
    rate, channels = int(audio.group(1)), _channel_count(audio.group(2))
    duration = _FFMPEG_DURATION.search(probe.stderr)
    declared = None
    if duration:
        hours, minutes, seconds = duration.groups()
        declared = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    _check_header(path.name, rate, channels, declared, max_duration)
    out_rate = min(rate, WORK_RATE)

    def read(_: list[str]) -> Iterator[np.ndarray]:
        return _ffmpeg_blocks(path, out_rate, channels, options)

    return AudioStream(path.name, rate, out_rate, declared, max_duration, read, out_rate)


def _channel_count(layout: str) -> int | None:
    """Channels of an ffmpeg channel layout: "stereo", "5.1(side)", "6 channels"; None if
    unknown."""
    layout = layout.strip()
    if layout in _CHANNEL_LAYOUTS:
        return _CHANNEL_LAYOUTS[layout]
    if found := re.match(r"(\d+) channels", layout):
        return int(found.group(1))
    if found := re.match(r"(\d+)\.(\d+)", layout):
        return int(found.group(1)) + int(found.group(2))
    return None


def _ffmpeg_blocks(
    path: Path, rate: int, channels: int | None, options: tuple[str, ...] = ()
) -> Iterator[np.ndarray]:
    """Raw float32 mono at `rate` from ffmpeg's stdout, block by block; ffmpeg is stopped when
    the reader stops (at the length limit, or on any error) or when it stalls."""
    resample = f"aresample={rate}:resampler=soxr:precision={FFMPEG_PRECISION}"
    if channels:  # the channel mean, as for the other formats
        mix = "+".join(f"{1 / channels:.17g}*c{i}" for i in range(channels))
        mono = ["-af", f"pan=mono|c0={mix},{resample}"]
    else:  # a layout ffmpeg did not name: its own downmix
        mono = ["-ac", "1", "-af", resample]
    cmd = [_ffmpeg_exe(), "-nostdin", "-v", "error", *options, "-i", str(path), "-map", "0:a:0",
           *mono, "-f", "f32le", "-"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    last_output = [time.monotonic()]
    stalled = threading.Event()
    done = threading.Event()

    def watch() -> None:
        while not done.wait(1.0):
            if time.monotonic() - last_output[0] > STALL_TIMEOUT:
                stalled.set()
                proc.kill()
                return

    threading.Thread(target=watch, daemon=True).start()
    decoded = 0
    try:
        while chunk := proc.stdout.read(READ_BLOCK * 4):
            last_output[0] = time.monotonic()
            usable = len(chunk) - len(chunk) % 4  # a pipe read ends on a sample at EOF only
            decoded += usable // 4
            yield np.frombuffer(chunk[:usable], dtype="<f4").astype(np.float32)
        if stalled.is_set():
            raise AudioError(f"{path.name}: decoding stalled for {STALL_TIMEOUT:.0f} s; stopped.")
        if proc.wait() != 0 and not decoded:
            raise AudioError(f"{path.name} {NOT_AUDIO}")
    finally:
        done.set()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
