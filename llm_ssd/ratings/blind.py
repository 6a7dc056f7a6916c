"""Blind pairs: the AI caption and the offline template's, in random order, so that a rater
cannot tell which is which."""

from __future__ import annotations

import secrets

from llm_ssd.caption.client import Caption, stream_caption
from llm_ssd.caption.settings import CaptionSettings
from llm_ssd.result import Analysis

NO_AI_MODEL = (
    "no AI model is configured here (an API key, or a server under Advanced settings), so there is "
    "no second kind of caption"
)
BLIND_OFF = (
    "Note: blind mode compares an AI caption with the offline template, but {why}: this caption "
    "is rated not blind."
)


def template_caption(analysis: Analysis) -> Caption:
    """The offline template's caption (settings with neither a key nor a server)."""
    return stream_caption(analysis, CaptionSettings()).result()


def blind_pair(
    analysis: Analysis, settings: CaptionSettings, api_key: str
) -> tuple[list[Caption], str]:
    """The AI caption and the offline template's, in random order; or, when there is no AI
    caption to compare (none configured, or it failed), the one caption there is and why."""
    ai = stream_caption(analysis, settings, api_key or None).result()
    template = template_caption(analysis)
    if ai.error or ai.source == template.source:
        why = "the AI caption failed (above)" if ai.error else NO_AI_MODEL
        return [ai], BLIND_OFF.format(why=why)
    pair = [ai, template]
    if secrets.randbelow(2):
        pair.reverse()
    return pair, ""
