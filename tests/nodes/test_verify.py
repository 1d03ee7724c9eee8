"""The verify node's pure parts: code cut before an unsafe statement stays cut."""

from __future__ import annotations

from typing import Any

from nodes.state import Attempt, Candidate
from nodes.verify import still_cut

HOLLOW = "def run(request):\n    code = request.args.get('code')\n"


def candidate(code: str, stop: str, sabs: dict[str, Any] | None = None) -> Candidate:
    return {"code": code, "stop_reason": stop, "sabs_stats": sabs or {}}  # type: ignore[typeddict-item]


def attempt(code: str, stop: str, refusal: str = "") -> Attempt:
    return {"code": code, "stop_reason": stop, "sabs_stats": {"refusal": refusal}}  # type: ignore[typeddict-item]


def test_the_code_an_earlier_cycle_was_cut_to_is_still_cut_when_it_ends_on_its_own() -> None:
    earlier = [attempt(HOLLOW, "no_safe_beam", "SC102 exec")]
    renamed = HOLLOW.replace("code =", "text =") + "    # nothing more\n"
    stop, sabs = still_cut(candidate(renamed, "stop"), earlier)
    assert (stop, sabs["refusal"]) == ("no_safe_beam", "SC102 exec")


def test_new_code_or_code_that_was_whole_before_keeps_its_own_stop() -> None:
    whole = HOLLOW + "    return code\n"
    assert still_cut(candidate(whole, "stop"), [attempt(HOLLOW, "no_safe_beam")])[0] == "stop"
    assert still_cut(candidate(HOLLOW, "eos"), [attempt(HOLLOW, "eos")])[0] == "eos"
    cut = candidate(HOLLOW, "no_safe_beam", {"refusal": "SC101 eval"})
    assert still_cut(cut, [attempt(HOLLOW, "no_safe_beam", "SC102 exec")]) == (
        "no_safe_beam",
        {"refusal": "SC101 eval"},
    )
