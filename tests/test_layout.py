"""The package's rooms stay small and layered (issue 9): module and function lengths, and an
import graph without cycles in which the presentation stages never reach back to the model."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from app_server import ROOT

PACKAGE = ROOT / "llm_ssd"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
KERNEL_DECORATORS = {"njit", "jit", "_jit"}
"""Numba kernels follow the standard's procedure step by step and may be longer."""
PRESENTATION = ("result", "outputs", "labels", "story", "prompt", "plots", "plots_timeline",
                "plots_ensemble", "caption", "offline", "offline_phrases", "access", "sources",
                "alt_text")  # fmt: skip
"""Stages after the analysis: they work on an `Analysis` value alone."""
MODEL_STAGES = {"analysis", "inference", "model", "features", "torch"}


def modules() -> dict[str, Path]:
    """Dotted names below llm_ssd (`train.fit`) and their files."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(p for p in parts if p != "__init__") or "__init__"] = path
    return found


def imports(name: str, path: Path) -> set[str]:
    """Modules of llm_ssd (dotted, relative to it) and top-level packages that a module imports,
    anywhere in it (function-level imports count; those under `if TYPE_CHECKING:` do not)."""
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    found = set()
    tree = ast.parse(path.read_text())
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue  # imports for type hints only never run
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                found.add(".".join(parts[1:]) if parts[0] == "llm_ssd" else parts[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                parts = (node.module or "").split(".")
                if parts[0] != "llm_ssd":
                    found.add(parts[0])
                    continue
                base = parts[1:]
            else:
                base = [*package[: len(package) - node.level + 1], *(node.module or "").split(".")]
                base = [p for p in base if p]
            for alias in node.names:
                candidate = ".".join([*base, alias.name])
                found.add(candidate if candidate in modules() else ".".join(base))
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


def test_the_import_graph_has_no_cycle():
    graph = {n: imports(n, p) & set(modules()) - {n} for n, p in modules().items()}
    graph.pop("__init__")  # imports lazily, by name
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                pytest.fail(f"import cycle: {' -> '.join([*trail, node, nxt])}")
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])


@pytest.mark.parametrize("stage", PRESENTATION)
def test_presentation_stages_never_import_the_model_stages(stage):
    path = modules().get(stage)
    if path is None:
        pytest.skip(f"llm_ssd/{stage}.py does not exist")
    assert imports(stage, path) & MODEL_STAGES == set()
