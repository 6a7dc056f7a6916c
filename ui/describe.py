"""The Describe tab: one clip's scene, plots and places, its caption as it streams, and the
LLM settings a visitor may change."""

from __future__ import annotations

import os
import queue
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

import gradio as gr

from llm_ssd.audio.calibration import MAX_LEVEL_DB, MIN_LEVEL_DB, PAPER, from_level
from llm_ssd.caption import limits
from llm_ssd.caption.access import served_locally, shown_url
from llm_ssd.caption.client import caption_status, stream_caption
from llm_ssd.caption.settings import CaptionSettings, router_from_env
from llm_ssd.caption.sources import sign_in_available, source_order, visitor_settings
from llm_ssd.errors import LLMSSDError
from llm_ssd.figures import panels as plots
from llm_ssd.figures.images import DOWNLOAD_FORMAT, Rendered
from llm_ssd.figures.processes import drawn
from llm_ssd.labels import DEFAULT_LANGUAGE, LANGUAGES, MAX_LANGUAGE_CHARS
from llm_ssd.model.weights import DEFAULT_CHECKPOINT, available_checkpoints, checkpoint_label
from llm_ssd.ratings.blind import blind_pair
from llm_ssd.ratings.store import DatabaseLocation, RatingStore
from llm_ssd.reading.words import ENGLISH_WORDS
from llm_ssd.records.export import write_figures, write_record
from llm_ssd.result import Analysis
from ui.networks import analysis_choice, network_choice
from ui.page import (
    ANALYSIS_QUEUE,
    CONCURRENCY_LIMIT,
    DRAWING_PROCESSES,
    WORDS,
    DescribedPlotData,
    Outputs,
    analyzed,
    described,
    example_clips,
    panel_line,
)
from ui.rating import build_rating, register, wire_rating

EXAMPLES = {
    "real_dcase_scene.flac": "Real recording: busy outdoor place (dcase-util)",
    "real_birds.flac": "Real recording: birds singing (OpenSoundscape)",
    "public_square_fountain.flac": "Synthetic: public square with a fountain",
    "quiet_courtyard.flac": "Synthetic, not one of the model's 3 scenes: quiet courtyard",
    "construction_site.flac": "Synthetic, not one of the model's 3 scenes: road works",
}
"""The example clips offered, real recordings first, each with what it is (examples/README.md)."""


WRITING = "Writing the caption…"
"""The caption's line while an LLM is asked, before its first words."""
BLIND_WRITING = "Blind mode: writing two captions…"
NO_CLIP = "No clip yet: drop a sound file on the audio box, record one, or pick an example."
PENDING: dict[str, str] = {
    "caption": "The description of your clip will appear here.",
    "paq": "How the clip would feel to people: 8 ratings from 1 to 5",
    "circumplex": "Where the clip sits between pleasant and annoying, eventful and uneventful",
    "events": "Which of 15 kinds of sound the model hears",
    "mel": "The clip's sound energy over time and pitch",
    "loudness": "How loud the clip is over time",
}
"""What each panel shows before the first clip."""
FIGURE_NAMES = ("spectrogram", "loudness", "events", "feelings_radar", "circumplex")
"""Download names of the figures of `plots.all_figures`, in its order."""
SQUARE_PANELS = ("paq", "circumplex")
ENSEMBLE_LABEL = (
    "Ask all four published versions of the model and show their mean and spread (an ensemble "
    "of the four checkpoints: the checkpoint below is then not used; about 3× the time)"
)
LEVEL_LABEL = "I know this recording's level (LAeq, dB)"
LEVEL_INFO = (
    "Measured with a sound level meter where you recorded? Type it, and the loudness is measured "
    "at that level. Empty or 0: the paper's calibration (a full-scale sine is about 100 dB SPL)."
)
UNKNOWN_LEVELS = (None, 0)
"""What the level box holds when the visitor typed nothing: Gradio's number box sends 0 for an
empty box once it is shown, and 0 dB (the threshold of hearing) is no recording's LAeq."""
ADVANCED = ENGLISH_WORDS["advanced"]
RATE_FOLD = ENGLISH_WORDS["rate_fold"]
FIGURE_MIN_WIDTH = 320
"""A column narrower than this wraps under its neighbour: one figure a row on a phone."""
DOWNLOADS_PX = 200
"""The downloads' box, beside the spectrogram: a list of six files fits."""
OTHER_LANGUAGE = "Other…"
"""The language list's last entry: type the language in a box of its own."""
SOURCES_NOTE = f"Who writes the caption, the first that applies: {source_order()}."
SIGN_IN_NOTE = """Signing in lets the open model {model} write your caption through Hugging Face
Inference Providers, on your account's free monthly credits. Your token is used for this caption
only: never logged or stored here."""


