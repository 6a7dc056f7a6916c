"""The public names stay where users import them from (issue 18): the package's lazy exports,
`llm_ssd.caption`'s, and the `llm-ssd` command's entry point."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import tomllib
from app_server import ROOT

import llm_ssd
from llm_ssd import caption


@pytest.mark.parametrize("package", [llm_ssd, caption])
def test_every_lazy_export_is_the_object_its_module_defines(package):
    assert package.__all__
    for name in package.__all__:
        module = importlib.import_module(package._EXPORTS[name])
        assert getattr(package, name) is getattr(module, name)


def test_the_documented_imports_work():
    from llm_ssd import analyze
    from llm_ssd.caption import caption_text

    assert analyze.__module__ == "llm_ssd.analysis"
    assert caption_text.__module__ == "llm_ssd.caption.client"


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = caption.nothing_here


def test_the_command_is_cli_main():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, name = scripts["llm-ssd"].partition(":")
    assert getattr(importlib.import_module(module), name) is llm_ssd.cli.parser.main


def test_python_dash_m_runs_the_command():
    done = subprocess.run(
        [sys.executable, "-m", "llm_ssd", "--help"], cwd=ROOT, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0 and "describe" in done.stdout
