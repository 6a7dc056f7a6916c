"""Every environment variable LLM-SSD reads, named once, and how a value is read.

Each name below is the only spelling of its variable in the code; the modules that read one
import it from here, and the tests clear them all by this list (`NAMES`).

May import: nothing of LLM-SSD's."""

from __future__ import annotations

import os
from collections.abc import Mapping

ENV_API_KEY = "OPENAI_API_KEY"
"""The server's key for its OpenAI-compatible LLM."""
ENV_BASE_URL = "OPENAI_BASE_URL"
"""The server's OpenAI-compatible base URL (Ollama, vLLM, ...)."""
ENV_MODEL = "LLM_SSD_MODEL"
"""The model the server's LLM is asked for."""
ENV_TIMEOUT = "LLM_SSD_TIMEOUT"
"""The caption's idle deadline, seconds."""
ENV_DEADLINE = "LLM_SSD_DEADLINE"
"""The caption's total deadline, seconds."""
ENV_LANGUAGE = "LLM_SSD_LANGUAGE"
"""The caption's default language."""
ENV_HF_TOKEN = "HF_TOKEN"
"""The server's Hugging Face token, for the router when no other LLM is set."""
ENV_HF_BASE_URL = "LLM_SSD_HF_BASE_URL"
"""The Hugging Face router's OpenAI-compatible URL."""
ENV_HF_MODEL = "LLM_SSD_HF_MODEL"
"""The open model the router is asked for."""
ENV_OAUTH_CLIENT_ID = "OAUTH_CLIENT_ID"
"""Set by Hugging Face on a Space whose README says `hf_oauth: true`: offer the sign-in."""
ENV_SERVER_NAME = "GRADIO_SERVER_NAME"
"""Where the app listens (Gradio's own variable)."""
ENV_SHARE = "GRADIO_SHARE"
"""Whether the app makes a public share link (Gradio's own variable)."""
ENV_TEMP_DIR = "GRADIO_TEMP_DIR"
"""Where Gradio keeps uploads (Gradio's own variable); the app keeps them in a folder of its own
in it, emptied at start and bounded in size."""
ENV_MCP = "GRADIO_MCP_SERVER"
"""`true`: also serve the app as an MCP server, like `app.py --mcp` (Gradio's own variable)."""
ENV_SPACE_ID = "SPACE_ID"
"""Set by Hugging Face on a Space: the app is public and keeps its data under /data."""
ENV_SYSTEM = "SYSTEM"
"""`spaces` on a Hugging Face Space: Gradio's own test for one, without which its sign-in is a
mock that sends the machine's Hugging Face token to the hub."""
ENV_DB = "LLM_SSD_DB"
"""The ratings database's path."""
ENV_DATA_HOME = "XDG_DATA_HOME"
"""Where per-user data lives (the ratings database's default folder)."""
ENV_WEIGHTS = "LLM_SSD_WEIGHTS"
"""The folder of the checkpoints and statistics (default: `weights/` of the checkout)."""
ENV_APP_MAX_MINUTES = "LLM_SSD_APP_MAX_MINUTES"
"""The longest recording the app accepts, minutes."""
ENV_THREADS = "LLM_SSD_THREADS"
"""Threads for every analysis, fixed by hand (unset: the thread policy of `model.threads`, an
equal share of the cores for the analyses running)."""
ENV_FUZZ_EXAMPLES = "LLM_SSD_FUZZ_EXAMPLES"
"""Examples per property of the test suite's fuzz tests (Hypothesis), more than CI's default."""

NAMES: tuple[str, ...] = tuple(
    value for key, value in dict(globals()).items() if key.startswith("ENV_")
)
"""All of them, in the order above."""
CAPTION_NAMES: tuple[str, ...] = NAMES[: NAMES.index(ENV_OAUTH_CLIENT_ID) + 1]
"""Those that choose who writes a caption and how (the LLM's and the router's settings)."""
ACCESS_NAMES: tuple[str, ...] = (ENV_SERVER_NAME, ENV_SHARE, ENV_SPACE_ID)
"""Those that decide whether the app is public."""


def stripped(value: str | None) -> str | None:
    """A setting as typed, without surrounding whitespace; None when it is missing or blank."""
    value = value.strip() if value else None
    return value or None


def setting(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The value of variable `name`, stripped; None when unset or blank."""
    return stripped((os.environ if environ is None else environ).get(name))


SPACES_SYSTEM = "spaces"
"""ENV_SYSTEM's value on a Space."""


def on_space(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this runs on a Hugging Face Space."""
    return setting(ENV_SPACE_ID, environ) is not None


def on_gradio_space(environ: Mapping[str, str] | None = None) -> bool:
    """Whether Gradio, too, takes this for a Space (ENV_SYSTEM and ENV_SPACE_ID both set), so
    that its sign-in is Hugging Face's own and not its local mock."""
    return on_space(environ) and setting(ENV_SYSTEM, environ) == SPACES_SYSTEM
