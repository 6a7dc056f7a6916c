"""The label sets of SoundAQnet's outputs, in the order of the network's heads, their lay
names and rating levels, and the languages a caption may be asked in.

May import: nothing of LLM-SSD's."""

from __future__ import annotations

from enum import IntEnum

SCENES: tuple[str, ...] = ("public_square", "park", "street_traffic")

SCENE_LAY_NAMES: dict[str, str] = {
    "public_square": "public square",
    "park": "park",
    "street_traffic": "street",
}

EVENTS: tuple[str, ...] = (
    "Silence",
    "Human sounds",
    "Wind",
    "Water",
    "Natural sounds",
    "Traffic",
    "Sounds of things",
    "Vehicle",
    "Bird",
    "Outside, rural or natural",
    "Environment and background",
    "Speech",
    "Music",
    "Noise",
    "Animal",
)

PAQS: tuple[str, ...] = (
    "pleasant",
    "eventful",
    "chaotic",
    "vibrant",
    "uneventful",
    "calm",
    "annoying",
    "monotonous",
)

PAQ_OPPOSITES: dict[str, str] = {
    pair[i]: pair[1 - i]
    for pair in (
        ("pleasant", "annoying"),
        ("eventful", "uneventful"),
        ("vibrant", "monotonous"),
        ("calm", "chaotic"),
    )
    for i in (0, 1)
}
"""Each quality's opposite on the circumplex of ISO/TS 12913-3 (180 degrees apart)."""

PAQ_ANGLES: dict[str, int] = {
    "pleasant": 0,
    "vibrant": 45,
    "eventful": 90,
    "chaotic": 135,
    "annoying": 180,
    "monotonous": 225,
    "uneventful": 270,
    "calm": 315,
}
"""Degrees of each quality on the ISO/TS 12913-3 circle: pleasant to the right, eventful up.
ISO Pleasantness and Eventfulness weigh each rating by the cosine and sine of its angle; the radar
chart draws each quality in this direction, so it reads like the circumplex."""
PAQ_CIRCLE: tuple[str, ...] = tuple(sorted(PAQ_ANGLES, key=PAQ_ANGLES.__getitem__))
"""The qualities around the circle, counter-clockwise from pleasant."""

LIKERT_HALF_STEP = 0.5
"""A rating belongs to the nearest level; one exactly half-way between two, to the lower one."""


class Likert(IntEnum):
    """The five agreement levels of a PAQ rating, 1..5; `NEUTRAL` (3) neither agrees nor
    disagrees."""

    STRONGLY_DISAGREE = 1
    DISAGREE = 2
    NEUTRAL = 3
    AGREE = 4
    STRONGLY_AGREE = 5

    @classmethod
    def of(cls, rating: float) -> Likert:
        """The level nearest to a 1..5 rating; a rating half-way between two levels gets the
        lower one (1.5 is `STRONGLY_DISAGREE`, 4.51 `STRONGLY_AGREE`)."""
        for level in cls:
            if rating <= level + LIKERT_HALF_STEP:
                return level
        return cls.STRONGLY_AGREE

    @property
    def phrase(self) -> str:
        """The level in words: "Strongly Disagree", "Disagree", "Neutral", "Agree", "Strongly
        Agree"."""
        return self.name.replace("_", " ").title()


PAQ_SCALE: tuple[float, float] = (float(Likert.STRONGLY_DISAGREE), float(Likert.STRONGLY_AGREE))
"""The range of the PAQ ratings (`Likert` levels)."""

LANGUAGES: tuple[str, ...] = (
    "English",
    "German",
    "French",
    "Spanish",
    "Dutch",
    "Italian",
    "Portuguese",
    "Chinese",
    "Japanese",
    "Korean",
    "Russian",
    "Polish",
    "Swedish",
    "Turkish",
    "Arabic",
    "Hindi",
    "Bengali",
    "Brazilian Portuguese",
    "Bulgarian",
    "Catalan",
    "Croatian",
    "Czech",
    "Danish",
    "Estonian",
    "Finnish",
    "Greek",
    "Hebrew",
    "Hungarian",
    "Icelandic",
    "Indonesian",
    "Irish",
    "Latvian",
    "Lithuanian",
    "Malay",
    "Norwegian",
    "Persian",
    "Romanian",
    "Scottish Gaelic",
    "Serbian",
    "Simplified Chinese",
    "Slovak",
    "Slovenian",
    "Swahili",
    "Swiss German",
    "Tagalog",
    "Tamil",
    "Thai",
    "Traditional Chinese",
    "Ukrainian",
    "Urdu",
    "Vietnamese",
    "Welsh",
)
"""Caption languages offered in the app's list, the common ones first (the first is the default).
A visitor may type any other one-word name (`limits.checked_language`)."""
DEFAULT_LANGUAGE = LANGUAGES[0]
MAX_LANGUAGE_CHARS = 24
"""The longest language name a visitor may type."""
