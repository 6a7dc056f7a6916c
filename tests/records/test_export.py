"""Downloads of a clip's results: rounded JSON, one flat CSV row, PNG figures."""

from __future__ import annotations

import csv
import json

import numpy as np
from analyses import make_analysis, with_outputs
from matplotlib.figure import Figure
from PIL import Image

from llm_ssd.figures.images import DOWNLOAD_FORMAT, render
from llm_ssd.records.export import DECIMALS, rounded, stem, write_figures, write_record
from llm_ssd.records.rows import flat_record


def test_record_downloads_round_and_keep_every_field(tmp_path):
    analysis = with_outputs(make_analysis(events={"Bird": 0.987654}), isop=0.123456)
    record = {**analysis.to_dict(), "source": "../../evil name.wav"}
    json_path, csv_path = write_record(record, tmp_path)
    assert json_path.parent == tmp_path and json_path.name == "evil_name.json"
    data = json.loads(json_path.read_text())
    assert data.keys() == record.keys()
    assert data["isop"] == 0.123 and data["event_probabilities"]["Bird"] == 0.988
    (row,) = csv.DictReader(csv_path.open())
    assert set(row) == set(flat_record(record))
    for key, value in flat_record(rounded(record)).items():
        if isinstance(value, float):
            assert len(row[key].split(".")[-1]) <= DECIMALS, key


def test_figures_download_as_the_png_of_their_one_drawing(tmp_path):
    figure = Figure(figsize=(2, 1), dpi=50)
    figure.add_subplot().plot([0, 1])
    image = render(figure)
    (path,) = write_figures({"paq radar": image.encoded(DOWNLOAD_FORMAT)}, "park.flac", tmp_path)
    assert path.name == "park_paq_radar.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as png:
        assert png.size == (100, 50) == image.size
        np.testing.assert_array_equal(np.asarray(png), image.rgba)  # lossless


def test_stem_never_leaves_the_folder():
    assert stem("/etc/passwd") == "passwd"
    assert stem("..") == "clip" and "/" not in stem("a/b/c.wav")


def test_a_record_with_a_number_that_is_not_finite_is_never_written_as_nan(tmp_path):
    """Issue 25, case 15: standard JSON only; such a record becomes its error record."""
    import math

    import pytest

    from llm_ssd.records.rows import NOT_FINITE, checked_record, json_line

    bad = {"source": "a.wav", "nearest_places": [{"distance": math.nan}], "isop": 0.1}
    with pytest.raises(ValueError):
        json_line(bad)
    assert checked_record(bad) == {"source": "a.wav", "error": NOT_FINITE}
    assert checked_record({"source": "b.wav", "isop": 0.1}) == {"source": "b.wav", "isop": 0.1}
    with pytest.raises(ValueError):
        write_record({"source": "c.wav", "isop": math.inf}, tmp_path)
