"""Hierarchical CNN: the Baseline CNN's trunk, with two of its outputs read from others: the
scene from the event logits (through `event_embedding_layer`, no activation) and ISOP and ISOE
from the eight PAQ outputs (through `PAQ_embedding_layer` and a ReLU)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from llm_ssd.labels import EVENTS, PAQS
from llm_ssd.model.networks.baseline_cnn import BaselineDimensions, BaselineTrunk
from llm_ssd.model.networks.heads import HEADS, add_heads, apply_heads


@dataclass(frozen=True)
class HierarchicalDimensions(BaselineDimensions):
    """The Baseline trunk's sizes and those of the two embeddings between heads."""

    event_embedding: int = len(EVENTS)
    paq_embedding: int = len(PAQS)


class HierarchicalCNN(BaselineTrunk):
    """Hierarchical CNN (the authors' class `Hierachical_CNN`); names match its state_dict."""

    def __init__(self, dims: HierarchicalDimensions = HierarchicalDimensions()) -> None:
        super().__init__(dims)
        self.event_embedding_layer = nn.Linear(len(EVENTS), dims.event_embedding)
        self.PAQ_embedding_layer = nn.Linear(len(PAQS), dims.paq_embedding)
        add_heads(
            self,
            dims.width,
            {
                "scene": dims.event_embedding,
                "ISOPls": dims.paq_embedding,
                "ISOEvs": dims.paq_embedding,
            },
        )

    def forward(self, log_mel: Tensor) -> dict[str, Tensor]:
        """log_mel: (B, frames, 64), normalised. Returns the raw outputs of the twelve heads."""
        x = self.embedding(log_mel)
        out = apply_heads(self, x, ("event", *PAQS))
        out["scene"] = self.fc_final_scene(self.event_embedding_layer(out["event"]))
        paq = F.relu(self.PAQ_embedding_layer(torch.cat([out[p] for p in PAQS], dim=-1)))
        out["ISOPls"] = self.fc_final_ISOPls(paq)
        out["ISOEvs"] = self.fc_final_ISOEvs(paq)
        return {name: out[name] for name in HEADS}