@dataclass(frozen=True)
class DescribeTab:
    """The Describe button's outputs and the ratings store its captions are registered in."""

    out: Outputs
    store: RatingStore
    pending: dict[gr.components.Component, Any]
    """Each plot's placeholder: what it shows until its clip's figure arrives."""

    def clear(self) -> dict[gr.components.Component, Any]:
        """Empty every output while a new clip is described: no figure of the last clip stays
        beside the new one's scene."""
        out = self.out
        hidden = {
            out.timeline: gr.Plot(None, visible=False),
            out.timeline_line: gr.Markdown(visible=False),
            out.agreement: gr.Markdown("", visible=False),
            out.notice: gr.Markdown("", visible=False),
        }
        return {**self.pending, **hidden, out.scene: None, out.places: "", out.downloads: None,
                out.caption: "", out.caption_source: ""}  # fmt: skip

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
        blind: bool = False,
        keep_audio: bool = False,
        ensemble: bool = False,
        network: str = "soundaqnet",
        level_db: float | None = None,
        sign_in: gr.OAuthToken | None = None,
    ) -> Iterator[dict[gr.components.Component, Any]]:
        """Analysis first; then, once the network is done, the scene, the places and the
        caption (the offline one whole, an LLM's as it streams; blind: both after the
        figures); the figures follow as they are drawn (issue 21); the last update carries
        every output. Each caption shown is registered for rating; the clip is kept only when
        `keep_audio` is ticked. Gradio fills `sign_in` with the visitor's Hugging Face sign-in
        (a method, not a partial, so that Gradio sees its type), for this caption only."""
        out = self.out
        if not audio:
            raise gr.Error(NO_CLIP)
        try:  # LLM settings out of bounds are refused before the analysis
            settings, key = visitor_settings(
                CaptionSettings.from_env(),
                router_from_env(os.environ),
                model=model,
                base_url=base_url,
                temperature=temperature,
                language=chosen_language(language, other_language),
                api_key=api_key,
                hf_token=sign_in.token if sign_in else None,
                local=served_locally(),
            )
            chosen = analysis_choice(checkpoint, network)
            level = PAPER if level_db in UNKNOWN_LEVELS else from_level(level_db)
            analysis = analyzed(audio, ensemble=ensemble, calibration=level, **chosen)
        except LLMSSDError as exc:
            raise gr.Error(str(exc)) from exc
        for warning in analysis.warnings:
            gr.Warning(warning)
        record = analysis.to_dict()
        first = {
            **out.scene_and_places(analysis),
            out.record: record,
            **out.agreement_line(analysis),
        }
        drawing = FigureDrawing(out, analysis)
        if blind:
            yield {**first, out.caption: "", out.caption_source: BLIND_WRITING}
            yield from drawing.rest()
            captions, note = blind_pair(analysis, settings, key or "")
        else:
            stream = stream_caption(analysis, settings, key)
            try:
                if stream.asks_llm:  # the offline caption needs no "Writing…": it is all there
                    yield {**first, out.caption: "", out.caption_source: WRITING}
                    for _ in stream:
                        yield {out.caption: stream.text,
                               out.caption_source: f"Writing… ({stream.source})",
                               **drawing.ready()}  # fmt: skip
                captions, note = [stream.result()], ""
            finally:
                stream.close()  # the visitor went away (GeneratorExit): stop asking the LLM
        ids = register(self.store, audio, analysis, captions, settings.model, keep_audio)
        final = out.captions(record, captions, ids, note)
        yield {**first, **final}
        yield from drawing.rest()
        with tempfile.TemporaryDirectory(prefix="llm-ssd-") as folder:  # Gradio copies them
            files = write_record(final[out.record], Path(folder))
            files += write_figures(drawing.downloads(), audio, Path(folder))
            yield {**first, **drawing.shown, **final, out.downloads: [str(f) for f in files]}


