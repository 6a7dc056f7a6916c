"""The eight networks of the paper's Table V in one registry: for each, its class and
dimensions, the inputs it needs, the frame lengths it accepts and how a window of another length
is brought to them, its published weights (if any) and its published Table V metrics."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import torch
from torch import Tensor, nn

from llm_ssd.audio.checks import NETWORK_MIN_FRAMES
from llm_ssd.errors import UsageError
from llm_ssd.model.networks.ad_cnn import ADCNN, ADCNNDimensions
from llm_ssd.model.networks.baseline_cnn import BaselineCNN, BaselineDimensions
from llm_ssd.model.networks.cnn_transformer import CNNTransformer, CNNTransformerDimensions
from llm_ssd.model.networks.hierarchical_cnn import HierarchicalCNN, HierarchicalDimensions
from llm_ssd.model.networks.mobilenetv2 import MobileNetV2, MobileNetV2Dimensions
from llm_ssd.model.networks.panns import PANNs, PANNsDimensions
from llm_ssd.model.networks.yamnet import YAMNet, YAMNetDimensions
from llm_ssd.model.soundaqnet import ModelDimensions, SoundAQnet
from llm_ssd.model.weights import DEFAULT_CHECKPOINT, FETCH_COMMAND, TABLEV_FILES, PublishedFile

LOG_MEL = "log_mel"
LOUDNESS = "loudness"
FRAMES_30_S = 3001
"""Log-mel frames of a 30-s clip, the length every network was trained on."""
ALL = "all"
"""`model=` meaning every network whose weights are present, side by side."""


@dataclass(frozen=True)
class TableV:
    """A network's published results on the ARAUS test set (SoundSCaper README, one run)."""

    scene_accuracy: float
    """ASC accuracy, %."""
    event_auc: float
    """AEC AUC."""
    paq_mse: float
    """Mean MSE of the 8 PAQs."""

    def line(self) -> str:
        return f"{self.scene_accuracy:.2f} % / {self.event_auc:.2f} / {self.paq_mse:.3f}"


@dataclass(frozen=True)
class Frames:
    """The log-mel lengths a network accepts, and how a window outside them is brought in: a
    network with an upper limit takes `target` frames (looped up to it, or its first `target`
    kept); one with a lower limit only is looped up to `minimum`."""

    minimum: int
    maximum: int | None = None
    target: int = FRAMES_30_S

    def accepts(self, frames: int) -> bool:
        return self.minimum <= frames and (self.maximum is None or frames <= self.maximum)

    def length_for(self, frames: int) -> int:
        """The length a window of `frames` frames is given (itself if accepted)."""
        if self.accepts(frames):
            return frames
        return self.target if self.maximum is not None else self.minimum

    def fit(self, log_mel: Tensor) -> Tensor:
        """(B, frames, 64) brought to an accepted length: repeated from its start up to it
        (as a short clip's audio is looped), or cut to its first frames."""
        frames = log_mel.shape[1]
        length = self.length_for(frames)
        if length > frames:
            log_mel = log_mel.repeat(1, math.ceil(length / frames), 1)
        return log_mel[:, :length]

    def describe(self) -> str:
        if self.maximum is None:
            return f"at least {self.minimum} frames ({(self.minimum - 1) / 100:.2f} s)"
        return f"{self.minimum}–{self.maximum} frames only (30 s)"


@dataclass(frozen=True)
class Network:
    """One network of Table V and everything the rest of the project needs to know about it."""

    name: str
    """Registry name: `analyze(model=...)`, `--model`."""
    label: str
    """Plain name, as the paper writes it."""
    authors_class: str
    builder: type[nn.Module]
    dimensions: type
    inputs: tuple[str, ...]
    frames: Frames
    parameters: int
    """Trainable parameters of the published layout (unused layers included)."""
    published: TableV
    checkpoint: str
    """Its default checkpoint's file name in the weights directory."""
    learning_rate: float
    """Adam's learning rate in the published recipe."""
    weights_note: str = ""
    """Where the authors' trained weights are, for a network without a file here to fetch."""
    uncertainty_weighting: bool = False
    """Its published training combines the 12 losses with learned uncertainty weights
    (SoundAQnet); otherwise they are summed, unweighted."""
    stop_after: int = 10
    """Epochs trained before early stopping may end the training."""

    @property
    def uses_loudness(self) -> bool:
        return LOUDNESS in self.inputs

    @property
    def published_file(self) -> PublishedFile | None:
        """Its checkpoint in the authors' repository, when `weights fetch --model` can get it."""
        return TABLEV_FILES.get(self.checkpoint)

    def build(self) -> nn.Module:
        """The network with its published dimensions, freshly initialised."""
        return self.builder(self.dimensions())

    def how_to_get(self) -> str:
        """The command that gets this network's weights, or trains them."""
        if self.name == SOUNDAQNET.name:
            return FETCH_COMMAND
        if self.published_file is not None:
            return f"{FETCH_COMMAND} --model {self.name}"
        return (
            f"llm-ssd train fit --model {self.name} --features CACHE --labels LABELS "
            f"--out {self.checkpoint.removesuffix('.pth')}"
        )

    def missing_note(self) -> str:
        """Why its weights may be missing, in one clause."""
        if self.name == SOUNDAQNET.name:
            return "fetched from the package index on first use"
        if self.published_file is not None:
            return "its published weights are not here"
        return self.weights_note.removeprefix("; ") + ": train them"

    def missing_weights(self, where: str) -> str:
        """What to say when its default checkpoint is not in the folder `where`."""
        if self.published_file is not None:
            return f"no weights for {self.label} in {where}: run `{self.how_to_get()}`"
        return (
            f"no weights for {self.label} in {where}{self.weights_note}: train them with "
            f"`{self.how_to_get()}`, or put a checkpoint you have at "
            f"{where}/{self.checkpoint} (`llm-ssd weights fetch --model {self.name} --from FILE`)"
        )


