"""What the Listen live tab says about its picture: how much has been heard, how current the
picture is, and why it is not (yet) of a full window."""

from __future__ import annotations

from llm_ssd.audio.checks import NETWORK_MIN_DURATION
from llm_ssd.live.session import LiveSession
from llm_ssd.model.windows import WINDOW_SECONDS

LOST_AFTER = 3.0
"""Seconds of audio that may be missing (late or lost on the way) before the status says so."""
LOST_SHARE = 0.2
"""The share of the time since the first chunk that may be missing before the status says so."""
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
    parts = [head, *_picture_parts(session)]
    if session.error:
        parts.append(f"⚠️ {session.error}")
    parts.append(lost_note(session))
    return " ".join(part for part in parts if part)


def _picture_parts(session: LiveSession) -> list[str]:
    """What the status says of the picture: when the first comes, or how current it is."""
    heard = session.recording.seconds
    picture, age = session.picture, session.age()
    if picture is None or age is None:
        if heard < NETWORK_MIN_DURATION:
            wait = NETWORK_MIN_DURATION - heard
            need = f"the network needs {NETWORK_MIN_DURATION:.1f} s"
            return [f"The first picture comes in {wait:.0f} s ({need})."]
        return [f"Analysing the first {heard:.0f} s…"]
    parts = [f"**Heard up to {age:.0f} s ago**"]
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
    return parts


def lost_note(session: LiveSession) -> str:
    """A warning when much of what the microphone sent never arrived (the app too busy to take
    every chunk), else nothing."""
    if session.stopped or session.recording.full:
        return ""
    sent, heard = session.since_first_chunk(), session.recording.seconds
    if sent - heard <= max(LOST_AFTER, LOST_SHARE * sent):
        return ""
    return (
        f"⚠️ The app received {heard:.0f} s of the {sent:.0f} s since you pressed Record: it is "
        "too busy to take every piece the microphone sends, so the picture (and the recording) "
        "has gaps. Fewer people listening live at once helps, or record a clip and press "
        "Describe."
    )
