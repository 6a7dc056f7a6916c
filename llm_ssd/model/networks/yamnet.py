"""YAMNet's layout (MobileNetV1): one 3×3 convolution and 13 depthwise-separable layers up to
1024 channels, TensorFlow's "SAME" padding (the odd pixel at the end), BN with eps 1e-4, ReLU,
global average pooling, the twelve heads. Trained from scratch: no pretrained YAMNet weights."""

from __future__ import annotations

from dataclasses import dataclass

import torch.nn.functional as F
from torch import Tensor, nn

from llm_ssd.model.networks.heads import add_heads, apply_heads

BATCHNORM_EPS = 1e-4
"""YAMNet's BN epsilon (torch's default is 1e-5)."""


@dataclass(frozen=True)
class YAMNetDimensions:
    """Sizes of YAMNet: (stride, channels) of the first convolution, then of each separable
    layer; every kernel is 3×3."""

    layers: tuple[tuple[int, int], ...] = (
        (2, 32),
        (1, 64),
        (2, 128),
        (1, 128),
        (2, 256),
        (1, 256),
        (2, 512),
        (1, 512),
        (1, 512),
        (1, 512),
        (1, 512),
        (1, 512),
        (2, 1024),
        (1, 1024),
    )
    kernel: int = 3

    @property
    def width(self) -> int:
        return self.layers[-1][1]


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow's "SAME" padding of one axis: (before, after), the odd one after."""
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + kernel - size)
    return total // 2, total - total // 2


class SameConv2d(nn.Conv2d):
    """A convolution padded as TensorFlow's "SAME" pads it."""

    def forward(self, x: Tensor) -> Tensor:
        (kt, kf), (st, sf) = self.kernel_size, self.stride
        top, bottom = same_padding(x.shape[2], kt, st)
        left, right = same_padding(x.shape[3], kf, sf)
        return super().forward(F.pad(x, (left, right, top, bottom)))


class ConvBNReLU(nn.Module):
    """`conv` → BN (eps 1e-4) → ReLU; the names of the authors' `CONV_BN_RELU`."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int, groups: int = 1) -> None:
        super().__init__()
        self.conv = SameConv2d(c_in, c_out, kernel, stride, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(c_out, eps=BATCHNORM_EPS)

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(self.bn(self.conv(x)))


class Conv(nn.Module):
    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int) -> None:
        super().__init__()
        self.fused = ConvBNReLU(c_in, c_out, kernel, stride)

    def forward(self, x: Tensor) -> Tensor:
        return self.fused(x)


class SeparableConv(nn.Module):
    """Depthwise 3×3 (with the stride), then pointwise 1×1."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int) -> None:
        super().__init__()
        self.depthwise_conv = ConvBNReLU(c_in, c_in, kernel, stride, groups=c_in)
        self.pointwise_conv = ConvBNReLU(c_in, c_out, 1, 1)

    def forward(self, x: Tensor) -> Tensor:
        return self.pointwise_conv(self.depthwise_conv(x))


class YAMNet(nn.Module):
    """YAMNet (the authors' class `YAMNet`); its layers are `layer1` … `layer14`."""

    def __init__(self, dims: YAMNetDimensions = YAMNetDimensions()) -> None:
        super().__init__()
        self.dims = dims
        c_in = 1
        for i, (stride, c_out) in enumerate(dims.layers, start=1):
            kind = Conv if i == 1 else SeparableConv
            self.add_module(f"layer{i}", kind(c_in, c_out, dims.kernel, stride))
            c_in = c_out
        add_heads(self, dims.width)

    def forward(self, log_mel: Tensor) -> dict[str, Tensor]:
        """log_mel: (B, frames, 64), normalised. Returns the raw outputs of the twelve heads."""
        x = log_mel[:, None]
        for i in range(1, len(self.dims.layers) + 1):
            x = self.get_submodule(f"layer{i}")(x)
        return apply_heads(self, F.adaptive_avg_pool2d(x, 1).flatten(1))
