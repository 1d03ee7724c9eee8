"""The five ways the benchmarks complete a prompt, on one model and one set of settings.

Every mode sees the product's own prompt for the task and stub (chat prompts
when the model has a chat template, as the product uses) and the product's
extraction of the code. ``greedy``: the product's decoder with one beam at
temperature 0, which is plain greedy decoding (``benchmarks.decoding`` compares
it with llama.cpp's own); ``beams``: the entropy-gated search with SABS off;
``sabs``: the search with SABS; ``loop``: the product's full loop (generate, static
tests, the examples of the prompt run in the product's WebAssembly sandbox,
samples, reflect), seeing only the prompt; ``samples``: the loop's same-budget baseline, independent
samples (the greedy answer first, then samples at the settings' top-k/top-p and
``SAMPLE_TEMPERATURE``) until a token budget is spent, one of them picked without
running it: clean by the product's static tests first, then fewer findings,
then completeness, then likelihood. This is the only module that touches the
decoding and orchestrator APIs.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from config.errors import UserError
from config.loader import load_settings
from config.settings import Settings
from decoding.model_file import ModelFile

Mode = Literal["greedy", "beams", "sabs", "loop", "samples"]
MODES: tuple[Mode, ...] = ("greedy", "beams", "sabs", "loop", "samples")

MAX_BRANCH_POINTS = 40  # branch events kept per completion for analysis
SAMPLE_TEMPERATURE = 0.8  # of the samples mode's draws after the first (greedy) one
MAX_SAMPLES = 16  # per prompt, whatever the budget


def parse_modes(text: str, choices: tuple[Mode, ...], *, flag: str) -> list[Mode]:
    """Parse ``greedy,sabs`` into modes of ``choices``; ``UserError`` names ``flag`` on a bad one."""
    by_name: dict[str, Mode] = {mode: mode for mode in choices}
    modes: list[Mode] = []
    for part in text.split(","):
        found = by_name.get(part.strip())
        if found is None:
            choose = ", ".join(choices)
            raise UserError(f"{flag}: unknown mode {part.strip()!r}; choose from {choose}")
        modes.append(found)
    return modes


@dataclass(frozen=True)
class Completion:
    """What one mode made of one prompt.

    ``code`` is the whole function (prompt stub + completion); ``output_tokens``
    are the tokens of the returned text (summed over cycles for ``loop``),
    ``decoded_tokens`` all tokens decoded (every beam, every cycle).
    """

    code: str
    seconds: float
    output_tokens: int
    decoded_tokens: int
    stop_reason: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "code": self.code,
            "seconds": self.seconds,
            "output_tokens": self.output_tokens,
            "decoded_tokens": self.decoded_tokens,
            "stop_reason": self.stop_reason,
            "extra": dict(self.extra),
        }


class Completer(Protocol):
    """Completes a code prompt (``task`` is the request in words, used by ``loop`` only)."""

    def complete(self, prompt: str, *, task: str) -> Completion:
        """Complete ``prompt``; the returned code starts with the prompt."""
        ...


def benchmark_settings(
    mode: Mode,
    *,
    config_file: Path | None = None,
    model: str = "default",
    max_tokens: int | None = None,
    entropy_threshold: float | Literal["auto"] | None = None,
    extra_stops: tuple[str, ...] = (),
) -> Settings:
    """The shipped settings (or ``config_file`` over them) with the benchmark's overrides.

    ``extra_stops`` are appended to the stop sequences. The loop runs without
    retrieval of past episodes (each problem stands alone, whatever the order).
    """
    stops = load_settings(config_file, environ={}).decoding.stop_sequences + extra_stops
    overrides: dict[str, Any] = {
        "model.path": model,
        "decoding.max_tokens": max_tokens,
        "decoding.entropy_threshold": entropy_threshold,
        "decoding.stop_sequences": list(stops),
        "sabs.enabled": mode in ("sabs", "loop"),
        "decoding.temperature": SAMPLE_TEMPERATURE if mode == "samples" else None,
        "memory.retrieve_k": 0,
        "memory.embedder": "hash",
        "cycles.require_human_approval": False,
    }
    return load_settings(config_file, environ={}, overrides=overrides)


def relevant_settings(mode: Mode, settings: Settings) -> dict[str, Any]:
    """The settings that can change ``mode``'s output (the key of its result cache)."""
    from decoding.llama_adapter import default_threads

    relevant: dict[str, Any] = {
        "threads": settings.model.n_threads or default_threads(),
        "model": settings.model.model_dump(mode="json"),
        "decoding": settings.decoding.model_dump(mode="json"),
    }
    if mode in ("sabs", "loop"):
        relevant["sabs"] = settings.sabs.model_dump(mode="json")
    if mode == "loop":
        relevant["cycles"] = settings.cycles.model_dump(mode="json")
        relevant["verify"] = settings.verify.model_dump(mode="json")
    if mode in ("loop", "samples"):
        relevant["tools"] = settings.tools.model_dump(mode="json")
    if mode == "samples":
        relevant["sabs_policy"] = settings.sabs.model_dump(mode="json")
    return relevant


