"""Start `python app.py` on 127.0.0.1 for a test and stop it afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from llm_ssd.env import CAPTION_NAMES

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 180.0
"""Seconds to wait for the app (the first start may fetch the weights)."""
CAPTION_ENV = CAPTION_NAMES
"""Prefixes of the developer's caption settings, kept out of the app under test: it reaches
only the servers a test gives it."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """`python app.py` in a subprocess, ready once /gradio_api/info answers; its ratings go to
    `db` (tmp_dir/ratings.sqlite3 unless `env` sets LLM_SSD_DB)."""

    def __init__(self, tmp_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = tmp_dir / "app.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in CAPTION_ENV},
            "GRADIO_SERVER_NAME": "127.0.0.1",
            "GRADIO_SERVER_PORT": str(self.port),
            "GRADIO_ANALYTICS_ENABLED": "False",
            "GRADIO_TEMP_DIR": str(tmp_dir / "gradio"),
            "LLM_SSD_DB": str(tmp_dir / "ratings.sqlite3"),  # never the person's own ratings
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.db = Path(self.env["LLM_SSD_DB"])
        self.process: subprocess.Popen | None = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> AppServer:
        self._log_file = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app.py exited ({self.process.returncode}):\n{self.log()}")
            try:
                request = urllib.request.Request(self.url + "gradio_api/info", method="HEAD")
                urllib.request.urlopen(request, timeout=2)
                return self
            except urllib.error.HTTPError:  # any HTTP answer means the server is up
                return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        self.__exit__()
        raise RuntimeError(f"app.py did not answer within {START_TIMEOUT:.0f} s:\n{self.log()}")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log_file.close()
