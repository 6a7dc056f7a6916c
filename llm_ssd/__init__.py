"""LLM-SSD: soundscape captioning with SoundAQnet and a large language model.

Names are imported lazily, so that `import llm_ssd.prompt` (and the other modules that work on
an `Analysis` alone) does not pull in torch."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "Analysis": "result",
    "LLMSSDError": "errors",
    "AudioError": "audio",
    "WeightsError": "weights",
    "analyze": "analysis",
    "load_audio": "decode",
    "load_model": "inference",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'llm_ssd' has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
