"""LLM-SSD Gradio app: drop or record a clip, see what SoundAQnet hears, read the caption.

Only wiring lives here; the analysis, plots and captions are in `llm_ssd`."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from llm_ssd import guide, plots
from llm_ssd.access import request_settings, served_locally
from llm_ssd.analysis import analyze
from llm_ssd.audio import MAX_DURATION
from llm_ssd.caption import Caption, CaptionSettings, stream_caption
from llm_ssd.compare import describe_difference, scenes_line
from llm_ssd.errors import LLMSSDError
from llm_ssd.inference import load_model
from llm_ssd.places import nearest_markdown
from llm_ssd.prompt import DEFAULT_LANGUAGE
from llm_ssd.ratings import (
    MAX_RATER_CODE,
    POSITIONS,
    SUMMARY_HEADERS,
    DatabaseLocation,
    RatingError,
    RatingStore,
    ShownCaption,
    clip_sha256,
    database_location,
    summarize,
    summary_table,
)
from llm_ssd.result import Analysis
from llm_ssd.rubric import (
    CRITERIA,
    CRITERION_KEYS,
    MEASURES,
    OVERALL_FORMULA,
    PUBLISHED_HEADERS,
    PUBLISHED_SOURCE,
    Criterion,
    published_table,
)
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
MAIN_PAGE = "Describe"
RESULTS_PAGE, RESULTS_PATH = "Results", "results"
RATE_CONCURRENCY = 4
"""Ratings served at once: each is one short SQLite write."""
RATING_INTRO = f"""### Rate captions as the paper's experts did
Their rubric: precision and recall 1 to 5, three penalties −2 to 0 ({OVERALL_FORMULA}). Set
these before **Describe**:"""
RATE_ONE, RATE_A, RATE_B = "#### Rate this caption", "#### Rate caption A", "#### Rate caption B"
BLIND_NOTE = (
    "**Blind mode**: A and B are the AI model's caption and the offline template's, in random "
    f"order. Rate each; which was which is stored with your ratings (see {RESULTS_PAGE})."
)
NO_AI_MODEL = (
    "no AI model is configured here (an API key, or a server under LLM settings), so there is "
    "no second kind of caption"
)
BLIND_OFF = (
    "Note: blind mode compares an AI caption with the offline template, but {why}: this caption "
    "is rated not blind."
)
ALL_RATERS = "all raters"
SOURCE_AND_MEANS = ["180px", *["80px"] * (len(SUMMARY_HEADERS) - 1)]
"""Column widths of the class's table: long source names wrap, and a phone scrolls sideways."""
RESULTS_INTRO = f"""# {RESULTS_PAGE}
This class's ratings per caption source, with the paper's rubric ({OVERALL_FORMULA}): each
mean is taken over the raters of a clip, then over clips, as in the paper. The command line gives
the same: `llm-ssd ratings summary`, and every rating with `llm-ssd ratings export --format csv`."""
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
    """The components `describe` fills, so that its updates are keyed by component.

    The rating fields come before `record`, so that the API's last three outputs (record,
    caption, source) stay where clients expect them."""

    scene: gr.Label
    mel: gr.Plot
    loudness: gr.Plot
    events: gr.Plot
    paq: gr.Plot
    circumplex: gr.Plot
    places: gr.Markdown
    caption_b: gr.Textbox
    """Blind mode's caption B (empty otherwise)."""
    caption_id: gr.Textbox
    """The id to rate the caption by (caption A in blind mode), through the `rate` endpoint."""
    caption_b_id: gr.Textbox
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

    def captions(
        self, record: dict[str, Any], captions: Sequence[Caption], ids: Sequence[str], note: str
    ) -> dict[gr.components.Component, Any]:
        """The caption outputs: one caption with its source, or blind mode's A and B (and then
        neither their sources nor the caption in the record)."""
        if len(captions) == 2:
            a, b = captions
            return {self.record: record, self.caption: a.text, self.caption_b: b.text,
                    self.caption_id: ids[0], self.caption_b_id: ids[1],
                    self.caption_source: BLIND_NOTE}  # fmt: skip
        (caption,) = captions
        source = f"Caption from: **{caption.source}**"
        if caption.error:
            source += f"  \n⚠️ {caption.error}"
        if note:
            source += f"  \n{note}"
        return {self.record: {**record, **caption.to_dict()}, self.caption: caption.text,
                self.caption_b: "", self.caption_id: ids[0], self.caption_b_id: "",
                self.caption_source: source}  # fmt: skip


