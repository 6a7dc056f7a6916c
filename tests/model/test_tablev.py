"""The authors' three published Table V checkpoints (issue 19): fetched and verified against
their pinned sha256 (from a local HTTP server standing in for GitHub, or a local copy), loaded
strictly with weights only, their raw outputs equal to the authors' own classes' within 1e-5, and
end to end from the reference clip."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from cli_run import run_cli
from reference import shared_file

from llm_ssd.labels import PAQS
from llm_ssd.model import weights
from llm_ssd.model.networks.fetch import fetch_network
from llm_ssd.model.networks.registry import NETWORKS
from llm_ssd.model.runtime import load_model
from llm_ssd.model.weights import (
    CHECKPOINT_SHA256,
    NORM_FILE,
    TABLEV_FILES,
    TABLEV_REPOSITORY,
    WeightsError,
    file_sha256,
)

TABLEV_NETWORKS = {f.network: f.name for f in TABLEV_FILES.values()}
"""The three networks with published checkpoints and their files."""
PARITY_ATOL = 1e-5
AUTHORS_KEYS = ("scene", "event", "ISOPls", "ISOEvs", *PAQS)
"""The outputs in the npz files (MODEL/key), the heads' names."""
PARK_SOFTMAX = {"ad_cnn": 0.90, "baseline_cnn": 0.95, "hierarchical_cnn": 1.00}
"""The park probability each gives for the authors' features of the reference clip."""


def authors_model(name: str) -> str:
    """The npz files' key prefix: the checkpoint's stem (AD_CNN, Baseline_CNN, ...)."""
    return TABLEV_NETWORKS[name].removesuffix(".pth")


def test_the_pinned_hashes_and_urls_are_tablev_mds():
    assert {f.name: f.sha256[:12] for f in TABLEV_FILES.values()} == {
        "AD_CNN.pth": "8a09d2813e20",
        "Baseline_CNN.pth": "8b0fc682a7ba",
        "Hierarchical_CNN.pth": "346a443365ff",
    }
    url = TABLEV_FILES["AD_CNN.pth"].url
    assert url == TABLEV_REPOSITORY + "Other_AD_CNN/application/system/model/final_model.pth"
    assert url.startswith("https://raw.githubusercontent.com/Yuanbo2020/SoundSCaper/main/")


def test_the_shared_copies_are_the_published_files(tablev_shared):
    for file in TABLEV_FILES.values():
        path = tablev_shared / file.name
        assert file_sha256(path) == file.sha256 and path.stat().st_size == file.size


@pytest.mark.parametrize("name", list(TABLEV_NETWORKS))
@pytest.mark.parametrize("inputs", ["outputs_random.npz", "outputs_stimulus_13.npz"])
def test_raw_outputs_equal_the_authors_classes(name, inputs, with_tablev):
    reference = np.load(shared_file("tablev", inputs))
    loaded = load_model(model=name, device="cpu")
    assert loaded.network == name and loaded.name == TABLEV_NETWORKS[name]
    assert not loaded.model.training
    with torch.inference_mode():
        out = loaded.model(torch.from_numpy(reference["input"]))
    for key in AUTHORS_KEYS:
        expected = reference[f"{authors_model(name)}/{key}"]
        np.testing.assert_allclose(out[key].numpy(), expected, atol=PARITY_ATOL, rtol=0)


@pytest.mark.parametrize("name", list(TABLEV_NETWORKS))
def test_the_authors_features_name_park(name, with_tablev, authors_features):
    """`predict` on the authors' un-normalised log-mel: their normalisation, the park softmax."""
    mel, _ = authors_features
    out = load_model(model=name, device="cpu").predict(torch.from_numpy(mel)[None], None)
    assert out["scene"][0].argmax() == 1  # park
    assert out["scene"][0, 1] == pytest.approx(PARK_SOFTMAX[name], abs=0.01)


@pytest.mark.parametrize("name", list(TABLEV_NETWORKS))
def test_the_checkpoint_names_its_network(name, with_tablev):
    """A Table V checkpoint chosen by name alone is loaded into its own network."""
    loaded = load_model(TABLEV_NETWORKS[name], device="cpu")
    assert loaded.network == name


def test_a_tampered_table_v_checkpoint_is_refused(with_tablev, tmp_path, monkeypatch):
    folder = tmp_path / "w"
    shutil.copytree(with_tablev, folder)
    monkeypatch.setenv(weights.ENV_WEIGHTS, str(folder))
    path = folder / "Baseline_CNN.pth"
    data = bytearray(path.read_bytes())
    data[-200] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="llm-ssd weights fetch --model baseline_cnn"):
        load_model(model="baseline_cnn")


