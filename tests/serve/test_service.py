"""``main.py serve`` on the real default model, through the real ``openai`` client on loopback:
a whole answer, a streamed one, and a client that leaves mid-run. One server for the module."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import httpx
import openai
import pytest

from memory.embedding import make_embedder
from memory.episode import Outcome
from memory.store import EpisodeStore
from orchestrator.runs import list_runs, open_checkpointer
from tests.serve.commands import FAST_CONFIG, Server, running_server

pytestmark = pytest.mark.model

STUB = 'def larger(a: int, b: int) -> int:\n    """Return the larger of a and b."""\n'
ASK = f"Complete the function\n```python\n{STUB}```"
#: A stub whose first line is a type error: no cycle ends clean, so a second cycle comes.
NEVER_CLEAN_STUB = f'LIMIT: int = "ten"\n\n\n{STUB}'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("serve")
    config = folder / "fast.yaml"
    config.write_text(FAST_CONFIG, encoding="utf-8")
    with running_server(["--config", str(config), "--max-cycles", "2"], data=folder / "data") as s:
        yield s


@pytest.fixture
def client(server: Server) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0) as client:
        yield client


def stored(server: Server, run_id: str) -> Outcome | None:
    """The outcome of ``run_id``'s episode in the server's store, if there is one."""
    store = EpisodeStore.open(server.data / "memory", make_embedder("hash"))
    episode = store.get(run_id)
    return episode.outcome if episode is not None else None


def code_of(content: str) -> str:
    assert content.startswith("```python\n") and content.endswith("\n```"), content
    return content.removeprefix("```python\n").removesuffix("```")


def test_a_greedy_answer_is_a_python_block_logged_as_an_episode(
    client: openai.OpenAI, server: Server
) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model="supercoder-greedy",
        messages=[{"role": "user", "content": ASK}],
        max_tokens=32,
    )
    completion = raw.parse()
    code = code_of(completion.choices[0].message.content or "")
    assert code.startswith("def larger(a: int, b: int) -> int:")
    ast.parse(code)
    extra = (completion.model_extra or {})["supercoder"]
    assert extra["run_id"] == raw.headers["x-supercoder-run-id"]
    assert extra["episode_id"] == extra["run_id"]
    assert (extra["mode"], extra["cycles"]) == ("greedy", 1)
    assert isinstance(extra["findings"], list) and isinstance(extra["verdicts"], list)
    assert stored(server, extra["run_id"]) in (Outcome.CLEAN, Outcome.LIMIT)


def test_a_streamed_answer_is_the_same_block_in_deltas(
    client: openai.OpenAI, server: Server
) -> None:
    stream = client.chat.completions.create(
        model="supercoder-greedy",
        messages=[{"role": "user", "content": ASK}],
        max_tokens=32,
        stream=True,
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert code_of(text).startswith("def larger(a: int, b: int) -> int:")
    extra = (chunks[-1].model_extra or {})["supercoder"]
    assert chunks[-1].choices[0].finish_reason in ("stop", "length")
    assert stored(server, extra["run_id"]) in (Outcome.CLEAN, Outcome.LIMIT)


def test_a_client_that_leaves_mid_run_cancels_it_and_leaves_no_half_episode(
    client: openai.OpenAI, server: Server
) -> None:
    ask = f"Complete the function\n```python\n{NEVER_CLEAN_STUB}```"
    run_id = ""
    with client.chat.completions.with_streaming_response.create(
        model="supercoder",
        messages=[{"role": "user", "content": ask}],
        max_tokens=16,
        stream=True,
    ) as response:
        for line in response.iter_lines():  # the progress comments, as they come
            if line.startswith(": run ") and not run_id:
                run_id = line.split()[2].rstrip(":")
            if line.startswith(": cycle 2/2 generate"):  # cycle 1 is checkpointed
                break  # leaving the block closes the connection
        else:
            pytest.fail("the run ended before its second cycle")
    server.wait_idle()
    assert stored(server, run_id) is Outcome.INTERRUPTED  # cycle 1, kept until it resumes
    with open_checkpointer(server.data) as saver:
        runs = {r.run_id: r for r in list_runs(saver)}
    assert (runs[run_id].status, runs[run_id].cycles) == ("resumable", 1)
    assert server.health()["status"] == "ok"


def test_the_service_refuses_a_prompt_too_long_before_queueing_it(server: Server) -> None:
    body = {"model": "supercoder-greedy", "messages": [{"role": "user", "content": "word " * 5000}]}
    response = httpx.post(f"{server.url}/v1/chat/completions", json=body, timeout=60)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "context_length_exceeded"
