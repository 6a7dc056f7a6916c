"""LLM-SSD Gradio app: drop or record a clip, see what SoundAQnet hears, read the caption.

Only wiring lives here; the analysis, plots and captions are in `llm_ssd`."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, fields
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from llm_ssd import plots, plots_timeline
from llm_ssd.access import request_settings, served_locally
from llm_ssd.analysis import analyze
from llm_ssd.caption import CaptionSettings, stream_caption
from llm_ssd.errors import LLMSSDError
from llm_ssd.inference import load_model
from llm_ssd.prompt import DEFAULT_LANGUAGE
from llm_ssd.result import Analysis
from llm_ssd.weights import DEFAULT_CHECKPOINT, available_checkpoints

EXAMPLES_DIR = Path(__file__).parent / "examples"
MAX_FILE_MB = 50
MAX_FILE_SIZE = f"{MAX_FILE_MB}mb"
CONCURRENCY_LIMIT = 2
"""Requests served at once; the rest wait in the queue. Analysis is CPU-bound and takes under
1 GB at its peak whatever the length (30-s windows), so two at a time suit a 2-core, 16 GB CPU
Space."""
MAX_MINUTES_ENV = "LLM_SSD_APP_MAX_MINUTES"
DEFAULT_MAX_MINUTES = 10.0
"""The app's length limit unless MAX_MINUTES_ENV sets another (the library's is 60 minutes)."""


def max_minutes() -> float:
    """The app's length limit in minutes: MAX_MINUTES_ENV if it is a positive number, else (with
    a warning) DEFAULT_MAX_MINUTES."""
    text = os.environ.get(MAX_MINUTES_ENV, "").strip()
    try:
        minutes = float(text) if text else DEFAULT_MAX_MINUTES
    except ValueError:
        minutes = math.nan
    if not (math.isfinite(minutes) and minutes > 0):
        message = f"{MAX_MINUTES_ENV}={text!r} is not a positive number of minutes"
        warnings.warn(f"{message}; using {DEFAULT_MAX_MINUTES:g}", stacklevel=2)
        minutes = DEFAULT_MAX_MINUTES
    return minutes


MAX_MINUTES = max_minutes()
TITLE = "LLM-SSD: soundscape describer"
INTRO = f"""# {TITLE}
Drop a sound clip (or record one) and press **Describe**. SoundAQnet, the acoustic model of
*Soundscape Captioning using Sound Affective Quality Network and Large Language Model* (Hou et
al.), predicts the kind of place, the sounds in it and how it would feel to people (ISO/TS
12913-3); a large language model then describes it in plain words. Recordings up to
{MAX_MINUTES:g} minutes and {MAX_FILE_MB} MB; one longer than 45 s is analysed in 30-s windows,
and a timeline shows how the place changes. The example clips are synthetic, made by
`examples/generate.py`."""
CSS = """
.toast-body { background: var(--background-fill-primary) !important; opacity: 1 !important; }
"""
"""Error toasts drawn opaque, so the page text does not show through them."""
ENSEMBLE_LABEL = (
    "Ensemble: the mean of all four published checkpoints, with their spread (the checkpoint "
    "above is then not used; about 3× the time)"
)


@dataclass(frozen=True)
class Outputs:
    """The components `describe` fills, so that its updates are keyed by component."""

    scene: gr.Label
    mel: gr.Plot
    loudness: gr.Plot
    events: gr.Plot
    paq: gr.Plot
    circumplex: gr.Plot
    timeline: gr.Plot
    agreement: gr.Markdown
    record: gr.JSON
    caption: gr.Textbox
    caption_source: gr.Markdown

    def all(self) -> list[gr.components.Component]:
        return [getattr(self, f.name) for f in fields(self)]

    def figures(self, analysis: Analysis) -> dict[gr.components.Component, Any]:
        timeline = plots_timeline.timeline_figure(analysis)  # None, hidden, for one window
        return {
            **dict(
                zip(
                    (self.mel, self.loudness, self.events, self.paq, self.circumplex),
                    plots.all_figures(analysis),
                    strict=True,
                )
            ),
            self.timeline: gr.Plot(timeline, visible=timeline is not None),
        }

    def agreement_line(self, analysis: Analysis) -> dict[gr.components.Component, Any]:
        """ "4 of 4 checkpoints: park" under the scene with the ensemble; hidden without."""
        line = plots.agreement_line(analysis)
        return {self.agreement: gr.Markdown(f"**{line}**" if line else "", visible=bool(line))}


def clear_caption() -> tuple[str, str]:
    """Empty the caption and its source while a new request runs."""
    return "", ""


def describe(
    out: Outputs,
    audio: str | None,
    checkpoint: str = DEFAULT_CHECKPOINT,
    model: str = "",
    base_url: str = "",
    temperature: float = 1.0,
    language: str = DEFAULT_LANGUAGE,
    api_key: str = "",
    ensemble: bool = False,
) -> Iterator[dict[gr.components.Component, Any]]:
    """Analysis first, then the plots, then the caption as it streams; the last update carries
    every output."""
    if not audio:
        raise gr.Error("No clip yet: drop a sound file on the audio box or record one first.")
    try:
        analysis = analyze(
            audio, checkpoint=checkpoint, max_duration=MAX_MINUTES * 60, ensemble=ensemble
        )
    except LLMSSDError as exc:
        raise gr.Error(str(exc)) from exc
    for warning in analysis.warnings:
        gr.Warning(warning)
    record = analysis.to_dict()
    first = {out.scene: plots.scene_confidences(analysis), out.record: record}
    first.update(out.agreement_line(analysis))
    yield {**first, out.caption: "", out.caption_source: "Writing the caption…"}
    figures = out.figures(analysis)
    yield figures

    settings = request_settings(
        CaptionSettings.from_env(),
        model,
        base_url,
        temperature,
        language,
        api_key=api_key,
        local=served_locally(),
    )
    stream = stream_caption(analysis, settings, api_key or None)
    for _ in stream:
        yield {out.caption: stream.text, out.caption_source: f"Writing… ({stream.source})"}
    caption = stream.result()
    source = f"Caption from: **{caption.source}**"
    if caption.error:
        source += f"  \n⚠️ {caption.error}"
    yield {
        **first,
        **figures,
        out.record: {**record, **caption.to_dict()},
        out.caption: caption.text,
        out.caption_source: source,
    }


def build_demo() -> gr.Blocks:
    env = CaptionSettings.from_env()
    with gr.Blocks(title=TITLE) as demo:
        gr.Markdown(INTRO)
        with gr.Row():
            with gr.Column(scale=1, min_width=320):
                audio = gr.Audio(
                    sources=["upload", "microphone"], type="filepath", label="Sound clip"
                )
                button = gr.Button("Describe", variant="primary")
                scene = gr.Label(label="Acoustic scene", num_top_classes=3)
                agreement = gr.Markdown(visible=False)
                checkpoint = gr.Dropdown(
                    available_checkpoints(), value=DEFAULT_CHECKPOINT, label="SoundAQnet checkpoint"
                )
                ensemble = gr.Checkbox(False, label=ENSEMBLE_LABEL)
                with gr.Accordion("LLM settings", open=False):
                    model = gr.Textbox(env.model, label="Model")
                    base_url = gr.Textbox(
                        env.base_url or "",
                        label="Base URL of an OpenAI-compatible server",
                        placeholder="empty: OpenAI; e.g. http://localhost:11434/v1 for Ollama",
                    )
                    temperature = gr.Slider(
                        0.0, 2.0, env.temperature, step=0.1, label="Temperature"
                    )
                    language = gr.Textbox(env.language, label="Caption language")
                    api_key = gr.Textbox(
                        "",
                        type="password",
                        label="Your own API key (optional, used for this request only)",
                        placeholder="empty: the server's key (for its own model and server "
                        "only), or the offline template",
                    )
                examples = sorted(EXAMPLES_DIR.glob("*.flac"))
                if examples:
                    gr.Examples(
                        [[str(p)] for p in examples],
                        inputs=[audio],
                        label="Synthetic example clips",
                        cache_examples=False,
                    )
            with gr.Column(scale=2):
                caption = gr.Textbox(label="Caption", lines=5, buttons=["copy"], interactive=False)
                caption_source = gr.Markdown()
                with gr.Row():
                    paq_plot = gr.Plot(label="Perceived affective qualities", show_label=False)
                    circumplex_plot = gr.Plot(label="Pleasantness × eventfulness", show_label=False)
                timeline_plot = gr.Plot(label="Timeline", show_label=False, visible=False)
                events_plot = gr.Plot(label="Sound events", show_label=False)
                mel_plot = gr.Plot(label="Log-mel spectrogram", show_label=False)
                loudness_plot = gr.Plot(label="Loudness", show_label=False)
                with gr.Accordion("Analysis as JSON", open=False):
                    record = gr.JSON(label="Analysis")
        out = Outputs(scene, mel_plot, loudness_plot, events_plot, paq_plot, circumplex_plot,
                      timeline_plot, agreement, record, caption, caption_source)  # fmt: skip
        button.click(
            clear_caption, outputs=[caption, caption_source], queue=False, api_visibility="private"
        ).then(
            partial(describe, out),
            inputs=[audio, checkpoint, model, base_url, temperature, language, api_key, ensemble],
            outputs=out.all(),
            api_name="describe",
            concurrency_limit=CONCURRENCY_LIMIT,
        )
    return demo


if __name__ == "__main__":
    load_model()  # fetch and verify the weights once, before the first visitor
    build_demo().queue(default_concurrency_limit=CONCURRENCY_LIMIT).launch(
        max_file_size=MAX_FILE_SIZE, css=CSS
    )
