"""The package's rooms stay small (issue 9): module and function lengths. Which part may import
which is `test_dependencies.py`'s."""

from __future__ import annotations

import ast
from pathlib import Path

from app_server import ROOT

PACKAGE = ROOT / "llm_ssd"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
KERNEL_DECORATORS = {"njit", "jit", "_jit"}
"""Numba kernels follow the standard's procedure step by step and may be longer."""


def modules() -> dict[str, Path]:
    """Dotted names below llm_ssd (`train.fit`) and their files."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(p for p in parts if p != "__init__") or "__init__"] = path
    return found


def ui_modules() -> dict[str, Path]:
    """The page's wiring: app.py and the modules of ui/."""
    return {
        "app": ROOT / "app.py",
        **{f"ui.{p.stem}": p for p in sorted((ROOT / "ui").glob("*.py"))},
    }


def test_no_module_is_longer_than_the_limit():
    files = {**modules(), **ui_modules()}
    long = {n: len(p.read_text().splitlines()) for n, p in files.items()}
    assert {n: c for n, c in long.items() if c > MAX_MODULE_LINES} == {}


def test_no_function_is_longer_than_the_limit():
    too_long = []
    for name, path in [*modules().items(), *ui_modules().items()]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            decorators = {ast.unparse(d).split("(")[0].split(".")[-1] for d in node.decorator_list}
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES and not decorators & KERNEL_DECORATORS:
                too_long.append(f"{name}.{node.name}: {length} lines")
    assert too_long == []
