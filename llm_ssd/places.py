"""Surveyed places to compare a clip with: where the International Soundscape Database's places
sit on the pleasantness × eventfulness circumplex (`data/isd_places.csv`, made by
`scripts/make_places.py`; see `data/README.md`).

Plain data and arithmetic: no torch, no pandas.

May import: nothing of LLM-SSD's."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PLACES_CSV = Path(__file__).parent / "data" / "isd_places.csv"
NEAREST_COUNT = 3
"""How many nearest places an analysis names."""
DISTANCE_DECIMALS = 3
COUNTRY_ONLY = frozenset({"China"})
"""Places whose "city" is only their country: the ISD names no city for them (data/README.md)."""


@dataclass(frozen=True)
class Place:
    """One surveyed place: its mean ISO coordinates over its respondents, and their spread."""

    location_id: str
    place: str
    city: str
    isop: float
    isop_sd: float
    isoe: float
    isoe_sd: float
    respondents: int

    @property
    def city_label(self) -> str:
        """The city as a legend shows it: "London", or "China (city not recorded)"."""
        return f"{self.city} (city not recorded)" if self.city in COUNTRY_ONLY else self.city

    @property
    def name(self) -> str:
        """ "Russell Square, London"."""
        return f"{self.place}, {self.city}"

    def distance(self, isop: float, isoe: float) -> float:
        """Straight-line distance from (isop, isoe) to this place's mean on the circumplex."""
        return math.hypot(isop - self.isop, isoe - self.isoe)


@cache
def load_places(path: Path = PLACES_CSV) -> tuple[Place, ...]:
    """The places of the table, in its order (by LocationID)."""
    with open(path, encoding="utf-8", newline="") as f:
        return tuple(
            Place(
                location_id=row["location_id"],
                place=row["place"],
                city=row["city"],
                isop=float(row["isop_mean"]),
                isop_sd=float(row["isop_sd"]),
                isoe=float(row["isoe_mean"]),
                isoe_sd=float(row["isoe_sd"]),
                respondents=int(row["respondents"]),
            )
            for row in csv.DictReader(f)
        )


def nearest_places(
    isop: float, isoe: float, count: int = NEAREST_COUNT
) -> list[tuple[Place, float]]:
    """The `count` places nearest to (isop, isoe), nearest first, each with its distance."""
    ranked = sorted(((p, p.distance(isop, isoe)) for p in load_places()), key=lambda pd: pd[1])
    return ranked[:count]


def nearest_records(isop: float, isoe: float, count: int = NEAREST_COUNT) -> list[dict[str, Any]]:
    """The nearest places as JSON-ready records, for `Analysis.to_dict()`."""
    return [
        {
            "place": p.place,
            "city": p.city,
            "distance": round(d, DISTANCE_DECIMALS),
            "respondents": p.respondents,
        }
        for p, d in nearest_places(isop, isoe, count)
    ]


def nearest_markdown(isop: float, isoe: float, count: int = NEAREST_COUNT) -> str:
    """One line a person can place: "Closest to Russell Square, London: 146 people rated it
    (0.05 away); then …"."""
    (first, d), *rest = nearest_places(isop, isoe, count)
    text = f"Closest to **{first.name}**: {first.respondents} people rated it ({d:.2f} away)"
    others = [f"{p.name} ({p.respondents} people, {d:.2f} away)" for p, d in rest]
    if not others:
        return f"{text}."
    listed = others[0] if len(others) == 1 else f"{', '.join(others[:-1])} and {others[-1]}"
    return f"{text}; then {listed}."
