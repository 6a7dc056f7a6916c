"""PANNs' CNN14 body: six conv blocks (two 3×3 convolutions with BN and ReLU each, 64 → 2048
channels, 2×2 average pooling in the first five), dropout 0.2, the mean over frequency, max +
mean over time, `fc1` (2048) with ReLU, the twelve heads. Without CNN14's `bn0`, STFT and mel
front end or SpecAugment: it takes the normalised log-mel like every other network here."""

from __future__ import annotations

from dataclasses import dataclass

import torch.nn.functional as F
from torch import Tensor, nn

from llm_ssd.model.networks.heads import add_heads, apply_heads


@dataclass(frozen=True)
class PANNsDimensions:
    """Sizes of the CNN14 body; the defaults are the authors'."""

    channels: tuple[int, ...] = (64, 128, 256, 512, 1024, 2048)
    pools: tuple[tuple[int, int], ...] = ((2, 2),) * 5 + ((1, 1),)
    embedding: int = 2048
    dropout: float = 0.2


class ConvBlock(nn.Module):
    """conv → BN → ReLU → conv → BN → ReLU → average pooling."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.bn2 = nn.BatchNorm2d(c_out)

    def forward(self, x: Tensor, pool: tuple[int, int]) -> Tensor:
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return F.avg_pool2d(x, pool)


class PANNs(nn.Module):
    """The CNN14 body (the authors' class `PANNs`); `conv_block1` … `conv_block6`, `fc1`."""

    def __init__(self, dims: PANNsDimensions = PANNsDimensions()) -> None:
        super().__init__()
        self.dims = dims
        c_in = 1
        for i, c_out in enumerate(dims.channels, start=1):
            self.add_module(f"conv_block{i}", ConvBlock(c_in, c_out))
            c_in = c_out
        self.fc1 = nn.Linear(c_in, dims.embedding)
        add_heads(self, dims.embedding)

    def forward(self, log_mel: Tensor) -> dict[str, Tensor]:
        """log_mel: (B, frames, 64), normalised. Returns the raw outputs of the twelve heads."""
        x = log_mel[:, None]
        for i, pool in enumerate(self.dims.pools, start=1):
            block = self.get_submodule(f"conv_block{i}")
            x = F.dropout(block(x, pool), self.dims.dropout, self.training)
        x = x.mean(dim=3)
        x = x.amax(dim=2) + x.mean(dim=2)
        return apply_heads(self, F.relu(self.fc1(x)))
