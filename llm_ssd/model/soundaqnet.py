"""SoundAQnet: multi-scale CNN towers over log-mel and loudness, a gated graph over the towers,
and one head per task (scene, events, ISOP, ISOE, the 8 PAQs). Plain PyTorch, batchable."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from llm_ssd.labels import EVENTS, PAQS, SCENES

KERNELS: tuple[int, ...] = (3, 5, 7, 9)
"""Kernel sizes of the four parallel towers of each path."""
DILATIONS: tuple[tuple[int, int], ...] = ((1, 1), (2, 1), (3, 1))
"""Dilation of blocks 1, 2 and 3 of every tower."""
DROPOUT = 0.2
"""Dropout after each conv block while training."""
GRAPH_EPS = 1e-6
"""Keeps the gated mean of the graph layer finite."""


@dataclass(frozen=True)
class ModelDimensions:
    """Sizes of SoundAQnet; the defaults are those of the published checkpoints."""

    n_mels: int = 64
    channels: tuple[int, ...] = (16, 32, 64)
    mel_freq_out: int = 5
    """Mel bands left after the mel towers' pooling (64 → 5)."""
    graph_hidden: int = 32
    graph_out: int = 64
    fusion: int = 64
    embedding: int = 512
    scene_embedding: int = 256
    event_embedding: int = 256
    iso_embedding: int = 64
    paq_embedding: int = 128
    n_scenes: int = len(SCENES)
    n_events: int = len(EVENTS)
    n_paqs: int = len(PAQS)

    @property
    def n_nodes(self) -> int:
        """Graph nodes per clip: one per tower (mel k3..k9, then loudness k3..k9)."""
        return 2 * len(KERNELS)


def mel_padding(kernel: int, block: int) -> tuple[int, int]:
    """(time, frequency) padding of block `block` (0, 1, 2) in the mel tower of `kernel`."""
    if kernel == 3:
        return (1, 1) if block == 0 else (0, 0)
    half = kernel // 2
    return (0, half) if block == 0 else (0, half - 1)


def tower_names(kernel: int, loudness: bool) -> list[str]:
    """The checkpoint's names of the three blocks of one tower."""
    suffix = "" if kernel == 3 else f"_kernel_{kernel}"
    suffix += "_loudness" if loudness else ""
    return [f"conv_block{b}{suffix}" for b in (1, 2, 3)]


