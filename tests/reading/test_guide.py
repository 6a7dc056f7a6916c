"""How to read it (issue 12): every panel has its one plain line, and the guide explains what it
promises to."""

from __future__ import annotations

import re

from app_server import ROOT

from llm_ssd.labels import PAQS, SCENE_LAY_NAMES
from llm_ssd.reading.guide import HOW_TO_READ, PANEL_LINES

MAX_LINE = 200
"""Characters: a panel's line is one short sentence or two."""
REQUIRED = (
    "ISO/TS 12913-3",
    "ISOP",
    "ISOE",
    "sone",
    "N5",
    "twice as loud",
    "15 kinds of sound",
    "ARAUS",
    "What it cannot know",
    "International Soundscape Database",
)


def test_every_panel_line_is_used_and_short():
    wiring = [ROOT / "app.py", *(ROOT / "ui").glob("*.py")]
    app = "".join(path.read_text(encoding="utf-8") for path in wiring)
    used = set(re.findall(r'panel_line\("(\w+)"[,)]', app))
    assert used == set(PANEL_LINES)
    for key, line in PANEL_LINES.items():
        assert "\n" not in line and len(line) <= MAX_LINE, key


def test_how_to_read_explains_the_numbers_and_the_limits():
    text = " ".join(HOW_TO_READ.split())  # as the page shows it, whatever the line breaks
    for word in (*REQUIRED, *PAQS, *SCENE_LAY_NAMES.values()):
        assert word in text, word