def open_completer(
    mode: Mode, settings: Settings, model_file: ModelFile, *, budget_tokens: int = 0
) -> AbstractContextManager[Completer]:
    """Load the model for ``mode`` and yield its completer; unload on exit.

    ``budget_tokens`` is what the ``samples`` mode spends per prompt (required there).
    """
    if mode == "loop":
        return _loop(settings)
    if mode == "samples":
        if budget_tokens <= 0:
            raise ValueError("the samples mode needs a token budget")
        return _samples(settings, model_file, budget_tokens)
    return _search(settings, model_file, mode=mode)


# --- greedy, beams and sabs: the product's decoder -----------------------------------


def as_stub(prompt: str) -> str:
    """The benchmark prompt as the product's stub: ending in a newline, so the body comes next."""
    return prompt if prompt.endswith("\n") else prompt + "\n"


def _product_prompt(generator: Any, settings: Settings, task: str, stub: str) -> Any:
    """The prompt the product gives this model for ``task`` and ``stub`` (chat when it can)."""
    from nodes.prompting import choose_template, prompt_for

    template = choose_template(settings.model.use_chat_template, generator.chat_template(), "model")
    return prompt_for(template, task, stub=stub)


class SearchCompleter:
    """The product's prompt and decoder: greedy, or the entropy-gated search with or without SABS."""

    def __init__(self, generator: Any, settings: Settings, *, mode: Mode) -> None:
        self._generator = generator
        self._settings = settings
        self._mode = mode

    def complete(self, prompt: str, *, task: str) -> Completion:
        """Complete the stub ``prompt`` for ``task``; the code starts with the stub."""
        stub = as_stub(prompt)
        product_prompt = _product_prompt(self._generator, self._settings, task, stub)
        sabs = self._settings.sabs
        controller = _recording_controller(self._settings) if self._mode == "sabs" else None
        started = time.perf_counter()
        result = self._generator.generate(
            product_prompt.text,
            code_prefix=product_prompt.code_prefix,
            controller=controller,
            security_lambda=sabs.lambda_weight,
            max_rewinds=sabs.max_rewinds,
            special_tokens=product_prompt.special_tokens,
            stop_sequences=product_prompt.stop_sequences,
            stop_at_top_level=product_prompt.stop_at_top_level,
            greedy=self._mode == "greedy",
        )
        seconds = time.perf_counter() - started
        stats = result.stats
        extra: dict[str, Any] = {
            "branches": stats.branches,
            "prunes": stats.prunes,
            "backtracks": stats.backtracks,
            "merges": stats.merges,
            "commits": stats.commits,
            "unsafe": stats.unsafe,
            "rewinds": stats.rewinds,
            "kills": stats.kills,
            "mean_live_beams": stats.mean_live_beams,
            "entropy_threshold": stats.entropy_threshold,
        }
        if self._mode != "greedy":  # greedy cannot branch: it has no profile to report
            extra["branch_points"] = [
                {
                    "step": event.step,
                    "entropy": round(event.entropy, 3),
                    "alternatives": [[a.text, round(a.probability, 3)] for a in event.alternatives],
                }
                for event in result.trace[:MAX_BRANCH_POINTS]
            ]
        if controller is not None:
            extra["sabs"] = controller.totals()
        return Completion(
            product_prompt.code_from(result.text),
            seconds,
            stats.generated_tokens,
            stats.tokens,
            result.stop_reason,
            extra,
        )


def _recording_controller(settings: Settings) -> Any:
    """A fresh SABS controller that remembers the generation ids it was asked about."""
    from decoding.sabs import SABSConfig, SecurityController, SecurityDecision

    class RecordingController(SecurityController):
        def __init__(self, config: SABSConfig) -> None:
            super().__init__(config)
            self.gen_ids: list[str] = []

        def check(self, *, gen_id: str, **kwargs: Any) -> SecurityDecision:
            if gen_id not in self.gen_ids:
                self.gen_ids.append(gen_id)
            return super().check(gen_id=gen_id, **kwargs)

        def totals(self) -> dict[str, Any]:
            total: dict[str, Any] = {}
            for gen_id in self.gen_ids:
                for key, value in self.stats(gen_id).to_dict().items():
                    if isinstance(value, int):
                        total[key] = total.get(key, 0) + value
            return total

    return RecordingController(SABSConfig.from_settings(settings.sabs))


