"""Training and evaluation end to end on a tiny ARAUS-layout dataset the tests generate:
synthetic clips named as ARAUS names them, labels in the authors' text formats."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from llm_ssd.analysis import analyze
from llm_ssd.audio.decode import load_audio
from llm_ssd.errors import LLMSSDError, UsageError
from llm_ssd.labels import EVENTS, PAQS, SCENES
from llm_ssd.model.inputs import features
from llm_ssd.model.runtime import LoadedModel, load_model, normalise
from llm_ssd.model.soundaqnet import SoundAQnet
from llm_ssd.model.weights import (
    CHECKPOINT_SHA256,
    DEFAULT_CHECKPOINT,
    ENV_WEIGHTS,
    NORM_FILE,
    available_checkpoints,
    ensure_published,
    weights_dir,
)
from llm_ssd.train.cache import cache_file, clip_features, extract_features, load_features
from llm_ssd.train.dataset import ClipDataset, with_features
from llm_ssd.train.evaluate import evaluate, predict_clips
from llm_ssd.train.fit import TASK_WEIGHTS, TASKS, FitConfig, UncertaintyWeighting, fit, task_losses
from llm_ssd.train.labels import DataError, SplitLabels, iso_from_paq, read_split, write_split
from llm_ssd.train.metrics import compute_metrics

SAMPLE_RATE = 44100
SECONDS = 3.0
"""Short clips keep the loudness cheap; the network needs 2.79 s."""
CLIPS = {"training": 16, "validation": 6, "test": 6}
SPLIT_FOLDS = {"training": (2, 3, 4, 5), "validation": (1,), "test": (0,)}
SCENE_EVENTS = {
    "park": ("Bird", "Animal", "Natural sounds", "Outside, rural or natural", "Wind"),
    "street_traffic": ("Traffic", "Vehicle", "Sounds of things", "Noise"),
    "public_square": ("Human sounds", "Speech", "Music", "Environment and background"),
}
SCENE_PAQ = {
    "park": (4.4, 2.0, 1.4, 3.0, 4.0, 4.5, 1.5, 2.4),
    "street_traffic": (1.6, 3.6, 4.4, 2.4, 2.0, 1.5, 4.5, 3.0),
    "public_square": (3.0, 4.2, 3.0, 4.0, 1.8, 2.8, 2.6, 2.0),
}
MISSING_CLIP = "fold_5_participant_00099_stimulus_01"
"""Listed in the training labels, never written."""
BROKEN_CLIP = "fold_5_participant_00099_stimulus_02"
"""Listed in the training labels; its file is not audio."""
SILENT_TEST_CLIP = 0
"""Test clip given no event at all: an empty line in the events file, skipped by the AUC."""


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "llm_ssd", *args]
    return subprocess.run(
        cmd, capture_output=True, text=True, check=False, env={**os.environ, **(env or {})}
    )


def synthetic_clip(scene: str, rng: np.random.Generator) -> np.ndarray:
    """(samples, 2) float32: chirping tones (park), loud low rumble (street) or modulated
    mid-band babble with a chord (square), at a random level."""
    n = int(SAMPLE_RATE * SECONDS)
    t = np.arange(n) / SAMPLE_RATE
    white = rng.standard_normal(n)
    if scene == "park":
        chirps = np.sin(2 * np.pi * (3000 + 1500 * np.sin(2 * np.pi * 3 * t)) * t)
        x = chirps * (np.sin(2 * np.pi * rng.uniform(1, 3) * t) > 0.3) + 0.02 * white
    elif scene == "street_traffic":
        rumble = np.cumsum(white)
        rumble -= np.convolve(rumble, np.ones(2001) / 2001, mode="same")
        x = 4 * rumble / np.abs(rumble).max() + 0.05 * white
    else:
        babble = np.convolve(white, np.hanning(15), mode="same")
        chord = sum(np.sin(2 * np.pi * f * t) for f in (262, 330, 392))
        x = babble * (1 + np.sin(2 * np.pi * 4 * t)) + 0.3 * chord
    x = x / np.abs(x).max() * rng.uniform(0.1, 0.5)
    return np.stack([x, 0.9 * x], axis=1).astype(np.float32)


def clip_id(split: str, i: int) -> str:
    folds = SPLIT_FOLDS[split]
    return f"fold_{folds[i % len(folds)]}_participant_{10001 + i:05d}_stimulus_{2 + i % 40:02d}"


def make_tiny_araus(root: Path) -> tuple[Path, Path]:
    """ARAUS layout: `soundscapes_augmented/<id>.flac` (as make_augmented_soundscapes.py -of flac
    names them) and the authors' five label files per split. Returns (audio dir, labels dir)."""
    audio_dir, labels_dir = root / "soundscapes_augmented", root / "labels"
    audio_dir.mkdir(parents=True)
    rng = np.random.default_rng(2024)
    for split, count in CLIPS.items():
        scenes = [SCENES[i % len(SCENES)] for i in range(count)]
        ids = [clip_id(split, i) for i in range(count)]
        events = [SCENE_EVENTS[s] for s in scenes]
        if split == "test":
            events[SILENT_TEST_CLIP] = ()
        paq = np.array([SCENE_PAQ[s] for s in scenes]) + rng.normal(0, 0.3, (count, len(PAQS)))
        paq = np.clip(np.round(paq, 1), 1, 5)
        for clip, scene in zip(ids, scenes, strict=True):
            sf.write(audio_dir / f"{clip}.flac", synthetic_clip(scene, rng), SAMPLE_RATE)
        if split == "training":
            ids += [MISSING_CLIP, BROKEN_CLIP]
            scenes += ["park", "park"]
            events += [SCENE_EVENTS["park"]] * 2
            paq = np.vstack([paq, paq[:2]])
            (audio_dir / f"{BROKEN_CLIP}.flac").write_bytes(b"not a flac file\n" * 64)
        iso = iso_from_paq(paq)
        write_split(
            labels_dir, SplitLabels(split, tuple(ids), tuple(scenes), tuple(events), iso, paq)
        )
    return audio_dir, labels_dir


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("araus")
    audio_dir, labels_dir = make_tiny_araus(root)
    return {"root": root, "audio": audio_dir, "labels": labels_dir, "cache": root / "cache"}


