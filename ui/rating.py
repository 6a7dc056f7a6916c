"""Rating captions as the paper's experts did: the forms under the caption, blind mode, the
`rate` endpoint and the teacher's Results page. The rubric and the store are in `llm_ssd`."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import gradio as gr

from llm_ssd.caption.client import Caption
from llm_ssd.figures.ratings import ratings_figure
from llm_ssd.ratings.blind import template_caption
from llm_ssd.ratings.faults import DatabaseFault, public_message
from llm_ssd.ratings.rubric import (
    CRITERIA,
    CRITERION_KEYS,
    MEASURES,
    OVERALL_FORMULA,
    PUBLISHED_HEADERS,
    PUBLISHED_SOURCE,
    Criterion,
    published_table,
)
from llm_ssd.ratings.store import (
    MAX_KEPT_BYTES,
    MAX_RATER_CODE,
    POSITIONS,
    DatabaseLocation,
    RatingError,
    RatingStore,
    ShownCaption,
    clip_sha256,
)
from llm_ssd.ratings.summary import SUMMARY_HEADERS, settled, summarize, summary_table
from llm_ssd.result import Analysis
from ui.page import MAIN_PAGE, RESULTS_PAGE, Outputs
from ui.style import WIDE_TABLE

RATE_CONCURRENCY = 4
"""Ratings served at once: each is one short SQLite write."""
RATING_INTRO = f"""### Rate captions as the paper's experts did
Their rubric: precision and recall 1 to 5, three penalties −2 to 0 ({OVERALL_FORMULA}). Set
these before **Describe**:"""
RATE_ONE, RATE_A, RATE_B = "#### Rate this caption", "#### Rate caption A", "#### Rate caption B"
ALL_RATERS = "all raters"
SOURCE_AND_MEANS = ["180px", *["80px"] * (len(SUMMARY_HEADERS) - 1)]
"""Column widths of the class's table: long source names wrap, and a phone scrolls sideways."""
RESULTS_INTRO = f"""# {RESULTS_PAGE}
This class's ratings per caption source, with the paper's rubric ({OVERALL_FORMULA}): each
mean is taken over the raters of a clip, then over clips, as in the paper. A blind pair's ratings
appear here once both A and B are rated, so that this page never tells a rater which was which.
On the server, `llm-ssd ratings summary` counts every rating at once, and `llm-ssd ratings
export --format csv` lists them all."""
NOT_STORED = "Your rating was not stored. {problem} Note your scores and submit them again later."
"""A rating given while the database is broken: said, not lost silently."""
CLIPS_FULL = (
    f"Your clip was not kept: the server's store of kept clips is full ({MAX_KEPT_BYTES >> 30} "
    "GiB). The caption can still be rated."
)
UNREADABLE_CLIP = "the uploaded clip could not be read again to take its fingerprint"


def ratings_notice(store: RatingStore) -> str:
    """Why ratings are off (for the form and the Results page), or "" while they work."""
    fault = store.problem()
    return f"**{fault.public}**" if fault else ""


def refusal(exc: RatingError) -> gr.Error:
    """A rating refused: bad input as it is; a broken database saying the rating is not kept.
    No traceback in the server's log: the store has logged a broken database in one line."""
    if isinstance(exc, DatabaseFault):
        return gr.Error(NOT_STORED.format(problem=exc.public), print_exception=False)
    return gr.Error(public_message(exc), print_exception=False)


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
        if keep_audio and not store.room_for(audio):
            gr.Warning(CLIPS_FULL)
            keep_audio = False
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
        why = public_message(exc) if isinstance(exc, RatingError) else UNREADABLE_CLIP
        gr.Warning(f"This caption cannot be rated: {why}")
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
    notice: gr.Markdown
    """Why ratings are off, while they are."""

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


def build_rating(store: RatingStore, location: DatabaseLocation) -> RatingUI:
    """Under the caption: why ratings are off (while they are), the rater code, blind mode and
    keeping the clip, then the forms (shown once there is a caption to rate)."""
    gr.Markdown(RATING_INTRO)
    notice = gr.Markdown(partial(ratings_notice, store), elem_id="ratings-notice")
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
    return RatingUI(rater, blind, keep_audio, forms, notice)


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
        raise refusal(exc) from exc
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
            raise refusal(exc) from exc
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
    described.then(partial(ratings_notice, store), outputs=ui.notice, api_visibility="private")
    for form in ui.forms:
        form.submit.click(
            partial(submit_rating, store),
            inputs=[form.caption_id, *form.scores, ui.rater],
            outputs=[form.status, form.submit],
            api_visibility="private",
            concurrency_limit=RATE_CONCURRENCY,
        )
    gr.api(rate_endpoint(store), api_name="rate", concurrency_limit=RATE_CONCURRENCY)


def results(store: RatingStore, rater: str | None) -> tuple[list[list[Any]], Any, Any, str]:
    """The summary table and plot for one rater code (or all), the codes to choose from, and
    why ratings are off (an empty table then)."""
    try:
        rows = store.rows(None if rater in (None, "", ALL_RATERS) else rater)
        summaries = summarize(settled(rows))  # a blind pair once both are rated
        codes = gr.update(choices=[ALL_RATERS, *store.raters()])
    except DatabaseFault as fault:
        return [], ratings_figure([]), gr.update(choices=[ALL_RATERS]), f"**{fault.public}**"
    return summary_table(summaries), ratings_figure(summaries), codes, ""


def build_results_page(demo: gr.Blocks, store: RatingStore, location: DatabaseLocation) -> None:
    """The teacher's page: the class's means per caption source beside the paper's, a plot,
    filtered by rater code; read afresh on every visit and on Refresh."""
    gr.Navbar(main_page_name=MAIN_PAGE)
    gr.Markdown(RESULTS_INTRO)
    notice = gr.Markdown(partial(ratings_notice, store), elem_id="results-notice")
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
        elem_classes=[WIDE_TABLE],
    )
    plot = gr.Plot(label="Mean scores", show_label=False)
    published = [["" if v is None else v for v in row] for row in published_table()]
    gr.Dataframe(published, headers=list(PUBLISHED_HEADERS), label=PUBLISHED_SOURCE,
                 interactive=False, elem_classes=[WIDE_TABLE])  # fmt: skip
    if location.notice:
        gr.Markdown(location.notice)
    show, outputs = partial(results, store), [table, plot, rater, notice]
    for trigger in (refresh.click, rater.input):
        trigger(show, inputs=rater, outputs=outputs, api_visibility="private")
    demo.load(show, inputs=rater, outputs=outputs, api_visibility="private")
