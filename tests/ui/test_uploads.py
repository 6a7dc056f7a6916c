"""The upload store's bound (issue 25, case 13): the oldest files go first, down to the size
allowed, and emptying it leaves the folder."""

from __future__ import annotations

import os

from ui.uploads import FOLDER_NAME, empty, trim, upload_folder

SIZE = 1000


def make_files(folder, count):
    """`count` files of SIZE bytes, each in a folder of its own as Gradio stores them, the
    first the oldest."""
    paths = []
    for i in range(count):
        path = folder / f"hash{i:02d}" / f"upload{i:02d}.wav"
        path.parent.mkdir(parents=True)
        path.write_bytes(bytes(SIZE))
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
        paths.append(path)
    return paths


def test_the_oldest_uploads_are_deleted_until_the_store_fits(tmp_path):
    paths = make_files(tmp_path, 30)
    removed = trim(tmp_path, max_bytes=10 * SIZE)
    assert removed == paths[:20]
    assert sorted(tmp_path.rglob("*.wav")) == paths[20:]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"hash{i:02d}" for i in range(20, 30)]
    assert trim(tmp_path, max_bytes=10 * SIZE) == []


def test_emptying_the_store_keeps_the_folder_only(tmp_path):
    make_files(tmp_path, 3)
    empty(tmp_path)
    assert tmp_path.is_dir() and list(tmp_path.iterdir()) == []


def test_the_store_is_a_folder_of_the_apps_own(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path))
    assert upload_folder() == tmp_path / FOLDER_NAME
