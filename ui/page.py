"""What the page's tabs share: where the examples are, how many analyses run at once, a
panel's plain line and a row of example clips."""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.components.plot import PlotData
from matplotlib.figure import Figure

from llm_ssd.analysis import analyze
from llm_ssd.caption.client import Caption
from llm_ssd.caption.offline import offline_language
from llm_ssd.env import ENV_APP_MAX_MINUTES
from llm_ssd.figures import panels as plots
from llm_ssd.figures import timeline as plots_timeline
from llm_ssd.figures.ensemble import agreement_line
from llm_ssd.figures.images import PAGE_FORMAT, Rendered, render
from llm_ssd.figures.panels import greyed
from llm_ssd.model import threads
from llm_ssd.places import nearest_markdown
from llm_ssd.reading.alt_text import figure_texts, timeline_text
from llm_ssd.reading.reliability import NO_PLACES, notice, shown_as_result
from llm_ssd.reading.story import headline
from llm_ssd.reading.words import page_words
from llm_ssd.result import Analysis

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
CONCURRENCY_LIMIT = 2
"""Requests served at once; the rest wait in the queue. Analysis is CPU-bound and takes under
1 GB at its peak whatever the length (30-s windows), so two at a time suit a 2-core, 16 GB CPU
Space."""
DEFAULT_MAX_MINUTES = 10.0
"""The app's length limit unless ENV_APP_MAX_MINUTES sets another (the library's is 60 minutes)."""
DRAWING_PROCESSES = CONCURRENCY_LIMIT
"""Processes drawing the figures of every tab (`figures.processes`): one per analysis the page
runs at once, so that one visitor's five figures are drawn two at a time and a crowd's are drawn
while the next clips are analysed."""
ANALYSIS_QUEUE = "analysis"
"""Describe and Compare share `CONCURRENCY_LIMIT`."""


def max_minutes() -> float:
    """The app's length limit in minutes: ENV_APP_MAX_MINUTES if it is a positive number, else (with
    a warning) DEFAULT_MAX_MINUTES."""
    text = os.environ.get(ENV_APP_MAX_MINUTES, "").strip()
    try:
        minutes = float(text) if text else DEFAULT_MAX_MINUTES
    except ValueError:
        minutes = math.nan
    if not (math.isfinite(minutes) and minutes > 0):
        message = f"{ENV_APP_MAX_MINUTES}={text!r} is not a positive number of minutes"
        warnings.warn(f"{message}; using {DEFAULT_MAX_MINUTES:g}", stacklevel=2)
        minutes = DEFAULT_MAX_MINUTES
    return minutes


MAX_MINUTES = max_minutes()
MAX_FILE_MIB = 50
"""The largest upload, MiB (2**20 bytes; Gradio reads its "50mb" so)."""
PAGE_WORDS_FILLED = page_words(minutes=f"{MAX_MINUTES:g}", mebibytes=MAX_FILE_MIB)
WORDS = gr.I18n(**PAGE_WORDS_FILLED)
"""The page's own words, in the browser's language where `PAGE_WORDS` has it."""


def analyzed(audio: str, **options: Any) -> Analysis:
    """`analyze()` under the app's length limit, `MAX_MINUTES`: every path of the app that
    analyses a file goes through here (Describe, and so Listen live's recording; Compare; the
    MCP tools), so none of them forgets it; on the threads kept for the `CONCURRENCY_LIMIT`
    analyses the page runs at once (`threads.on_analysis_thread`)."""
    return threads.on_analysis_thread(
        CONCURRENCY_LIMIT, analyze, audio, max_duration=MAX_MINUTES * 60, **options
    )


def panel_line(key: str, visible: bool = True) -> gr.Markdown:
    """The plain line of what a panel shows, above it."""
    return gr.Markdown(WORDS(f"line_{key}"), elem_classes=["panel-line"], visible=visible)


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


class DescribedPlotData(PlotData):
    """A matplotlib figure for gr.Plot with a text alternative: the browser shows `chart` in
    the image's alt text (Gradio's own figures leave it "undefined")."""

    chart: str = ""


