"""The describer as a tool for AI assistants (issue 23, acceptance 4): the app started with MCP
on 127.0.0.1, its tools listed with the `mcp` client, the describe tool called on the reference
clip (sent as a data: URL, as an assistant may), which it calls a park."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import httpx
from app_server import ROOT, AppServer
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from app import mcp_wanted
from llm_ssd.env import ENV_MCP
from ui.tools import TOOL_NAMES

REFERENCE_CLIP = ROOT.parent / "shared" / "reference" / "stimulus_13.flac"
PARK_EXAMPLE = ROOT / "examples" / "park_birdsong.flac"
CALL_TIMEOUT = 300.0
"""Seconds for one tool call on a cold, busy 2-core machine (a warm one takes a few)."""


def data_url(path: Path) -> str:
    return f"data:audio/flac;base64,{base64.b64encode(path.read_bytes()).decode()}"


async def list_and_describe(url: str, clip: Path):
    async with (
        httpx.AsyncClient(timeout=CALL_TIMEOUT) as http,
        streamable_http_client(url, http_client=http) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        tools = (await session.list_tools()).tools
        result = await asyncio.wait_for(
            session.call_tool("describe_clip", {"clip": data_url(clip)}), CALL_TIMEOUT
        )
        return tools, result


def test_the_switch_is_the_flag_or_gradios_variable(monkeypatch):
    monkeypatch.delenv(ENV_MCP, raising=False)
    assert mcp_wanted(["--mcp"]) and not mcp_wanted([])
    monkeypatch.setenv(ENV_MCP, "True")
    assert mcp_wanted([])


def test_an_assistant_lists_the_tools_and_describes_the_reference_clip(tmp_path):
    clip = REFERENCE_CLIP if REFERENCE_CLIP.exists() else PARK_EXAMPLE
    with AppServer(tmp_path, env={ENV_MCP: "true"}) as app:
        tools, result = asyncio.run(list_and_describe(app.url + "gradio_api/mcp/", clip))
    by_name = {tool.name: tool for tool in tools}
    assert sorted(by_name) == sorted(TOOL_NAMES)  # the page's other endpoints are no tools
    describe = by_name["describe_clip"]
    assert "soundscape" in describe.description and "clip" in describe.inputSchema["properties"]
    assert not result.isError, result.content
    record = json.loads(result.content[0].text)
    assert record["scene"] == "park"
    assert record["caption"] and record["caption_source"]
    assert set(by_name["compare_clips"].inputSchema["properties"]) == {"clip_a", "clip_b"}
