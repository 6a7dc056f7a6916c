"""The twelve output heads every network of the paper ends in: scene logits (3), event logits
(15), ISOP, ISOE and the 8 PAQs (1 each), as Linear layers named `fc_final_<head>`."""

from __future__ import annotations

from torch import Tensor, nn

from llm_ssd.labels import EVENTS, PAQS, SCENES

HEADS: tuple[str, ...] = ("scene", "event", "ISOPls", "ISOEvs", *PAQS)
"""The outputs in the order of the authors' 12-tuple; SoundAQnet's dict uses the same keys."""
HEAD_SIZES: dict[str, int] = {
    "scene": len(SCENES),
    "event": len(EVENTS),
    **{name: 1 for name in HEADS[2:]},
}


def add_heads(module: nn.Module, width: int, inputs: dict[str, int] | None = None) -> None:
    """Add `fc_final_<head>` to `module` for every head, each a Linear from `width` features
    (or from `inputs[head]` where given) to the head's size."""
    inputs = inputs or {}
    for name in HEADS:
        module.add_module(f"fc_final_{name}", nn.Linear(inputs.get(name, width), HEAD_SIZES[name]))


def apply_heads(module: nn.Module, x: Tensor, names: tuple[str, ...] = HEADS) -> dict[str, Tensor]:
    """Each of `names`' `fc_final_<head>` applied to the shared embedding `x`."""
    return {name: module.get_submodule(f"fc_final_{name}")(x) for name in names}
