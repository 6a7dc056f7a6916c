"""Audio in: decoding any sound file to mono float32 in bounded memory (`decode`), what a WAV or
FLAC header says about its length against what the file holds (`lengths`), the input checks and
the authors' calibration (`checks`), another calibration from a known level or a calibrator's
tone (`calibration`), SoundAQnet's log-mel front end (`mel`), and the level meter that finds
clips too quiet to describe (`level`).

May import: errors, torch."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "AudioError": "llm_ssd.audio.checks",
    "load_audio": "llm_ssd.audio.decode",
    "open_audio": "llm_ssd.audio.decode",
    "log_mel_spectrogram": "llm_ssd.audio.mel",
}
"""Each re-exported name and the module that defines it (imported when first used)."""

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
