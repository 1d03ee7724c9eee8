"""Typed configuration: one pydantic model per YAML section.

Unknown keys, wrong types and out-of-range values are rejected by the models
themselves (``extra="forbid"`` and field constraints); ``config.loader`` turns
the rejection into a one-line :class:`~config.errors.ConfigError`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ToolName = Literal["ruff", "pyright", "security", "completeness"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class ModelSettings(_Section):
    """Which GGUF to load and how."""

    path: str = Field(
        default="default", min_length=1, description='"default" or a path to a GGUF file'
    )
    n_ctx: int = Field(default=4096, ge=256, le=1_048_576, description="context length in tokens")
    n_gpu_layers: int = Field(default=0, ge=-1, description="layers offloaded to a GPU (-1: all)")
    n_threads: int = Field(default=0, ge=0, description="CPU threads; 0 = half the cores")
    seed: int = Field(default=0, ge=0, description="random seed for sampling")
    use_chat_template: bool | Literal["auto"] = Field(
        default="auto",
        description='chat prompts through the GGUF\'s chat template; "auto": if it has one',
    )


class DecodingSettings(_Section):
    """The entropy-gated beam search."""

    max_tokens: int = Field(default=256, ge=1, le=32_768)
    temperature: float = Field(default=0.0, ge=0.0, le=5.0)
    top_k: int = Field(default=40, ge=1)
    top_p: float = Field(default=0.95, gt=0.0, le=1.0)
    beam_width: int = Field(default=4, ge=1, le=64)
    branch_factor: int = Field(default=3, ge=2, le=16)
    entropy_threshold: float | Literal["auto"] = Field(default=1.0)
    varentropy_threshold: float = Field(default=6.0, ge=0.0)
    entropy_unit: Literal["nats", "bits"] = "nats"
    auto_percentile: float = Field(default=90.0, gt=0.0, lt=100.0)
    length_penalty: float = Field(default=1.0, ge=0.0, le=5.0)
    stop_sequences: tuple[str, ...] = ("\ndef ", "\nclass ", "\nif __name__", "\n#", "\nprint(")
    stop_at_top_level: bool = Field(
        default=True, description="end a completion when a column-0 line follows the body"
    )
    prune_margin: float = Field(
        default=1.0, gt=0.0, description="drop candidates this far below the best score"
    )
    commit_after: int = Field(
        default=8, ge=0, description="steps after a branch at which only the best beam goes on"
    )
    log_every: int = Field(default=0, ge=0)

    @field_validator("entropy_threshold")
    @classmethod
    def _threshold_non_negative(cls, value: float | str) -> float | str:
        if isinstance(value, float) and value < 0:
            raise ValueError('must be >= 0 or "auto"')
        return value


class SabsSettings(_Section):
    """Security-aware beam search."""

    enabled: bool = True
    lambda_weight: float = Field(default=0.5, ge=0.0)
    hard_fail_on_critical: bool = Field(
        default=True, description="rewind (and at last fail) beams that write an unsafe statement"
    )
    unsafe_severity: Literal["CRITICAL", "ERROR"] = "ERROR"
    max_verifier_calls: int = Field(default=50, ge=0)
    min_tokens_between_checks: int = Field(default=8, ge=1)
    cache_enabled: bool = True
    max_rewinds: int = Field(default=3, ge=0, description="per beam, for unsafe statements")
    safe_boost: float = Field(
        default=4.0,
        ge=0.0,
        le=50.0,
        description="logit bonus of the tokens that begin the safe spelling of a rewound "
        "construct (yaml.safe_load for yaml.load); 0 bans the unsafe one only",
    )
    log_path: str | None = None
    disabled_checks: tuple[str, ...] = ()
    severity_overrides: dict[str, Literal["CRITICAL", "ERROR", "WARNING", "INFO"]] = Field(
        default_factory=dict
    )


class CyclesSettings(_Section):
    """Bounds on the improvement loop."""

    max_cycles: int = Field(default=3, ge=1, le=20)
    max_reflect: int = Field(
        default=2, ge=0, le=20, description="cycles that may ask the model for a critique"
    )
    review_when_clean: bool = Field(
        default=False,
        description="review code the static tests passed; a review naming defects asks for "
        "another cycle",
    )
    review_max_tokens: int = Field(default=192, ge=16, le=4096, description="length of a review")
    require_human_approval: bool = False
    unattended_approval: Literal["continue", "stop"] = Field(
        default="stop",
        description="the human gate's answer when nobody can be asked (no terminal, no --yes)",
    )
    autonomous_execution: Literal[False] = Field(
        default=False,
        description="generated code never runs on the host (only in the verify sandbox, which "
        "has no capabilities); this cannot be enabled",
    )


class ToolsSettings(_Section):
    """Which static tests run."""

    enable: tuple[ToolName, ...] = ("ruff", "pyright", "security", "completeness")
    disabled: tuple[ToolName, ...] = ()
    ruff_select: tuple[str, ...] = ("E9", "F", "B", "PLE")
    completeness_threshold: float = Field(default=0.6, ge=0.0, le=1.0)

    def active(self) -> tuple[ToolName, ...]:
        """The enabled tools minus the disabled ones, in order."""
        return tuple(t for t in self.enable if t not in self.disabled)


class VerifySettings(_Section):
    """Running the task's examples and tests in the WebAssembly sandbox, and what it buys."""

    enabled: bool = Field(
        default=True,
        description="run the examples and tests in the sandbox (CPython on WASI: no files, "
        "network or processes; bounded fuel, memory and time)",
    )
    samples: int = Field(
        default=3,
        ge=0,
        le=16,
        description="independent samples drawn together when no candidate of a cycle passes",
    )
    sample_cycles: int = Field(
        default=1,
        ge=0,
        le=20,
        description="cycles that may draw samples (a cycle whose code repeats an earlier "
        "attempt always may)",
    )
    sample_temperature: float = Field(default=0.8, gt=0.0, le=2.0)
    model_tests: int = Field(
        default=6,
        ge=0,
        le=20,
        description="asserts the model writes from the task to rank candidates by agreement; "
        "never a verdict",
    )
    prose_examples: bool = Field(
        default=True,
        description="ask the model to write examples given in prose as asserts",
    )
    test_max_tokens: int = Field(default=256, ge=16, le=4096)
    fuel: int = Field(
        default=5_000_000_000, ge=100_000_000, description="wasm fuel per sandbox instance"
    )
    memory_mb: int = Field(default=256, ge=32, le=4096)
    seconds: float = Field(default=5.0, gt=0.0, le=600.0, description="wall clock per instance")


class MemorySettings(_Section):
    """The LanceDB episode store."""

    path: str = Field(default="default", min_length=1, description='"default" = <data dir>/memory')
    retrieve_k: int = Field(default=2, ge=0, le=20)
    min_similarity: float = Field(
        default=0.4,
        ge=-1.0,
        le=1.0,
        description="past episodes less similar to the task than this (cosine) are not shown",
    )
    examples_from: Literal["approved", "approved_or_clean"] = Field(
        default="approved",
        description="which past episodes a prompt may show: reviewed and approved ones only, "
        "or, when no approved one reaches the similarity floor, also unreviewed ones that "
        "ended clean",
    )
    embedder: Literal["minilm", "hash"] = Field(
        default="minilm",
        description="minilm (a sentence-embedding model, independent of the generating model) "
        "or hash (n-gram hashing, no model)",
    )


class Settings(_Section):
    """The whole configuration."""

    model: ModelSettings = ModelSettings()
    decoding: DecodingSettings = DecodingSettings()
    sabs: SabsSettings = SabsSettings()
    cycles: CyclesSettings = CyclesSettings()
    tools: ToolsSettings = ToolsSettings()
    verify: VerifySettings = VerifySettings()
    memory: MemorySettings = MemorySettings()
