"""Tokens per second of the product's greedy decoding, beside llama-cpp-python's own.

``python -m benchmarks.token_rate [--threads 1 2] [--repeats 3] [--max-tokens 128]``
loads the default model twice in one process for each thread count: once as the
product does (``decoding.generator.Generator``, ``beam_width=1``) and once as
llama-cpp-python's high-level ``Llama``. Both complete the same prompt (the
product's chat prompt for one task, the same tokens) greedily with the same
maximum of new tokens, no stop sequence (the end-of-generation token still
stops), the same thread count and the same batch size; the two take turns, so
a change in the machine's load hits them alike.

Per call it records the prompt time (the product: its prompt decode; ``Llama``:
the time to its first sampled token), the whole call's wall time and the new
tokens, and reports the new tokens per second of the whole call (what a user
waits for) and of the generation alone (the call less its prompt time). It
prints the CPU model, llama.cpp's build features, the load average before and
after each thread count, and writes ``benchmarks/results/decoding_token_rate.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from llama_cpp import Llama, StoppingCriteriaList

from benchmarks.machine import cpu_model, load_average
from config.settings import DecodingSettings, ModelSettings
from decoding.generator import Generator
from decoding.llama_adapter import system_info
from decoding.model_file import ModelFile, resolve_model
from nodes.prompting import Prompt, prompt_for

RESULTS = Path(__file__).parent / "results" / "decoding_token_rate.json"
TASK = (
    "Write a Python class LRUCache with get, put, delete, resize and __len__ methods, "
    "type hints, docstrings, and a short usage example at the end."
)
N_BATCH = 512  # the product adapter's default, given to Llama too


@dataclass(frozen=True)
class Call:
    """One timed completion."""

    method: str
    threads: int
    prompt_tokens: int
    new_tokens: int
    prompt_s: float
    total_s: float

    @property
    def tokens_per_s(self) -> float:
        """New tokens per second of the whole call, prompt included."""
        return self.new_tokens / self.total_s

    @property
    def generation_tokens_per_s(self) -> float:
        """New tokens per second after the prompt."""
        return self.new_tokens / (self.total_s - self.prompt_s)


Completer = Callable[[Prompt], tuple[Call, str]]


def product_completer(generator: Generator, threads: int) -> Completer:
    """Greedy decoding as the product runs it: ``Generator.generate`` with one beam."""
    adapter = generator.adapter
    decode_prompt = adapter.decode_prompt
    prompt_done: list[float] = []

    def timed_decode_prompt(tokens: Sequence[int], *, seq_id: int = 0) -> None:
        decode_prompt(tokens, seq_id=seq_id)
        prompt_done.append(time.perf_counter())

    setattr(adapter, "decode_prompt", timed_decode_prompt)  # noqa: B010 (an instance-level wrapper)

    def complete(prompt: Prompt) -> tuple[Call, str]:
        prompt_done.clear()
        started = time.perf_counter()
        result = generator.generate(
            prompt.text,
            code_prefix=prompt.code_prefix,
            special_tokens=prompt.special_tokens,
            stop_sequences=(),
            stop_at_top_level=False,
        )
        ended = time.perf_counter()
        call = Call(
            "product", threads, result.stats.prompt_tokens, len(result.tokens),
            prompt_done[0] - started, ended - started,
        )  # fmt: skip
        return call, result.text

    return complete


def llama_completer(llm: Llama, max_tokens: int, threads: int) -> Completer:
    """Greedy completion through llama-cpp-python's ``Llama.__call__``, its cache emptied first."""

    def complete(prompt: Prompt) -> tuple[Call, str]:
        sampled: list[float] = []

        def first_token(_ids: Any, _logits: Any) -> bool:
            sampled.append(time.perf_counter())
            return False

        llm.reset()  # no prefix of an earlier call is reused
        started = time.perf_counter()
        out: Any = llm(
            prompt.text,
            max_tokens=max_tokens,
            temperature=0.0,
            top_k=1,
            repeat_penalty=1.0,
            stop=[],
            stopping_criteria=StoppingCriteriaList([first_token]),
        )
        ended = time.perf_counter()
        usage = out["usage"]
        call = Call(
            "llama_cpp", threads, usage["prompt_tokens"], usage["completion_tokens"],
            sampled[0] - started, ended - started,
        )  # fmt: skip
        return call, out["choices"][0]["text"]

    return complete


