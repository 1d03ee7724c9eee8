"""The HTTP protocol without a model: every error answered with its status and OpenAI's error
JSON before the model is needed, and the answers' shape, on a queue with a fake runner."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from serve.app import create_app
from serve.service import ServeOptions
from tests.serve.fakes import FAKE_PROMPT_LIMIT, FakeEngine, FakeRunner, fake_settings

CHAT = "/v1/chat/completions"
KEY = "s3cret-key"
ASK = {"model": "supercoder-greedy", "messages": [{"role": "user", "content": "Write answer()"}]}
SPEC = {
    "function_name": "add",
    "parameters": [{"name": "a", "type": "int"}, {"name": "b", "type": "int"}],
    "return_type": "int",
    "constraints": "return the sum of a and b",
    "examples": [{"input": {"a": 1, "b": 2}, "output": 3}],
}


def client_for(engine: FakeEngine | None = None, **options: Any) -> TestClient:
    app = create_app(fake_settings(), FakeRunner(engine or FakeEngine()), ServeOptions(**options))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with client_for() as test_client:
        yield test_client


def error_of(response: Any, status: int) -> dict[str, Any]:
    """The error object of an answer with ``status``: OpenAI's shape, never a traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert "Traceback" not in response.text
    return body["error"]


def test_bad_json_is_400(client: TestClient) -> None:
    for path in (CHAT, "/v1/generate"):
        response = client.post(path, content=b'{"model": ', headers={"content-type": "application/json"})
        assert error_of(response, 400)["code"] == "invalid_json"


def test_a_missing_or_wrong_field_is_400_naming_it(client: TestClient) -> None:
    error = error_of(client.post(CHAT, json={"model": "supercoder"}), 400)
    assert error["param"] == "messages"
    error = error_of(client.post(CHAT, json={**ASK, "temperature": 9}), 400)
    assert error["param"] == "temperature"
    error_of(client.post(CHAT, json={**ASK, "n": 2}), 400)


def test_a_chat_without_a_user_message_or_with_a_broken_stub_is_400(client: TestClient) -> None:
    system_only = {**ASK, "messages": [{"role": "system", "content": "be brief"}]}
    assert "no user message" in error_of(client.post(CHAT, json=system_only), 400)["message"]
    broken = {**ASK, "messages": [{"role": "user", "content": "Fix\n```python\ndef f(:\n```"}]}
    error = error_of(client.post(CHAT, json=broken), 400)
    assert error["message"].startswith("the message's Python code block is not valid Python")


def test_a_bad_spec_is_400_naming_the_field(client: TestClient) -> None:
    bad = {**SPEC, "examples": [{"input": {"a": 1, "c": 2}, "output": 3}]}
    error = error_of(client.post("/v1/generate", json=bad), 400)
    assert error["message"] == "spec: examples[0].input: unknown parameter 'c'"
    error = error_of(client.post("/v1/generate", json={**SPEC, "max_tokens": 0}), 400)
    assert error["param"] == "max_tokens"


def test_an_unknown_model_is_404(client: TestClient) -> None:
    error = error_of(client.post(CHAT, json={**ASK, "model": "gpt-4o"}), 404)
    assert (error["code"], error["param"]) == ("model_not_found", "model")
    error = error_of(client.post("/v1/generate", json={**SPEC, "model": "gpt-4o"}), 404)
    assert error["code"] == "model_not_found"


def test_an_unknown_path_is_404_and_a_wrong_method_405(client: TestClient) -> None:
    assert error_of(client.get("/v2/nothing"), 404)["code"] == "not_found"
    assert error_of(client.get(CHAT), 405)["code"] == "method_not_allowed"


def test_a_prompt_too_long_for_the_context_is_400_before_it_is_queued() -> None:
    engine = FakeEngine()
    with client_for(engine) as client:
        client.get("/health")
        long_task = {**ASK, "messages": [{"role": "user", "content": "x" * (FAKE_PROMPT_LIMIT + 1)}]}
        error = error_of(client.post(CHAT, json={**long_task, "stream": True}), 400)
    assert error["code"] == "context_length_exceeded"
    assert engine.runs == []


