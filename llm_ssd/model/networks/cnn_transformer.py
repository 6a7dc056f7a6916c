"""CNN-Transformer: the Baseline CNN's conv trunk, its 128 channels as tokens (each the trunk's
time steps projected to 512), one multi-head self-attention layer (8 heads of 64, residual and
post-LayerNorm, no feed-forward, no positional encoding), all tokens flattened into the twelve
heads. The projection fixes the number of time steps, so it takes one input length only
(2980–3099 frames: 30 s). The authors' `mha_d_model_to_one` (8.39 M parameters) is defined but
never used: it is kept, so that a checkpoint of theirs loads strictly."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from llm_ssd.model.networks.baseline_cnn import BaselineDimensions, BaselineTrunk
from llm_ssd.model.networks.heads import add_heads, apply_heads


@dataclass(frozen=True)
class CNNTransformerDimensions(BaselineDimensions):
    """The Baseline trunk's sizes and the attention's."""

    frames: int = 3001
    """The input length it is built for (30 s)."""
    d_model: int = 512
    heads: int = 8
    d_k: int = 64
    layers: int = 1

    @property
    def tokens(self) -> int:
        return self.channels[-1]

    @property
    def steps(self) -> int:
        """Trunk time steps per token at `frames` (23 for 30 s)."""
        return self.time_out(self.frames)


class MultiHeadAttention(nn.Module):
    """Scaled dot-product self-attention without a mask, then `fc`, the residual and
    `layernorm`; the names of the authors' `MultiHeadAttention_nomask`."""

    def __init__(self, d_model: int, heads: int, d_k: int) -> None:
        super().__init__()
        self.heads, self.d_k = heads, d_k
        self.W_Q = nn.Linear(d_model, d_k * heads)
        self.W_K = nn.Linear(d_model, d_k * heads)
        self.W_V = nn.Linear(d_model, d_k * heads)
        self.layernorm = nn.LayerNorm(d_model)
        self.fc = nn.Linear(heads * d_k, d_model)

    def forward(self, x: Tensor) -> Tensor:
        n_batch = x.shape[0]

        def split(linear: nn.Linear) -> Tensor:
            return linear(x).view(n_batch, -1, self.heads, self.d_k).transpose(1, 2)

        q, k, v = split(self.W_Q), split(self.W_K), split(self.W_V)
        attention = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.d_k), dim=-1)
        context = (attention @ v).transpose(1, 2).reshape(n_batch, -1, self.heads * self.d_k)
        return self.layernorm(self.fc(context) + x)


class EncoderLayer(nn.Module):
    def __init__(self, d_model: int, heads: int, d_k: int) -> None:
        super().__init__()
        self.enc_self_attn = MultiHeadAttention(d_model, heads, d_k)

    def forward(self, x: Tensor) -> Tensor:
        return self.enc_self_attn(x)


class Encoder(nn.Module):
    """Tokens (B, 128, steps, 1) → `mel_projection` (steps → 512) → the attention layers."""

    def __init__(self, steps: int, dims: CNNTransformerDimensions) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            EncoderLayer(dims.d_model, dims.heads, dims.d_k) for _ in range(dims.layers)
        )
        self.mel_projection = nn.Linear(steps, dims.d_model)

    def forward(self, x: Tensor) -> Tensor:
        x = self.mel_projection(x.reshape(x.shape[0], x.shape[1], -1))
        for layer in self.layers:
            x = layer(x)
        return x


class CNNTransformer(BaselineTrunk):
    """CNN-Transformer (the authors' class `CNN_Transformer`); names match its state_dict."""

    def __init__(self, dims: CNNTransformerDimensions = CNNTransformerDimensions()) -> None:
        super().__init__(dims)
        self.mha = Encoder(dims.steps * dims.freq_out(), dims)
        width = dims.d_model * dims.tokens
        self.mha_d_model_to_one = nn.Linear(width, dims.tokens)  # unused, as in the authors' code
        add_heads(self, width)

    def forward(self, log_mel: Tensor) -> dict[str, Tensor]:
        """log_mel: (B, frames, 64), normalised. Returns the raw outputs of the twelve heads."""
        return apply_heads(self, self.mha(self.trunk(log_mel)).flatten(1))