def measure(
    model: ModelFile, prompt_of: Callable[[Generator], Prompt], threads: int, repeats: int,
    max_tokens: int,
) -> tuple[list[Call], dict[str, Any]]:  # fmt: skip
    """Both methods, taking turns ``repeats`` times, on ``threads`` threads."""
    load_before = load_average()
    calls: list[Call] = []
    settings = DecodingSettings(beam_width=1, max_tokens=max_tokens)
    with Generator.open(model, ModelSettings(n_threads=threads), settings) as generator:
        prompt = prompt_of(generator)
        llm = Llama(
            model_path=str(model.path),
            n_ctx=ModelSettings().n_ctx,
            n_batch=N_BATCH,
            n_ubatch=N_BATCH,
            n_threads=threads,
            n_threads_batch=threads,
            n_gpu_layers=0,
            flash_attn=False,
            verbose=False,
        )
        try:
            same_tokens = llm.tokenize(
                prompt.text.encode("utf-8"), add_bos=False, special=True
            ) == generator.adapter.tokenize(prompt.text, add_bos=False, special=True)
            completers = [
                product_completer(generator, threads),
                llama_completer(llm, max_tokens, threads),
            ]
            texts: dict[str, list[str]] = {"product": [], "llama_cpp": []}
            for _ in range(repeats):
                for complete in completers:
                    call, text = complete(prompt)
                    calls.append(call)
                    texts[call.method].append(text)
                    print(
                        f"  {call.method:9} threads {threads}: {call.new_tokens} new tokens "
                        f"in {call.total_s:.2f} s (prompt {call.prompt_tokens} tokens "
                        f"{call.prompt_s:.2f} s): {call.tokens_per_s:.2f} tok/s overall, "
                        f"{call.generation_tokens_per_s:.2f} tok/s after the prompt",
                        flush=True,
                    )
        finally:
            llm.close()
    facts = {
        "threads": threads,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "same_prompt_tokens": same_tokens,
        "same_text": texts["product"][0] == texts["llama_cpp"][0],
    }
    return calls, facts


def summary(calls: Sequence[Call]) -> dict[str, float]:
    """Medians (and the range of the overall rate) over one method's calls."""
    rates = [c.tokens_per_s for c in calls]
    return {
        "calls": len(calls),
        "new_tokens": statistics.median(c.new_tokens for c in calls),
        "prompt_tokens": calls[0].prompt_tokens,
        "prompt_s": round(statistics.median(c.prompt_s for c in calls), 3),
        "total_s": round(statistics.median(c.total_s for c in calls), 3),
        "tokens_per_s": round(statistics.median(rates), 2),
        "tokens_per_s_min": round(min(rates), 2),
        "tokens_per_s_max": round(max(rates), 2),
        "generation_tokens_per_s": round(
            statistics.median(c.generation_tokens_per_s for c in calls), 2
        ),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Measure both methods at each thread count; print and save the figures."""
    parser = argparse.ArgumentParser(
        description="Greedy tokens/s: the product's Generator beside llama-cpp-python's Llama."
    )
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    model = resolve_model("default")

    def prompt_of(generator: Generator) -> Prompt:
        return prompt_for(generator.chat_template(), TASK)

    cpu = cpu_model()
    print(f"model: {model.path.name}")
    print(f"cpu: {cpu} ({os.cpu_count()} logical cores)")
    print(f"llama.cpp: {system_info()}")
    print(f"max new tokens {args.max_tokens}, {args.repeats} calls per method and thread count")
    report: dict[str, Any] = {
        "model": model.path.name,
        "cpu": cpu,
        "cores": os.cpu_count(),
        "llama_cpp_system_info": system_info(),
        "task": TASK,
        "max_tokens": args.max_tokens,
        "runs": [],
    }
    for threads in args.threads:
        calls, facts = measure(model, prompt_of, threads, args.repeats, args.max_tokens)
        run = {
            **facts,
            "product": summary([c for c in calls if c.method == "product"]),
            "llama_cpp": summary([c for c in calls if c.method == "llama_cpp"]),
            "calls": [{**asdict(c), "tokens_per_s": round(c.tokens_per_s, 3)} for c in calls],
        }
        report["runs"].append(run)
        print(
            f"threads {threads}: load average {facts['load_average_before']} before, "
            f"{facts['load_average_after']} after; same prompt tokens: "
            f"{facts['same_prompt_tokens']}; same text: {facts['same_text']}"
        )
        for method in ("product", "llama_cpp"):
            s = run[method]
            print(
                f"  {method:9} median {s['tokens_per_s']} tok/s overall "
                f"(range {s['tokens_per_s_min']}-{s['tokens_per_s_max']}), "
                f"{s['generation_tokens_per_s']} tok/s after the prompt; "
                f"{s['new_tokens']:.0f} new tokens, prompt {s['prompt_tokens']} tokens in "
                f"{s['prompt_s']} s"
            )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
