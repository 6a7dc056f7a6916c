"""What the Listen live tab says about its picture: how much has been heard, how current the
picture is, and why it is not (yet) of a full window."""

from __future__ import annotations

from llm_ssd.audio.checks import NETWORK_MIN_DURATION
from llm_ssd.live.session import LiveSession
from llm_ssd.model.windows import WINDOW_SECONDS

LEVELS_NOTE = (
    "The microphone's level is unknown, so loudness and the feelings that depend on it are "
    "relative: levels are relative unless you calibrate."
)


def minutes(seconds: float) -> str:
    """5 minutes, 90 s."""
    return f"{seconds / 60:g} minutes" if seconds >= 120 else f"{seconds:.0f} s"


def status_line(session: LiveSession | None) -> str:
    """One plain line (Markdown) on the session's state."""
    if session is None or session.recording.samples == 0:
        return "Not listening: press **Record** to let the page listen."
    heard = session.recording.seconds
    if session.recording.full:
        head = (
            f"The live session ended after {minutes(session.recording.limit)} (its limit). "
            "Press **Stop** to take the recording to Describe."
        )
    elif session.stopped:
        head = f"Stopped after {heard:.0f} s."
    else:
        head = f"Heard {heard:.0f} s."
    picture, age = session.picture, session.age()
    if picture is None or age is None:
        if heard < NETWORK_MIN_DURATION:
            wait = NETWORK_MIN_DURATION - heard
            need = f"the network needs {NETWORK_MIN_DURATION:.1f} s"
            return f"{head} The first picture comes in {wait:.0f} s ({need})."
        return f"{head} Analysing the first {heard:.0f} s…"
    parts = [head, f"**Heard up to {age:.0f} s ago**"]
    if picture.window.full:
        parts[-1] += f": the last {WINDOW_SECONDS:.0f} s, updated every {session.interval:g} s."
    else:
        length = picture.window.end - picture.window.start
        parts[-1] += (
            f": what there was, {length:.0f} s (at least the network's "
            f"{NETWORK_MIN_DURATION:.1f} s); the first full {WINDOW_SECONDS:.0f}-s window in "
            f"{max(WINDOW_SECONDS - heard, 0):.0f} s."
        )
    parts.append(f"The last update took {picture.seconds:.1f} s")
    parts[-1] += f"; {session.skipped} requests skipped while one ran." if session.skipped else "."
    if session.error:
        parts.append(f"⚠️ {session.error}")
    return " ".join(parts)
