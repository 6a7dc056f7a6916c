"""Reference places (issue 12): the ISD table is soundscapy's own computation, and a clip's
point finds its nearest surveyed places."""

from __future__ import annotations

import importlib.util
import json
import math

import pytest
from app_server import ROOT
from cli_run import run_cli

from llm_ssd.places import NEAREST_COUNT, PLACES_CSV, load_places, nearest_markdown, nearest_places

MAKE_PLACES = ROOT / "scripts" / "make_places.py"
ISD_LOCATIONS = 26
RUSSELL_SQUARE = "RussellSq"
RUSSELL_SQUARE_RESPONDENTS = 146
"""149 answers in the ISD, 3 of them rejected by soundscapy's validation."""


def make_places_module():
    spec = importlib.util.spec_from_file_location("make_places", MAKE_PLACES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_table_is_what_soundscapy_computes():
    pytest.importorskip(
        "soundscapy",
        reason="soundscapy is not installed: pip install -r requirements-dev.txt (Python 3.11+) "
        "to check llm_ssd/data/isd_places.csv against soundscapy's own computation",
    )
    make_places = make_places_module()
    assert PLACES_CSV.read_text(encoding="utf-8") == make_places.table_text()


def test_every_isd_location_has_one_display_name():
    places = load_places()
    assert len(places) == ISD_LOCATIONS
    assert len({p.location_id for p in places}) == ISD_LOCATIONS
    assert len({p.name for p in places}) == ISD_LOCATIONS
    assert {p.location_id for p in places} == set(make_places_module().LOCATIONS)
    for p in places:
        assert -1 <= p.isop <= 1 and -1 <= p.isoe <= 1, p
        assert 0 < p.isop_sd < 1 and 0 < p.isoe_sd < 1, p
        assert p.respondents > 0, p


def test_nearest_places_are_sorted_with_their_distances():
    russell = next(p for p in load_places() if p.location_id == RUSSELL_SQUARE)
    assert russell.name == "Russell Square, London"
    assert russell.respondents == RUSSELL_SQUARE_RESPONDENTS
    ranked = nearest_places(russell.isop, russell.isoe, count=len(load_places()))
    assert ranked[0] == (russell, 0.0)
    distances = [d for _, d in ranked]
    assert distances == sorted(distances)
    for place, d in ranked:
        assert d == pytest.approx(math.dist((place.isop, place.isoe), (russell.isop, russell.isoe)))
    text = nearest_markdown(russell.isop, russell.isoe)
    assert text.startswith("Closest to **Russell Square, London**: 146 people rated it (0.00 away)")


def test_describe_json_names_the_nearest_places(reference_clip):
    done = run_cli("describe", str(reference_clip), "--format", "json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    nearest = record["nearest_places"]
    assert len(nearest) == NEAREST_COUNT
    assert set(nearest[0]) == {"place", "city", "distance", "respondents"}
    expected = nearest_places(record["isop"], record["isoe"])
    assert [(n["place"], n["city"]) for n in nearest] == [(p.place, p.city) for p, _ in expected]
    assert [n["distance"] for n in nearest] == [round(d, 3) for _, d in expected]
    assert [n["distance"] for n in nearest] == sorted(n["distance"] for n in nearest)