def _open_generator(settings: Settings, model_file: ModelFile) -> Any:
    """The product's own ``Generator`` for these settings."""
    from decoding.generator import Generator

    return Generator.open(model_file, settings.model, settings.decoding)


@contextmanager
def _search(settings: Settings, model_file: ModelFile, *, mode: Mode) -> Iterator[Completer]:
    with _open_generator(settings, model_file) as generator:
        yield SearchCompleter(generator, settings, mode=mode)


# --- samples: the loop's same-budget baseline ---------------------------------------


class SampleCompleter:
    """Independent samples until ``budget_tokens`` are decoded; one picked by static tests."""

    def __init__(self, generator: Any, settings: Settings, budget_tokens: int) -> None:
        self._generator = generator
        self._settings = settings
        self._budget = budget_tokens

    def complete(self, prompt: str, *, task: str) -> Completion:
        """Draw samples of the stub ``prompt`` for ``task`` and return the one picked."""
        stub = as_stub(prompt)
        product_prompt = _product_prompt(self._generator, self._settings, task, stub)
        started = time.perf_counter()
        results: list[Any] = []
        spent = 0
        while spent < self._budget and len(results) < MAX_SAMPLES:
            results.append(self._draw(product_prompt, index=len(results)))
            spent += results[-1].stats.tokens
        codes = [product_prompt.code_from(r.text) for r in results]
        verdicts = self._judge(codes, stub, [r.stop_reason == "max_tokens" for r in results])
        draws = [
            {"code": code, "stop_reason": r.stop_reason, "score": r.score,
             "output_tokens": r.stats.generated_tokens, "decoded_tokens": r.stats.tokens, **v}
            for code, r, v in zip(codes, results, verdicts, strict=True)
        ]
        seconds = time.perf_counter() - started
        chosen = max(range(len(draws)), key=lambda i: pick_key(draws[i], i))
        best = draws[chosen]
        extra = {
            "chosen": chosen,
            "samples": len(draws),
            "sample_codes": [d["code"] for d in draws],
            "sample_clean": [d["clean"] for d in draws],
            "sample_errors": [d["errors"] for d in draws],
            "sample_scores": [round(d["score"], 4) for d in draws],
            "sample_decoded_tokens": [d["decoded_tokens"] for d in draws],
        }
        return Completion(best["code"], seconds, int(best["output_tokens"]), spent,
                          str(best["stop_reason"]), extra)

    def _draw(self, product_prompt: Any, *, index: int) -> Any:
        """The greedy answer for ``index`` 0, else an independent sample seeded by ``index``."""
        from decoding.search import BeamSearch, SearchConfig

        if index == 0:
            return self._generator.generate(
                product_prompt.text,
                code_prefix=product_prompt.code_prefix,
                special_tokens=product_prompt.special_tokens,
                stop_sequences=product_prompt.stop_sequences,
                stop_at_top_level=product_prompt.stop_at_top_level,
                greedy=True,
            )
        d = self._settings.decoding
        config = SearchConfig(
            max_tokens=d.max_tokens,
            temperature=d.temperature,
            top_k=d.top_k,
            top_p=d.top_p,
            beam_width=1,
            entropy_threshold=float("inf"),
            varentropy_threshold=float("inf"),
            stop_sequences=product_prompt.stop_sequences,
            stop_at_top_level=product_prompt.stop_at_top_level,
            seed=index,
            max_backtracks=0,
        )
        adapter = self._generator.adapter
        special = product_prompt.special_tokens
        tokens = adapter.tokenize(product_prompt.text, add_bos=not special, special=special)
        try:
            return BeamSearch(adapter, config).run(tokens, code_prefix=product_prompt.code_prefix)
        finally:
            adapter.clear()

    def _judge(
        self, codes: list[str], stub: str, stopped_on_max_tokens: list[bool]
    ) -> list[dict[str, Any]]:
        """What the product's static tests say of each of ``codes`` (none is run)."""
        from analysis.findings import Severity
        from analysis.security import Policy
        from analysis.static import run_static_tests_many

        reports = run_static_tests_many(
            codes,
            tools=self._settings.tools,
            stubs=[stub] * len(codes),
            stopped_on_max_tokens=stopped_on_max_tokens,
            policy=Policy.from_settings(self._settings.sabs),
        )
        return [
            {"clean": report.clean,
             "errors": sum(f.severity >= Severity.ERROR for f in report.findings),
             "findings": len(report.findings),
             "completeness": report.completeness}
            for report in reports
        ]


