"""The Listen live tab: the microphone streams, the page keeps each visitor's last 30 s
(`llm_ssd.live`) and shows the scene, the events, the radar and the circumplex with its trail;
Stop offers the recording to Describe. Gradio wiring only."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from llm_ssd.errors import LLMSSDError
from llm_ssd.figures import panels as plots
from llm_ssd.figures import processes
from llm_ssd.figures.live import LIVE_PANELS, live_panels
from llm_ssd.live.session import INTERVAL, LIMIT, TRAIL_SECONDS, LiveSession, TrailPoint, Window
from llm_ssd.live.status import LEVELS_NOTE, minutes, status_line
from llm_ssd.model.windows import WINDOW_SECONDS
from llm_ssd.result import Analysis
from ui.page import CONCURRENCY_LIMIT, DRAWING_PROCESSES, described, panel_line

SHOW_EVERY = 1.0
"""Seconds between the page's looks at its session (`show`). The microphone's chunks come every
0.1 s (Gradio's Audio sends them at that pace, whatever the event's stream_every says)."""
PANELS = ("scene", *LIVE_PANELS)
"""What a picture shows, in the order of `show`'s outputs after the status line."""
Shown = tuple[int, int] | None
"""The session and the number of the picture the page shows."""
SLOTS = threading.BoundedSemaphore(CONCURRENCY_LIMIT)
"""Live analyses at once, over all visitors: as many as the app's other analyses
(`CONCURRENCY_LIMIT`); a visitor's update that finds none free is skipped."""
DESCRIBE_TAB = "describe"
"""The id of the Describe tab, where Stop's recording goes."""
INTRO = f"""Press **Record**: the page listens and, every {INTERVAL:g} s, describes the last
{WINDOW_SECONDS:.0f} s it heard (the network's window), so the point on the circumplex walks as
the room goes quiet, talks or claps; its trail shows the last {minutes(TRAIL_SECONDS)}. An
update that would start while the last one still runs is skipped, never queued, and the line
below says how current the picture is. A session ends by itself after {minutes(LIMIT)}; **Stop**
then offers the recording to Describe for the full analysis, timeline and caption.

{LEVELS_NOTE}"""


def draw_elsewhere(analysis: Analysis, _: Window, trail: tuple[TrailPoint, ...]) -> dict[str, Any]:
    """One update's panels, ready to send; the figures drawn in another process
    (`live_panels`): matplotlib holds Python's lock while it draws (1.5 s an update, far more
    on a busy machine), which would stall the page's handling of every visitor's chunks, and
    Gradio keeps only the latest chunk that its stream has not taken yet."""
    points = [(p.heard, p.isop, p.isoe) for p in trail]
    drawn = processes.elsewhere(DRAWING_PROCESSES, live_panels, analysis, points, TRAIL_SECONDS)
    return {"scene": plots.scene_confidences(analysis)} | {
        name: described(image, text) for name, (image, text) in drawn.items()
    }


def new_session() -> LiveSession:
    return LiveSession(draw_elsewhere, SLOTS)


def hear(chunk: tuple[int, np.ndarray] | None, session: LiveSession | None) -> LiveSession:
    """One chunk from the microphone: keep it, and maybe start an update. Nothing else goes to
    the page from here (`show` does that): Gradio keeps only the latest chunk that its stream
    has not taken yet, so each output a chunk updated made the next ones wait, and lost them
    when the app was busy."""
    if session is None or session.stopped:
        session = new_session()
    if chunk is not None:
        rate, samples = chunk
        try:
            session.hear(samples, rate)
        except LLMSSDError as exc:
            session.error = str(exc)
    return session


def show(session: LiveSession | None, shown: Shown) -> tuple[Any, ...]:
    """What the page shows of the session now: its status line, and the latest picture if it
    is new (the panels are left as they are otherwise)."""
    picture = session.picture if session is not None else None
    if picture is None or (id(session), picture.number) == shown:
        panels = (gr.skip(),) * len(PANELS)
    else:
        shown = (id(session), picture.number)
        panels = tuple(picture.shown[k] for k in PANELS)
    return shown, status_line(session), *panels


def finish(session: LiveSession | None) -> Iterator[tuple[Any, ...]]:
    """Stop: no more updates; the recording, up to the session's limit, offered to Describe."""
    if session is None or session.recording.samples == 0:
        yield (
            status_line(None),
            gr.Audio(None, visible=False),
            gr.Button(visible=False),
            gr.Timer(active=False),
        )
        return
    session.stop()
    with tempfile.TemporaryDirectory(prefix="llm-ssd-live-") as folder:  # Gradio copies it
        path = session.recording.write(Path(folder) / "live-recording.wav")
        yield (
            status_line(session),
            gr.Audio(str(path), visible=True),
            gr.Button(visible=True),
            gr.Timer(active=False),
        )


def build_live_tab(describe_audio: gr.Audio, tabs: gr.Tabs) -> None:
    """The Listen live tab, in the page being built; Stop's recording goes to `describe_audio`."""
    gr.Markdown(INTRO)
    with gr.Row():
        with gr.Column(scale=1, min_width=320):
            microphone = gr.Audio(
                sources=["microphone"], streaming=True, type="numpy", label="Microphone"
            )
            status = gr.Markdown(status_line(None), elem_id="live-status")
            panel_line("scene")
            scene = gr.Label(label="Acoustic scene, live", num_top_classes=3, elem_id="live-scene")
            recording = gr.Audio(
                label="The recording",
                type="filepath",
                interactive=False,
                visible=False,
                elem_id="live-recording",
            )
            to_describe = gr.Button("Describe this recording", visible=False)
        with gr.Column(scale=2):
            with gr.Row():
                with gr.Column(min_width=320):
                    panel_line("circumplex")
                    circumplex = gr.Plot(
                        label="Pleasantness × eventfulness, live",
                        show_label=False,
                        elem_id="live-circumplex",
                    )
                with gr.Column(min_width=320):
                    panel_line("paq")
                    paq = gr.Plot(label="Perceived affective qualities, live", show_label=False)
            panel_line("events")
            events = gr.Plot(label="Sound events, live", show_label=False)
    session = gr.State(None)
    shown = gr.State(None)
    looks = gr.Timer(SHOW_EVERY, active=False)
    microphone.start_recording(
        lambda: gr.Timer(active=True), outputs=looks, api_visibility="private"
    )
    microphone.stream(
        hear,
        inputs=[microphone, session],
        outputs=session,
        time_limit=int(LIMIT + INTERVAL),
        concurrency_limit=None,
        show_progress="hidden",
        api_visibility="private",
    )
    looks.tick(
        show,
        inputs=[session, shown],
        outputs=[shown, status, scene, events, paq, circumplex],
        concurrency_limit=None,
        show_progress="hidden",
        api_visibility="private",
    )
    microphone.stop_recording(
        finish,
        inputs=session,
        outputs=[status, recording, to_describe, looks],
        api_visibility="private",
    )
    to_describe.click(
        lambda path: (path, gr.Tabs(selected=DESCRIBE_TAB)),
        inputs=recording,
        outputs=[describe_audio, tabs],
        api_visibility="private",
    )
