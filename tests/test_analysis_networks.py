"""analyze() with another network (issue 19): `model="baseline_cnn"` and the others, records that
name the network, windows of any length brought to what a network accepts, networks without
loudness saying so, and `model="all"` side by side on the same features."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_run import run_cli

from llm_ssd.analysis import analyze
from llm_ssd.env import ENV_WEIGHTS
from llm_ssd.model.weights import CHECKPOINT_SHA256, NORM_FILE, WeightsError
from llm_ssd.result import Comparison, NetworkOutput, Prediction

TABLE_V_PUBLISHED = ("ad_cnn", "baseline_cnn", "hierarchical_cnn")


@pytest.mark.parametrize("model", TABLE_V_PUBLISHED)
def test_each_published_network_names_the_reference_clip_park(model, with_tablev, reference_clip):
    a = analyze(reference_clip, model=model)
    assert a.scene == "park"
    record = json.loads(json.dumps(a.to_dict()))
    assert record["network"] == model
    assert record["checkpoint"] == {"ad_cnn": "AD_CNN.pth", "baseline_cnn": "Baseline_CNN.pth",
                                    "hierarchical_cnn": "Hierarchical_CNN.pth"}[model]  # fmt: skip
    assert any("hears the log-mel only, not the loudness" in w for w in a.warnings)
    assert not any("went in changed" in w for w in a.warnings)  # 30 s: taken as it is


def test_soundaqnet_records_name_it_and_say_nothing_of_loudness(with_tablev, reference_clip):
    a = analyze(reference_clip)
    assert a.network == "soundaqnet" and a.to_dict()["network"] == "soundaqnet"
    assert a.comparison is None and a.warnings == ()


def test_the_caption_works_from_any_network(with_tablev, reference_clip):
    from llm_ssd.caption.offline import offline_caption

    text = offline_caption(analyze(reference_clip, model="hierarchical_cnn"))
    assert "park" in text.lower()


def clip(seconds: float, rate: int = 16000) -> np.ndarray:
    rng = np.random.default_rng(int(seconds * 10))
    t = np.arange(int(seconds * rate)) / rate
    return (0.1 * np.sin(2 * np.pi * 1500 * t) + 0.05 * rng.standard_normal(t.size)).astype(
        np.float32
    )


@pytest.mark.parametrize(
    ("model", "seconds", "note"),
    [
        ("ad_cnn", 2.0, "AD_CNN takes 3000–3019 frames only (30 s), so the clip went in changed"),
        ("ad_cnn", 40.0, "each brought to 3001 frames (30 s): a shorter one repeated"),
        ("baseline_cnn", 2.5, "at least 340 frames (3.39 s), so the clip went in changed: its"),
        ("hierarchical_cnn", 12.0, None),
    ],
)
def test_any_length_goes_through_and_a_changed_one_is_said(with_tablev, model, seconds, note):
    a = analyze(clip(seconds), 16000, model=model)
    assert a.scene in a.scene_probabilities and np.isfinite(a.isop)
    changed = [w for w in a.warnings if "went in changed" in w]
    if note is None:
        assert changed == []
    else:
        assert len(changed) == 1 and note in changed[0], changed


def test_a_long_recording_says_how_many_windows_changed(with_tablev):
    a = analyze(clip(75.0), 16000, model="ad_cnn")
    assert [round(w.end - w.start) for w in a.windows] == [30, 30, 15]
    assert any("1 of 3 windows went in changed" in w for w in a.warnings)


def test_all_networks_side_by_side(with_tablev, reference_clip):
    a = analyze(reference_clip, model="all")
    solo = analyze(reference_clip)
    assert a.network == "soundaqnet" and a.checkpoint == solo.checkpoint
    np.testing.assert_array_equal(a.prediction.vector(), solo.prediction.vector())
    c = a.comparison
    assert [o.network for o in c.outputs] == ["soundaqnet", *TABLE_V_PUBLISHED]
    assert [o.uses_loudness for o in c.outputs] == [True, False, False, False]
    for output in c.outputs[1:]:
        alone = analyze(reference_clip, model=output.network).prediction
        np.testing.assert_array_equal(output.prediction.vector(), alone.vector())
    assert c.sentence().startswith("4 of 4 networks: park; they disagree most on ")
    record = json.loads(json.dumps(a.to_dict()))["networks"]
    assert record["agreement"] == c.sentence() and record["scene"] == "park"
    assert [m["network"] for m in record["missing"]] == [
        "mobilenetv2", "yamnet", "cnn_transformer", "panns"
    ]  # fmt: skip
    assert record["missing"][0]["get_weights"].startswith("llm-ssd train fit --model mobilenetv2")


def prediction(scene: str, isoe: float) -> Prediction:
    scenes = {"public_square": 0.1, "park": 0.1, "street_traffic": 0.1} | {scene: 0.8}
    events = dict.fromkeys(Prediction.zero().event_probabilities, 0.5)
    return Prediction(scenes, events, 0.2, isoe, dict.fromkeys(Prediction.zero().paq, 3.0))


def test_the_agreement_sentence_names_the_odd_one_out():
    outputs = tuple(
        NetworkOutput(n, label, f"{n}.pth", n == "a", prediction(scene, isoe))
        for n, label, scene, isoe in [
            ("a", "A", "park", -0.2), ("b", "B", "park", 0.3), ("c", "C", "street_traffic", 0.0)
        ]
    )  # fmt: skip
    line = Comparison(outputs).sentence()
    assert line == (
        "2 of 3 networks: park (C: street); they disagree most on how eventful it is "
        "(ISOE -0.20 to +0.30)."
    )
    same = Comparison(tuple(NetworkOutput("a", "A", "", True, prediction("park", 0.1))
                            for _ in range(2)))  # fmt: skip
    assert same.sentence() == "2 of 2 networks: park; they agree closely on how it feels."


def test_describe_all_goes_on_without_a_networks_weights(with_tablev, tmp_path, reference_clip):
    """The acceptance command: with AD_CNN's weights missing it says how to get them, and
    compares the rest."""
    folder = tmp_path / "weights"
    folder.mkdir()
    for name in [*CHECKPOINT_SHA256, NORM_FILE, "Baseline_CNN.pth", "Hierarchical_CNN.pth"]:
        (folder / name).write_bytes((with_tablev / name).read_bytes())
    done = run_cli("describe", str(reference_clip), "--model", "all", "--format", "json",
                   env={ENV_WEIGHTS: str(folder)})  # fmt: skip
    assert done.returncode == 0, done.stderr
    expected = "not compared: AD_CNN (its published weights are not here): `llm-ssd weights fetch"
    assert expected in done.stderr
    record = json.loads(done.stdout)
    compared = [
        (n["network"], n["checkpoint"], n["scene"]) for n in record["networks"]["per_network"]
    ]
    assert compared == [
        ("soundaqnet", "SoundAQnet_ASC96_AEC94_PAQ1027.pth", "park"),
        ("baseline_cnn", "Baseline_CNN.pth", "park"),
        ("hierarchical_cnn", "Hierarchical_CNN.pth", "park"),
    ]
    assert record["networks"]["agreement"].startswith("3 of 3 networks: park")
    missing = {m["network"]: m["get_weights"] for m in record["networks"]["missing"]}
    assert missing["ad_cnn"] == "llm-ssd weights fetch --model ad_cnn"


def test_a_corrupted_checkpoint_is_left_out_of_the_comparison(with_tablev, tmp_path, monkeypatch):
    folder = tmp_path / "weights"
    folder.mkdir()
    for path in with_tablev.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "AD_CNN.pth").write_bytes(b"not a checkpoint")
    monkeypatch.setenv(ENV_WEIGHTS, str(folder))
    c = analyze(clip(5.0), 16000, model="all").comparison
    assert [o.network for o in c.outputs] == ["soundaqnet", "baseline_cnn", "hierarchical_cnn"]
    why = {name: note for name, _, _, note in c.missing}
    assert why["ad_cnn"].startswith("its checkpoint was not used: ")
    assert "does not match the published sha256" in why["ad_cnn"]


def test_describe_with_a_model_and_csv(with_tablev, reference_clip):
    done = run_cli("describe", str(reference_clip), "--model", "baseline_cnn", "--format", "csv")
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.splitlines()[:2]
    assert "network" in header.split(",")
    assert ",baseline_cnn," in row
    every = run_cli("describe", str(reference_clip), "--model", "all", "--format", "csv")
    assert "networks.agreement" in every.stdout.splitlines()[0].split(",")
    assert "4 of 4 networks: park" in every.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "resnet"], "no network 'resnet': choose one of soundaqnet"),
        (["--model", "all", "--ensemble"], "every network runs with its own checkpoint"),
        (["--model", "ad_cnn", "--ensemble"], "the ensemble is of the four published SoundAQnet"),
    ],
)
def test_a_wrong_model_choice_is_one_line(with_tablev, reference_clip, args, message):
    done = run_cli("describe", str(reference_clip), *args)
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_network_is_a_weights_error(with_tablev, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_WEIGHTS, str(tmp_path))
    with pytest.raises(WeightsError, match="llm-ssd weights fetch --model baseline_cnn"):
        analyze(clip(3.0), 16000, model="baseline_cnn")
