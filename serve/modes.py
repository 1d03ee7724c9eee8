"""The service's model ids, and the settings a request runs with.

Three ids select how much of the product a request gets, all on the one loaded
model and all logged as episodes like a CLI run:

- ``supercoder``: the loop as configured (cycles, samples, the model's tests,
  reflection), the service's ``decoding`` and ``sabs`` settings;
- ``supercoder-beams``: one cycle of the entropy-gated beam search as
  configured (SABS included), its code judged by the static tests and the
  examples in the sandbox, with none of the loop's extras (no second cycle, no
  samples, no model-written tests, no review, no prose examples);
- ``supercoder-greedy``: the same single cycle decoded greedily (one beam,
  temperature 0): the fastest answer.

A request's ``max_tokens`` (per cycle), ``temperature`` and ``seed`` override
the service's settings where they apply: greedy decoding has no temperature.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ValidationError

from config.errors import UsageError
from config.settings import Settings

Mode = Literal["loop", "beams", "greedy"]

#: Model id -> mode, in the order ``/v1/models`` lists them.
MODEL_IDS: dict[str, Mode] = {
    "supercoder": "loop",
    "supercoder-beams": "beams",
    "supercoder-greedy": "greedy",
}
DEFAULT_MODEL_ID = "supercoder"
#: Decoding steps between progress reports when the settings ask for none: a run reports
#: (and a cancelled run stops) while it decodes, not only between nodes.
SERVICE_LOG_EVERY = 8

#: What the two single-cycle modes turn off: every extra of the loop.
_ONE_CYCLE: dict[str, Any] = {
    "cycles.max_cycles": 1,
    "cycles.review_when_clean": False,
    "verify.samples": 0,
    "verify.sample_cycles": 0,
    "verify.model_tests": 0,
    "verify.prose_examples": False,
}


def run_settings(
    base: Settings,
    mode: Mode,
    *,
    max_tokens: int | None = None,
    temperature: float | None = None,
    seed: int | None = None,
) -> Settings:
    """``base`` with ``mode`` and the request's options applied; ``UsageError`` naming the
    option when a value is out of range."""
    overrides: dict[str, Any] = {
        "decoding.log_every": base.decoding.log_every or SERVICE_LOG_EVERY,
        # the service cannot ask a person: the human gate would stop every run
        "cycles.require_human_approval": False,
    }
    if mode != "loop":
        overrides.update(_ONE_CYCLE)
    if mode == "greedy":
        overrides.update({"decoding.beam_width": 1, "decoding.temperature": 0.0})
    elif temperature is not None:
        overrides["decoding.temperature"] = temperature
    if max_tokens is not None:
        overrides["decoding.max_tokens"] = max_tokens
    if seed is not None:
        overrides["model.seed"] = seed
    return with_overrides(base, overrides)


def with_overrides(settings: Settings, overrides: dict[str, Any]) -> Settings:
    """``settings`` with dotted keys (``"decoding.max_tokens"``) set, validated as a whole."""
    data = settings.model_dump(mode="json")
    for key, value in overrides.items():
        section, _, name = key.partition(".")
        data[section][name] = value
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][-1]) if error["loc"] else "settings"
        raise UsageError(f"{name}: {error['msg']} (got {error.get('input')!r})") from None
