"""LLM-SSD Gradio app: drop or record a clip, see what SoundAQnet hears, read the caption.

Only wiring lives here and in `ui/`; the analysis, plots and captions are in `llm_ssd`.

May import: ui, llm_ssd."""

from __future__ import annotations

import argparse
import sys

import gradio as gr

from llm_ssd.env import ENV_MCP, setting
from llm_ssd.errors import LLMSSDError
from llm_ssd.figures import processes
from llm_ssd.model import threads
from llm_ssd.model.runtime import load_model
from llm_ssd.ratings.store import RatingStore, database_location
from llm_ssd.reading import guide
from ui.compare import build_compare_tab
from ui.describe import build_describe_tab
from ui.live import DESCRIBE_TAB, build_live_tab
from ui.page import (
    BROWSER_LANGUAGE_JS,
    CONCURRENCY_LIMIT,
    DRAWING_PROCESSES,
    MAIN_PAGE,
    MAX_FILE_MIB,
    RESULTS_PAGE,
    RESULTS_PATH,
    WORDS,
)
from ui.rating import build_results_page
from ui.style import CSS, PAGE_JS
from ui.tools import build_tools, keep_only
from ui.uploads import start_upload_store

MAX_FILE_SIZE = f"{MAX_FILE_MIB}mb"
"""Gradio reads "mb" as MiB (2**20 bytes)."""
CACHE_SWEEP_EVERY = 15 * 60
CACHE_MAX_AGE = 60 * 60
"""Uploads and other temporary files are deleted an hour after they were made (checked every
quarter of an hour); `ui.uploads` also bounds their folder's size and empties it at start."""
NO_WEIGHTS = 2
"""Exit status when the weights cannot be had (the one fault that stops the app)."""
TITLE = "LLM-SSD: soundscape describer"
INTRO = f"# {TITLE}\n{WORDS('intro')}"
ABOUT = """SoundAQnet, the acoustic model of *Soundscape Captioning using Sound Affective Quality
Network and Large Language Model* (Hou et al.), makes the predictions; a large language model
(or, without one, an offline template) writes the description. A recording longer than 45 s is
analysed in 30-s windows, and a timeline shows how the place changes."""


def build_demo(mcp: bool = False) -> gr.Blocks:
    """The page: the introduction, "How to read this", the Describe, Compare and Listen live
    tabs, and the teacher's Results page; with `mcp`, the two tools for AI assistants. The app's
    process has every core: each analysis it runs takes its share (`threads.running`)."""
    threads.apply()
    location = database_location()
    store = RatingStore(location.path, tolerate=True)  # a broken one: one log line, no ratings
    with gr.Blocks(  # the whole width: at 150 % zoom Gradio's 768-px column left half empty
        title=TITLE, delete_cache=(CACHE_SWEEP_EVERY, CACHE_MAX_AGE), fill_width=True
    ) as demo:
        gr.Navbar(main_page_name=MAIN_PAGE)
        gr.Markdown(INTRO)
        with gr.Accordion(WORDS("how_to_read"), open=False):
            gr.Markdown(f"{ABOUT}\n\n{guide.HOW_TO_READ}")
        with gr.Tabs() as tabs:
            with gr.Tab(WORDS("describe"), id=DESCRIBE_TAB):
                describe_audio, language = build_describe_tab(store, location)
            with gr.Tab(WORDS("compare")):
                build_compare_tab()
            with gr.Tab(WORDS("listen_live")):
                build_live_tab(describe_audio, tabs)
        if language is not None:  # the caption in the browser's language, where it can be
            demo.load(None, inputs=language, outputs=language, js=BROWSER_LANGUAGE_JS)
        if mcp:
            build_tools()
    with demo.route(RESULTS_PAGE, RESULTS_PATH):
        build_results_page(demo, store, location)
    if mcp:
        keep_only(demo)
    return demo


def mcp_wanted(argv: list[str] | None = None) -> bool:
    """`--mcp`, or ENV_MCP set to true (as Gradio reads it)."""
    parser = argparse.ArgumentParser(description=TITLE)
    parser.add_argument("--mcp", action="store_true", help="also serve the app as an MCP server")
    return parser.parse_args(argv).mcp or (setting(ENV_MCP) or "").lower() == "true"


def fetch_weights() -> None:
    """Fetch and verify the weights once, before the first visitor. Without them nothing can be
    described, so this alone stops the app: one line saying how to fix it, status 2."""
    try:
        load_model()
    except LLMSSDError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(NO_WEIGHTS)


if __name__ == "__main__":
    mcp = mcp_wanted()
    fetch_weights()
    start_upload_store()  # before the page: Gradio reads its folder when the page is built
    demo = build_demo(mcp)
    print(threads.summary(CONCURRENCY_LIMIT), flush=True)
    processes.warm(DRAWING_PROCESSES)  # the first visitor's figures find them started
    demo.queue(default_concurrency_limit=CONCURRENCY_LIMIT).launch(
        max_file_size=MAX_FILE_SIZE, css=CSS, js=PAGE_JS, i18n=WORDS, mcp_server=mcp
    )