class FigureDrawing:
    """One clip's figures, drawn in `figures.processes` while the caption is written (waited for
    in a thread of their own), each handed over as a page update when the handler asks."""

    def __init__(self, out: Outputs, analysis: Analysis) -> None:
        self.shown: dict[gr.components.Component, Any] = {}
        """Every update handed over so far, merged."""
        self._images: dict[int, Rendered] = {}
        self._queue: queue.Queue[Any] = queue.Queue()
        self._done = False
        threading.Thread(target=self._draw, args=(out, analysis), daemon=True).start()

    def _draw(self, out: Outputs, analysis: Analysis) -> None:
        try:
            for update in out.figure_updates(analysis, self._rendered(analysis)):
                self._queue.put(update)
        except Exception as exc:  # raised again in the handler's thread
            self._queue.put(exc)
        finally:
            self._queue.put(_DRAWN)

    def _rendered(self, analysis: Analysis) -> Iterator[tuple[int, Rendered]]:
        for i, image in drawn(analysis, DRAWING_PROCESSES):
            self._images[i] = image
            yield i, image

    def _take(self, item: Any) -> dict[gr.components.Component, Any]:
        if isinstance(item, Exception):
            raise item
        self._done = item is _DRAWN
        update = {} if self._done else item
        self.shown.update(update)
        return update

    def ready(self) -> dict[gr.components.Component, Any]:
        """The updates of the figures drawn since the last call, merged; without waiting."""
        updates: dict[gr.components.Component, Any] = {}
        while not self._done:
            try:
                updates.update(self._take(self._queue.get_nowait()))
            except queue.Empty:
                break
        return updates

    def rest(self) -> Iterator[dict[gr.components.Component, Any]]:
        """The figures' updates as they are drawn, until the last; those drawn by then go in one
        (each update costs Gradio a round of its own)."""
        while not self._done:
            update = {**self._take(self._queue.get()), **self.ready()}
            if update:
                yield update

    def downloads(self) -> dict[str, bytes]:
        """Each figure as a PNG file's bytes, by its download name (once all are drawn)."""
        return {FIGURE_NAMES[i]: self._images[i].encoded(DOWNLOAD_FORMAT)
                for i in sorted(self._images)}  # fmt: skip


_DRAWN = object()
"""Put after the last figure."""


def chosen_language(choice: str | None, other: str | None) -> str | None:
    """The language picked from the list, or the one typed under "Other…" (bounded by
    `limits.checked_language`, as every caption language is: the box's own limit holds in the
    browser only)."""
    return other if choice == OTHER_LANGUAGE else choice


@dataclass(frozen=True)
class LLMInputs:
    """The "LLM settings" a visitor may change, in the order `DescribeTab.describe` takes them
    after the clip and the checkpoint."""

    model: gr.Textbox
    base_url: gr.Textbox
    temperature: gr.Slider
    language: gr.Dropdown
    api_key: gr.Textbox
    other_language: gr.Textbox

    def all(self) -> list[gr.components.Component]:
        return [getattr(self, f.name) for f in fields(self)]


def language_inputs(env: CaptionSettings) -> tuple[gr.Dropdown, gr.Textbox]:
    """The caption language, next to the caption: a list, and a box for "Other…"."""
    listed = env.language in LANGUAGES
    with gr.Row():
        language = gr.Dropdown(
            [*LANGUAGES, OTHER_LANGUAGE],
            value=env.language if listed else OTHER_LANGUAGE,
            label=WORDS("caption_language"),
            min_width=160,
        )
        other_language = gr.Textbox(
            "" if listed else env.language,
            label="Other language",
            placeholder="e.g. Swahili",
            max_length=MAX_LANGUAGE_CHARS,
            visible=not listed,
            min_width=160,
        )
    language.change(
        lambda choice: gr.update(visible=choice == OTHER_LANGUAGE),
        inputs=language,
        outputs=other_language,
        queue=False,
        api_visibility="private",
    )
    return language, other_language


