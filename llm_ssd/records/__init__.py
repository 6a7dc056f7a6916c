"""Records out: the flat rows of a JSON record and the CSV columns derived from it, written as
each clip is done (`rows`), where the command line writes them without destroying a file
(`files`), and a clip's record and figures to take home (`export`).

May import: errors, labels, result, caption."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "flat_record": "llm_ssd.records.rows",
    "RecordWriter": "llm_ssd.records.rows",
}
"""Each re-exported name and the module that defines it (imported when first used)."""

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
