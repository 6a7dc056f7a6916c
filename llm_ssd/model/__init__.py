"""The network stage: SoundAQnet (`soundaqnet`), the authors' weights (`weights`), the network
at run time with its normalisation (`runtime`), its two inputs from checked audio (`inputs`), and
recordings of any length as 30-s windows through it (`windows`).

May import: errors, labels, env, audio, loudness, result, torch."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "SoundAQnet": "llm_ssd.model.soundaqnet",
    "load_model": "llm_ssd.model.runtime",
    "WeightsError": "llm_ssd.model.weights",
}
"""Each re-exported name and the module that defines it (imported when first used)."""

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