def clear_caption() -> tuple[str, str]:
    """Empty the caption and its source while a new request runs."""
    return "", ""


def describe(
    out: Outputs,
    store: RatingStore,
    audio: str | None,
    checkpoint: str = DEFAULT_CHECKPOINT,
    model: str = "",
    base_url: str = "",
    temperature: float = 1.0,
    language: str = DEFAULT_LANGUAGE,
    api_key: str = "",
    blind: bool = False,
    keep_audio: bool = False,
) -> Iterator[dict[gr.components.Component, Any]]:
    """Analysis first, then the plots, then the caption as it streams (in blind mode, both
    captions at once); the last update carries every output. Each caption shown is registered
    for rating; the clip itself is kept only when `keep_audio` is ticked."""
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
    if blind:
        yield {out.caption_source: "Blind mode: writing two captions…"}
        captions, note = blind_pair(analysis, settings, api_key)
    else:
        stream = stream_caption(analysis, settings, api_key or None)
        for _ in stream:
            yield {out.caption: stream.text, out.caption_source: f"Writing… ({stream.source})"}
        captions, note = [stream.result()], ""
    ids = register(store, audio, analysis, captions, settings.model, keep_audio)
    yield {**first, **figures, **out.captions(record, captions, ids, note)}


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


def register(
    store: RatingStore,
    audio: str,
    analysis: Analysis,
    captions: Sequence[Caption],
    model: str,
    keep_audio: bool,
) -> list[str]:
    """Register the captions shown, so that they can be rated, and return their ids ("" each,
    with a warning, when the ratings database cannot be written)."""
    template = template_caption(analysis).source
    record = {k: v for k, v in analysis.to_dict().items() if k != "source"}  # no file name
    pair = secrets.token_hex(8) if len(captions) == 2 else None
    ids = []
    try:
        sha256 = clip_sha256(audio)
        for caption, position in zip(captions, POSITIONS if pair else (None,), strict=True):
            shown = ShownCaption(
                caption.text,
                caption.source,
                model=None if caption.source == template else model,
                analysis=record,
                clip_sha256=sha256,
                clip_duration=analysis.duration,
                position=position,
                pair=pair,
            )
            ids.append(store.register_caption(shown, audio if keep_audio else None))
        return ids
    except (RatingError, OSError) as exc:
        gr.Warning(f"This caption cannot be rated: {exc}")
        return [""] * len(captions)


@dataclass(frozen=True)
class RatingForm:
    """One caption's rating form: the paper's five criteria, Submit and what came of it."""

    box: gr.Column
    header: gr.Markdown
    caption_id: gr.Textbox
    scores: tuple[gr.components.Component, ...]
    submit: gr.Button
    status: gr.Markdown


@dataclass(frozen=True)
class RatingUI:
    """Who rates and how (set before Describe), and a form per caption (two in blind mode)."""

    rater: gr.Textbox
    blind: gr.Checkbox
    keep_audio: gr.Checkbox
    forms: tuple[RatingForm, RatingForm]

    @property
    def options(self) -> list[gr.components.Component]:
        """What `describe` takes from here, after its own inputs."""
        return [self.blind, self.keep_audio]

    @property
    def caption_ids(self) -> list[gr.Textbox]:
        """The (hidden) ids of the captions to rate, filled by `describe`."""
        return [form.caption_id for form in self.forms]


def criterion_input(c: Criterion) -> gr.components.Component:
    """Whole numbers to choose from, or a slider for a penalty (0: nothing wrong)."""
    label = f"{c.name} ({c.scale})"
    if c.penalty:
        return gr.Slider(c.low, c.high, value=c.high, step=c.step, label=label, info=c.definition)
    return gr.Radio(list(range(int(c.low), int(c.high) + 1)), label=label, info=c.definition)


def rating_form(header: str, id_label: str) -> RatingForm:
    with gr.Column(visible=False, min_width=300, elem_classes=["rating-form"]) as box:
        title = gr.Markdown(header)
        caption_id = gr.Textbox(visible=False, label=id_label)
        scores = tuple(criterion_input(c) for c in CRITERIA)
        submit = gr.Button("Submit rating", variant="primary")
        status = gr.Markdown()
    return RatingForm(box, title, caption_id, scores, submit, status)


