"""The paper's Table V networks (issue 19): the registry, each network's layout and parameter
count, the frame lengths each accepts, and how any window is brought to them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from llm_ssd.errors import UsageError
from llm_ssd.labels import EVENTS, PAQS, SCENES
from llm_ssd.model.networks.heads import HEADS
from llm_ssd.model.networks.registry import (
    FRAMES_30_S,
    NETWORKS,
    SOUNDAQNET,
    Frames,
    detect,
    expected_shapes,
    network,
)
from llm_ssd.model.runtime import LoadedModel

TABLE_V = ("ad_cnn", "baseline_cnn", "hierarchical_cnn", "mobilenetv2", "yamnet",
           "cnn_transformer", "panns")  # fmt: skip
LIGHT = ("ad_cnn", "baseline_cnn", "hierarchical_cnn", "yamnet", "cnn_transformer")
"""Networks cheap enough to run at full length in every test run."""
PUBLISHED_METRICS = {
    "soundaqnet": (96.09, 0.94, 1.027),
    "ad_cnn": (89.30, 0.84, 1.137),
    "baseline_cnn": (88.37, 0.92, 1.250),
    "hierarchical_cnn": (90.68, 0.88, 1.240),
    "mobilenetv2": (88.79, 0.92, 1.139),
    "yamnet": (89.17, 0.91, 1.197),
    "cnn_transformer": (93.10, 0.93, 1.318),
    "panns": (93.28, 0.89, 1.139),
}
"""The SoundSCaper README's Table V (one run), as `../shared/docs/tablev.md` gives it."""


def test_the_registry_holds_soundaqnet_and_the_seven_networks_of_table_v():
    assert tuple(NETWORKS) == ("soundaqnet", *TABLE_V)
    assert NETWORKS["soundaqnet"] is SOUNDAQNET
    for name, spec in NETWORKS.items():
        published = spec.published
        metrics = (published.scene_accuracy, published.event_auc, published.paq_mse)
        assert metrics == PUBLISHED_METRICS[name]
        assert dataclasses.is_dataclass(spec.dimensions)
        assert spec.uses_loudness == (name == "soundaqnet")
        assert spec.checkpoint.endswith(".pth")
    assert {n for n, s in NETWORKS.items() if s.published_file} == {
        "ad_cnn", "baseline_cnn", "hierarchical_cnn"
    }  # fmt: skip
    assert NETWORKS["ad_cnn"].learning_rate == 1e-4
    assert {s.learning_rate for n, s in NETWORKS.items() if n != "ad_cnn"} == {5e-4}


def test_a_network_is_found_by_its_name_or_a_usage_error_names_the_choices():
    assert network("Baseline-CNN") is NETWORKS["baseline_cnn"]
    with pytest.raises(UsageError, match="choose one of soundaqnet, ad_cnn"):
        network("resnet")


@pytest.mark.parametrize("name", list(NETWORKS))
def test_each_network_has_its_published_parameter_count_and_is_recognised(name):
    spec = NETWORKS[name]
    with torch.device("meta"):
        model = spec.build()
    assert sum(p.numel() for p in model.parameters()) == spec.parameters
    assert detect(model.state_dict()) is spec
    assert set(expected_shapes(name)) == set(model.state_dict())


def test_unused_layers_are_kept_so_the_authors_state_dicts_load_strictly():
    baseline = expected_shapes("baseline_cnn")
    for kept in ("bn0.weight", "conv2.weight", "conv4.weight", "conv6.weight", "bn6.bias"):
        assert kept in baseline
    assert expected_shapes("cnn_transformer")["mha_d_model_to_one.weight"] == (128, 65536)
    assert expected_shapes("ad_cnn")["linear_layer.weight"] == (100, 4800)


