"""The upload store: the folder where Gradio keeps visitors' uploads and the files the page
sends back, bounded in size and emptied when the app starts.

Gradio deletes its files an hour after they were made (`delete_cache`) and the rest only on a
clean exit; a SIGTERM or a crash leaves them, and within the hour 30 uploads of 48 MiB would
add 1.5 GB. So the app gives Gradio a folder of its own, `FOLDER_NAME` in ENV_TEMP_DIR (or the
system's temporary folder), so that it never deletes anything but its own; empties it at start;
and every `SWEEP_EVERY` seconds deletes the oldest files until it holds at most
`MAX_STORE_BYTES`."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from pathlib import Path

from llm_ssd.env import ENV_TEMP_DIR, setting

FOLDER_NAME = "llm-ssd-uploads"
"""The app's own folder: never another Gradio app's files, nor the operator's."""
MAX_STORE_BYTES = 1 << 30
"""1 GiB: twenty uploads of the largest size allowed, far more than the requests in flight."""
SWEEP_EVERY = 10.0
"""Seconds between two trims of the store."""


def upload_folder() -> Path:
    """Where Gradio is to keep this app's files: `FOLDER_NAME` in ENV_TEMP_DIR, else in the
    system's temporary folder."""
    return Path(setting(ENV_TEMP_DIR) or tempfile.gettempdir()) / FOLDER_NAME


def _files(folder: Path) -> list[tuple[float, int, Path]]:
    """Each file under `folder` with its modification time and size (links not followed)."""
    found = []
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):  # gone meanwhile
            info = path.lstat()
            if not path.is_dir() or path.is_symlink():
                found.append((info.st_mtime, info.st_size, path))
    return found


def _remove_empty_folders(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty, or not a folder
            if path.is_dir() and not path.is_symlink():
                path.rmdir()


def trim(folder: Path, max_bytes: int = MAX_STORE_BYTES) -> list[Path]:
    """Delete the oldest files under `folder` until it holds at most `max_bytes`; the files
    deleted, oldest first. A file still being read by an analysis stays readable to it (the
    name goes, the open file stays)."""
    files = sorted(_files(folder))
    total = sum(size for _, size, _ in files)
    removed = []
    for _, size, path in files:
        if total <= max_bytes:
            break
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
        total -= size
    if removed:
        _remove_empty_folders(folder)
    return removed


def empty(folder: Path) -> None:
    """Delete everything under `folder` (what an earlier run left), the folder kept."""
    trim(folder, 0)


def start_upload_store() -> Path:
    """Give Gradio the app's folder (before the page is built), empty it and keep it trimmed
    from now on, in a daemon thread; the folder."""
    folder = upload_folder()
    os.environ[ENV_TEMP_DIR] = str(folder)
    folder.mkdir(parents=True, exist_ok=True)
    empty(folder)

    def sweep() -> None:
        while True:
            time.sleep(SWEEP_EVERY)
            with contextlib.suppress(OSError):
                trim(folder)

    threading.Thread(target=sweep, name="upload-store", daemon=True).start()
    return folder