def build_rating(location: DatabaseLocation) -> RatingUI:
    """Under the caption: the rater code, blind mode and keeping the clip, then the forms (shown
    once there is a caption to rate)."""
    gr.Markdown(RATING_INTRO)
    with gr.Row():
        rater = gr.Textbox(
            label=f"Rater code (optional, at most {MAX_RATER_CODE} characters)",
            placeholder="a class or group code, not a name",
            max_length=MAX_RATER_CODE,
            max_lines=1,
        )
        with gr.Column():
            blind = gr.Checkbox(
                label="Blind mode: rate two captions, A and B",
                info="The AI model's and the offline template's, in random order",
            )
            keep_audio = gr.Checkbox(
                label="Keep my clip with the ratings",
                info="Otherwise only its fingerprint (sha256) and the analysis are stored",
            )
    if location.notice:
        gr.Markdown(location.notice)
    with gr.Row():
        forms = (rating_form(RATE_ONE, "Caption id"), rating_form(RATE_B, "Caption B id"))
    return RatingUI(rater, blind, keep_audio, forms)


def reset_rating(out: Outputs, ui: RatingUI) -> dict[gr.components.Component, Any]:
    """Hide and clear the forms while a new clip is described."""
    updates: dict[gr.components.Component, Any] = {
        out.caption: gr.update(label="Caption"),
        out.caption_b: gr.update(value="", visible=False),
    }
    for form in ui.forms:
        updates |= {form.box: gr.update(visible=False), form.caption_id: "", form.status: ""}
        updates |= {form.submit: gr.update(value="Submit rating", interactive=True)}
        updates |= {
            s: c.high if c.penalty else None for s, c in zip(form.scores, CRITERIA, strict=True)
        }
    return updates


def show_rating(
    out: Outputs, ui: RatingUI, caption_id: str, caption_b_id: str
) -> dict[gr.components.Component, Any]:
    """Show a form for each caption that can be rated: one, or A and B in blind mode."""
    a, b = ui.forms
    blind = bool(caption_b_id)
    return {
        out.caption: gr.update(label="Caption A" if blind else "Caption"),
        out.caption_b: gr.update(visible=blind),
        a.box: gr.update(visible=bool(caption_id)),
        a.header: RATE_A if blind else RATE_ONE,
        b.box: gr.update(visible=blind),
    }


def submit_rating(store: RatingStore, caption_id: str, *values: Any) -> tuple[str, Any]:
    """Store a form's rating (the five scores, then the rater code); bad input in a toast."""
    *scores, rater = values
    try:
        row = store.rate(caption_id, dict(zip(CRITERION_KEYS, scores, strict=True)), rater)
    except RatingError as exc:
        raise gr.Error(str(exc)) from exc
    done = f"Stored as rating {row['rating_id']} (overall {row['overall']:.2f}). Thank you!"
    return done, gr.update(value="Rated", interactive=False)


def rate_endpoint(store: RatingStore) -> Callable[..., dict[str, Any]]:
    """The `rate` API function (typed: gr.api derives the endpoint from the hints)."""

    def rate(
        caption_id: str,
        precision: float | None = None,
        recall: float | None = None,
        fluency: float | None = None,
        conciseness: float | None = None,
        irrelevance: float | None = None,
        rater_code: str | None = None,
    ) -> dict[str, Any]:
        """Rate a caption this app showed (its id is among /describe's outputs) with the paper's
        rubric: precision and recall 1 to 5, fluency, conciseness and irrelevance -2 to 0 in
        steps of 0.1; an optional rater code (a class code). Returns the stored rating."""
        given = (precision, recall, fluency, conciseness, irrelevance)
        try:
            row = store.rate(caption_id, dict(zip(CRITERION_KEYS, given, strict=True)), rater_code)
        except RatingError as exc:
            raise gr.Error(str(exc)) from exc
        return {k: row[k] for k in ("rating_id", "caption_id", "rater", *MEASURES)}

    return rate