def test_missing_weights_say_how_to_get_them(tmp_path, monkeypatch, with_tablev):
    folder = tmp_path / "w"
    folder.mkdir()
    for name in [*CHECKPOINT_SHA256, NORM_FILE]:
        shutil.copy(with_tablev / name, folder / name)
    monkeypatch.setenv(weights.ENV_WEIGHTS, str(folder))
    with pytest.raises(WeightsError, match="run `llm-ssd weights fetch --model ad_cnn`"):
        load_model(model="ad_cnn")
    with pytest.raises(WeightsError, match="llm-ssd train fit --model yamnet"):
        load_model(model="yamnet")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def github(tmp_path, tablev_shared):
    """An HTTP server on 127.0.0.1 serving the authors' files, a corrupted copy, a truncated
    one and an oversized one."""
    served = tmp_path / "served"
    served.mkdir()
    for file in TABLEV_FILES.values():
        shutil.copy(tablev_shared / file.name, served / file.name)
    data = bytearray((served / "AD_CNN.pth").read_bytes())
    data[len(data) // 2] ^= 0x01
    (served / "corrupted.pth").write_bytes(bytes(data))
    (served / "truncated.pth").write_bytes(bytes(data[:1000]))
    (served / "oversized.pth").write_bytes(bytes(data) + b"\0" * 4096)
    handler = functools.partial(QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_download_is_verified_and_stored(github, tmp_path):
    dest = tmp_path / "weights"
    written = fetch_network("ad_cnn", url=f"{github}/AD_CNN.pth", dest=dest)
    assert written == [dest / "AD_CNN.pth"]
    assert file_sha256(dest / "AD_CNN.pth") == TABLEV_FILES["AD_CNN.pth"].sha256
    assert leftovers(dest) == ["AD_CNN.pth"]


@pytest.mark.parametrize(
    ("served", "message"),
    [
        ("corrupted.pth", r"is not the published AD_CNN.pth \(sha256 [0-9a-f]{16}…"),
        ("truncated.pth", "is not the published AD_CNN.pth .*1,000 bytes"),
        ("oversized.pth", "longer than the published 2,099,681 bytes"),
        ("absent.pth", "could not download AD_CNN.pth .*HTTP 404"),
    ],
)
def test_a_bad_download_is_a_weights_error_and_not_kept(github, tmp_path, served, message):
    dest = tmp_path / "weights"
    with pytest.raises(WeightsError, match=message):
        fetch_network("ad_cnn", url=f"{github}/{served}", dest=dest)
    assert "AD_CNN.pth" not in leftovers(dest)
    assert not [name for name in leftovers(dest) if name.startswith(".")]  # no temporary file


def test_another_networks_file_is_named(github, tmp_path):
    with pytest.raises(WeightsError, match=r"is not the published Baseline_CNN.pth \(it is AD_CNN"):
        fetch_network("baseline_cnn", url=f"{github}/AD_CNN.pth", dest=tmp_path / "weights")
    assert leftovers(tmp_path / "weights") == []


def test_an_unreachable_server_names_the_other_way(tmp_path):
    with pytest.raises(WeightsError, match="--from FILE"):
        fetch_network("baseline_cnn", url="http://127.0.0.1:9/Baseline_CNN.pth", dest=tmp_path)


def test_the_cli_fetches_from_the_server_and_refuses_a_corrupted_file(github, tmp_path):
    dest = tmp_path / "weights"
    env = {weights.ENV_WEIGHTS: str(dest)}
    done = run_cli("weights", "fetch", "--model", "hierarchical_cnn", "--url",
                   f"{github}/Hierarchical_CNN.pth", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"verified {dest / 'Hierarchical_CNN.pth'}"
    bad = run_cli("weights", "fetch", "--model", "ad_cnn", "--url", f"{github}/corrupted.pth",
                  env=env)  # fmt: skip
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: ") and bad.stderr.count("\n") == 1
    assert "not kept" in bad.stderr and "Traceback" not in bad.stderr
    assert leftovers(dest) == ["Hierarchical_CNN.pth"]


def test_a_local_copy_is_verified_and_a_wrong_one_not_kept(tablev_shared, tmp_path):
    dest = tmp_path / "weights"
    assert fetch_network("baseline_cnn", source=tablev_shared / "Baseline_CNN.pth", dest=dest)
    bad = tmp_path / "copy.pth"
    bad.write_bytes((tablev_shared / "AD_CNN.pth").read_bytes()[:-10])
    with pytest.raises(WeightsError, match=r"is not the published AD_CNN\.pth"):
        fetch_network("ad_cnn", source=bad, dest=dest)
    with pytest.raises(WeightsError, match="cannot read"):
        fetch_network("ad_cnn", source=tmp_path / "nowhere.pth", dest=dest)
    assert leftovers(dest) == ["Baseline_CNN.pth"]


def test_a_network_without_published_weights_takes_a_checkpoint_that_fits(tablev_shared, tmp_path):
    dest = tmp_path / "weights"
    with pytest.raises(WeightsError, match="train them with `llm-ssd train fit --model yamnet"):
        fetch_network("yamnet", dest=dest)
    with pytest.raises(WeightsError, match=r"is not a YAMNet checkpoint.*not kept"):
        fetch_network("yamnet", source=tablev_shared / "Baseline_CNN.pth", dest=dest)
    mine = tmp_path / "mine.pth"
    torch.save({"state_dict": NETWORKS["yamnet"].build().state_dict()}, mine)
    assert fetch_network("yamnet", source=mine, dest=dest) == [dest / "YAMNet.pth"]
    assert leftovers(dest) == ["YAMNet.pth"]


def test_the_weights_list_names_every_network(with_tablev):
    listed = run_cli("weights", "list", env={weights.ENV_WEIGHTS: str(with_tablev)})
    assert listed.returncode == 0, listed.stderr
    for name, spec in NETWORKS.items():
        assert name in listed.stdout and spec.label in listed.stdout
    assert "Baseline CNN: Baseline_CNN.pth" in listed.stdout
    assert "panns" in listed.stdout and "llm-ssd train fit --model panns" in listed.stdout


def test_the_checkpoints_are_never_committed():
    """The authors' repository has no licence file: no checkpoint is in the project's files."""
    import subprocess

    from app_server import ROOT

    tracked = subprocess.run(["git", "ls-files", "*.pth", "*.pt", "*.ckpt"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert tracked == ""
    assert "weights/*" in (ROOT / ".gitignore").read_text().splitlines()
