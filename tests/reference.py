"""Where the read-only reference material of ../shared is, and how a test that needs it skips
when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "reference"


def shared_file(*parts: str) -> Path:
    """A file of ../shared, or skip the test saying why."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the reference material of ../shared is not laid out here")
    return path