@pytest.fixture(scope="module")
def report(tiny):
    return extract_features(tiny["audio"], tiny["labels"], tiny["cache"], workers=2)


@pytest.fixture(scope="module")
def published_weights(tmp_path_factory) -> Path:
    """A weights directory holding copies of the published checkpoints."""
    ensure_published()
    dest = tmp_path_factory.mktemp("weights")
    for name in [*CHECKPOINT_SHA256, NORM_FILE]:
        shutil.copy(weights_dir() / name, dest / name)
    return dest


def test_labels_written_in_the_authors_formats_read_back(tiny):
    test = read_split(tiny["labels"], "test")
    assert len(test) == CLIPS["test"] and test.events[SILENT_TEST_CLIP] == ()
    raw = (tiny["labels"] / "test_set_audio_event_labels.txt").read_bytes()
    assert raw.startswith(b"\r\n") and b"Bird\tAnimal\tNatural sounds\t" in raw
    np.testing.assert_allclose(iso_from_paq(test.paq), test.iso, atol=1e-15)


def test_features_of_every_readable_clip_missing_ones_listed(tiny, report):
    readable = [i for i in read_split(tiny["labels"], "training").ids if "00099" not in i]
    assert report.total == sum(CLIPS.values()) + 2
    assert len(report.extracted) == sum(CLIPS.values()) and not report.cached
    assert set(readable) <= set(report.extracted)
    assert report.missing == [MISSING_CLIP]
    assert list(report.failed) == [BROKEN_CLIP]
    assert "not an audio file" in report.failed[BROKEN_CLIP]
    summary = report.summary()
    assert f"missing: {MISSING_CLIP}" in summary and f"unreadable: {BROKEN_CLIP}" in summary
    assert not cache_file(tiny["cache"], MISSING_CLIP).exists()
    assert not cache_file(tiny["cache"], BROKEN_CLIP).exists()


def test_cached_features_are_the_inference_features(tiny, report):
    clip = report.extracted[3]
    log_mel, loudness = load_features(cache_file(tiny["cache"], clip))
    assert log_mel.shape == (301, 64) and loudness.shape == (1500,)
    samples, sr = load_audio(tiny["audio"] / f"{clip}.flac")
    mel, loud, _ = features(samples, sr)
    np.testing.assert_array_equal(log_mel, mel.numpy())
    np.testing.assert_array_equal(loudness, loud.n.astype(np.float32))