SOUNDAQNET = Network(
    "soundaqnet", "SoundAQnet", "SoundAQnet", SoundAQnet, ModelDimensions, (LOG_MEL, LOUDNESS),
    Frames(NETWORK_MIN_FRAMES), 2_701_812, TableV(96.09, 0.94, 1.027), DEFAULT_CHECKPOINT, 5e-4,
    uncertainty_weighting=True, stop_after=0,
)  # fmt: skip
NOT_PUBLISHED = "; the authors' trained weights are not published where this project can fetch them"
NETWORKS: dict[str, Network] = {
    n.name: n
    for n in (
        SOUNDAQNET,
        Network(
            "ad_cnn", "AD_CNN", "AD_CNN", ADCNN, ADCNNDimensions, (LOG_MEL,),
            Frames(3000, 3019), 521_472, TableV(89.30, 0.84, 1.137), "AD_CNN.pth", 1e-4,
        ),
        Network(
            "baseline_cnn", "Baseline CNN", "Baseline_CNN", BaselineCNN, BaselineDimensions,
            (LOG_MEL,), Frames(340), 1_009_900, TableV(88.37, 0.92, 1.250), "Baseline_CNN.pth",
            5e-4,
        ),
        Network(
            "hierarchical_cnn", "Hierarchical CNN", "Hierachical_CNN", HierarchicalCNN,
            HierarchicalDimensions, (LOG_MEL,), Frames(340), 1_009_633,
            TableV(90.68, 0.88, 1.240), "Hierarchical_CNN.pth", 5e-4,
        ),
        Network(
            "mobilenetv2", "MobileNetV2", "MobileNetV2", MobileNetV2, MobileNetV2Dimensions,
            (LOG_MEL,), Frames(32), 2_259_164, TableV(88.79, 0.92, 1.139), "MobileNetV2.pth",
            5e-4, NOT_PUBLISHED,
        ),
        Network(
            "yamnet", "YAMNet", "YAMNet", YAMNet, YAMNetDimensions, (LOG_MEL,), Frames(1),
            3_235_100, TableV(89.17, 0.91, 1.197), "YAMNet.pth", 5e-4, NOT_PUBLISHED,
        ),
        Network(
            "cnn_transformer", "CNN-Transformer", "CNN_Transformer", CNNTransformer,
            CNNTransformerDimensions, (LOG_MEL,), Frames(2980, 3099), 12_293_996,
            TableV(93.10, 0.93, 1.318), "CNN_Transformer.pth", 5e-4, NOT_PUBLISHED,
        ),
        Network(
            "panns", "PANNs (CNN14 body)", "PANNs", PANNs, PANNsDimensions, (LOG_MEL,),
            Frames(32), 79_731_036, TableV(93.28, 0.89, 1.139), "PANNs.pth", 5e-4,
            "; the authors publish theirs (~304 MB) on a file host outside GitHub, with no "
            "checksum this project could pin",
        ),
    )
}  # fmt: skip
"""Every network, SoundAQnet first, then Table V's in the paper's order."""


def is_all(model: str | None) -> bool:
    """Whether `model=` asks for every network side by side."""
    return model is not None and model.strip().lower() == ALL


def network(name: str) -> Network:
    """The network of a registry name (a UsageError naming the choices otherwise)."""
    key = name.strip().lower().replace("-", "_")
    if key not in NETWORKS:
        raise UsageError(f"no network {name!r}: choose one of {', '.join(NETWORKS)}")
    return NETWORKS[key]


@cache
def expected_shapes(name: str) -> dict[str, tuple[int, ...]]:
    """The state_dict shapes of a network's published layout (built without memory)."""
    with torch.device("meta"):
        return {k: tuple(v.shape) for k, v in NETWORKS[name].build().state_dict().items()}


def detect(state: dict[str, Tensor]) -> Network | None:
    """The network whose layout a state_dict has exactly (names and shapes), if any."""
    shapes = {k: tuple(v.shape) for k, v in state.items()}
    return next((n for n in NETWORKS.values() if expected_shapes(n.name) == shapes), None)