def wire_rating(
    store: RatingStore, button: gr.Button, described: Any, out: Outputs, ui: RatingUI
) -> None:
    """Clear the forms on Describe, show them once the captions are registered, store ratings;
    and the `rate` API endpoint."""
    reset = reset_rating(out, ui)
    button.click(partial(reset_rating, out, ui), outputs=list(reset), queue=False,
                 api_visibility="private")  # fmt: skip
    shown = show_rating(out, ui, "", "")
    described.then(partial(show_rating, out, ui), inputs=[out.caption_id, out.caption_b_id],
                   outputs=list(shown), queue=False, api_visibility="private")  # fmt: skip
    for form in ui.forms:
        form.submit.click(
            partial(submit_rating, store),
            inputs=[form.caption_id, *form.scores, ui.rater],
            outputs=[form.status, form.submit],
            api_visibility="private",
            concurrency_limit=RATE_CONCURRENCY,
        )
    gr.api(rate_endpoint(store), api_name="rate", concurrency_limit=RATE_CONCURRENCY)


def results(store: RatingStore, rater: str | None) -> tuple[list[list[Any]], Any, Any]:
    """The summary table and plot for one rater code (or all), and the codes to choose from."""
    summaries = summarize(store.rows(None if rater in (None, "", ALL_RATERS) else rater))
    codes = gr.update(choices=[ALL_RATERS, *store.raters()])
    return summary_table(summaries), plots.ratings_figure(summaries), codes


def build_results_page(demo: gr.Blocks, store: RatingStore, location: DatabaseLocation) -> None:
    """The teacher's page: the class's means per caption source beside the paper's, a plot,
    filtered by rater code; read afresh on every visit and on Refresh."""
    gr.Navbar(main_page_name=MAIN_PAGE)
    gr.Markdown(RESULTS_INTRO)
    with gr.Row():
        rater = gr.Dropdown([ALL_RATERS], value=ALL_RATERS, label="Rater code", scale=3)
        refresh = gr.Button("Refresh", scale=1)
    table = gr.Dataframe(
        headers=list(SUMMARY_HEADERS),
        label="This class",
        interactive=False,
        wrap=True,
        column_widths=SOURCE_AND_MEANS,
        elem_id="class-results",
    )
    plot = gr.Plot(label="Mean scores", show_label=False)
    published = [["" if v is None else v for v in row] for row in published_table()]
    gr.Dataframe(published, headers=list(PUBLISHED_HEADERS), label=PUBLISHED_SOURCE,
                 interactive=False)  # fmt: skip
    if location.notice:
        gr.Markdown(location.notice)
    gr.Markdown(f"Ratings database: `{location.path}`")
    show = partial(results, store)
    for trigger in (refresh.click, rater.input):
        trigger(show, inputs=rater, outputs=[table, plot, rater], api_visibility="private")
    demo.load(show, inputs=rater, outputs=[table, plot, rater], api_visibility="private")


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


def build_describe_tab(store: RatingStore, location: DatabaseLocation) -> gr.Blocks:
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
                caption_b = gr.Textbox(label="Caption B", lines=5, interactive=False, visible=False)
                caption_source = gr.Markdown()
                rating = build_rating(location)
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
                      places, caption_b, *rating.caption_ids, record, caption,
                      caption_source)  # fmt: skip
        inputs = [audio, checkpoint, model, base_url, temperature, language, api_key]
        described = button.click(
            clear_caption, outputs=[caption, caption_source], queue=False, api_visibility="private"
        ).then(
            partial(describe, out, store),
            inputs=[*inputs, *rating.options],
            outputs=out.all(),
            api_name="describe",
            concurrency_limit=CONCURRENCY_LIMIT,
            concurrency_id=ANALYSIS_QUEUE,
        )
        wire_rating(store, button, described, out, rating)
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
    location = database_location()
    store = RatingStore(location.path)
    # built outside the page's context, or it would render twice
    describe_tab = build_describe_tab(store, location)
    with gr.Blocks(title=TITLE) as demo:
        gr.Navbar(main_page_name=MAIN_PAGE)
        gr.Markdown(INTRO)
        with gr.Accordion("How to read this", open=False):
            gr.Markdown(guide.HOW_TO_READ)
        with gr.Tab("Describe"):
            describe_tab.render()
        with gr.Tab("Compare"):
            build_compare_tab()
    with demo.route(RESULTS_PAGE, RESULTS_PATH):
        build_results_page(demo, store, location)
    return demo


if __name__ == "__main__":
    load_model()  # fetch and verify the weights once, before the first visitor
    build_demo().queue(default_concurrency_limit=CONCURRENCY_LIMIT).launch(
        max_file_size=MAX_FILE_SIZE, css=CSS
    )
