"""The soundscape diary's aggregation (issue 24), on synthetic windows: by hour of day and by
day, the mean values, the dominant scene and the events heard; its two figures."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from llm_ssd.archive.diary import EVENT_COLUMNS, SCENE_COLUMNS, aggregate
from llm_ssd.labels import EVENTS, SCENES


def windows() -> pd.DataFrame:
    """Two days, a window every 30 min: parks from 06:00 to 17:59, streets otherwise."""
    rows = []
    start = datetime(2024, 6, 12)
    for step in range(96):
        time = start + timedelta(minutes=30 * step)
        park = 6 <= time.hour < 18
        scene = "park" if park else "street_traffic"
        row = {"time": time, "isop": 0.5 if park else -0.4, "isoe": -0.2 if park else 0.3,
               "loudness_n5": 8.0 if park else 30.0 + step % 2}  # fmt: skip
        row |= {c: (0.8 if s == scene else 0.1) for c, s in zip(SCENE_COLUMNS, SCENES, strict=True)}
        heard = {"Bird"} if park else {"Traffic", "Vehicle"}
        row |= {
            c: (0.9 if e in heard else 0.05) for c, e in zip(EVENT_COLUMNS, EVENTS, strict=True)
        }
        rows.append(row)
    return pd.DataFrame(rows)


def test_hours_of_day_follow_the_scenes():
    hours = aggregate(windows(), "hour")
    assert list(hours["hour"]) == list(range(24))
    assert (hours["windows"] == 4).all()  # two a day, two days
    for _, row in hours.iterrows():
        park = 6 <= row["hour"] < 18
        assert row["scene"] == ("park" if park else "street_traffic")
        assert row["isop"] == pytest.approx(0.5 if park else -0.4)
        assert row["events"] == ("Bird" if park else "Traffic, Vehicle")
        assert row["scene_probability"] == pytest.approx(0.8)
    assert hours.loc[0, "loudness_n5"] == pytest.approx(30.5)


def test_days_are_their_windows_means():
    days = aggregate(windows(), "day")
    assert [str(d) for d in days["day"]] == ["2024-06-12", "2024-06-13"]
    assert list(days["windows"]) == [48, 48]
    assert days.loc[0, "isop"] == pytest.approx((24 * 0.5 + 24 * -0.4) / 48)


def test_the_figures_draw_the_hours():
    from llm_ssd.figures.diary import diary_figure, trajectory_figure

    hours = aggregate(windows(), "hour")
    columns = {c: hours[c].tolist() for c in hours.columns}
    day = diary_figure(columns)
    feeling = day.axes[0]
    assert list(feeling.lines[1].get_ydata()) == columns["isop"]  # after the zero line
    path = trajectory_figure(columns).axes[0]
    labels = [t.get_text() for t in path.texts if t.get_text().endswith("h")]
    assert "06h 07h 08h 09h 10h 11h 12h 13h 14h 15h 16h 17h" in labels