@pytest.mark.parametrize("name", TABLE_V)
def test_each_network_gives_the_twelve_outputs(name):
    model = NETWORKS[name].build().eval()
    frames = NETWORKS[name].frames.length_for(400)
    with torch.inference_mode():
        out = model(torch.randn(2, frames, 64))
    assert tuple(out) == HEADS
    sizes = {"scene": len(SCENES), "event": len(EVENTS), **dict.fromkeys(HEADS[2:], 1)}
    assert {k: tuple(v.shape) for k, v in out.items()} == {k: (2, n) for k, n in sizes.items()}
    assert len(HEADS) == 4 + len(PAQS)


LIMITS = {
    "ad_cnn": (3000, 3019),
    "baseline_cnn": (340, None),
    "hierarchical_cnn": (340, None),
    "mobilenetv2": (32, None),
    "yamnet": (1, None),
    "cnn_transformer": (2980, 3099),
    "panns": (32, None),
}


@pytest.mark.parametrize("name", TABLE_V)
def test_the_frame_limits_are_the_networks_own(name):
    """The registry's limits are exactly where the network itself stops working."""
    spec = NETWORKS[name]
    assert (spec.frames.minimum, spec.frames.maximum) == LIMITS[name]
    model = spec.build().eval()

    def runs(frames: int) -> bool:
        try:
            with torch.inference_mode():
                model(torch.zeros(1, frames, 64))
        except RuntimeError:
            return False
        return True

    low, high = LIMITS[name]
    assert runs(low)
    assert low == 1 or not runs(low - 1)
    if high is not None:
        assert runs(high) and not runs(high + 1)


def test_frames_are_looped_from_the_start_or_cut_to_the_first():
    x = torch.arange(5.0)[None, :, None].expand(1, 5, 2)
    looped = Frames(12).fit(x)
    assert looped.shape == (1, 12, 2)
    assert looped[0, :, 0].tolist() == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1]
    fixed = Frames(3, 4, target=3)
    assert fixed.fit(x)[0, :, 0].tolist() == [0, 1, 2]
    assert fixed.fit(x[:, :4]) is not None and fixed.fit(x[:, :4]).shape[1] == 4  # accepted
    assert fixed.fit(x[:, :2])[0, :, 0].tolist() == [0, 1, 0]
    assert Frames(3000, 3019).length_for(4501) == FRAMES_30_S
    assert Frames(3000, 3019).length_for(280) == FRAMES_30_S
    assert Frames(340).length_for(4501) == 4501


@pytest.mark.parametrize("name", LIGHT)
@pytest.mark.parametrize("frames", [280, 1001, 3001, 4501])
def test_every_window_length_the_analysis_makes_goes_through(name, frames):
    """From the shortest clip the audio is looped to (280 frames) to the longest single
    window (45 s): never a failure, whatever the network accepts."""
    spec = NETWORKS[name]
    norm = {"mel_mean": torch.zeros(64), "mel_std": torch.ones(64)}
    loaded = LoadedModel(spec.build().eval(), norm, spec.checkpoint, "cpu", name)
    out = loaded.predict(torch.randn(2, frames, 64), None)
    assert out["scene"].shape == (2, 3) and np.isfinite(out["paq"]).all()
    np.testing.assert_allclose(out["scene"].sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mobilenetv2", "panns"])
def test_the_heavy_networks_take_a_short_and_a_long_window(name):
    spec = NETWORKS[name]
    norm = {"mel_mean": torch.zeros(64), "mel_std": torch.ones(64)}
    loaded = LoadedModel(spec.build().eval(), norm, spec.checkpoint, "cpu", name)
    for frames in (280, 1001):
        assert np.isfinite(loaded.predict(torch.randn(1, frames, 64), None)["isop"]).all()


def test_soundaqnet_needs_its_loudness():
    norm = {k: torch.zeros(1) for k in ("mel_mean", "loudness_mean")}
    norm |= {k: torch.ones(1) for k in ("mel_std", "loudness_std")}
    loaded = LoadedModel(SOUNDAQNET.build().eval(), norm, "x.pth", "cpu")
    with pytest.raises(UsageError, match="needs the loudness"):
        loaded.predict(torch.zeros(1, 300, 64), None)
