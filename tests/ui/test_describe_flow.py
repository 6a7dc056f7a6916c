"""The Describe handler's updates in order (issue 21): the answer before the pictures. The
scene and the offline caption reach the page in one update as soon as the network is done,
each figure follows in an update of its own as it is drawn, and "Writing the caption…" never
shows beside an offline caption."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from analyses import make_analysis
from fake_openai import FakeOpenAI

from llm_ssd.ratings.store import RatingStore

page = pytest.importorskip("ui.describe")
PLOTS = ("events", "paq", "circumplex", "loudness", "mel")


@pytest.fixture
def tab(monkeypatch, tmp_path, isolated):
    """The Describe tab's handler, with an analysis made without audio or model."""
    monkeypatch.setattr(page, "analyzed", lambda *args, **kwargs: make_analysis())
    out = page.Outputs(*(f.name for f in fields(page.Outputs)))  # each output by its name
    return page.DescribeTab(out, RatingStore(tmp_path / "ratings.sqlite3"), pending={})


@pytest.fixture
def clip(tmp_path):
    path = tmp_path / "clip.wav"
    path.write_bytes(b"a clip's bytes")  # registered by its hash only
    return str(path)


def arrivals(updates: list[dict]) -> dict[str, int]:
    """The index of the update in which each output first arrives with a value."""
    first: dict[str, int] = {}
    for i, update in enumerate(updates):
        for name, value in update.items():
            if value not in ("", None):
                first.setdefault(name, i)
    return first


def test_the_offline_caption_comes_with_the_scene_before_any_figure(tab, clip):
    updates = list(tab.describe(clip))
    seen = arrivals(updates)
    scene = updates[seen["scene"]]
    assert seen["caption"] == seen["scene"] < min(seen[p] for p in PLOTS)
    assert scene["caption"].startswith("In this park")
    assert scene["caption_source"] == "Caption from: **offline template**"
    assert not any("Writing" in str(u.get("caption_source", "")) for u in updates)
    figures = [u for u in updates[:-1] if set(u) & set(PLOTS)]
    shown = [name for u in figures for name in u if name in PLOTS]
    assert shown == list(PLOTS)  # in the page's order, each once, as drawn
    last = updates[-1]  # every output, for API clients and the downloads
    assert set(PLOTS) <= set(last) and last["caption"] == scene["caption"]
    pngs = {Path(name).name for name in last["downloads"] if name.endswith(".png")}
    assert pngs == {f"clip_{name}.png" for name in page.FIGURE_NAMES}


def test_an_llm_caption_streams_while_the_figures_are_drawn(tab, clip, monkeypatch):
    with FakeOpenAI(chunks=6) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        updates = list(tab.describe(clip, base_url=server.base_url))
    assert updates[0]["caption_source"] == page.WRITING and "scene" in updates[0]
    sources = [str(u.get("caption_source", "")) for u in updates]
    done = next(i for i, line in enumerate(sources) if line.startswith("Caption from"))
    writing = [i for i, line in enumerate(sources) if line.startswith("Writing")]
    assert len(writing) > 2 and max(writing) < done  # streamed, and never after it is done
    assert updates[-1]["caption"] == server.text
    assert all(p in updates[-1] for p in PLOTS)
