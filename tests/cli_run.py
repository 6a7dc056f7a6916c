"""Run `llm-ssd` as a person would, in a subprocess, without the developer's caption settings."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from app_server import CAPTION_ENV


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "llm_ssd", *args]
    clean = {k: v for k, v in os.environ.items() if k not in CAPTION_ENV}
    return subprocess.run(
        cmd, capture_output=True, text=True, check=False, env={**clean, **(env or {})}
    )


def read_fifo_in_background(fifo) -> tuple[threading.Thread, list[bytes]]:
    """A reader of `fifo` in a thread (a FIFO's writer blocks until a reader opens it)."""
    got: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as f:
            got.append(f.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, got


def group_ends(group: int, seconds: float = 10.0) -> bool:
    """Whether every process of a process group has ended within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False
