"""The words that help a person read the app: one plain line per panel, and "How to read this".

Plain text for anyone from about 15 up; app.py only places it."""

from __future__ import annotations

from llm_ssd.labels import EVENTS, SCENE_LAY_NAMES
from llm_ssd.places import load_places
from llm_ssd.reading.compare import SAME_BELOW

PANEL_LINES: dict[str, str] = {
    "scene": "Which of the three kinds of place the model knows this sounds most like.",
    "paq": "How an average listener would rate 8 feelings about the sound, from 1 (strongly "
    "disagree) to 5 (strongly agree). The dashed ring is neutral (3).",
    "circumplex": "The same feelings as one point: further right is more pleasant, higher up is "
    "more eventful. The coloured dots and ellipses are real places, as the people there rated "
    "them.",
    "events": "How sure the model is (0 to 1) that each of 15 kinds of sound is in the clip. Blue "
    "ones go to the caption writer, which may name only the clearest (birds, not animals).",
    "mel": "The sound's energy over time (left to right) and pitch (low at the bottom, high at "
    "the top): the brighter, the stronger (a log-mel spectrogram, what the model hears).",
    "loudness": "How loud the clip seems over time, in sones (ISO 532-1 loudness). N5: exceeded "
    "only 5 % of the time, N10: 10 %. A phone is not calibrated: compare its sones only within "
    "one recording.",
    "timeline": "How the recording changes, one step per 30 seconds: the kind of place, how "
    "pleasant (ISOP) and eventful (ISOE) it feels from −1 to +1, how loud it is, and which "
    "sounds are in it (brighter: surer).",
    "compare_paq": "The 8 feelings for clip A and clip B, one on top of the other.",
    "compare_circumplex": "Both clips on one map of pleasant × eventful, with the real places "
    "behind them.",
    "compare_events": "Each kind of sound, clip A's bar above clip B's.",
}
"""Keyed by panel; the line shown above it."""


def _places_summary() -> tuple[int, int, str]:
    """How many places, how many people, and the cities, from the places table."""
    places = load_places()
    cities = sorted({p.city for p in places})
    listed = ", ".join(cities[:-1]) + f" and {cities[-1]}"
    return len(places), sum(p.respondents for p in places), listed


_N_PLACES, _N_PEOPLE, _CITIES = _places_summary()
_SCENES = ", ".join(SCENE_LAY_NAMES.values())

HOW_TO_READ = f"""
**The eight feelings.** An international guide for describing how places sound (ISO/TS
12913-2) asks people how much they agree, from 1 to 5, that a place sounds *pleasant, vibrant,
eventful, chaotic, annoying, monotonous, uneventful* and *calm*. The eight sit around a circle,
each opposite its contrary: pleasant–annoying, eventful–uneventful, vibrant–monotonous,
chaotic–calm. The radar chart shows the model's guess of the average answer.

**Pleasantness and eventfulness (ISOP, ISOE).** The guide's next part (ISO/TS 12913-3) folds
the eight answers into two numbers from −1 to +1. ISO Pleasantness runs from annoying (−1) to
pleasant (+1), ISO Eventfulness from uneventful (−1) to eventful (+1); 0 is neither. Together
they make one point on the circle (the *circumplex*): upper right is vibrant, upper left
chaotic, lower left monotonous, lower right calm.

**Real places to compare with.** The coloured dots are {_N_PLACES} public spaces in {_CITIES}
where {_N_PEOPLE:,} people answered the same questions on the spot (the International Soundscape
Database). A dot is the average answer at that place; its ellipse shows how widely the answers
spread (one standard deviation each way): people at the same place disagree a lot. "Closest to
Russell Square" means the clip's point is near where people put Russell Square on average: not
that it sounds like Russell Square. Distances are measured on the same −1..+1 scale.

**Loudness in sones.** A sone measures how loud a sound *seems*: 2 sones seem twice as loud as
1 sone, and 4 sones twice as loud again. N5 is the loudness the clip goes above only 5 % of the
time. The numbers are true only when the recording's level matches what was heard there; if
you are not sure, compare only clips recorded the same way.

**What the model knows.** SoundAQnet learned from ARAUS: about 25,000 ratings by listeners who
heard (and saw video of) 30-second city recordings, into which birds, water, wind, traffic or
construction sounds had been mixed. It knows three kinds of place ({_SCENES}) and
{len(EVENTS)} kinds of sound.

**What it cannot know.** It hears only the sound: not what the place looks like, the weather,
why you are there or how you feel, which all change how a place feels. Any other place, a beach,
a forest, a kitchen, is squeezed into one of its three. Its numbers are guesses of an average
listener's answers: differences under {SAME_BELOW:g} mean little.
""".strip()
"""The "How to read this" accordion, in Markdown."""
