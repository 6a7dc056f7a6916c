"""A task for a spawned process: which of some modules it has imported (a module's function,
so that the process finds it without importing the test that sent it)."""

from __future__ import annotations

import sys


def imported(names: list[str]) -> list[str]:
    """Those of `names` this process has imported."""
    return [name for name in names if name in sys.modules]
