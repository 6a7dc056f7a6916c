"""Baseline CNN: four convolutions (3×3, 5×5, 7×7, 9×9; 16 → 128 channels) with max-pooling,
the mean over time, the twelve heads. Its trunk is shared by the Hierarchical CNN and the
CNN-Transformer. The authors' class also defines `bn0` and a second convolution per stage
(`conv2/4/6`, `bn2/4/6`) that its forward never uses: they are kept, so that the published
state_dict loads strictly, and stay unused."""

from __future__ import annotations

from dataclasses import dataclass

import torch.nn.functional as F
from torch import Tensor, nn

from llm_ssd.model.networks.heads import add_heads, apply_heads


@dataclass(frozen=True)
class BaselineDimensions:
    """Sizes of the Baseline CNN's trunk; the defaults are those of the published checkpoints."""

    n_mels: int = 64
    channels: tuple[int, ...] = (16, 32, 64, 128)
    kernels: tuple[int, ...] = (3, 5, 7, 9)
    paddings: tuple[int, ...] = (1, 1, 1, 0)
    pools: tuple[tuple[int, int], ...] = ((2, 2), (3, 2), (4, 1), (5, 2))
    unused_paddings: tuple[tuple[int, int], ...] = ((1, 1), (2, 2), (2, 0))
    """Padding of the unused `conv2`, `conv4`, `conv6` (they shape nothing but the state_dict)."""

    @property
    def width(self) -> int:
        """Features per clip after the trunk and the mean over time."""
        return self.channels[-1]

    def time_out(self, frames: int) -> int:
        """Time steps the trunk leaves of `frames` input frames (< 1: too short)."""
        t = frames
        for kernel, pad, (pool, _) in zip(self.kernels, self.paddings, self.pools, strict=True):
            t = (t + 2 * pad - kernel + 1) // pool
        return t

    def freq_out(self) -> int:
        f = self.n_mels
        for kernel, pad, (_, pool) in zip(self.kernels, self.paddings, self.pools, strict=True):
            f = (f + 2 * pad - kernel + 1) // pool
        return f


class BaselineTrunk(nn.Module):
    """The conv trunk: `bn0` (unused), then per stage `conv{2i-1}` → `bn{2i-1}` → ReLU →
    max-pool, with `conv{2i}`/`bn{2i}` beside it unused. (B, frames, 64) → (B, 128, T', 1)."""

    def __init__(self, dims: BaselineDimensions = BaselineDimensions()) -> None:
        super().__init__()
        self.dims = dims
        self.bn0 = nn.BatchNorm2d(dims.n_mels)  # in the checkpoint; the forward never uses it
        c_in = 1
        stages = zip(dims.channels, dims.kernels, dims.paddings, strict=True)
        for i, (c_out, kernel, pad) in enumerate(stages):
            used = 2 * i + 1
            self.add_module(f"conv{used}", nn.Conv2d(c_in, c_out, kernel, padding=pad, bias=False))
            self.add_module(f"bn{used}", nn.BatchNorm2d(c_out))
            if i < len(dims.unused_paddings):
                unused = nn.Conv2d(
                    c_out, c_out, kernel, padding=dims.unused_paddings[i], bias=False
                )
                self.add_module(f"conv{used + 1}", unused)
                self.add_module(f"bn{used + 1}", nn.BatchNorm2d(c_out))
            c_in = c_out

    def trunk(self, log_mel: Tensor) -> Tensor:
        """(B, frames, 64) normalised → (B, 128, T', F') after the last pooling."""
        x = log_mel[:, None]
        for i, pool in enumerate(self.dims.pools):
            n = 2 * i + 1
            conv, bn = self.get_submodule(f"conv{n}"), self.get_submodule(f"bn{n}")
            x = F.max_pool2d(F.relu(bn(conv(x))), pool)
        return x

    def embedding(self, log_mel: Tensor) -> Tensor:
        """The trunk's output averaged over time: (B, 128)."""
        return self.trunk(log_mel).mean(dim=2).flatten(1)


class BaselineCNN(BaselineTrunk):
    """Baseline CNN (the authors' class `Baseline_CNN`): the trunk and the twelve heads."""

    def __init__(self, dims: BaselineDimensions = BaselineDimensions()) -> None:
        super().__init__(dims)
        add_heads(self, dims.width)

    def forward(self, log_mel: Tensor) -> dict[str, Tensor]:
        """log_mel: (B, frames, 64), normalised. Returns the raw outputs of the twelve heads."""
        return apply_heads(self, self.embedding(log_mel))
