"""LLM-SSD: soundscape captioning with SoundAQnet and a large language model.

The parts follow the data (README, "Layout"): `audio` → `loudness` → `model` → `analysis`
(`analyze()`, the pipeline) → `result` (`Analysis`) → `reading`, `caption`, `figures` →
`ratings`, `records`, `archive`, `cli`. Names are imported lazily, so that `import
llm_ssd.caption.prompt` (and the other parts that work on an `Analysis` alone) does not pull in
torch."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "Analysis": "llm_ssd.result",
    "LLMSSDError": "llm_ssd.errors",
    "AudioError": "llm_ssd.audio.checks",
    "WeightsError": "llm_ssd.model.weights",
    "analyze": "llm_ssd.analysis",
    "load_audio": "llm_ssd.audio.decode",
    "load_model": "llm_ssd.model.runtime",
}
"""Each re-exported name and the module that defines it (imported when first used)."""

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