class ConvBlock(nn.Module):
    """conv → BN → ReLU → conv → BN → ReLU → average pooling."""

    def __init__(
        self,
        c_in: int,
        c_out: int,
        kernel: tuple[int, int],
        padding: tuple[int, int],
        dilation: tuple[int, int],
        pool: tuple[int, int],
    ) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, kernel, padding=padding, dilation=dilation, bias=False)
        self.conv2 = nn.Conv2d(c_out, c_out, kernel, padding=padding, dilation=dilation, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.pool = pool

    def forward(self, x: Tensor) -> Tensor:
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return F.avg_pool2d(x, self.pool)


class GatedGraphConv(nn.Module):
    """Residual gated graph convolution (Bresson & Laurent 2018) on a complete graph with
    self-loops whose edge features are all ones; returns the node features only."""

    def __init__(self, d_in: int, d_out: int) -> None:
        super().__init__()
        self.A, self.B, self.C, self.D, self.E = (nn.Linear(d_in, d_out) for _ in range(5))
        self.bn_node_h = nn.BatchNorm1d(d_out)
        self.bn_node_e = nn.BatchNorm1d(d_out)  # kept for the checkpoint; edges are not output

    def forward(self, h: Tensor, e: Tensor) -> Tensor:
        """h: (B, N, d_in) node features; e: (d_in,) the embedded edge feature shared by all
        edges. Returns (B, N, d_out)."""
        gate = torch.sigmoid(self.D(h)[:, :, None] + self.E(h)[:, None, :] + self.C(e))  # (B,i,j,d)
        message = (gate * self.B(h)[:, :, None]).sum(dim=1)  # sum over sources i
        h_new = self.A(h) + message / (gate.sum(dim=1) + GRAPH_EPS)
        n_batch, n_nodes, d_out = h_new.shape
        h_new = self.bn_node_h(h_new.reshape(n_batch * n_nodes, d_out)).view_as(h_new)
        return F.relu(h_new)


class SoundAQnet(nn.Module):
    """The multi-task network of LLM-SSD; attribute names match the published state_dict."""

    def __init__(self, dims: ModelDimensions = ModelDimensions()) -> None:
        super().__init__()
        self.dims = dims
        self.bn0 = nn.BatchNorm2d(dims.n_mels)
        c_in = (1, *dims.channels[:-1])
        for k in KERNELS:
            for b, name in enumerate(tower_names(k, loudness=False)):
                block = ConvBlock(
                    c_in[b], dims.channels[b], (k, k), mel_padding(k, b), DILATIONS[b], (2, 2)
                )
                self.add_module(name, block)
            self.add_module(f"k_{k}_freq_to_1", nn.Linear(dims.mel_freq_out, 1))
            for b, name in enumerate(tower_names(k, loudness=True)):
                self.add_module(
                    name, ConvBlock(c_in[b], dims.channels[b], (k, 1), (0, 0), DILATIONS[b], (2, 1))
                )
        tower_out = dims.channels[-1]
        self.embedding_h = nn.Linear(tower_out, dims.graph_hidden)
        self.embedding_e = nn.Linear(tower_out, dims.graph_hidden)
        self.layers = nn.ModuleList([GatedGraphConv(dims.graph_hidden, dims.graph_out)])
        for path in ("mel", "loudness"):
            for k in KERNELS:
                self.add_module(
                    f"fc_residual_{path}_k{k}", nn.Linear(tower_out + dims.graph_out, dims.fusion)
                )
        self.fc_all_nodes_to_classification_embeddings = nn.Linear(
            dims.n_nodes * dims.fusion, dims.embedding
        )
        heads = {
            "scene": (dims.scene_embedding, dims.n_scenes),
            "event": (dims.event_embedding, dims.n_events),
            "ISOPls": (dims.iso_embedding, 1),
            "ISOEvs": (dims.iso_embedding, 1),
            **{paq: (dims.paq_embedding, 1) for paq in PAQS},
        }
        for name, (width, n_out) in heads.items():
            self.add_module(f"fc_embedding_{name}", nn.Linear(dims.embedding, width))
            self.add_module(f"fc_final_{name}", nn.Linear(width, n_out))
        self.head_names = tuple(heads)

    def tower(self, x: Tensor, kernel: int, loudness: bool) -> Tensor:
        """One tower: three blocks, then max + mean over time. (B, 64, F')."""
        for name in tower_names(kernel, loudness):
            x = F.dropout(self.get_submodule(name)(x), DROPOUT, self.training)
        return x.amax(dim=2) + x.mean(dim=2)

    def forward(self, log_mel: Tensor, loudness: Tensor) -> dict[str, Tensor]:
        """log_mel: (B, frames, 64) and loudness: (B, steps, 1), both normalised.
        Returns raw outputs: scene and event logits, ISOP, ISOE and one tensor per PAQ."""
        mel_nodes = [self.mel_node(log_mel, k) for k in KERNELS]
        return self.from_nodes(mel_nodes + [self.loudness_node(loudness, k) for k in KERNELS])

    def mel_node(self, log_mel: Tensor, kernel: int) -> Tensor:
        """The graph node of the mel tower of `kernel`, (B, 64): it needs no loudness, so it
        may be computed while the loudness is (`model.windows`)."""
        mel = self.bn0(log_mel[:, None].transpose(1, 3)).transpose(1, 3)  # bands as channels
        return F.relu(
            self.get_submodule(f"k_{kernel}_freq_to_1")(self.tower(mel, kernel, False))[..., 0]
        )

    def loudness_node(self, loudness: Tensor, kernel: int) -> Tensor:
        """The graph node of the loudness tower of `kernel`, (B, 64)."""
        return self.tower(loudness[:, None], kernel, True)[..., 0]

    def from_nodes(self, towers: list[Tensor]) -> dict[str, Tensor]:
        """The raw outputs from the 8 towers' nodes (mel k3..k9, then loudness k3..k9)."""
        nodes = torch.stack(towers, dim=1)  # (B, 8, 64)

        edge = self.embedding_e(torch.ones_like(self.embedding_e.weight[0]))
        graph = self.layers[0](self.embedding_h(nodes), edge)

        names = [f"fc_residual_mel_k{k}" for k in KERNELS]
        names += [f"fc_residual_loudness_k{k}" for k in KERNELS]
        fused = [
            F.gelu(self.get_submodule(name)(torch.cat([nodes[:, n], graph[:, n]], dim=-1)))
            for n, name in enumerate(names)
        ]
        shared = F.gelu(self.fc_all_nodes_to_classification_embeddings(torch.cat(fused, dim=-1)))
        out = {}
        for name in self.head_names:
            hidden = F.gelu(self.get_submodule(f"fc_embedding_{name}")(shared))
            out[name] = self.get_submodule(f"fc_final_{name}")(hidden)
        return out