def described(figure: Figure | Rendered, text: str) -> DescribedPlotData:
    """A figure (drawn here unless it is already) with its text alternative, ready for a gr.Plot
    output. The browser appends "plot visualising provided data" to the text."""
    image = figure if isinstance(figure, Rendered) else render(figure)
    plot = image.data_url(PAGE_FORMAT)
    return DescribedPlotData(type="matplotlib", plot=plot, chart=f"{text.rstrip('.')} —")


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
    timeline: gr.Plot
    """Scenes, feelings, loudness and events over time; hidden for one window."""
    timeline_line: gr.Markdown
    """The timeline's plain line, shown with it."""
    agreement: gr.Markdown
    """ "4 of 4 checkpoints: park" with the ensemble; hidden without."""
    places: gr.Markdown
    notice: gr.Markdown
    """Why the results are greyed (too quiet) or less reliable (very quiet); hidden otherwise."""
    caption_b: gr.Textbox
    """Blind mode's caption B (empty otherwise)."""
    caption_id: gr.Textbox
    """The id to rate the caption by (caption A in blind mode), through the `rate` endpoint."""
    caption_b_id: gr.Textbox
    downloads: gr.File
    """The figures as PNG and the record as CSV and JSON, once the caption is done."""
    record: gr.JSON
    caption: gr.Textbox
    caption_source: gr.Markdown

    def all(self) -> list[gr.components.Component]:
        return [getattr(self, f.name) for f in fields(self)]

    def figures(
        self, analysis: Analysis, figures: Sequence[Figure | Rendered]
    ) -> dict[gr.components.Component, Any]:
        """The five figures of `plots.all_figures`, each with its text alternative."""
        return {k: v for part in self.figure_updates(analysis, enumerate(figures))
                for k, v in part.items()}  # fmt: skip

    def figure_updates(
        self, analysis: Analysis, figures: Iterable[tuple[int, Figure | Rendered]]
    ) -> Iterator[dict[gr.components.Component, Any]]:
        """Each figure of `plots.all_figures`, given with its place there in any order, as soon
        as it is given, with its text alternative; then the timeline."""
        texts = figure_texts(analysis)
        outputs = (self.mel, self.loudness, self.events, self.paq, self.circumplex)
        for i, figure in figures:
            yield {outputs[i]: described(figure, texts[i])}
        timeline = plots_timeline.timeline_figure(analysis)  # None for one window
        if timeline and not shown_as_result(analysis):
            timeline = greyed(timeline)
        yield {
            self.timeline: gr.Plot(
                described(timeline, timeline_text(analysis)) if timeline else None,
                visible=timeline is not None,
            ),
            self.timeline_line: gr.Markdown(visible=timeline is not None),
        }

    def scene_and_places(self, analysis: Analysis) -> dict[gr.components.Component, Any]:
        """The scene's confidences ("park → street" where the place changes) and the nearest
        places, or, for a clip too quiet to describe, neither (the notice says why); the notice
        of a very quiet clip."""
        shown, line = shown_as_result(analysis), notice(analysis)
        scene = headline(analysis) or plots.scene_confidences(analysis)
        return {
            self.scene: scene if shown else None,
            self.places: nearest_markdown(analysis.isop, analysis.isoe) if shown else NO_PLACES,
            self.notice: gr.Markdown(line, visible=bool(line)),
        }

    def agreement_line(self, analysis: Analysis) -> dict[gr.components.Component, Any]:
        """ "4 of 4 checkpoints: park" under the scene with the ensemble; hidden without."""
        line = agreement_line(analysis)
        return {self.agreement: gr.Markdown(f"**{line}**" if line else "", visible=bool(line))}

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


BROWSER_LANGUAGE_JS = (
    """(current) => ({map})[(navigator.language || "").slice(0, 2)] || current""".replace(
        "{map}", json.dumps({locale: offline_language(locale) for locale in PAGE_WORDS_FILLED})
    )
)
"""Sets the caption language to the browser's, where the offline caption has it."""

MAIN_PAGE = "Describe"
RESULTS_PAGE, RESULTS_PATH = "Results", "results"

BLIND_NOTE = (
    "**Blind mode**: A and B are the AI model's caption and the offline template's, in random "
    f"order. Rate each; which was which is stored with your ratings (see {RESULTS_PAGE})."
)
