"""AD_CNN: three 7×7 convolutions with max-pooling, one dense layer, the twelve heads. Its dense
layer sees the whole time axis flattened, so it takes one input length only (3000–3019 frames:
30 s)."""

from __future__ import annotations

from dataclasses import dataclass

import torch.nn.functional as F
from torch import Tensor, nn

from llm_ssd.model.networks.heads import add_heads, apply_heads


@dataclass(frozen=True)
class ADCNNDimensions:
    """Sizes of AD_CNN; the defaults are those of the published checkpoint."""

    n_mels: int = 64
    frames: int = 3001
    """The input length it is built for (30 s)."""
    channels: tuple[int, int, int] = (16, 16, 32)
    kernel: int = 7
    pools: tuple[tuple[int, int], tuple[int, int]] = ((5, 5), (4, 10))
    """Max-pooling after the second and after the third convolution."""
    hidden: int = 100
    dropout: float = 0.3

    @property
    def flat(self) -> int:
        """Values into the dense layer: channels × time × frequency left after the pooling."""
        (t1, f1), (t2, f2) = self.pools
        return self.channels[-1] * (self.frames // t1 // t2) * (self.n_mels // f1 // f2)

    def accepts(self, frames: int) -> bool:
        """Whether an input of `frames` frames leaves the dense layer's size."""
        (t1, _), (t2, _) = self.pools
        return frames // t1 // t2 == self.frames // t1 // t2


class ADCNN(nn.Module):
    """AD_CNN (the authors' class `AD_CNN`); attribute names match its state_dict."""

    def __init__(self, dims: ADCNNDimensions = ADCNNDimensions()) -> None:
        super().__init__()
        self.dims = dims
        c_in = 1
        for i, c_out in enumerate(dims.channels, start=1):
            k, pad = dims.kernel, dims.kernel // 2
            self.add_module(f"conv{i}", nn.Conv2d(c_in, c_out, k, padding=pad, bias=False))
            self.add_module(f"bn{i}", nn.BatchNorm2d(c_out))
            c_in = c_out
        self.linear_layer = nn.Linear(dims.flat, dims.hidden)
        add_heads(self, dims.hidden)

    def forward(self, log_mel: Tensor) -> dict[str, Tensor]:
        """log_mel: (B, frames, 64), normalised. Returns the raw outputs of the twelve heads."""
        p, training = self.dims.dropout, self.training
        x = log_mel[:, None]
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.dropout(F.max_pool2d(x, self.dims.pools[0]), p, training)
        x = F.relu(self.bn3(self.conv3(x)))
        x = F.dropout(F.max_pool2d(x, self.dims.pools[1]), p, training)
        x = F.dropout(F.relu(self.linear_layer(x.flatten(1))), p, training)
        return apply_heads(self, x)
