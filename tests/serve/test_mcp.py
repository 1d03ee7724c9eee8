"""``main.py mcp`` on the real default model, spawned by the MCP SDK's own stdio client: both
tools called, the run logged as an episode and found again."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.serve.commands import FAST_CONFIG, ROOT, main_command

pytestmark = pytest.mark.model

STUB = 'def larger(a: int, b: int) -> int:\n    """Return the larger of a and b."""\n'


def test_generate_code_then_search_episodes_finds_the_run(tmp_path: Path) -> None:
    config = tmp_path / "fast.yaml"
    config.write_text(FAST_CONFIG, encoding="utf-8")
    command = main_command("mcp", "--config", str(config), "--max-tokens", "32", "--max-cycles", "1")
    parameters = StdioServerParameters(
        command=command[0],
        args=command[1:],
        cwd=ROOT,
        env={"SUPERCODER_DATA_DIR": str(tmp_path / "data"), **_cache_variables()},
    )

    async def scenario() -> tuple[Any, Any]:
        async with Client(parameters, read_timeout_seconds=600) as client:
            generated = await client.call_tool(
                "generate_code",
                {"task": "Complete the function", "stub": STUB, "tests": "assert larger(2, 5) == 5"},
            )
            found = await client.call_tool("search_episodes", {"query": "larger of a and b", "k": 3})
            return generated, found

    generated, found = asyncio.run(scenario())
    assert not generated.is_error, generated.content
    result = generated.structured_content
    assert result["code"].startswith("def larger(a: int, b: int) -> int:")
    assert [v["label"] for v in result["verdicts"]] == ["larger(2, 5) == 5"]
    assert isinstance(result["findings"], list)
    assert result["episode_id"] == result["run_id"]
    assert not found.is_error, found.content
    assert result["run_id"] in [hit["id"] for hit in found.structured_content["result"]]


def _cache_variables() -> dict[str, str]:
    """Where the model is cached: the spawned server finds the same assembled file."""
    return {k: v for k, v in os.environ.items() if k in ("XDG_CACHE_HOME", "HOME")}