def test_without_the_key_every_endpoint_but_health_is_401() -> None:
    with client_for(api_key=KEY) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}):
            error = error_of(client.post(CHAT, json=ASK, headers=headers), 401)
            assert error["code"] == "invalid_api_key"
        error_of(client.get("/v1/models"), 401)
        error_of(client.post("/v1/generate", json=SPEC), 401)
        assert client.get("/health").status_code == 200
        good = {"Authorization": f"Bearer {KEY}"}
        assert client.post(CHAT, json=ASK, headers=good).status_code == 200


def test_a_body_over_the_limit_is_413(client: TestClient) -> None:
    with client_for(max_body_bytes=2048) as small:
        big = {**ASK, "messages": [{"role": "user", "content": "x" * 4096}]}
        assert error_of(small.post(CHAT, json=big), 413)["code"] == "request_too_large"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield b'{"model": "supercoder", "messages": [{"role": "user", "content": "'
            yield b"x" * 4096
            yield b'"}]}'

        response = small.post(CHAT, content=chunks(), headers={"content-type": "application/json"})
        assert error_of(response, 413)["code"] == "request_too_large"


def test_a_full_queue_is_503_with_retry_after() -> None:
    gate = threading.Event()
    engine = FakeEngine(gate=gate)
    with client_for(engine, max_waiting=1) as client:
        results: list[int] = []

        def ask() -> None:
            results.append(client.post(CHAT, json=ASK).status_code)

        running = threading.Thread(target=ask)
        running.start()
        assert engine.started.wait(10)
        waiting = threading.Thread(target=ask)
        waiting.start()
        deadline = time.monotonic() + 10
        while client.get("/health").json()["queue_length"] < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        response = client.post(CHAT, json=ASK)
        gate.set()
        running.join(10)
        waiting.join(10)
    error = error_of(response, 503)
    assert error["code"] == "queue_full"
    assert int(response.headers["retry-after"]) >= 1
    assert results == [200, 200]


def test_a_bug_is_500_with_no_traceback() -> None:
    with client_for(FakeEngine(crash=True)) as client:
        error = error_of(client.post(CHAT, json=ASK), 500)
    assert error["message"].startswith("internal error")
    assert "a bug in the engine" not in error["message"]


def test_a_model_that_cannot_load_is_503_and_health_says_why() -> None:
    runner = FakeRunner(load_error=RuntimeError("no such file"))
    with TestClient(create_app(fake_settings(), runner)) as client:
        deadline = time.monotonic() + 10
        while client.get("/health").json()["status"] == "loading" and time.monotonic() < deadline:
            time.sleep(0.01)
        health = client.get("/health").json()
        error = error_of(client.post(CHAT, json=ASK), 503)
    assert (health["status"], health["model_loaded"]) == ("error", False)
    assert "no such file" in health["error"]
    assert "no such file" in error["message"]


def test_health_reports_the_model_the_queue_and_the_store(client: TestClient) -> None:
    deadline = time.monotonic() + 10
    while not client.get("/health").json()["model_loaded"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert client.get("/health").json() == {
        "status": "ok",
        "model_loaded": True,
        "queue_length": 0,
        "running": False,
        "store_writable": True,
        "error": None,
    }


def test_models_lists_the_three_modes(client: TestClient) -> None:
    body = client.get("/v1/models").json()
    assert [m["id"] for m in body["data"]] == ["supercoder", "supercoder-beams", "supercoder-greedy"]
    assert body["object"] == "list"


def test_generate_answers_with_the_code_and_its_evidence(client: TestClient) -> None:
    response = client.post("/v1/generate", json={**SPEC, "tests": "assert add(2, 2) == 4\n"})
    body = response.json()
    assert response.status_code == 200, body
    assert {"status", "code", "confidence", "time_taken", "findings", "run_id"} <= set(body)
    assert (body["status"], body["confidence"]) == ("clean", 1.0)
    assert response.headers["x-supercoder-run-id"] == body["run_id"]
