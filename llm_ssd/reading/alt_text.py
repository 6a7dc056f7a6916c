"""Text alternatives of the figures: what each one shows, with its numbers, for screen readers
and for anyone who cannot see the picture. Plain strings from an `Analysis`; no plotting."""

from __future__ import annotations

from collections.abc import Sequence

from llm_ssd.audio.checks import clock
from llm_ssd.audio.mel import MEL_FMAX, MEL_FMIN
from llm_ssd.labels import PAQ_ANGLES, PAQS
from llm_ssd.places import nearest_places
from llm_ssd.result import Analysis


def duration_words(seconds: float) -> str:
    """ "12.3 seconds" or "3 min 05 s"."""
    if seconds < 60:
        return f"{seconds:.1f} seconds"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def mel_text(analysis: Analysis) -> str:
    """The spectrogram's text alternative."""
    return (
        f"Log-mel spectrogram of {duration_words(analysis.duration)}: the sound's energy over "
        f"time, from {MEL_FMIN:.0f} Hz at the bottom to {MEL_FMAX:.0f} Hz at the top."
    )


def loudness_text(analysis: Analysis) -> str:
    """The loudness curve's text alternative."""
    return (
        f"Loudness over {duration_words(analysis.duration)}: N5 {analysis.n5:.1f} sone, "
        f"N10 {analysis.n10:.1f} sone, highest {analysis.nmax:.1f} sone."
    )


def events_text(analysis: Analysis) -> str:
    """The events chart's text alternative: all 15 probabilities, most likely first."""
    ranked = sorted(analysis.event_probabilities.items(), key=lambda kv: -kv[1])
    return "Sound events, most likely first: " + ", ".join(f"{n} {p:.2f}" for n, p in ranked) + "."


def paq_text(analysis: Analysis) -> str:
    """The radar's text alternative: the 8 ratings around the circle, from pleasant."""
    ordered = sorted(PAQS, key=PAQ_ANGLES.__getitem__)
    ratings = ", ".join(f"{q} {analysis.paq[q]:.1f}" for q in ordered)
    return (
        "How it would feel (perceived affective qualities), 1 (strongly disagree) to 5 "
        f"(strongly agree): {ratings}."
    )


def circumplex_text(analysis: Analysis) -> str:
    """The circumplex's text alternative: the clip's point and its nearest surveyed places."""
    near = ", ".join(
        f"{p.name} ({d:.2f} away)" for p, d in nearest_places(analysis.isop, analysis.isoe)
    )
    return (
        f"Circumplex: ISO Pleasantness {analysis.isop:+.2f}, ISO Eventfulness "
        f"{analysis.isoe:+.2f}. Nearest surveyed places: {near}."
    )


def trail_text(isops: Sequence[float]) -> str:
    """What a live circumplex's trail adds to its text alternative: the earlier points and the
    span of their ISO Pleasantness, the newest point last in `isops` (nothing for one point)."""
    if len(isops) < 2:
        return ""
    return (
        f" Its trail: {len(isops) - 1} earlier points, ISO Pleasantness from "
        f"{min(isops):+.2f} to {max(isops):+.2f}."
    )


def timeline_text(analysis: Analysis) -> str:
    """The timeline's text alternative: each window's time, scene, ISOP and ISOE."""
    parts = [
        f"{clock(w.start)}–{clock(w.end)} {w.prediction.scene.replace('_', ' ')}, ISOP "
        f"{w.prediction.isop:+.2f}, ISOE {w.prediction.isoe:+.2f}"
        for w in analysis.windows
    ]
    return f"Timeline of {len(parts)} windows: " + "; ".join(parts) + "."


def figure_texts(analysis: Analysis) -> tuple[str, str, str, str, str]:
    """Text alternatives in the order of `plots.all_figures`: log-mel, loudness, events, PAQ
    radar, circumplex."""
    if analysis.comparison is not None:
        return (
            mel_text(analysis),
            loudness_text(analysis),
            networks_events_text(analysis),
            networks_paq_text(analysis),
            circumplex_text(analysis),
        )
    return (
        mel_text(analysis),
        loudness_text(analysis),
        events_text(analysis),
        paq_text(analysis),
        circumplex_text(analysis),
    )


def networks_paq_text(analysis: Analysis) -> str:
    """Networks side by side: each one's 8 ratings, around the circle from pleasant."""
    ordered = sorted(PAQS, key=PAQ_ANGLES.__getitem__)
    parts = [
        f"{o.label}: " + ", ".join(f"{q} {o.prediction.paq[q]:.1f}" for q in ordered)
        for o in analysis.comparison.outputs
    ]
    return "Perceived affective qualities of each network, 1 to 5: " + "; ".join(parts) + "."


def networks_events_text(analysis: Analysis) -> str:
    """Networks side by side: each one's three most likely events."""
    parts = []
    for o in analysis.comparison.outputs:
        top = sorted(o.prediction.event_probabilities.items(), key=lambda kv: -kv[1])[:3]
        parts.append(f"{o.label}: " + ", ".join(f"{n} {p:.2f}" for n, p in top))
    return "Sound events of each network, most likely first: " + "; ".join(parts) + "."
