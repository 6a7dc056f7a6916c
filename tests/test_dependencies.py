"""The one dependency rule (issue 18): each part says in its docstring which parts it may import
("May import: ..."), and every import of every module is held to it, `TYPE_CHECKING` and
function-level ones included. The README's Layout table is the same rule, and no import circle
hides anywhere."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from app_server import ROOT

PACKAGE = ROOT / "llm_ssd"
RULE = re.compile(r"^May import: (.+)\.$", re.M)
NOTHING = "nothing of LLM-SSD's"
PRESENTATION = ("reading", "caption", "figures", "ratings", "records")
"""Parts after the analysis: they work on an `Analysis` value alone."""
MODEL_PARTS = {"model", "analysis", "train", "torch"}
LLM_CLIENT = {"openai", "httpx"}
LLM_CLIENT_MODULES = {"llm_ssd.caption.client", "llm_ssd.caption.stream_guard"}
"""The only modules that may import the LLM client's libraries."""
README_ROW = re.compile(r"^\| `([a-z_]+)` \| ([^|]+) \|", re.M)


def module_files() -> dict[str, Path]:
    """Every module of the product: llm_ssd's, ui's and app.py, by dotted name."""
    found = {"app": ROOT / "app.py"}
    for top in ("llm_ssd", "ui"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(p for p in parts if p != "__init__")] = path
    return found


def part_of(module: str) -> str:
    """The part a module belongs to: `llm_ssd.caption.prompt` -> caption, `ui.page` -> ui."""
    parts = module.split(".")
    if parts[0] != "llm_ssd":
        return parts[0]
    return parts[1] if len(parts) > 1 else "llm_ssd"


def rule_file(part: str) -> Path:
    for path in (
        PACKAGE / part / "__init__.py",
        PACKAGE / f"{part}.py",
        ROOT / part / "__init__.py",
    ):
        if path.exists():
            return path
    return ROOT / f"{part}.py"


def rules() -> dict[str, set[str]]:
    """Each part and the parts it may import, read from its own docstring."""
    table = {}
    for part in sorted({part_of(m) for m in module_files()} - {"llm_ssd"}):
        doc = ast.get_docstring(ast.parse(rule_file(part).read_text())) or ""
        found = RULE.search(doc)
        assert found, f"{rule_file(part)}: its docstring says no 'May import: ...'"
        text = found.group(1)
        table[part] = set() if text == NOTHING else {p.strip() for p in text.split(",")}
    return table


def imports(module: str, source: str) -> set[str]:
    """Every module a module's source imports, anywhere (function bodies and `if TYPE_CHECKING`
    included), as absolute dotted names, and the modules a package re-exports lazily."""
    is_package = module in {"llm_ssd", "ui"} or module_files().get(module, Path()).name == (
        "__init__.py"
    )
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *base.split(".")])
                base = base.strip(".")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "_EXPORTS" for t in node.targets
        ):
            found.update(ast.literal_eval(node.value).values())  # lazy re-exports
    known = module_files()
    return {name for name in found if name in known or part_of(name) not in ("llm_ssd", "ui")}


def allowed(importer: str, imported: str, table: dict[str, set[str]]) -> bool:
    source, target = part_of(importer), part_of(imported)
    if target in ("llm_ssd", source) or imported.split(".")[0] not in ("llm_ssd", "ui", "torch"):
        return True
    permitted = table[source]
    if imported.split(".")[0] == "llm_ssd" and "llm_ssd" in permitted:
        return True
    return target in permitted


def violations(module: str, source: str, table: dict[str, set[str]] | None = None) -> list[str]:
    """The imports of `module` (given as source) that its part's rule forbids."""
    table = rules() if table is None else table
    found = [name for name in imports(module, source) if not allowed(module, name, table)]
    if part_of(module) in PRESENTATION:
        found += [
            name for name in imports(module, source) if part_of(name) in MODEL_PARTS - {"torch"}
        ]
    if module not in LLM_CLIENT_MODULES:
        found += [name for name in imports(module, source) if name.split(".")[0] in LLM_CLIENT]
    return sorted(set(found))


def test_every_part_states_its_rule_and_names_only_parts():
    table = rules()
    for part, permitted in table.items():
        assert permitted <= {*table, "torch", "llm_ssd"}, f"{part} names an unknown part"


def test_every_import_keeps_to_its_parts_rule():
    table = rules()
    broken = {
        name: found
        for name, path in module_files().items()
        if (found := violations(name, path.read_text(), table))
    }
    assert broken == {}


def test_presentation_parts_never_reach_the_model_or_torch():
    table = rules()
    for part in PRESENTATION:
        assert not table[part] & MODEL_PARTS, f"{part}'s rule lets it import {MODEL_PARTS}"


@pytest.mark.parametrize(
    "line",
    [
        "import torch",
        "from torch import nn",
        "from llm_ssd.model.runtime import load_model",
        "from llm_ssd import analysis",
        "from llm_ssd.analysis import analyze",
        "import openai",
    ],
)
@pytest.mark.parametrize("module", ["llm_ssd.caption.offline", "llm_ssd.figures.panels"])
def test_the_rule_catches_a_forbidden_import(module, line):
    """Proof that the test can fail: a presentation module that imports torch, the model or the
    LLM client, at the top, in a function or for type checking only."""
    for source in (
        line,
        f"def late():\n    {line}\n",
        f"from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    {line}\n",
    ):
        assert violations(module, source) != [], source


def test_the_rule_lets_a_presentation_module_import_what_its_part_may():
    assert violations("llm_ssd.caption.offline", "from llm_ssd.result import Analysis") == []


def test_the_import_graph_has_no_cycle():
    known = module_files()
    graph = {
        name: {m for m in imports(name, path.read_text()) if m in known} - {name}
        for name, path in known.items()
    }
    for package in ("llm_ssd", "ui"):  # a package's lazy exports run on first use only
        graph[package] = set()
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt.startswith(f"{node}."):
                continue  # a package re-exporting its own module
            if state.get(nxt) == 1:
                pytest.fail(f"import cycle: {' -> '.join([*trail, node, nxt])}")
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_the_readme_layout_table_is_the_rule():
    readme = (ROOT / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    shown = {
        part: set() if text.strip() == "—" else {p.strip(" `") for p in text.split(",")}
        for part, text in README_ROW.findall(layout)
    }
    assert shown == rules()


def test_presentation_parts_do_not_load_torch():
    """At run time too: importing every module of the parts whose rule names neither torch nor a
    model part leaves torch unloaded (audio's log-mel imports it only when it runs)."""
    table = rules()
    light = {
        part
        for part, permitted in table.items()
        if not permitted & (MODEL_PARTS | {"llm_ssd"}) and part not in MODEL_PARTS | {"__main__"}
    }
    names = [m for m in module_files() if m.startswith("llm_ssd.") and part_of(m) in light]
    assert {f"llm_ssd.{p}" for p in ("caption.offline", "figures.panels", "result")} <= set(names)
    code = f"import sys; import {', '.join(names)}; print('torch' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
