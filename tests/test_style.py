"""The code base stays ruff clean (lint and format), as pyproject.toml configures it, and its
stages import only what they need."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from app_server import ROOT

NO_TORCH = (
    "llm_ssd.labels",
    "llm_ssd.result",
    "llm_ssd.outputs",
    "llm_ssd.story",
    "llm_ssd.prompt",
    "llm_ssd.offline",
    "llm_ssd.sources",
    "llm_ssd.alt_text",
)
"""Modules that work on an Analysis alone: usable without torch."""
NO_MODEL = (
    "llm_ssd.prompt",
    "llm_ssd.plots",
    "llm_ssd.plots_timeline",
    "llm_ssd.caption",
    "llm_ssd.offline",
    "llm_ssd.access",
    "llm_ssd.sources",
)
"""Stages after the analysis: they never import the model's stages."""
MODEL_STAGES = {"llm_ssd.analysis", "llm_ssd.inference"}
NO_LLM_CLIENT = ("llm_ssd.offline", "llm_ssd.access", "llm_ssd.sources")
"""The offline template, the access policy and the order of sources work without the LLM
client."""
LLM_CLIENT = {"llm_ssd.caption", "openai", "httpx"}


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_is_clean(command):
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (requirements-dev.txt installs it)")
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def imported_by(module: str) -> set[str]:
    """The modules a fresh interpreter holds after importing `module` from this checkout."""
    code = f"import sys, {module}; print(sys.modules['{module}'].__file__); print(*sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    path, modules = done.stdout.splitlines()
    assert path.startswith(str(ROOT)), f"{module} was imported from {path}"
    return set(modules.split())


@pytest.mark.parametrize("module", NO_TORCH)
def test_modules_on_an_analysis_alone_do_not_import_torch(module):
    assert "torch" not in imported_by(module)


@pytest.mark.parametrize("module", NO_MODEL)
def test_later_stages_do_not_import_the_model_stages(module):
    assert not MODEL_STAGES & imported_by(module)


@pytest.mark.parametrize("module", NO_LLM_CLIENT)
def test_the_offline_template_and_access_policy_do_not_import_the_llm_client(module):
    assert not LLM_CLIENT & imported_by(module)
