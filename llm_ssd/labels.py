"""The label sets of SoundAQnet's outputs, in the order of the network's heads, and their lay
names and rating levels."""

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

EVENT_LAY_NAMES: dict[str, str] = {
    "Silence": "silence",
    "Human sounds": "human sounds",
    "Wind": "wind",
    "Water": "water",
    "Natural sounds": "natural sounds",
    "Traffic": "traffic",
    "Sounds of things": "sounds of objects",
    "Vehicle": "vehicles",
    "Bird": "birds",
    "Outside, rural or natural": "sounds of the outdoors",
    "Environment and background": "background sounds",
    "Speech": "speech",
    "Music": "music",
    "Noise": "noise",
    "Animal": "animals",
}
"""How the offline caption names each event."""

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
