"""The Compare tab: two clips side by side and one sentence on their difference."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from llm_ssd.errors import LLMSSDError
from llm_ssd.figures import panels as plots
from llm_ssd.model.weights import DEFAULT_CHECKPOINT
from llm_ssd.reading.alt_text import circumplex_text, events_text, paq_text
from llm_ssd.reading.compare import describe_difference, scenes_line
from llm_ssd.result import Analysis
from ui.page import (
    ANALYSIS_QUEUE,
    CONCURRENCY_LIMIT,
    analyzed,
    described,
    example_clips,
    panel_line,
)

COMPARE_EXAMPLES = {
    ("real_birds.flac", "real_dcase_scene.flac"): "Real recordings: birds (A), busy place (B)",
}
"""The example pairs of the Compare tab."""


def both(text: Callable[[Analysis], str], a: Analysis, b: Analysis) -> str:
    """A text alternative of a figure of two clips."""
    return f"Clip A: {text(a)} Clip B: {text(b)}"


def compare(
    audio_a: str | None, audio_b: str | None, checkpoint: str = DEFAULT_CHECKPOINT
) -> tuple[str, Any, Any, Any, dict[str, Any]]:
    """Analyse two clips: the difference in one sentence, the overlaid radar, both points on the
    circumplex, the events side by side, and both records."""
    if not audio_a or not audio_b:
        raise gr.Error("Two clips are needed: give one to A and one to B.")
    analyses = []
    for name, audio in zip(plots.CLIP_NAMES, (audio_a, audio_b), strict=True):
        try:
            analyses.append(analyzed(audio, checkpoint=checkpoint))
        except LLMSSDError as exc:
            raise gr.Error(f"Clip {name}: {exc}") from exc
        for warning in analyses[-1].warnings:
            gr.Warning(f"Clip {name}: {warning}")
    a, b = analyses
    sentence = describe_difference(a, b)
    return (
        f"### {sentence}\n{scenes_line(a, b)}",
        described(plots.paq_figure(a, b), f"A: {paq_text(a)} B: {paq_text(b)}"),
        described(
            plots.circumplex_figure(a, b), f"A: {circumplex_text(a)} B: {circumplex_text(b)}"
        ),
        described(plots.events_pair_figure(a, b), f"A: {events_text(a)} B: {events_text(b)}"),
        {"difference": sentence, "A": a.to_dict(), "B": b.to_dict()},
    )


def build_compare_tab() -> None:
    """The Compare tab: two clips, their feelings, points and sounds together, one sentence."""
    with gr.Row():
        audio_a = gr.Audio(sources=["upload", "microphone"], type="filepath", label="Clip A")
        audio_b = gr.Audio(sources=["upload", "microphone"], type="filepath", label="Clip B")
    button = gr.Button("Compare", variant="primary")
    example_clips([audio_a, audio_b], COMPARE_EXAMPLES, "Example pair")
    difference = gr.Markdown()
    with gr.Row():
        with gr.Column(min_width=320):
            panel_line("compare_paq")
            paq_plot = gr.Plot(label="Perceived affective qualities, A and B", show_label=False)
        with gr.Column(min_width=320):
            panel_line("compare_circumplex")
            circumplex_plot = gr.Plot(
                label="Pleasantness × eventfulness, A and B", show_label=False
            )
        with gr.Column(min_width=320):
            panel_line("compare_events")
            events_plot = gr.Plot(label="Sound events, A and B", show_label=False)
    with gr.Accordion("Both analyses as JSON", open=False):
        record = gr.JSON(label="Analyses")
    button.click(
        compare,
        inputs=[audio_a, audio_b],
        outputs=[difference, paq_plot, circumplex_plot, events_plot, record],
        api_name="compare",
        concurrency_limit=CONCURRENCY_LIMIT,
        concurrency_id=ANALYSIS_QUEUE,
    )