def test_features_resume_without_redoing_finished_clips(tiny, report):
    redo = report.extracted[0]
    cache_file(tiny["cache"], redo).unlink()
    stale = tiny["cache"] / f".{redo}.npz.12345.tmp"  # as an interrupted run leaves it
    stale.write_bytes(b"partial")
    kept = {p: p.stat().st_mtime_ns for p in tiny["cache"].glob("*.npz")}
    done = run_cli("train", "features", "--audio", str(tiny["audio"]), "--labels",
                   str(tiny["labels"]), "--out", str(tiny["cache"]), "--workers", "2")  # fmt: skip
    assert done.returncode == 1, done.stderr  # incomplete: a clip is missing, one is unreadable
    total = sum(CLIPS.values()) + 2
    assert f"{total} clips: 1 extracted, {total - 3} already cached, 1 missing, 1 unreadable" in (
        done.stderr
    )
    assert f"missing: {MISSING_CLIP}" in done.stderr and f"unreadable: {BROKEN_CLIP}" in done.stderr
    assert cache_file(tiny["cache"], redo).exists() and not stale.exists()
    assert {p: p.stat().st_mtime_ns for p in kept} == kept


def test_fit_evaluate_and_analyze_a_trained_checkpoint(tiny, report, tmp_path, monkeypatch):
    weights = tmp_path / "weights"
    env = {ENV_WEIGHTS: str(weights)}
    done = run_cli("train", "fit", "--features", str(tiny["cache"]), "--labels",
                   str(tiny["labels"]), "--out", str(weights / "tiny.pth"), "--epochs", "2",
                   "--batch-size", "4", "--lr", "1e-3", "--device", "cpu", "--seed", "0",
                   env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    print(done.stdout)
    assert "2 training clips have no features" in done.stdout
    assert done.stdout.count("epoch ") >= 2 and "validation:" in done.stdout
    history = [
        json.loads(line) for line in (weights / "tiny.history.jsonl").read_text().splitlines()
    ]
    assert [h["epoch"] for h in history] == [1, 2]
    assert history[1]["train"]["total"] < history[0]["train"]["total"]
    assert set(history[0]["train"]) == {"total", *TASKS}

    checkpoint = torch.load(weights / "tiny.pth", map_location="cpu", weights_only=True)
    assert list(checkpoint) == ["state_dict"]
    SoundAQnet().load_state_dict(checkpoint["state_dict"], strict=True)
    with np.load(weights / "tiny.norm.npz", allow_pickle=False) as norm:
        assert {k: norm[k].shape for k in norm.files} == {
            "mel_mean": (64,), "mel_std": (64,), "loudness_mean": (1,), "loudness_std": (1,)
        }  # fmt: skip
        assert all(norm[k].dtype == np.float32 for k in norm.files)

    out = tmp_path / "metrics.json"
    done = run_cli("evaluate", "--checkpoint", "tiny", "--features", str(tiny["cache"]),
                   "--labels", str(tiny["labels"]), "--split", "test", "--output", str(out),
                   "--device", "cpu", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    for text in ("tiny.pth on test: 6 clips", "ASC Acc. (%)", "AEC AUC", "PAQ MSE", "ISOP MSE",
                 "ISOE MSE", *PAQS, "event AUC over 5 clips (1 without"):  # fmt: skip
        assert text in done.stdout
    metrics = json.loads(out.read_text())
    assert metrics["checkpoint"] == "tiny.pth" and metrics["clips"] == CLIPS["test"]
    assert metrics["event_auc_skipped"] == [clip_id("test", SILENT_TEST_CLIP)]
    assert 0 <= metrics["scene_accuracy"] <= 1 and 0 <= metrics["event_auc"] <= 1
    assert list(metrics["paq_mse"]) == list(PAQS)
    assert all(np.isfinite(metrics[k]) for k in ("isop_mse", "isoe_mse", "paq_mse_mean"))

    monkeypatch.setenv(ENV_WEIGHTS, str(weights))
    assert "tiny.pth" in available_checkpoints()
    result = analyze(tiny["audio"] / f"{clip_id('test', 1)}.flac", checkpoint="tiny")
    assert result.checkpoint == "tiny.pth"
    assert list(result.event_probabilities) == list(EVENTS) and list(result.paq) == list(PAQS)
    assert sum(result.scene_probabilities.values()) == pytest.approx(1, abs=1e-5)
    assert all(0 <= p <= 1 for p in result.event_probabilities.values())
    assert np.isfinite([result.isop, result.isoe, *result.paq.values()]).all()


def test_published_checkpoint_is_evaluated_through_the_same_path(
    tiny, report, published_weights, monkeypatch
):
    monkeypatch.setenv(ENV_WEIGHTS, str(published_weights))
    calls = []
    original = LoadedModel.predict
    monkeypatch.setattr(
        LoadedModel, "predict", lambda self, *a: calls.append(self.name) or original(self, *a)
    )
    metrics = evaluate(DEFAULT_CHECKPOINT.removesuffix(".pth"), tiny["cache"], tiny["labels"],
                       device="cpu", batch_size=4)  # fmt: skip
    assert metrics["checkpoint"] == DEFAULT_CHECKPOINT and metrics["clips"] == CLIPS["test"]
    assert calls == [DEFAULT_CHECKPOINT] * 2  # 6 clips in batches of 4

    # what evaluate scores is what analyze() says about the same file
    labels, _ = with_features(tiny["cache"], read_split(tiny["labels"], "test"))
    model = load_model(DEFAULT_CHECKPOINT, "cpu")
    predictions = predict_clips(model, ClipDataset(tiny["cache"], labels), batch_size=4)
    assert compute_metrics(predictions, labels) == {
        k: v
        for k, v in metrics.items()
        if k not in ("checkpoint", "network", "published", "split", "missing_features")
    }
    assert metrics["network"] == "soundaqnet" and metrics["published"]["paq_mse_mean"] == 1.027
    analysis = analyze(tiny["audio"] / f"{labels.ids[2]}.flac", checkpoint=DEFAULT_CHECKPOINT,
                       device="cpu")  # fmt: skip
    assert predictions["isop"][2] == pytest.approx(analysis.isop, abs=1e-5)
    np.testing.assert_allclose(predictions["paq"][2], list(analysis.paq.values()), atol=1e-5)
    np.testing.assert_allclose(
        predictions["event"][2], list(analysis.event_probabilities.values()), atol=1e-5
    )


def synthetic_cache(root: Path, counts: dict[str, int]) -> tuple[Path, Path]:
    """Random features (no audio) with labels, for training tests that need no loudness."""
    cache, labels_dir = root / "cache", root / "labels"
    cache.mkdir(parents=True)
    rng = np.random.default_rng(7)
    for split, count in counts.items():
        ids = tuple(f"{split}_{i:03d}" for i in range(count))
        for clip in ids:
            np.savez(cache_file(cache, clip),
                     log_mel=rng.normal(-40, 10, (300, 64)).astype(np.float32),
                     loudness=rng.gamma(2, 2, 1500).astype(np.float32))  # fmt: skip
        paq = rng.integers(1, 6, (count, len(PAQS))).astype(float)
        scenes = tuple(SCENES[i % 3] for i in range(count))
        events = tuple(SCENE_EVENTS[s] for s in scenes)
        write_split(labels_dir, SplitLabels(split, ids, scenes, events, iso_from_paq(paq), paq))
    return cache, labels_dir


def test_fit_is_deterministic_with_a_seed(tmp_path):
    cache, labels = synthetic_cache(tmp_path, {"training": 6, "validation": 3})
    runs = {}
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        config = FitConfig(epochs=2, batch_size=3, seed=seed, device="cpu")
        result = fit(cache, labels, tmp_path / f"{name}.pth", config, log=lambda _: None)
        state = torch.load(result.checkpoint, weights_only=True)["state_dict"]
        runs[name] = (state, [h["train"] for h in result.history])
    (a, history_a), (b, history_b), (c, _) = runs["a"], runs["b"], runs["c"]
    assert history_a == history_b
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)
    assert not torch.are_deterministic_algorithms_enabled()  # the setting is restored


def test_fit_needs_a_validation_split(tmp_path):
    cache, labels = synthetic_cache(tmp_path, {"training": 3})
    with pytest.raises(DataError, match=r"validation_set_audio_file_ids\.txt is missing"):
        fit(cache, labels, tmp_path / "x.pth", FitConfig(epochs=1, device="cpu"), log=print)
    done = run_cli("train", "fit", "--features", str(cache), "--labels", str(labels), "--out",
                   str(tmp_path / "x.pth"), "--device", "cpu")  # fmt: skip
    assert done.returncode == 1 and done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr


def test_fit_refuses_a_published_checkpoint_name_and_bad_settings(tmp_path):
    cache, labels = synthetic_cache(tmp_path, {"training": 3, "validation": 3})
    with pytest.raises(UsageError, match="published"):
        fit(cache, labels, tmp_path / DEFAULT_CHECKPOINT, FitConfig(epochs=1), log=print)
    with pytest.raises(UsageError, match="at least 1"):
        fit(cache, labels, tmp_path / "x.pth", FitConfig(epochs=0), log=print)
    assert not (tmp_path / "x.pth").exists()


def test_uncertainty_weighting_formula():
    weighting = UncertaintyWeighting()
    losses = torch.arange(1.0, 13.0)
    alpha = torch.tensor(TASK_WEIGHTS)
    assert TASK_WEIGHTS[:2] == (1.0, 1.0) and set(TASK_WEIGHTS[2:]) == {0.5}
    total = weighting(losses)
    assert total.item() == pytest.approx((alpha * losses).sum().item() + 12 * np.log(2))
    total.backward()
    expected = -2 * alpha * losses + 0.5  # d/dσ of α·L/σ² + log(1 + σ) at σ = 1
    torch.testing.assert_close(weighting.sigma.grad, expected)


def test_task_losses_match_their_definitions():
    torch.manual_seed(0)
    outputs = {"scene": torch.randn(4, 3), "event": torch.randn(4, 15)}
    outputs |= {k: torch.randn(4, 1) for k in ("ISOPls", "ISOEvs", *PAQS)}
    batch = {"scene": torch.tensor([0, 2, 1, 2]), "event": (torch.rand(4, 15) > 0.5).float(),
             "iso": torch.randn(4, 2), "paq": 1 + 4 * torch.rand(4, 8)}  # fmt: skip
    losses = task_losses(outputs, batch)
    assert losses.shape == (len(TASKS),)
    log_softmax = torch.log_softmax(outputs["scene"], -1)
    assert losses[0] == pytest.approx(-log_softmax[range(4), batch["scene"]].mean().item())
    p = torch.sigmoid(outputs["event"])
    bce = -(batch["event"] * p.log() + (1 - batch["event"]) * (1 - p).log()).mean()
    assert losses[1] == pytest.approx(bce.item(), rel=1e-5)
    assert losses[3] == pytest.approx(((outputs["ISOEvs"][:, 0] - batch["iso"][:, 1]) ** 2).mean())
    calm = PAQS.index("calm")
    assert losses[4 + calm] == pytest.approx(
        ((outputs["calm"][:, 0] - batch["paq"][:, calm]) ** 2).mean().item()
    )


def test_training_inputs_are_normalised_as_predict_does():
    torch.manual_seed(1)
    model = SoundAQnet().eval()
    norm = {"mel_mean": torch.randn(64), "mel_std": torch.rand(64) + 0.5,
            "loudness_mean": torch.randn(1), "loudness_std": torch.rand(1) + 0.5}  # fmt: skip
    log_mel, loudness = torch.randn(2, 300, 64) * 10 - 40, torch.rand(2, 1500) * 5
    predicted = LoadedModel(model, norm, "x", "cpu").predict(log_mel, loudness)
    with torch.no_grad():
        out = model(*normalise(norm, log_mel, loudness))
    np.testing.assert_allclose(predicted["isop"], out["ISOPls"][:, 0].numpy(), rtol=1e-6)
    np.testing.assert_allclose(predicted["scene"], torch.softmax(out["scene"], -1).numpy(),
                               rtol=1e-6)  # fmt: skip


def test_clip_features_loop_a_short_clip(tmp_path):
    path = tmp_path / "short.wav"
    sf.write(path, 0.1 * np.random.default_rng(0).standard_normal(16000 * 2), 16000)
    log_mel, loudness, duration, sample_rate = clip_features(path)
    assert duration == 2.0 and sample_rate == 16000
    assert log_mel.shape[0] >= 280 and loudness.shape[0] >= 1395


def test_one_error_family_for_what_a_person_must_fix():
    from llm_ssd.audio.checks import AudioError
    from llm_ssd.model.weights import WeightsError

    for error in (AudioError, WeightsError, DataError, UsageError):
        assert issubclass(error, LLMSSDError)
    assert not issubclass(UsageError, DataError)  # a bad setting is not bad data


def test_cuda_without_a_cuda_device_is_a_usage_error():
    from llm_ssd.model.runtime import resolve_device

    assert resolve_device(None) == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(UsageError, match="no CUDA device"):
            resolve_device("cuda")
