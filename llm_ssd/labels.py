"""The label sets of SoundAQnet's outputs, in the order of the network's heads."""

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

PAQ_SCALE: tuple[float, float] = (1.0, 5.0)
"""The Likert range of the PAQ ratings; 3 is neutral."""
