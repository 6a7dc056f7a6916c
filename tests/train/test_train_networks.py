"""Training and evaluating every network of Table V (issue 19): one epoch each on the tiny
ARAUS-layout set, with its published recipe, then the paper's metrics beside its published row."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from cli_run import run_cli
from test_train import CLIPS, make_tiny_araus

from llm_ssd.env import ENV_WEIGHTS
from llm_ssd.errors import UsageError
from llm_ssd.model.networks.registry import NETWORKS, detect
from llm_ssd.train.cache import extract_features
from llm_ssd.train.evaluate import evaluate
from llm_ssd.train.fit import FitConfig, PlainSum, UncertaintyWeighting, fit, loss_weighting
from llm_ssd.train.metrics import format_metrics

HEAVY = {"panns"}
"""80 M parameters: a minute or more per epoch on two CPU cores."""


@pytest.fixture(scope="module")
def tiny_cache(tmp_path_factory):
    root = tmp_path_factory.mktemp("araus_networks")
    audio_dir, labels_dir = make_tiny_araus(root)
    extract_features(audio_dir, labels_dir, root / "cache", workers=2)
    return {"cache": root / "cache", "labels": labels_dir, "audio": audio_dir}


def test_each_network_trains_with_its_published_loss():
    assert isinstance(loss_weighting(NETWORKS["soundaqnet"]), UncertaintyWeighting)
    for name in NETWORKS:
        if name != "soundaqnet":
            assert isinstance(loss_weighting(NETWORKS[name]), PlainSum)
            assert NETWORKS[name].stop_after == 10
    assert PlainSum()(torch.tensor([1.0, 2.0, 0.5])).item() == 3.5


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n in HEAVY else n for n in list(NETWORKS)[1:]],
)
def test_one_epoch_of_each_network_then_its_metrics(name, tiny_cache, tmp_path, monkeypatch):
    """Each Table V network (SoundAQnet's training has `test_train.py`'s own test)."""
    monkeypatch.setenv(ENV_WEIGHTS, str(tmp_path))
    lines: list[str] = []
    config = FitConfig(epochs=1, batch_size=4, device="cpu", seed=0, model=name)
    result = fit(tiny_cache["cache"], tiny_cache["labels"], f"{name}_tiny", config, lines.append)
    spec = NETWORKS[name]
    assert f"training {spec.label} on {CLIPS['training']} clips" in "\n".join(lines)
    assert f"lr {spec.learning_rate:g}" in "\n".join(lines)
    assert result.best_epoch == 1 and result.checkpoint == tmp_path / f"{name}_tiny.pth"
    state = torch.load(result.checkpoint, map_location="cpu", weights_only=True)["state_dict"]
    assert detect(state) is spec
    assert np.isfinite(result.history[0]["train"]["total"])
    assert "sigma" not in result.history[0]  # the losses are summed, unweighted

    metrics = evaluate(f"{name}_tiny", tiny_cache["cache"], tiny_cache["labels"], device="cpu",
                       batch_size=4)  # fmt: skip
    assert metrics["network"] == name and metrics["clips"] == CLIPS["test"]
    assert all(np.isfinite(metrics[k]) for k in ("scene_accuracy", "event_auc", "paq_mse_mean"))
    assert metrics["published"]["paq_mse_mean"] == spec.published.paq_mse
    text = format_metrics(metrics, f"{name}_tiny.pth on test")
    assert f"published (paper's Table V, {name}, test split)" in text
    assert f"{spec.published.scene_accuracy:.2f}" in text


def test_the_cli_trains_and_evaluates_a_table_v_network(tiny_cache, tmp_path):
    env = {ENV_WEIGHTS: str(tmp_path)}
    done = run_cli("train", "fit", "--model", "ad_cnn", "--features", str(tiny_cache["cache"]),
                   "--labels", str(tiny_cache["labels"]), "--out", "AD_CNN_mine", "--epochs", "1",
                   "--batch-size", "8", "--device", "cpu", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "training AD_CNN on" in done.stdout and "lr 0.0001" in done.stdout
    out = tmp_path / "m.json"
    done = run_cli("evaluate", "--checkpoint", "AD_CNN_mine", "--features",
                   str(tiny_cache["cache"]), "--labels", str(tiny_cache["labels"]), "--output",
                   str(out), "--device", "cpu", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "89.30" in done.stdout and "published (paper's Table V, ad_cnn" in done.stdout
    assert json.loads(out.read_text())["network"] == "ad_cnn"
    bad = run_cli("train", "fit", "--model", "ad_cnn", "--features", str(tiny_cache["cache"]),
                  "--labels", str(tiny_cache["labels"]), "--out", "AD_CNN", env=env)  # fmt: skip
    assert bad.returncode == 1 and "AD_CNN.pth is a published checkpoint's name" in bad.stderr


def test_a_trained_network_is_analysed_by_its_name(tiny_cache, tmp_path, monkeypatch):
    """A network without published weights, trained to its default name, is `model=NAME`."""
    from llm_ssd.analysis import analyze

    monkeypatch.setenv(ENV_WEIGHTS, str(tmp_path))
    config = FitConfig(epochs=1, batch_size=8, device="cpu", model="yamnet")
    fit(tiny_cache["cache"], tiny_cache["labels"], "YAMNet", config, lambda _: None)
    a = analyze(next(tiny_cache["audio"].glob("*.flac")), model="yamnet")
    assert a.network == "yamnet" and a.checkpoint == "YAMNet.pth"
    with pytest.raises(UsageError, match="no network 'yamnet2'"):
        fit(tiny_cache["cache"], tiny_cache["labels"], "x", FitConfig(model="yamnet2"))
