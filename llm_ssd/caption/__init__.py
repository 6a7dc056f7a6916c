"""The caption stage: from an `Analysis` to words. The settings value and where the server's
come from (`settings`), their bounds (`limits`), who may use which server (`access`), the order
of sources (`sources`), the LLM prompt (`prompt`), the offline template (`offline`) and its
phrase tables (`phrases`), the bounds on one streamed request (`stream_guard`), and the client
that streams a caption (`client`). Only `client` imports the LLM client (openai, httpx).

May import: errors, labels, env, places, result, reading, audio."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "Caption": "llm_ssd.caption.client",
    "CaptionSettings": "llm_ssd.caption.settings",
    "CaptionStream": "llm_ssd.caption.client",
    "caption_text": "llm_ssd.caption.client",
    "stream_caption": "llm_ssd.caption.client",
    "offline_caption": "llm_ssd.caption.offline",
    "build_prompt": "llm_ssd.caption.prompt",
}
"""Each re-exported name and the module that defines it (imported when first used)."""

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
