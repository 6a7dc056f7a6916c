"""LLM-SSD Gradio app: drop or record a clip, see what SoundAQnet hears, read the caption.

Only wiring lives here and in `ui/`; the analysis, plots and captions are in `llm_ssd`.

May import: ui, llm_ssd."""

from __future__ import annotations

import sys

import gradio as gr

from llm_ssd.errors import LLMSSDError
from llm_ssd.model import threads
from llm_ssd.model.runtime import load_model
from llm_ssd.ratings.store import RatingStore, database_location
from llm_ssd.reading import guide
from ui.compare import build_compare_tab
from ui.describe import build_describe_tab
from ui.page import (
    CONCURRENCY_LIMIT,
    MAIN_PAGE,
    MAX_MINUTES,
    RESULTS_PAGE,
    RESULTS_PATH,
)
from ui.rating import build_results_page

MAX_FILE_MB = 50
MAX_FILE_SIZE = f"{MAX_FILE_MB}mb"
CACHE_SWEEP_EVERY = 15 * 60
CACHE_MAX_AGE = 60 * 60
"""Uploads and other temporary files are deleted an hour after they were made (checked every
quarter of an hour), and all of them when the app restarts."""
NO_WEIGHTS = 2
"""Exit status when the weights cannot be had (the one fault that stops the app)."""
TITLE = "LLM-SSD: soundscape describer"
INTRO = f"""# {TITLE}
Drop a sound clip (or record one) and press **Describe**. SoundAQnet, the acoustic model of
*Soundscape Captioning using Sound Affective Quality Network and Large Language Model* (Hou et
al.), predicts the kind of place, the sounds in it and how it would feel to people (ISO/TS
12913-3); a large language model then describes it in plain words. Recordings up to
{MAX_MINUTES:g} minutes and {MAX_FILE_MB} MB; one longer than 45 s is analysed in 30-s windows,
and a timeline shows how the place changes. **Compare** puts two clips side by side."""
CSS = """
.toast-body { background: var(--background-fill-primary) !important; opacity: 1 !important; }
.panel-line p { margin: 0 !important; font-size: 0.95em; }
button.primary { background: #b33c00 !important; border-color: #b33c00 !important;
                 color: #ffffff !important; }
:focus-visible { outline: 3px solid #1a56db !important; outline-offset: 2px !important; }
"""
"""Error toasts drawn opaque, so the page text does not show through them; panel lines tight;
the primary button's white text at 5.9:1 contrast (Gradio's orange gives 2.8:1); a visible focus
ring for keyboard users."""
READ_ONLY_CAPTIONS = """() => {
  const fix = () => document.querySelectorAll("#caption textarea, #caption-b textarea")
    .forEach((box) => {
      if (box.disabled) { box.disabled = false; box.readOnly = true; }
      box.setAttribute("aria-live", "polite");
    });
  fix();
  new MutationObserver(fix).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["disabled"],
  });
}"""
"""Gradio disables a non-interactive textbox, which keyboards and screen readers skip: the
captions become read-only instead, focusable, and announced as they change."""


def build_demo() -> gr.Blocks:
    """The page: the introduction, "How to read this", the Describe and Compare tabs, and the
    teacher's Results page. Torch's threads follow the thread policy for the analyses the page
    runs at once."""
    threads.apply(CONCURRENCY_LIMIT)
    location = database_location()
    store = RatingStore(location.path, tolerate=True)  # a broken one: one log line, no ratings
    with gr.Blocks(title=TITLE, delete_cache=(CACHE_SWEEP_EVERY, CACHE_MAX_AGE)) as demo:
        gr.Navbar(main_page_name=MAIN_PAGE)
        gr.Markdown(INTRO)
        with gr.Accordion("How to read this", open=False):
            gr.Markdown(guide.HOW_TO_READ)
        with gr.Tab("Describe"):
            build_describe_tab(store, location)
        with gr.Tab("Compare"):
            build_compare_tab()
    with demo.route(RESULTS_PAGE, RESULTS_PATH):
        build_results_page(demo, store, location)
    return demo


def fetch_weights() -> None:
    """Fetch and verify the weights once, before the first visitor. Without them nothing can be
    described, so this alone stops the app: one line saying how to fix it, status 2."""
    try:
        load_model()
    except LLMSSDError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(NO_WEIGHTS)


if __name__ == "__main__":
    fetch_weights()
    build_demo().queue(default_concurrency_limit=CONCURRENCY_LIMIT).launch(
        max_file_size=MAX_FILE_SIZE, css=CSS, js=READ_ONLY_CAPTIONS
    )
