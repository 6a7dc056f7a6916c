"""LLM-SSD Gradio app: drop or record a clip, see what SoundAQnet hears, read the caption.

Only wiring lives here; the analysis, plots and captions are in `llm_ssd`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import gradio as gr

from llm_ssd import plots
from llm_ssd.access import served_locally
from llm_ssd.analysis import analyze
from llm_ssd.audio import MAX_DURATION
from llm_ssd.caption import CaptionSettings, stream_caption
from llm_ssd.errors import LLMSSDError
from llm_ssd.inference import load_model
from llm_ssd.labels import DEFAULT_LANGUAGE, LANGUAGES, MAX_LANGUAGE_CHARS
from llm_ssd.result import Analysis
from llm_ssd.sources import router_from_env, sign_in_available, source_order, visitor_settings
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
{MAX_DURATION / 60:.0f} minutes and {MAX_FILE_MB} MB. The example clips are synthetic, made by
`examples/generate.py`."""
CSS = """
.toast-body { background: var(--background-fill-primary) !important; opacity: 1 !important; }
"""
"""Error toasts drawn opaque, so the page text does not show through them."""
OTHER_LANGUAGE = "Other…"
"""The language list's last entry: type the language in a box of its own."""
SOURCES_NOTE = f"Who writes the caption, the first that applies: {source_order()}."
SIGN_IN_NOTE = """Signing in lets the open model {model} write your caption through Hugging Face
Inference Providers, on your account's free monthly credits. Your token is used for this caption
only: never logged or stored here."""


@dataclass(frozen=True)
class Outputs:
    """The components `describe` fills, so that its updates are keyed by component."""

    scene: gr.Label
    mel: gr.Plot
    loudness: gr.Plot
    events: gr.Plot
    paq: gr.Plot
    circumplex: gr.Plot
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

    def describe(
        self,
        audio: str | None,
        checkpoint: str = DEFAULT_CHECKPOINT,
        model: str = "",
        base_url: str = "",
        temperature: float = 1.0,
        language: str = DEFAULT_LANGUAGE,
        api_key: str = "",
        other_language: str = "",
        sign_in: gr.OAuthToken | None = None,
    ) -> Iterator[dict[gr.components.Component, Any]]:
        """The Describe button: analysis first, then the plots, then the caption as it streams;
        the last update carries every output. Gradio fills `sign_in` with the visitor's Hugging
        Face sign-in (a method, not a partial, so that Gradio sees its type), used for this caption
        only."""
        if not audio:
            raise gr.Error("No clip yet: drop a sound file on the audio box or record one first.")
        caption_language = chosen_language(language, other_language)
        try:
            analysis = analyze(audio, checkpoint=checkpoint)
        except LLMSSDError as exc:
            raise gr.Error(str(exc)) from exc
        for warning in analysis.warnings:
            gr.Warning(warning)
        record = analysis.to_dict()
        first = {self.scene: plots.scene_confidences(analysis), self.record: record}
        yield {**first, self.caption: "", self.caption_source: "Writing the caption…"}
        figures = self.figures(analysis)
        yield figures

        settings, key = visitor_settings(
            CaptionSettings.from_env(),
            router_from_env(os.environ),
            model=model,
            base_url=base_url,
            temperature=temperature,
            language=caption_language,
            api_key=api_key,
            hf_token=sign_in.token if sign_in else None,
            local=served_locally(),
        )
        stream = stream_caption(analysis, settings, key)
        for _ in stream:
            yield {self.caption: stream.text, self.caption_source: f"Writing… ({stream.source})"}
        caption = stream.result()
        source = f"Caption from: **{caption.source}**"
        if caption.error:
            source += f"  \n⚠️ {caption.error}"
        yield {
            **first,
            **figures,
            self.record: {**record, **caption.to_dict()},
            self.caption: caption.text,
            self.caption_source: source,
        }


def clear_caption() -> tuple[str, str]:
    """Empty the caption and its source while a new request runs."""
    return "", ""


def chosen_language(choice: str | None, other: str | None) -> str | None:
    """The language picked from the list, or the one typed under "Other…" (at most
    `MAX_LANGUAGE_CHARS`: the box's limit holds in the browser only)."""
    if choice != OTHER_LANGUAGE:
        return choice
    if other and len(other.strip()) > MAX_LANGUAGE_CHARS:
        raise gr.Error(f"A language name has at most {MAX_LANGUAGE_CHARS} characters.")
    return other


@dataclass(frozen=True)
class LLMInputs:
    """The "LLM settings" a visitor may change, in the order `Outputs.describe` takes them
    after the clip and the checkpoint."""

    model: gr.Textbox
    base_url: gr.Textbox
    temperature: gr.Slider
    language: gr.Dropdown
    api_key: gr.Textbox
    other_language: gr.Textbox

    def all(self) -> list[gr.components.Component]:
        return [getattr(self, f.name) for f in fields(self)]


def llm_settings(env: CaptionSettings) -> LLMInputs:
    """The "LLM settings" accordion: who writes the caption, the Hugging Face sign-in (where
    the app can offer it), the server and model, and the language."""
    with gr.Accordion("LLM settings", open=False):
        gr.Markdown(SOURCES_NOTE)
        if sign_in_available(os.environ):
            gr.LoginButton()
            gr.Markdown(SIGN_IN_NOTE.format(model=router_from_env(os.environ).model))
        model = gr.Textbox(env.model, label="Model")
        base_url = gr.Textbox(
            env.base_url or "",
            label="Base URL of an OpenAI-compatible server",
            placeholder="empty: OpenAI; e.g. http://localhost:11434/v1 for Ollama",
        )
        temperature = gr.Slider(0.0, 2.0, env.temperature, step=0.1, label="Temperature")
        listed = env.language in LANGUAGES
        language = gr.Dropdown(
            [*LANGUAGES, OTHER_LANGUAGE],
            value=env.language if listed else OTHER_LANGUAGE,
            label="Caption language",
        )
        other_language = gr.Textbox(
            "" if listed else env.language,
            label="Other language",
            placeholder="e.g. Swahili",
            max_length=MAX_LANGUAGE_CHARS,
            visible=not listed,
        )
        language.change(
            lambda choice: gr.update(visible=choice == OTHER_LANGUAGE),
            inputs=language,
            outputs=other_language,
            queue=False,
            api_visibility="private",
        )
        api_key = gr.Textbox(
            "",
            type="password",
            label="Your own API key (optional, used for this request only)",
            placeholder="empty: your sign-in, or the server's settings, or the offline template",
        )
    return LLMInputs(model, base_url, temperature, language, api_key, other_language)


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
                checkpoint = gr.Dropdown(
                    available_checkpoints(), value=DEFAULT_CHECKPOINT, label="SoundAQnet checkpoint"
                )
                llm = llm_settings(env)
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
                events_plot = gr.Plot(label="Sound events", show_label=False)
                mel_plot = gr.Plot(label="Log-mel spectrogram", show_label=False)
                loudness_plot = gr.Plot(label="Loudness", show_label=False)
                with gr.Accordion("Analysis as JSON", open=False):
                    record = gr.JSON(label="Analysis")
        out = Outputs(scene, mel_plot, loudness_plot, events_plot, paq_plot, circumplex_plot,
                      record, caption, caption_source)  # fmt: skip
        button.click(
            clear_caption, outputs=[caption, caption_source], queue=False, api_visibility="private"
        ).then(
            out.describe,
            inputs=[audio, checkpoint, *llm.all()],
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
