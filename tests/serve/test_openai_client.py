"""The real ``openai`` client reads the service's answers (a fake runner: no model)."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam
from starlette.testclient import TestClient

from serve.app import create_app
from tests.serve.fakes import FakeEngine, FakeRunner, fake_settings

MESSAGES: list[ChatCompletionMessageParam] = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Make it return 42\n```python\ndef answer() -> int:\n    ...\n```"},
]


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def client(engine: FakeEngine) -> Iterator[openai.OpenAI]:
    with TestClient(create_app(fake_settings(), FakeRunner(engine))) as http:
        yield openai.OpenAI(base_url="http://testserver/v1", api_key="unused", http_client=http)


def test_a_completion_is_a_python_block_with_the_run_in_an_extra_field(
    client: openai.OpenAI, engine: FakeEngine
) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model="supercoder-greedy", messages=MESSAGES, max_tokens=32, seed=7
    )
    completion = raw.parse()
    content = completion.choices[0].message.content or ""
    assert content == "```python\ndef answer() -> int:\n    return 42\n```"
    assert completion.choices[0].finish_reason == "stop"
    extra = (completion.model_extra or {})["supercoder"]
    assert extra["run_id"] == raw.headers["x-supercoder-run-id"] == "run-1"
    assert extra["episode_id"] == raw.headers["x-supercoder-episode-id"]
    assert extra["verdicts"][0]["outcome"] == "passed"
    assert (extra["mode"], extra["findings"]) == ("greedy", [])
    request = engine.runs[0]
    assert (request.task, request.stub) == ("Make it return 42", "def answer() -> int:\n    ...\n")
    settings = request.settings
    assert (settings.decoding.max_tokens, settings.model.seed, settings.cycles.max_cycles) == (
        32, 7, 1,
    )  # fmt: skip


def test_a_stream_is_content_deltas_then_the_run(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="supercoder",
        messages=MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "```python\ndef answer() -> int:\n    return 42\n```"
    last = [c for c in chunks if c.choices][-1]
    assert last.choices[0].finish_reason == "stop"
    assert (last.model_extra or {})["supercoder"]["status"] == "clean"
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 22


def test_models_are_listed(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == [
        "supercoder", "supercoder-beams", "supercoder-greedy",
    ]  # fmt: skip


def test_errors_reach_the_client_as_its_own_exceptions(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(
            model="supercoder", messages=[{"role": "user", "content": "   "}]
        )
