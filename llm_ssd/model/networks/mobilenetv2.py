"""MobileNetV2 as PANNs adapted it to log-mels: strides replaced by 2×2 average pooling after the
depthwise convolution, ReLU6, the standard (t, c, n, s) table from 32 to 320 channels, a 1×1
convolution to 1280, the mean over frequency then time, the twelve heads. Module names follow
the authors' `nn.Sequential` layout (`features.<i>.conv.<j>`)."""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor, nn

from llm_ssd.model.networks.heads import add_heads, apply_heads

Setting = tuple[int, int, int, int]
"""(expansion t, channels c, repeats n, stride s) of one group of inverted residual blocks."""


@dataclass(frozen=True)
class MobileNetV2Dimensions:
    """Sizes of MobileNetV2; the defaults are the authors'."""

    first_channels: int = 32
    last_channels: int = 1280
    settings: tuple[Setting, ...] = (
        (1, 16, 1, 1),
        (6, 24, 2, 2),
        (6, 32, 3, 2),
        (6, 64, 4, 2),
        (6, 96, 3, 2),
        (6, 160, 3, 1),
        (6, 320, 1, 1),
    )
    first_stride: int = 2

    @property
    def downsampling(self) -> int:
        """How many times each axis is halved: by the first layer and each stride-2 group."""
        return self.first_stride * 2 ** sum(s == 2 for *_, s in self.settings)


def _depthwise(channels: int, stride: int) -> list[nn.Module]:
    """3×3 depthwise convolution, average pooling by the stride, BN, ReLU6."""
    return [
        nn.Conv2d(channels, channels, 3, 1, 1, groups=channels, bias=False),
        nn.AvgPool2d(stride),
        nn.BatchNorm2d(channels),
        nn.ReLU6(),
    ]


class InvertedResidual(nn.Module):
    """(1×1 expansion, BN, ReLU6,) depthwise, 1×1 projection, BN; residual where the shape holds."""

    def __init__(self, c_in: int, c_out: int, stride: int, expansion: int) -> None:
        super().__init__()
        hidden = round(c_in * expansion)
        self.residual = stride == 1 and c_in == c_out
        expand: list[nn.Module] = []
        if expansion != 1:
            expand = [nn.Conv2d(c_in, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6()]
        project = [nn.Conv2d(hidden, c_out, 1, bias=False), nn.BatchNorm2d(c_out)]
        self.conv = nn.Sequential(*expand, *_depthwise(hidden, stride), *project)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2(nn.Module):
    """MobileNetV2 (the authors' class `MobileNetV2`)."""

    def __init__(self, dims: MobileNetV2Dimensions = MobileNetV2Dimensions()) -> None:
        super().__init__()
        self.dims = dims
        c = dims.first_channels
        first = [nn.Conv2d(1, c, 3, 1, 1, bias=False), nn.AvgPool2d(dims.first_stride)]
        layers: list[nn.Module] = [nn.Sequential(*first, nn.BatchNorm2d(c), nn.ReLU6())]
        for expansion, c_out, repeats, stride in dims.settings:
            for i in range(repeats):
                layers.append(InvertedResidual(c, c_out, stride if i == 0 else 1, expansion))
                c = c_out
        last = nn.Conv2d(c, dims.last_channels, 1, bias=False)
        layers.append(nn.Sequential(last, nn.BatchNorm2d(dims.last_channels), nn.ReLU6()))
        self.features = nn.Sequential(*layers)
        add_heads(self, dims.last_channels)

    def forward(self, log_mel: Tensor) -> dict[str, Tensor]:
        """log_mel: (B, frames, 64), normalised. Returns the raw outputs of the twelve heads."""
        x = self.features(log_mel[:, None])
        return apply_heads(self, x.mean(dim=3).mean(dim=2))
