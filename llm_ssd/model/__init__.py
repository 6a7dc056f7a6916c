"""The network stage: SoundAQnet (`soundaqnet`), the paper's seven other networks of Table V and
the registry of all eight (`networks`: each one's class, dimensions, inputs, accepted lengths,
published weights and metrics), the authors' weights (`weights`: fetch, verify, load; a network's
with `networks.fetch`), a network at run time with its normalisation (`runtime`), the two inputs
from checked audio (`inputs`), and recordings of any length as 30-s windows through one network
or several side by side (`windows`).

May import: errors, labels, env, audio, loudness, result, torch."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "SoundAQnet": "llm_ssd.model.soundaqnet",
    "NETWORKS": "llm_ssd.model.networks.registry",
    "load_model": "llm_ssd.model.runtime",
    "WeightsError": "llm_ssd.model.weights",
}
"""Each re-exported name and the module that defines it (imported when first used)."""

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
