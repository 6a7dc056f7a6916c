"""Each environment variable is named once (issue 18): in `llm_ssd/env.py`, which every module
that reads one imports it from, and which the README's variables agree with."""

from __future__ import annotations

import ast
import re

from app_server import ROOT

from llm_ssd import env

VARIABLE = re.compile(r"^(LLM_SSD|OPENAI|HF|GRADIO|OAUTH|SPACE|XDG)_[A-Z_]+$|^SPACE_ID$")
"""What a variable of ours (or of the platforms we read) looks like."""


def code_strings(path) -> list[str]:
    """The string constants of a module, its docstrings left out."""
    tree = ast.parse(path.read_text())
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


def test_no_module_but_env_spells_a_variable():
    files = [ROOT / "app.py", *(ROOT / "llm_ssd").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]
    spelled = {
        str(path.relative_to(ROOT)): found
        for path in files
        if path.name != "env.py" and (found := [s for s in code_strings(path) if VARIABLE.match(s)])
    }
    assert spelled == {}


def test_every_variable_is_named_once_and_documented():
    assert len(set(env.NAMES)) == len(env.NAMES)
    assert set(env.CAPTION_NAMES) | set(env.ACCESS_NAMES) <= set(env.NAMES)
    source = (ROOT / "llm_ssd" / "env.py").read_text()
    for name in env.NAMES:
        assert re.search(rf'= "{name}"\n"""[^"]+"""', source), f"{name} has no docstring"


def test_the_readme_names_every_variable_we_read():
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in env.NAMES if f"`{name}`" not in readme]
    assert missing == []
