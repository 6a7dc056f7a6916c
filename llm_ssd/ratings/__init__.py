"""Caption ratings as the paper's experts gave them: the rubric and its published results
(`rubric`), the SQLite store (`store`) and what can be wrong with its file (`faults`), the
summary and export (`summary`), and blind pairs of captions (`blind`).

May import: errors, env, result, caption, records."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "RatingStore": "llm_ssd.ratings.store",
    "RatingError": "llm_ssd.ratings.faults",
    "DatabaseFault": "llm_ssd.ratings.faults",
}
"""Each re-exported name and the module that defines it (imported when first used)."""

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