def llm_settings(
    env: CaptionSettings, language: gr.Dropdown, other_language: gr.Textbox
) -> LLMInputs:
    """The LLM settings, in the Advanced accordion: who writes the caption, the Hugging Face
    sign-in (where the app can offer it), the server and model; the language (placed next to
    the caption) joins them."""
    gr.Markdown(SOURCES_NOTE)
    if sign_in_available(os.environ):
        gr.LoginButton()
        gr.Markdown(SIGN_IN_NOTE.format(model=router_from_env(os.environ).model))
    model = gr.Textbox(env.model, label="Model", max_length=limits.MAX_MODEL_CHARS)
    base_url = gr.Textbox(
        shown_url(env.base_url) or "",
        max_length=limits.MAX_BASE_URL_CHARS,
        label="Base URL of an OpenAI-compatible server",
        placeholder="empty: OpenAI; e.g. http://localhost:11434/v1 for Ollama",
    )
    temperature = gr.Slider(
        *limits.TEMPERATURE_RANGE, env.temperature, step=0.1, label="Temperature"
    )
    api_key = gr.Textbox(
        "",
        type="password",
        max_length=limits.MAX_API_KEY_CHARS,
        label="Your own API key (optional, used for this request only)",
        placeholder="empty: your sign-in, or the server's settings, or the offline template",
    )
    return LLMInputs(model, base_url, temperature, language, api_key, other_language)


def check_clip(audio: str | None) -> None:
    """Before anything runs: one message when there is no clip, not an error on every panel."""
    if not audio:
        raise gr.Error(NO_CLIP)


@dataclass(frozen=True)
class Panels:
    """The result panels, in the order the page shows them."""

    notice: gr.Markdown
    scene: gr.Label
    agreement: gr.Markdown
    caption: gr.Textbox
    caption_b: gr.Textbox
    caption_source: gr.Markdown
    language: tuple[gr.Dropdown, gr.Textbox]
    paq: gr.Plot
    circumplex: gr.Plot
    places: gr.Markdown
    timeline: gr.Plot
    timeline_line: gr.Markdown
    events: gr.Plot
    loudness: gr.Plot
    mel: gr.Plot
    downloads: gr.File


