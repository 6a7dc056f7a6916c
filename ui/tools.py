"""The describer as tools for AI assistants (MCP, `python app.py --mcp`): describe a clip,
compare two. Gradio serves every public endpoint as a tool; `keep_only` leaves these two."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import gradio as gr

from llm_ssd.caption.client import caption_text
from llm_ssd.errors import LLMSSDError
from llm_ssd.reading.compare import describe_difference, scenes_line
from llm_ssd.result import Analysis
from ui.page import ANALYSIS_QUEUE, CONCURRENCY_LIMIT, analyzed

TOOL_NAMES = ("describe_clip", "compare_clips")
HIDDEN = "hidden"
"""Gradio's MCP server lists a function as a tool unless its `_mcp_type` says otherwise."""


def as_json(value: dict[str, Any]) -> str:
    """A tool's answer as JSON text (Gradio hands an assistant the text of the output)."""
    return json.dumps(value, ensure_ascii=False)


def describe_clip(clip: str) -> str:
    """Describe a soundscape recording: the acoustic scene (park, public square or street
    traffic), the probabilities of 15 sound events, the 8 perceived affective qualities and ISO
    Pleasantness/Eventfulness (ISO/TS 12913-3), the nearest surveyed real places, and a
    plain-language caption.

    Args:
        clip: the audio file (WAV, FLAC, MP3, OGG, m4a, webm ...), as an http(s) URL or a data: URL.

    Returns:
        JSON: the analysis record (scene, scene_probabilities, events, paq, isop, isoe, n5,
        nearest_places, windows, ...) with caption and caption_source.
    """
    analysis = _analysed(clip, "The clip")
    return as_json({**analysis.to_dict(), **caption_text(analysis).to_dict()})


def compare_clips(clip_a: str, clip_b: str) -> str:
    """Compare two soundscape recordings: one sentence on how B differs from A in pleasantness,
    eventfulness and scene, and both analysis records.

    Args:
        clip_a: the first audio file, as an http(s) URL or a data: URL.
        clip_b: the second audio file, as an http(s) URL or a data: URL.

    Returns:
        JSON: difference (the sentence), scenes (both scenes in one line), A and B (the records).
    """
    a, b = _analysed(clip_a, "Clip A"), _analysed(clip_b, "Clip B")
    return as_json({"difference": describe_difference(a, b), "scenes": scenes_line(a, b),
                    "A": a.to_dict(), "B": b.to_dict()})  # fmt: skip


def _analysed(path: str | None, name: str) -> Analysis:
    if not path:
        raise gr.Error(f"{name} is missing: give an http(s) URL or a data: URL of an audio file.")
    try:
        return analyzed(path)
    except LLMSSDError as exc:
        raise gr.Error(f"{name}: {exc}") from exc


def build_tools() -> None:
    """The two tools as endpoints of hidden components (the page shows nothing of them)."""
    with gr.Column(visible=False):
        clip, clip_a, clip_b = (gr.Audio(type="filepath", label=n) for n in ("clip", "A", "B"))
        record, records = gr.Textbox(label="record"), gr.Textbox(label="records")
        describe_button, compare_button = gr.Button("describe"), gr.Button("compare")
    for button, fn, inputs, output in (
        (describe_button, describe_clip, [clip], record),
        (compare_button, compare_clips, [clip_a, clip_b], records),
    ):
        button.click(
            fn,
            inputs=inputs,
            outputs=output,
            api_name=fn.__name__,
            concurrency_limit=CONCURRENCY_LIMIT,
            concurrency_id=ANALYSIS_QUEUE,
        )


def keep_only(demo: gr.Blocks, names: tuple[str, ...] = TOOL_NAMES) -> None:
    """Hide the page's other endpoints from the MCP tool list (they stay in the API)."""
    for block_fn in demo.fns.values():
        fn = getattr(block_fn.fn, "__func__", block_fn.fn)
        if fn is not None and block_fn.api_name not in names:
            with contextlib.suppress(AttributeError):  # a builtin cannot carry the mark
                fn._mcp_type = HIDDEN
