"""The authors' ARAUS split files: the real ones of ../shared, and the format rules."""

from __future__ import annotations

import numpy as np
import pytest
from reference import shared_file

from llm_ssd.labels import EVENTS, PAQS, SCENES
from llm_ssd.train.labels import (
    FILE_KINDS,
    SPLITS,
    DataError,
    SplitLabels,
    available_splits,
    iso_from_paq,
    read_split,
    split_file,
    write_split,
)

ARAUS_COUNTS = {"training": 19152, "validation": 2520, "test": 3576}


@pytest.fixture(scope="module")
def araus_labels():
    return shared_file("araus_labels", "test_set_audio_file_ids.txt").parent


@pytest.fixture(scope="module")
def araus(araus_labels) -> dict[str, SplitLabels]:
    return {split: read_split(araus_labels, split) for split in SPLITS}


@pytest.mark.parametrize("split", SPLITS)
def test_real_split_counts_names_and_iso(araus, araus_labels, split):
    labels = araus[split]
    for kind in FILE_KINDS:  # every file has one line per clip, counted independently
        assert split_file(araus_labels, split, kind).read_bytes().count(b"\n") == len(labels)
    assert len(labels) == ARAUS_COUNTS[split]
    assert all(i.startswith("fold_") and "_participant_" in i for i in labels.ids)
    assert set(labels.scenes) == set(SCENES)
    assert {e for names in labels.events for e in names} <= set(EVENTS)
    assert labels.paq.shape == (len(labels), len(PAQS))
    assert labels.paq.min() >= 1 and labels.paq.max() <= 5
    np.testing.assert_allclose(iso_from_paq(labels.paq), labels.iso, rtol=0, atol=1e-12)


def test_real_splits_are_disjoint_and_some_clips_have_no_event(araus):
    ids = [set(araus[s].ids) for s in SPLITS]
    assert not (ids[0] & ids[1]) and not (ids[0] & ids[2]) and not (ids[1] & ids[2])
    assert sum(1 for e in araus["training"].events if not e) == 42  # empty lines in the file
    assert araus["training"].event_targets().sum() == sum(map(len, araus["training"].events))


def test_writer_reproduces_the_authors_files_byte_for_byte(araus, araus_labels, tmp_path):
    write_split(tmp_path, araus["validation"])
    for kind in FILE_KINDS:
        ours = split_file(tmp_path, "validation", kind).read_bytes()
        assert ours == split_file(araus_labels, "validation", kind).read_bytes(), kind


def small_split(split: str = "test") -> SplitLabels:
    paq = np.array([[4, 2, 1, 2, 4, 3, 4, 3], [1.8, 3.2, 3.8, 2.8, 2.2, 1.8, 4, 3.2]])
    return SplitLabels(split, ("fold_0_participant_10001_stimulus_02", "b"),
                       ("park", "street_traffic"), (("Bird", "Outside, rural or natural"), ()),
                       iso_from_paq(paq), paq)  # fmt: skip


def test_iso_formula_on_a_known_line():
    # the first line of the authors' test_set files
    isop, isoe = iso_from_paq(small_split().paq)[1]
    assert isop == pytest.approx(-4.035533905932737753e-01, abs=1e-15)
    assert isoe == pytest.approx(2.207106781186547739e-01, abs=1e-15)


def test_round_trip_and_formats(tmp_path):
    labels = small_split()
    write_split(tmp_path, labels)
    assert available_splits(tmp_path) == ["test"]
    events = split_file(tmp_path, "test", "events").read_bytes()
    assert events == b"Bird\tOutside, rural or natural\r\n\r\n"
    paq = split_file(tmp_path, "test", "paq").read_text().splitlines()[0]
    assert paq.startswith("4.000000000000000000e+00 2.000000000000000000e+00 ")
    back = read_split(tmp_path, "test")
    assert back.ids == labels.ids and back.scenes == labels.scenes and back.events == labels.events
    np.testing.assert_array_equal(back.paq, labels.paq)
    np.testing.assert_array_equal(back.iso, labels.iso)
    np.testing.assert_array_equal(back.scene_targets(), [1, 2])
    assert back.event_targets()[
        0, [EVENTS.index("Bird"), EVENTS.index("Outside, rural or natural")]
    ].all()
    assert back.event_targets().sum() == 2


def test_unix_line_ends_are_read_too(tmp_path):
    write_split(tmp_path, small_split())
    for kind in FILE_KINDS:
        path = split_file(tmp_path, "test", kind)
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
    assert read_split(tmp_path, "test").events == small_split().events


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("events", "Bird\tBirds\r\n\r\n", r"audio_event_labels\.txt line 1: unknown label 'Birds'"),
        ("scenes", "park\r\nbeach\r\n", r"line 2: unknown label 'beach'"),
        ("iso", "0.1 0.2\r\n0.3\r\n", r"ISOP_ISOE\.txt line 2: expected 2 numbers"),
        ("paq", "1 2 3 4 5 1 2 x\r\n" * 2, r"PAQ_8D_AQs\.txt line 1: expected 8 numbers"),
        ("ids", "a\r\n", r"disagree on the number of clips"),
        ("ids", "a\r\na\r\n", r"clip a is listed more than once"),
    ],
)
def test_bad_files_are_refused_with_file_and_line(tmp_path, kind, text, message):
    write_split(tmp_path, small_split())
    split_file(tmp_path, "test", kind).write_text(text, newline="")
    with pytest.raises(DataError, match=message):
        read_split(tmp_path, "test")


def test_a_missing_file_is_named(tmp_path):
    write_split(tmp_path, small_split())
    split_file(tmp_path, "test", "iso").unlink()
    with pytest.raises(DataError, match=r"test_set_ISOP_ISOE\.txt is missing"):
        read_split(tmp_path, "test")
