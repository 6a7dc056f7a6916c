"""What the page's tabs share: where the examples are, how many analyses run at once, a
panel's plain line and a row of example clips."""

from __future__ import annotations

import math
import os
import warnings
from pathlib import Path

import gradio as gr
from gradio.components.plot import PlotData
from gradio.processing_utils import encode_plot_to_base64
from matplotlib.figure import Figure

from llm_ssd import guide

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
CONCURRENCY_LIMIT = 2
"""Requests served at once; the rest wait in the queue. Analysis is CPU-bound and takes under
1 GB at its peak whatever the length (30-s windows), so two at a time suit a 2-core, 16 GB CPU
Space."""
MAX_MINUTES_ENV = "LLM_SSD_APP_MAX_MINUTES"
DEFAULT_MAX_MINUTES = 10.0
"""The app's length limit unless MAX_MINUTES_ENV sets another (the library's is 60 minutes)."""
ANALYSIS_QUEUE = "analysis"
"""Describe and Compare share `CONCURRENCY_LIMIT`."""


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


PLOT_FORMAT = "webp"
"""How figures travel to the browser (gr.Plot's default)."""


class DescribedPlotData(PlotData):
    """A matplotlib figure for gr.Plot with a text alternative: the browser shows `chart` in
    the image's alt text (Gradio's own figures leave it "undefined")."""

    chart: str = ""


def described(figure: Figure, text: str) -> DescribedPlotData:
    """A figure with its text alternative, ready for a gr.Plot output. The browser appends
    "plot visualising provided data" to the text."""
    plot = encode_plot_to_base64(figure, PLOT_FORMAT)
    return DescribedPlotData(type="matplotlib", plot=plot, chart=f"{text.rstrip('.')} —")
