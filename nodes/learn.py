"""The learn node: write the run's episode (every attempt) to the episode store, once.

The episode's final code is the attempt the run returns: the best of its
cycles (``nodes.ranking.best_attempt``), which is the last one unless a repair
made things worse.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from langgraph.runtime import Runtime

from config.settings import Settings
from memory.episode import VERIFICATION_KEYS, Attempt, Episode, Outcome
from nodes.context import RunContext
from nodes.ranking import best_attempt
from nodes.state import RunState, Status


def outcome_of(state: RunState) -> Outcome:
    """How the run ended, from its state: by the attempt it returns (``nodes.ranking``)."""
    attempts = state.get("attempts") or []
    if state.get("status") == "stopped":
        return Outcome.INTERRUPTED
    if not attempts:
        return Outcome.ERROR
    best = attempts[best_attempt(attempts)]
    if best["stop_reason"] == "no_safe_beam":  # cut before an unsafe statement: not the task
        return Outcome.NO_SAFE_BEAM
    if best["clean"] and best.get("passed") is not False:  # the model's tests are no verdict
        return Outcome.CLEAN
    return Outcome.LIMIT


def config_hash(settings: Settings) -> str:
    """A short, stable hash of the settings a run used."""
    return hashlib.sha256(settings.model_dump_json().encode("utf-8")).hexdigest()[:12]


def build_episode(state: RunState, runtime_context: RunContext, outcome: Outcome) -> Episode:
    """The episode for this state: every judged attempt with the feedback derived from it."""
    attempts = state.get("attempts") or []
    history = state.get("feedback_history") or []
    episode_attempts = tuple(
        Attempt.from_dict(
            {
                **dict(a),
                "feedback": history[i] if i < len(history) else "",
                "verification": {key: a.get(key) for key in VERIFICATION_KEYS if key in a},
            }
        )
        for i, a in enumerate(attempts)
    )
    return Episode(
        id=state["run_id"],
        created_at=datetime.now(UTC),
        task=state["task"],
        prompt=attempts[-1]["prompt"] if attempts else "",
        stub=state.get("stub"),
        final_code=attempts[best_attempt(attempts)]["code"] if attempts else "",
        attempts=episode_attempts,
        outcome=outcome,
        model_name=runtime_context.model_file.name,
        model_sha256=runtime_context.model_file.sha256_prefix,
        config_hash=config_hash(runtime_context.settings),
    )


_FINAL_STATUS: dict[Outcome, Status] = {
    Outcome.CLEAN: "clean",
    Outcome.LIMIT: "limit",
    Outcome.NO_SAFE_BEAM: "refused",
    Outcome.INTERRUPTED: "stopped",
    Outcome.ERROR: "error",
}


def learn(state: RunState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Store the episode (idempotent per run id) and set the run's final status."""
    ctx = runtime.context
    outcome = outcome_of(state)
    episode_id: str | None = None
    if ctx.store is not None:
        episode = build_episode(state, ctx, outcome)
        ctx.store.add(episode)
        episode_id = episode.id
    return {"status": _FINAL_STATUS[outcome], "episode_id": episode_id}
