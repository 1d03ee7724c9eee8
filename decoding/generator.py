"""The public entry of decoding: load a model once, then generate completions with the search.

>>> with Generator.open(model_file, settings.model, settings.decoding) as generator:
...     result = generator.generate(prompt.text, code_prefix=prompt.code_prefix)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from types import TracebackType

import numpy as np

from config.settings import DecodingSettings, ModelSettings, SabsSettings
from decoding.chat import ChatTemplate
from decoding.llama_adapter import LlamaAdapter, ModelCapabilities
from decoding.model_file import ModelFile
from decoding.prompt_length import check_fits
from decoding.result import GenerationResult
from decoding.search import BeamSearch, ProgressCallback, SearchConfig, SecurityHook

log = logging.getLogger(__name__)
#: The ``sabs`` section's defaults: where ``generate``'s SABS keyword defaults come from.
_SABS_DEFAULTS = SabsSettings()

CALIBRATION_TOKENS = 64  # greedy tokens whose entropies calibrate an "auto" threshold
_CALIBRATIONS_KEPT = 64  # prompts whose calibrated thresholds are remembered


class Generator:
    """A loaded model and the settings of its searches; reusable across generations."""

    def __init__(
        self, adapter: LlamaAdapter, model: ModelSettings, decoding: DecodingSettings
    ) -> None:
        self._adapter = adapter
        self._model_settings = model
        self._decoding = decoding
        self._thresholds: dict[tuple[int, ...], float] = {}

    @classmethod
    def open(
        cls,
        model_file: ModelFile,
        model: ModelSettings,
        decoding: DecodingSettings,
        *,
        samples: int = 0,
    ) -> Generator:
        """Load ``model_file`` with a context sized for ``decoding.beam_width`` beams, or for
        ``samples`` sequences drawn at once (:meth:`sample`) if that is more."""
        sequences = max(decoding.beam_width, samples)
        n_ctx = model.n_ctx + sequences * decoding.max_tokens
        adapter = LlamaAdapter(
            model_file.path,
            n_ctx=n_ctx,
            n_seq_max=sequences,
            n_gpu_layers=model.n_gpu_layers,
            n_threads=model.n_threads or None,
        )
        if model.n_ctx > adapter.capabilities.n_ctx_train:
            log.warning(
                "n_ctx %d exceeds the %d tokens the model was trained on; quality may drop",
                model.n_ctx,
                adapter.capabilities.n_ctx_train,
            )
        return cls(adapter, model, decoding)

    def __enter__(self) -> Generator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Unload the model."""
        self._adapter.close()

    @property
    def capabilities(self) -> ModelCapabilities:
        """What the loaded model offers (vocabulary, context, sliding window)."""
        return self._adapter.capabilities

    @property
    def adapter(self) -> LlamaAdapter:
        """The underlying llama.cpp adapter (for benchmarks and diagnostics)."""
        return self._adapter

    def generate(
        self,
        prompt: str,
        *,
        code_prefix: str = "",
        controller: SecurityHook | None = None,
        max_tokens: int | None = None,
        security_lambda: float = _SABS_DEFAULTS.lambda_weight,
        max_rewinds: int = _SABS_DEFAULTS.max_rewinds,
        on_progress: ProgressCallback | None = None,
        special_tokens: bool = False,
        stop_sequences: tuple[str, ...] | None = None,
        stop_at_top_level: bool | None = None,
        greedy: bool = False,
    ) -> GenerationResult:
        """Complete ``prompt`` with the entropy-gated beam search.

        ``code_prefix`` is the end of the prompt that belongs to the code (it
        primes the syntax tracker and is prepended to the code the controller
        judges). ``special_tokens`` parses special-token text in the prompt (a
        rendered chat template, which carries its own BOS). ``stop_sequences`` and
        ``stop_at_top_level`` replace the settings' own; ``greedy`` decodes one beam
        with no branching (a review, not code). Raises
        ``PromptTooLongError`` if the prompt and ``max_tokens`` do not fit ``n_ctx``.
        """
        limit = max_tokens or self._decoding.max_tokens
        tokens = self._prompt_tokens(prompt, limit, special=special_tokens)
        config = self._config(limit, security_lambda=security_lambda, max_rewinds=max_rewinds)
        if stop_sequences is not None:
            config = replace(config, stop_sequences=stop_sequences)
        if stop_at_top_level is not None:
            config = replace(config, stop_at_top_level=stop_at_top_level)
        if greedy:
            config = replace(config, beam_width=1, temperature=0.0)
        elif self._decoding.entropy_threshold == "auto":
            config = replace(config, entropy_threshold=self._calibrate(tokens))
        search = BeamSearch(self._adapter, config, controller=controller, on_progress=on_progress)
        try:
            return search.run(tokens, code_prefix=code_prefix)
        finally:
            self._adapter.clear()

    def sample(
        self,
        prompt: str,
        count: int,
        *,
        temperature: float,
        seed: int,
        code_prefix: str = "",
        controller: SecurityHook | None = None,
        max_tokens: int | None = None,
        security_lambda: float = _SABS_DEFAULTS.lambda_weight,
        max_rewinds: int = _SABS_DEFAULTS.max_rewinds,
        special_tokens: bool = False,
        stop_sequences: tuple[str, ...] | None = None,
        stop_at_top_level: bool | None = None,
        avoid: Sequence[str] = (),
    ) -> GenerationResult:
        """Draw ``count`` independent samples of ``prompt`` at ``temperature``, decoded together
        as sequences of one batch; the result's ``beams`` holds every one that finished.

        ``avoid`` holds earlier completions the samples must not begin as (the first name
        each wrote is banned in the first statement: :meth:`BeamSearch.run`). The other
        arguments mean what they mean for :meth:`generate`.
        """
        if temperature <= 0:
            raise ValueError("samples need a temperature above 0")
        if not 1 <= count <= self._adapter.n_seq_max:
            raise ValueError(f"{count} samples do not fit {self._adapter.n_seq_max} sequences")
        limit = max_tokens or self._decoding.max_tokens
        tokens = self._prompt_tokens(prompt, limit, special=special_tokens, sequences=count)
        config = replace(
            self._config(limit, security_lambda=security_lambda, max_rewinds=max_rewinds),
            beam_width=count,
            temperature=temperature,
            seed=seed,
            independent=True,
        )
        if stop_sequences is not None:
            config = replace(config, stop_sequences=stop_sequences)
        if stop_at_top_level is not None:
            config = replace(config, stop_at_top_level=stop_at_top_level)
        search = BeamSearch(self._adapter, config, controller=controller)
        try:
            return search.run(tokens, code_prefix=code_prefix, avoid=avoid)
        finally:
            self._adapter.clear()

    def chat_template(self) -> ChatTemplate | None:
        """The GGUF's chat template with its BOS/EOS spellings, or ``None`` if it has none."""
        return self._adapter.chat_template()

    def _prompt_tokens(
        self, prompt: str, max_tokens: int, *, special: bool = False, sequences: int = 0
    ) -> list[int]:
        tokens = self._adapter.tokenize(prompt, add_bos=not special, special=special)
        check_fits(len(tokens), max_tokens, self._model_settings.n_ctx)
        sequences = max(sequences, self._decoding.beam_width)
        self._adapter.ensure_capacity(len(tokens) + sequences * (max_tokens + 1))
        return tokens

    def _config(self, max_tokens: int, *, security_lambda: float, max_rewinds: int) -> SearchConfig:
        d = self._decoding
        threshold = d.entropy_threshold if isinstance(d.entropy_threshold, float) else 0.0
        return SearchConfig(
            max_tokens=max_tokens,
            temperature=d.temperature,
            top_k=d.top_k,
            top_p=d.top_p,
            beam_width=d.beam_width,
            branch_factor=d.branch_factor,
            entropy_threshold=threshold,
            varentropy_threshold=d.varentropy_threshold,
            entropy_unit=d.entropy_unit,
            length_penalty=d.length_penalty,
            stop_sequences=d.stop_sequences,
            stop_at_top_level=d.stop_at_top_level,
            seed=self._model_settings.seed,
            security_lambda=security_lambda,
            max_rewinds=max_rewinds,
            commit_after=d.commit_after,
            prune_margin=d.prune_margin,
            log_every=d.log_every,
        )

    def _calibrate(self, tokens: list[int]) -> float:
        """The entropy percentile of a greedy continuation of this prompt (cached per prompt)."""
        key = tuple(tokens)
        found = self._thresholds.get(key)
        if found is not None:
            return found
        probe = SearchConfig(
            max_tokens=CALIBRATION_TOKENS,
            beam_width=1,
            entropy_threshold=float("inf"),
            varentropy_threshold=float("inf"),
            entropy_unit=self._decoding.entropy_unit,
        )
        search = BeamSearch(self._adapter, probe)
        try:
            search.run(tokens)
        finally:
            self._adapter.clear()
        threshold = float(np.percentile(search.entropies, self._decoding.auto_percentile))
        if len(self._thresholds) >= _CALIBRATIONS_KEPT:
            del self._thresholds[next(iter(self._thresholds))]
        self._thresholds[key] = threshold
        log.info(
            "calibrated entropy threshold %.3f %s (percentile %.0f of %d steps)",
            threshold,
            self._decoding.entropy_unit,
            self._decoding.auto_percentile,
            len(search.entropies),
        )
        return threshold