def pick_key(draw: Mapping[str, Any], index: int) -> tuple[Any, ...]:
    """How the samples mode ranks a draw (highest wins; the earlier draw on a tie)."""
    return (bool(draw["clean"]), -int(draw["errors"]), -int(draw["findings"]),
            float(draw["completeness"]), float(draw["score"]), -index)


@contextmanager
def _samples(settings: Settings, model_file: ModelFile, budget_tokens: int) -> Iterator[Completer]:
    with _open_generator(settings, model_file) as generator:
        yield SampleCompleter(generator, settings, budget_tokens)


# --- loop: the product's whole cycle -----------------------------------------------


class LoopCompleter:
    """The full loop (generate with SABS, static tests, reflect) on the prompt as the stub."""

    def __init__(self, graph: Any, run_ctx: Any, command_ctx: Any) -> None:
        self._graph = graph
        self._run_ctx = run_ctx
        self._command_ctx = command_ctx

    def complete(self, prompt: str, *, task: str) -> Completion:
        """Run the loop for ``task`` with ``prompt`` as the stub; the code of its last cycle."""
        from orchestrator.runner import execute_run
        from orchestrator.runs import run_config
        from orchestrator.tasks import TaskSpec

        stub = as_stub(prompt)
        started = time.perf_counter()
        report = execute_run(
            self._graph, self._run_ctx, self._command_ctx, TaskSpec(task, stub), yes=True
        )
        seconds = time.perf_counter() - started
        attempts = list(report.attempts)
        output = sum(int(a["decoding_stats"].get("generated_tokens", 0)) for a in attempts)
        decoded = sum(int(a["decoding_stats"].get("tokens", 0)) for a in attempts)
        extra = {
            "status": report.status,
            "cycles": report.cycles,
            "cycle_codes": [a["code"] for a in attempts],
            "cycle_clean": [bool(a["clean"]) for a in attempts],
            "cycle_rules": [sorted({f["rule"] for f in a["findings"]}) for a in attempts],
            "cycle_accepted": [bool(a.get("accepted", a["clean"])) for a in attempts],
            "cycle_checks_passed": [a.get("passed") for a in attempts],
            "cycle_repeated": [bool(a.get("repeated", False)) for a in attempts],
            "cycle_candidates": [int(a.get("candidates", 1)) for a in attempts],
            "cycle_origin": [str(a.get("origin", "search")) for a in attempts],
            "returned_cycle": report.cycle,
            "checks": report.checks,
            "generate_seconds": [float(a["generate_seconds"]) for a in attempts],
            "verify_seconds": [float(a.get("verify_seconds", 0.0)) for a in attempts],
            "tool_seconds": [dict(a["tool_seconds"]) for a in attempts],
        }
        state = self._graph.get_state(run_config(report.run_id)).values
        extra["review_verdicts"] = list(state.get("review_verdicts", []))
        extra["feedback"] = list(state.get("feedback_history", []))
        stop = attempts[-1]["stop_reason"] if attempts else "none"
        return Completion(report.code, seconds, output, decoded, stop, extra)


@contextmanager
def open_loop(settings: Settings, *, quiet: bool) -> Iterator[tuple[Any, Any, Any]]:
    """The product's loop on a throw-away data folder: ``(graph, run context, command context)``.

    ``quiet`` silences the loop's own progress lines; otherwise they go to stderr.
    """
    from rich.console import Console

    from orchestrator.command import CommandContext
    from orchestrator.resources import open_run_resources

    with tempfile.TemporaryDirectory(prefix="bench-loop-") as data_dir:
        ctx = CommandContext(
            settings=settings,
            console=Console(quiet=True) if quiet else Console(stderr=True),
            json_output=False,
            quiet=quiet,
            data_dir=Path(data_dir),
        )
        with open_run_resources(ctx) as (run_ctx, graph):
            yield graph, run_ctx, ctx


@contextmanager
def _loop(settings: Settings) -> Iterator[Completer]:
    with open_loop(settings, quiet=True) as (graph, run_ctx, ctx):
        yield LoopCompleter(graph, run_ctx, ctx)
