"""The MCP tools over the queue (a fake runner: no model), through the SDK's own client."""

from __future__ import annotations

import asyncio
from typing import Any

from mcp import Client

from serve.mcp_server import create_mcp_server
from serve.queue import RunQueue
from tests.serve.fakes import FakeEngine, FakeRunner, fake_settings


def call(engine: FakeEngine, tool: str, arguments: dict[str, Any]) -> Any:
    """Call ``tool`` on a fresh server over ``engine``; the tool's result."""
    server = create_mcp_server(fake_settings(), RunQueue(FakeRunner(engine)))

    async def scenario() -> Any:
        async with Client(server) as client:
            return await client.call_tool(tool, arguments)

    return asyncio.run(scenario())


def test_the_two_tools_are_listed() -> None:
    server = create_mcp_server(fake_settings(), RunQueue(FakeRunner()))

    async def scenario() -> list[str]:
        async with Client(server) as client:
            return [tool.name for tool in (await client.list_tools()).tools]

    assert sorted(asyncio.run(scenario())) == ["generate_code", "search_episodes"]


def test_generate_code_returns_the_code_and_its_findings() -> None:
    engine = FakeEngine()
    stub = "def answer() -> int:\n    ...\n"
    result = call(
        engine, "generate_code", {"task": "Return 42", "stub": stub, "tests": "assert answer() == 42"}
    )
    assert not result.is_error
    assert result.structured_content["code"] == "def answer() -> int:\n    return 42\n"
    assert result.structured_content["findings"] == []
    assert result.structured_content["run_id"] == "run-1"
    request = engine.runs[0]
    assert (request.task, request.stub, request.mode) == ("Return 42", stub, "loop")
    assert request.suite is not None and len(request.suite["checks"]) == 1


def test_generate_code_refuses_a_stub_that_does_not_parse() -> None:
    result = call(FakeEngine(), "generate_code", {"task": "Return 42", "stub": "def f(:"})
    assert result.is_error
    assert "stub is not valid Python" in result.content[0].text


def test_search_episodes_returns_what_the_store_finds() -> None:
    result = call(FakeEngine(), "search_episodes", {"query": "forty-two", "k": 3})
    assert not result.is_error
    hits = result.structured_content["result"]
    assert [h["task"] for h in hits] == ["forty-two"]
