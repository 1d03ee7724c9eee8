"""``main.py serve`` refuses what is unsafe before it loads anything; the pure parts of a
request: modes, code blocks, keys."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from config.errors import UsageError
from serve.modes import run_settings
from serve.security import bearer_matches, check_bind, is_loopback
from serve.tasks import COMPLETE_THE_CODE, from_message, python_block
from tests.serve.commands import ROOT, main_command
from tests.serve.fakes import fake_settings


def test_binding_beyond_loopback_without_a_key_is_one_error_line(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "SUPERCODER_API_KEY"}
    result = subprocess.run(
        main_command("serve", "--host", "0.0.0.0", "--port", "0"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env={**environment, "SUPERCODER_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: binding 0.0.0.0 exposes the service beyond this machine")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_needs_no_key(host: str) -> None:
    assert is_loopback(host)
    check_bind(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "example.org"])
def test_any_other_address_needs_a_key(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(UsageError, match="--api-key"):
        check_bind(host, None)
    check_bind(host, "a key")


def test_the_key_is_a_bearer_token_compared_whole() -> None:
    assert bearer_matches("Bearer k3y", "k3y")
    assert bearer_matches("bearer  k3y ", "k3y")
    for header in (None, "", "k3y", "Basic k3y", "Bearer k3", "Bearer k3yy"):
        assert not bearer_matches(header, "k3y")


def test_the_modes_set_one_cycle_and_greedy_decoding() -> None:
    base = fake_settings()
    loop = run_settings(base, "loop", max_tokens=64, temperature=0.5, seed=3)
    assert (loop.cycles.max_cycles, loop.decoding.temperature, loop.model.seed) == (
        base.cycles.max_cycles, 0.5, 3,
    )  # fmt: skip
    assert loop.decoding.max_tokens == 64 and loop.verify.samples == base.verify.samples
    beams = run_settings(base, "beams")
    assert (beams.cycles.max_cycles, beams.verify.samples, beams.verify.model_tests) == (1, 0, 0)
    assert beams.decoding.beam_width == base.decoding.beam_width
    greedy = run_settings(base, "greedy", temperature=1.5)
    assert (greedy.decoding.beam_width, greedy.decoding.temperature) == (1, 0.0)
    assert greedy.sabs == base.sabs  # safe by default in every mode
    with pytest.raises(UsageError, match="max_tokens"):
        run_settings(base, "loop", max_tokens=10**6)


def test_a_python_block_is_the_stub_and_the_words_are_the_task() -> None:
    text = "Make it faster.\n\n```python\ndef f(x: int) -> int:\n    return x\n```\nThanks"
    task = from_message(text)
    assert (task.task, task.stub) == ("Make it faster.\n\n\nThanks", "def f(x: int) -> int:\n    return x\n")
    assert from_message("```py\ndef g() -> None:\n    pass\n```").task == COMPLETE_THE_CODE
    assert python_block("```src/app.py\nx = 1\n```") == ("x = 1\n", "")
    assert python_block("```sh\nls\n```") is None
    assert from_message("Write a function").stub is None
