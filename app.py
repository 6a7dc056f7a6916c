"""LLM-SSD Gradio app: drop or record a clip, see what SoundAQnet hears, read the caption.

Only wiring lives here; the analysis, plots and captions are in `llm_ssd`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from llm_ssd import guide, plots
from llm_ssd.access import request_settings, served_locally
from llm_ssd.analysis import analyze
from llm_ssd.audio import MAX_DURATION
from llm_ssd.caption import CaptionSettings, stream_caption
from llm_ssd.compare import describe_difference, scenes_line
from llm_ssd.errors import LLMSSDError
from llm_ssd.inference import load_model
from llm_ssd.places import nearest_markdown
from llm_ssd.prompt import DEFAULT_LANGUAGE
from llm_ssd.result import Analysis
from llm_ssd.weights import DEFAULT_CHECKPOINT, available_checkpoints

EXAMPLES_DIR = Path(__file__).parent / "examples"
MAX_FILE_MB = 50
MAX_FILE_SIZE = f"{MAX_FILE_MB}mb"
CONCURRENCY_LIMIT = 2
"""Requests served at once; the rest wait in the queue. Analysis is CPU-bound and a 10-minute
clip needs about 1.7 GB at its peak, so two at a time suit a 2-core, 16 GB CPU Space."""
TITLE = "LLM-SSD: soundscape describer"
INTRO = f"""# {TITLE}
Drop a sound clip (or record one) and press **Describe**. SoundAQnet, the acoustic model of
*Soundscape Captioning using Sound Affective Quality Network and Large Language Model* (Hou et
al.), predicts the kind of place, the sounds in it and how it would feel to people (ISO/TS
12913-3); a large language model then describes it in plain words. Clips up to
{MAX_DURATION / 60:.0f} minutes and {MAX_FILE_MB} MB. **Compare** puts two clips side by side."""
CSS = """
.toast-body { background: var(--background-fill-primary) !important; opacity: 1 !important; }
.panel-line p { margin: 0 !important; font-size: 0.95em; }
"""
"""Error toasts drawn opaque, so the page text does not show through them; panel lines tight."""
EXAMPLES = {
    "real_dcase_scene.flac": "Real recording: busy outdoor place (dcase-util)",
    "real_birds.flac": "Real recording: birds singing (OpenSoundscape)",
    "public_square_fountain.flac": "Synthetic: public square with a fountain",
    "quiet_courtyard.flac": "Synthetic, not one of the model's 3 scenes: quiet courtyard",
    "construction_site.flac": "Synthetic, not one of the model's 3 scenes: road works",
}
"""The example clips offered, real recordings first, each with what it is (examples/README.md)."""
COMPARE_EXAMPLES = {
    ("real_birds.flac", "real_dcase_scene.flac"): "Real recordings: birds (A), busy place (B)",
}
"""The example pairs of the Compare tab."""
ANALYSIS_QUEUE = "analysis"
"""Describe and Compare share `CONCURRENCY_LIMIT`."""


@dataclass(frozen=True)
class Outputs:
    """The components `describe` fills, so that its updates are keyed by component."""

    scene: gr.Label
    mel: gr.Plot
    loudness: gr.Plot
    events: gr.Plot
    paq: gr.Plot
    circumplex: gr.Plot
    places: gr.Markdown
    record: gr.JSON
    caption: gr.Textbox
    caption_source: gr.Markdown

    def all(self) -> list[gr.components.Component]:
        return [getattr(self, f.name) for f in fields(self)]

    def figures(self, analysis: Analysis) -> dict[gr.components.Component, Any]:
        return dict(
            zip(
                (self.mel, self.loudness, self.events, self.paq, self.circumplex),
                plots.all_figures(analysis),
                strict=True,
            )
        )


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
) -> Iterator[dict[gr.components.Component, Any]]:
    """Analysis first, then the plots, then the caption as it streams; the last update carries
    every output."""
    if not audio:
        raise gr.Error("No clip yet: drop a sound file on the audio box or record one first.")
    try:
        analysis = analyze(audio, checkpoint=checkpoint)
    except LLMSSDError as exc:
        raise gr.Error(str(exc)) from exc
    for warning in analysis.warnings:
        gr.Warning(warning)
    record = analysis.to_dict()
    first = {
        out.scene: plots.scene_confidences(analysis),
        out.places: nearest_markdown(analysis.isop, analysis.isoe),
        out.record: record,
    }
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


def panel_line(key: str) -> gr.Markdown:
    """The plain line of what a panel shows, above it."""
    return gr.Markdown(guide.PANEL_LINES[key], elem_classes=["panel-line"])


def example_clips(
    inputs: list[gr.Audio], examples: dict[tuple[str, ...], str], label: str = "Examples"
) -> None:
    """Example clips, one file name per input, each row with its label; those present only."""
    present = {
        names: label
        for names, label in examples.items()
        if all((EXAMPLES_DIR / name).exists() for name in names)
    }
    if present:
        gr.Examples(
            [[str(EXAMPLES_DIR / name) for name in names] for names in present],
            inputs=inputs,
            example_labels=list(present.values()),
            label=label,
            cache_examples=False,
        )


def build_describe_tab() -> gr.Blocks:
    env = CaptionSettings.from_env()
    with gr.Blocks(title=TITLE) as demo:
        with gr.Row():
            with gr.Column(scale=1, min_width=320):
                audio = gr.Audio(
                    sources=["upload", "microphone"], type="filepath", label="Sound clip"
                )
                button = gr.Button("Describe", variant="primary")
                panel_line("scene")
                scene = gr.Label(label="Acoustic scene", num_top_classes=3)
                checkpoint = gr.Dropdown(
                    available_checkpoints(), value=DEFAULT_CHECKPOINT, label="SoundAQnet checkpoint"
                )
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
                example_clips(
                    [audio],
                    {(name,): label for name, label in EXAMPLES.items()},
                    "Examples: real recordings first, then synthetic clips",
                )
            with gr.Column(scale=2):
                caption = gr.Textbox(label="Caption", lines=5, buttons=["copy"], interactive=False)
                caption_source = gr.Markdown()
                with gr.Row():
                    with gr.Column(min_width=320):
                        panel_line("paq")
                        paq_plot = gr.Plot(label="Perceived affective qualities", show_label=False)
                    with gr.Column(min_width=320):
                        panel_line("circumplex")
                        circumplex_plot = gr.Plot(
                            label="Pleasantness × eventfulness", show_label=False
                        )
                        places = gr.Markdown()
                panel_line("events")
                events_plot = gr.Plot(label="Sound events", show_label=False)
                panel_line("mel")
                mel_plot = gr.Plot(label="Log-mel spectrogram", show_label=False)
                panel_line("loudness")
                loudness_plot = gr.Plot(label="Loudness", show_label=False)
                with gr.Accordion("Analysis as JSON", open=False):
                    record = gr.JSON(label="Analysis")
        out = Outputs(scene, mel_plot, loudness_plot, events_plot, paq_plot, circumplex_plot,
                      places, record, caption, caption_source)  # fmt: skip
        button.click(
            clear_caption, outputs=[caption, caption_source], queue=False, api_visibility="private"
        ).then(
            partial(describe, out),
            inputs=[audio, checkpoint, model, base_url, temperature, language, api_key],
            outputs=out.all(),
            api_name="describe",
            concurrency_limit=CONCURRENCY_LIMIT,
            concurrency_id=ANALYSIS_QUEUE,
        )
    return demo


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
            analyses.append(analyze(audio, checkpoint=checkpoint))
        except LLMSSDError as exc:
            raise gr.Error(f"Clip {name}: {exc}") from exc
        for warning in analyses[-1].warnings:
            gr.Warning(f"Clip {name}: {warning}")
    a, b = analyses
    sentence = describe_difference(a, b)
    return (
        f"### {sentence}\n{scenes_line(a, b)}",
        plots.paq_figure(a, b),
        plots.circumplex_figure(a, b),
        plots.events_pair_figure(a, b),
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


def build_demo() -> gr.Blocks:
    """The page: the introduction, "How to read this", and the Describe and Compare tabs."""
    describe_tab = build_describe_tab()  # outside the page's context, or it would render twice
    with gr.Blocks(title=TITLE) as demo:
        gr.Markdown(INTRO)
        with gr.Accordion("How to read this", open=False):
            gr.Markdown(guide.HOW_TO_READ)
        with gr.Tab("Describe"):
            describe_tab.render()
        with gr.Tab("Compare"):
            build_compare_tab()
    return demo


if __name__ == "__main__":
    load_model()  # fetch and verify the weights once, before the first visitor
    build_demo().queue(default_concurrency_limit=CONCURRENCY_LIMIT).launch(
        max_file_size=MAX_FILE_SIZE, css=CSS
    )