def result_panels(env: CaptionSettings) -> Panels:
    """Results first: the scene beside the caption (its language next to it), then the figures,
    two to a row where the screen is wide enough and one under the other on a phone; the
    downloads beside the spectrogram, where the row would otherwise be half empty."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=FIGURE_MIN_WIDTH):
            notice = gr.Markdown(visible=False, elem_id="notice")
            panel_line("scene")
            scene = gr.Label(label=WORDS("scene"), num_top_classes=3)
            agreement = gr.Markdown(visible=False)
        with gr.Column(scale=2, min_width=FIGURE_MIN_WIDTH):
            caption = gr.Textbox(label=WORDS("caption"), lines=4, buttons=["copy"],
                                 interactive=False, placeholder=PENDING["caption"],
                                 elem_id="caption")  # fmt: skip
            caption_b = gr.Textbox(label="Caption B", lines=4, interactive=False, visible=False,
                                   elem_id="caption-b")  # fmt: skip
            caption_source = gr.Markdown()
            language = language_inputs(env)
    with gr.Row(equal_height=False):
        with gr.Column(min_width=FIGURE_MIN_WIDTH):
            panel_line("paq")
            paq = placeholder_plot("paq", "How it would feel (perceived affective qualities)")
        with gr.Column(min_width=FIGURE_MIN_WIDTH):
            panel_line("circumplex")
            circumplex = placeholder_plot("circumplex", "Pleasantness × eventfulness")
            places = gr.Markdown()
    timeline_line = panel_line("timeline", visible=False)
    timeline = gr.Plot(label="Timeline", show_label=False, visible=False)
    with gr.Row(equal_height=False):
        with gr.Column(min_width=FIGURE_MIN_WIDTH):
            panel_line("events")
            events = placeholder_plot("events", "Sound events")
        with gr.Column(min_width=FIGURE_MIN_WIDTH):
            panel_line("loudness")
            loudness = placeholder_plot("loudness", "Loudness")
    with gr.Row(equal_height=False):
        with gr.Column(min_width=FIGURE_MIN_WIDTH):
            panel_line("mel")
            mel = placeholder_plot("mel", "Log-mel spectrogram")
        with gr.Column(min_width=FIGURE_MIN_WIDTH):
            downloads = gr.File(label=WORDS("downloads"), file_count="multiple",
                                interactive=False, height=DOWNLOADS_PX)  # fmt: skip
    return Panels(notice, scene, agreement, caption, caption_b, caption_source, language, paq,
                  circumplex, places, timeline, timeline_line, events, loudness, mel,
                  downloads)  # fmt: skip


def build_describe_tab(
    store: RatingStore, location: DatabaseLocation
) -> tuple[gr.Audio, gr.Dropdown | None]:
    """The Describe tab, in the page being built: the examples, the clip and Describe in the
    first screen; then the scene and caption, the figures, the rating form folded under them,
    the downloads, and the settings last. Returns the clip's box (Listen live's recording goes
    there) and the caption language's list, for the page to set to the browser's language,
    unless the server chose another than the default."""
    env = CaptionSettings.from_env()
    audio = gr.Audio(sources=["upload", "microphone"], type="filepath", label=WORDS("sound_clip"),
                     elem_id="clip", render=False)  # fmt: skip
    with gr.Row(equal_height=False):  # examples first: above the clip on a phone, and in
        with gr.Column(scale=1, min_width=FIGURE_MIN_WIDTH):  # the keyboard's order
            example_clips(
                [audio],
                {(name,): label for name, label in EXAMPLES.items()},
                WORDS("examples"),
            )
            gr.Markdown(caption_status(env, sign_in_available(os.environ)))
        with gr.Column(scale=1, min_width=FIGURE_MIN_WIDTH):
            audio.render()
            loaded = gr.Markdown(loaded_line(None), elem_classes=["panel-line"])
            button = gr.Button(WORDS("describe"), variant="primary")
    audio.change(loaded_line, inputs=audio, outputs=loaded, queue=False, api_visibility="private")
    panels = result_panels(env)
    with gr.Accordion(WORDS("rate_fold"), open=False, elem_id="rate-fold"):
        rating = build_rating(store, location)
    with gr.Accordion("Analysis as JSON", open=False):
        record = gr.JSON(label="Analysis")
    with gr.Accordion(WORDS("advanced"), open=False):
        ensemble = gr.Checkbox(False, label=ENSEMBLE_LABEL)
        checkpoint = gr.Dropdown(
            [(checkpoint_label(name), name) for name in available_checkpoints()],
            value=DEFAULT_CHECKPOINT,
            label="SoundAQnet checkpoint (the authors' published weights)",
        )
        network = network_choice()
        level_db = gr.Number(None, label=LEVEL_LABEL, info=LEVEL_INFO, minimum=MIN_LEVEL_DB,
                             maximum=MAX_LEVEL_DB)  # fmt: skip
        llm = llm_settings(env, *panels.language)
    p = panels
    out = Outputs(p.scene, p.mel, p.loudness, p.events, p.paq, p.circumplex, p.timeline,
                  p.timeline_line, p.agreement, p.places, p.notice, p.caption_b,
                  *rating.caption_ids, p.downloads, record, p.caption,
                  p.caption_source)  # fmt: skip
    plots_by_key = {"paq": p.paq, "circumplex": p.circumplex, "events": p.events, "mel": p.mel,
                    "loudness": p.loudness}  # fmt: skip
    pending = {plot: pending_plot(key) for key, plot in plots_by_key.items()}
    tab = DescribeTab(out, store, pending)
    # Queued: a non-queued event's gr.Error reaches the browser as a bare HTTP 500, unseen.
    checked = button.click(
        check_clip, inputs=audio, concurrency_limit=None, api_visibility="private"
    )
    cleared = checked.success(tab.clear, outputs=out.all(), queue=False, api_visibility="private")
    event = cleared.then(
        tab.describe,
        inputs=[audio, checkpoint, *llm.all(), *rating.options, ensemble, network, level_db],
        outputs=out.all(),
        api_name="describe",
        concurrency_limit=CONCURRENCY_LIMIT,
        concurrency_id=ANALYSIS_QUEUE,
    )
    wire_rating(store, button, event, out, rating)
    return audio, (panels.language[0] if env.language == DEFAULT_LANGUAGE else None)


def loaded_line(audio: str | None) -> str:
    """Which clip the audio box holds, by its file's name, in the page's words."""
    return f"{WORDS('loaded')} **{Path(audio).name}**" if audio else str(WORDS("nothing_loaded"))


@cache
def pending_plot(key: str) -> DescribedPlotData:
    """A panel's placeholder figure: what it will show, with that as its text alternative."""
    size = plots.SQUARE if key in SQUARE_PANELS else plots.WIDE
    return described(plots.placeholder_figure(PENDING[key], size), PENDING[key])


def placeholder_plot(key: str, label: str) -> gr.Plot:
    """A plot that says what it will show until the first clip is described."""
    return gr.Plot(pending_plot(key), label=label, show_label=False)
