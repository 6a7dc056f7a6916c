"""LLM-SSD: soundscape captioning with SoundAQnet and a large language model."""

from .analysis import Analysis, analyze, load_model
from .audio import AudioError, load_audio
from .weights import WeightsError

__all__ = ["Analysis", "AudioError", "WeightsError", "analyze", "load_audio", "load_model"]
