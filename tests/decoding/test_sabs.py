"""The SABS controller: every decision, per-beam charging, statistics and the JSONL log."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analysis.findings import Severity
from analysis.security import SEVERITY_WEIGHTS, ParseState
from config.errors import UserError
from config.settings import SabsSettings
from decoding.sabs import SABSConfig, SecurityAction, SecurityController, SecurityDecision

SAFE = "def area(r):\n    return 3.14 * r * r\n"
SOFT = "f = open(path, 'w')\n"
CRITICAL = "import os\nos.system(cmd)\n"
ERROR = "import random\ntoken = random.random()\n"


def _check(
    controller: SecurityController,
    code: str,
    *,
    gen_id: str = "g1",
    beam_id: int = 0,
    step: int = 10,
    position: int = 10,
    tokens_since_check: int = 8,
    at_boundary: bool = True,
    prompt_lines: int = 0,
) -> SecurityDecision:
    return controller.check(
        gen_id=gen_id,
        beam_id=beam_id,
        step=step,
        position=position,
        code=code,
        tokens_since_check=tokens_since_check,
        at_boundary=at_boundary,
        prompt_lines=prompt_lines,
    )


def test_not_at_boundary_skips() -> None:
    decision = _check(SecurityController(), CRITICAL, at_boundary=False)
    assert decision.action is SecurityAction.SKIP_NOT_BOUNDARY


def test_too_few_tokens_skips() -> None:
    decision = _check(SecurityController(), CRITICAL, tokens_since_check=7)
    assert decision.action is SecurityAction.SKIP_MIN_TOKENS


def test_budget_exhausted_skips() -> None:
    controller = SecurityController(SABSConfig(max_verifier_calls=1))
    _check(controller, SAFE)
    assert _check(controller, CRITICAL).action is SecurityAction.SKIP_BUDGET


def test_budget_is_per_generation() -> None:
    controller = SecurityController(SABSConfig(max_verifier_calls=1))
    _check(controller, SAFE)
    assert _check(controller, SAFE, gen_id="g2").action is SecurityAction.NO_ISSUES


def test_unfinished_code_without_issues_is_incomplete() -> None:
    decision = _check(SecurityController(), "def f(x):\n    return (x")
    assert (decision.action, decision.checked) == (SecurityAction.INCOMPLETE, True)


def test_safe_code_has_no_issues() -> None:
    decision = _check(SecurityController(), SAFE)
    assert (decision.action, decision.penalty_delta) == (SecurityAction.NO_ISSUES, 0.0)


def test_warning_is_a_soft_penalty() -> None:
    decision = _check(SecurityController(), SOFT)
    assert (decision.action, decision.penalty_delta) == (SecurityAction.SOFT_PENALTY, 1.0)


def test_critical_is_unsafe_on_its_line() -> None:
    decision = _check(SecurityController(), CRITICAL)
    assert (decision.action, decision.unsafe_line) == (SecurityAction.UNSAFE, 2)


def test_error_is_unsafe_by_default() -> None:
    decision = _check(SecurityController(), ERROR)
    assert (decision.action, decision.unsafe_line) == (SecurityAction.UNSAFE, 2)


def test_error_is_a_soft_penalty_when_only_critical_is_unsafe() -> None:
    controller = SecurityController(SABSConfig(unsafe_severity=Severity.CRITICAL))
    decision = _check(controller, ERROR)
    assert (decision.action, decision.unsafe_line) == (SecurityAction.SOFT_PENALTY, None)
    assert _check(controller, CRITICAL, beam_id=1).unsafe_line == 2


def test_critical_is_a_soft_penalty_when_nothing_is_unsafe() -> None:
    controller = SecurityController(SABSConfig(unsafe_severity=None))
    decision = _check(controller, CRITICAL)
    assert (decision.action, decision.penalty_delta) == (SecurityAction.SOFT_PENALTY, 10.0)


def test_issues_on_the_prompts_lines_are_neither_charged_nor_unsafe() -> None:
    controller = SecurityController()
    decision = _check(controller, CRITICAL, prompt_lines=2)
    assert (decision.action, decision.penalty_delta, decision.unsafe_line) == (
        SecurityAction.NO_ISSUES,
        0.0,
        None,
    )
    grown = _check(controller, CRITICAL + "os.system(other)\n", prompt_lines=2)
    assert grown.unsafe_line == 3


def test_line_numbers_count_from_the_code_given_when_a_fence_is_stripped() -> None:
    decision = _check(SecurityController(), "```python\n" + CRITICAL)
    assert decision.unsafe_line == 3


def test_a_rewind_drops_the_charges_from_its_line_on() -> None:
    controller = SecurityController()
    _check(controller, SOFT + ERROR)  # a warning on line 1, the error on line 3
    assert controller.rewind("g1", 0, 3) == pytest.approx(1.0)
    again = _check(controller, SOFT + ERROR)
    error_weight = SEVERITY_WEIGHTS[Severity.ERROR]
    assert (again.unsafe_line, again.penalty_total) == (3, pytest.approx(1.0 + error_weight))


def test_invalid_code_is_charged_two_once() -> None:
    controller = SecurityController()
    broken = "def f(x)\n    return x\n\n"
    first = _check(controller, broken)
    second = _check(controller, broken + "y = 1\n")
    assert (first.parse_state, first.penalty_delta, second.penalty_delta) == (
        ParseState.PARSE_INVALID,
        2.0,
        0.0,
    )


BROKEN = "import pickle\n\n\ndef load(d):\n    x = pickle loads(d)\n    return x\n"


def test_a_new_syntax_error_in_the_completion_steers_to_where_python_found_it() -> None:
    decision = _check(SecurityController(), BROKEN, prompt_lines=4)
    assert (decision.action, decision.unsafe_line, decision.unsafe_col) == (
        SecurityAction.INVALID, 5, 16)  # `loads`: what made the statement unparseable


def test_a_syntax_error_steers_once_until_a_rewind_drops_it() -> None:
    controller = SecurityController()
    first = _check(controller, BROKEN, prompt_lines=4)
    again = _check(controller, BROKEN + "y = 1\n", prompt_lines=4)
    controller.rewind("g1", 0, 5)
    after_rewind = _check(controller, BROKEN, prompt_lines=4)
    assert [d.action for d in (first, again, after_rewind)] == [
        SecurityAction.INVALID, SecurityAction.NO_ISSUES, SecurityAction.INVALID]
    assert controller.stats("g1").invalid == 2


def test_a_syntax_error_on_the_prompts_lines_is_not_steered() -> None:
    decision = _check(SecurityController(), BROKEN, prompt_lines=6)
    assert (decision.action, decision.unsafe_line) == (SecurityAction.SOFT_PENALTY, None)


def test_growing_code_is_charged_only_for_new_issues() -> None:
    controller = SecurityController()
    _check(controller, SOFT)
    decision = _check(controller, SOFT + "g = open(other, 'a')\n")
    assert (decision.penalty_delta, decision.penalty_total) == (1.0, 2.0)


def test_same_code_again_is_no_new_issue() -> None:
    controller = SecurityController()
    _check(controller, SOFT)
    assert _check(controller, SOFT).action is SecurityAction.NO_ISSUES


def test_forked_child_inherits_parent_charges() -> None:
    controller = SecurityController()
    _check(controller, SOFT, beam_id=1)
    controller.fork(1, 2)
    decision = _check(controller, SOFT, beam_id=2)
    assert (decision.penalty_delta, decision.penalty_total) == (0.0, 1.0)


def test_forgotten_beam_starts_afresh() -> None:
    controller = SecurityController()
    _check(controller, SOFT, beam_id=1)
    controller.forget(1)
    assert _check(controller, SOFT, beam_id=1).penalty_delta == 1.0


def test_beams_are_charged_separately() -> None:
    controller = SecurityController()
    _check(controller, SOFT, beam_id=1)
    assert _check(controller, SOFT, beam_id=2).penalty_delta == 1.0


def test_markdown_and_prose_are_stripped_before_analysis() -> None:
    text = "Here is the code you asked for.\n```python\nx = 1\n```\nRun pickle.loads on it."
    assert _check(SecurityController(), text).action is SecurityAction.NO_ISSUES


def test_stats_count_calls_hits_penalties_and_fails() -> None:
    controller = SecurityController()
    _check(controller, SOFT, beam_id=1)
    _check(controller, SOFT, beam_id=2)
    _check(controller, CRITICAL, beam_id=3)
    _check(controller, CRITICAL, at_boundary=False)
    assert controller.stats("g1").to_dict() == {
        "gen_id": "g1",
        "verifier_calls": 3,
        "cache_hits": 1,
        "soft_penalties": 2,
        "unsafe": 1,
        "invalid": 0,
        "undefined": 0,
        "skips": {"SKIP_NOT_BOUNDARY": 1},
        "refusal": "",
    }


def test_cache_disabled_means_no_cache() -> None:
    controller = SecurityController(SABSConfig(cache_enabled=False))
    _check(controller, SOFT)
    _check(controller, SOFT, beam_id=1)
    assert (controller.cache, controller.stats("g1").cache_hits) == (None, 0)


def test_log_has_one_object_per_analysed_check(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "sabs.jsonl"
    stamp = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    controller = SecurityController(SABSConfig(log_path=log), clock=lambda: stamp)
    _check(controller, CRITICAL, beam_id=3, step=7, position=42, tokens_since_check=9)
    _check(controller, CRITICAL, at_boundary=False)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(records) == 1
    record = records[0]
    issue = record.pop("issues")[0]
    assert record == {
        "gen_id": "g1",
        "step": 7,
        "beam_id": 3,
        "position": 42,
        "tokens_since_check": 9,
        "parse_state": "PARSE_OK",
        "penalty_delta": 10.0,
        "penalty_total": 10.0,
        "action": "UNSAFE",
        "unsafe_line": 2,
        "unsafe_col": 1,
        "unsafe_rule": "SC205",
        "code_snippet": CRITICAL,
        "timestamp": "2025-01-02T03:04:05+00:00",
    }
    assert (issue["id"], issue["severity"], issue["line"]) == ("SC205", "CRITICAL", 2)


def test_unwritable_log_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    controller = SecurityController(SABSConfig(log_path=blocker / "sabs.jsonl"))
    with pytest.raises(UserError, match="--sabs-log"):
        _check(controller, SAFE)


def test_config_from_settings() -> None:
    settings = SabsSettings.model_validate(
        {
            "hard_fail_on_critical": False,
            "log_path": "x.jsonl",
            "disabled_checks": ["SC201"],
        }
    )
    config = SABSConfig.from_settings(settings)
    assert (config.unsafe_severity, config.log_path) == (None, Path("x.jsonl"))
    critical = SabsSettings.model_validate({"unsafe_severity": "CRITICAL"})
    assert SABSConfig.from_settings(critical).unsafe_severity is Severity.CRITICAL
    assert config.policy.disabled_checks == frozenset({"SC201"})


def test_config_defaults_match_settings_defaults() -> None:
    assert SABSConfig.from_settings(SabsSettings.model_validate({})) == SABSConfig()


def test_negative_budget_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        SABSConfig(max_verifier_calls=-1)


def test_summary_sums_every_generation() -> None:
    controller = SecurityController(SABSConfig(min_tokens_between_checks=1))
    for gen_id in ("g1", "g2"):
        controller.check(
            gen_id=gen_id,
            beam_id=0,
            step=1,
            position=1,
            code="import os\nos.system('x')\n",
            tokens_since_check=5,
            at_boundary=True,
        )
    summary = controller.summary()
    assert summary["verifier_calls"] == 2
    assert summary["unsafe"] == 2


def test_a_final_check_runs_whatever_the_skip_rules_say() -> None:
    controller = SecurityController(SABSConfig(min_tokens_between_checks=100, max_verifier_calls=0))
    decision = controller.check(
        gen_id="g",
        beam_id=0,
        step=1,
        position=1,
        code="import os\nos.system('x')\n",
        tokens_since_check=1,
        at_boundary=False,
        final=True,
    )
    assert decision.action is SecurityAction.UNSAFE


def test_a_forced_check_runs_whatever_the_skip_rules_say() -> None:
    controller = SecurityController(SABSConfig(min_tokens_between_checks=100, max_verifier_calls=0))
    decision = controller.check(
        gen_id="g",
        beam_id=0,
        step=1,
        position=1,
        code=CRITICAL,
        tokens_since_check=1,
        at_boundary=False,
        force=True,
    )
    assert (decision.action, decision.unsafe_rule) == (SecurityAction.UNSAFE, "SC205")


REWRITTEN = "import pickle\ndef load(data):\n    return pickleloads(data)\n"


def _rewritten(code: str, rewritten: tuple[int, int, int]) -> SecurityDecision:
    return SecurityController().check(
        gen_id="g",
        beam_id=0,
        step=1,
        position=1,
        code=code,
        tokens_since_check=1,
        at_boundary=True,
        force=True,
        rewritten=rewritten,
    )


def test_a_rewrite_that_uses_a_name_bound_nowhere_is_unsafe_at_that_name() -> None:
    # the rewind point was the "loads" of "pickle.loads": line 3, UTF-8 column 17
    decision = _rewritten(REWRITTEN, (3, 17, 3))
    assert (decision.action, decision.unsafe_rule) == (SecurityAction.UNDEFINED, "F821")
    assert (decision.unsafe_line, decision.unsafe_col) == (3, 12)


def test_a_rewrite_of_defined_names_passes() -> None:
    code = "import json\ndef load(data):\n    return json.loads(data)\n"
    decision = _rewritten(code, (3, 11, 3))
    assert (decision.action, decision.unsafe_line) == (SecurityAction.NO_ISSUES, None)


def test_names_before_the_rewrite_or_after_its_statement_are_not_its_fault() -> None:
    code = "def f(x):\n    y = helper(x) + 1\n    return later(y)\n"
    assert _rewritten(code, (2, 18, 2)).action is SecurityAction.NO_ISSUES


def test_an_unchecked_statement_is_not_asked_about_its_names() -> None:
    decision = _check(SecurityController(), REWRITTEN)  # the pickle import is charged softly
    assert (decision.action, decision.unsafe_line) == (SecurityAction.SOFT_PENALTY, None)


def test_a_refusal_names_the_rule_the_construct_and_its_cwe() -> None:
    controller = SecurityController()
    controller.refuse("g", "SC401 pickle.loads")
    controller.refuse("h", "F821 pickleloads")
    assert controller.stats("g").refusal == "SC401 pickle.loads (CWE-502)"
    assert controller.summary()["refusal"] == "F821 pickleloads"


def test_the_safe_boost_comes_from_the_settings() -> None:
    assert SecurityController(SABSConfig.from_settings(SabsSettings(safe_boost=2.5))).safe_boost == 2.5
    with pytest.raises(ValueError, match="negative"):
        SABSConfig(safe_boost=-1.0)


def test_a_whole_rewrite_must_parse_though_a_check_mid_way_would_call_it_unfinished() -> None:
    controller = SecurityController()
    code = 'def check(password):\n    return "admin" in password lower().\n'
    assert _check(controller, code).action is SecurityAction.INCOMPLETE
    again = controller.check(
        gen_id="g1", beam_id=0, step=11, position=11, code=code, tokens_since_check=8,
        at_boundary=True, force=True, rewritten=(2, 4, 2),
    )
    assert (again.action, again.unsafe_rule) == (SecurityAction.INVALID, "invalid-syntax")
    assert (again.unsafe_line, again.unsafe_col) == (2, 5)


def test_a_rewrite_inside_an_open_try_is_whole_code() -> None:
    code = "def f(s):\n    try:\n        return int(s)\n"
    assert _rewritten(code, (3, 15, 3)).action is not SecurityAction.INVALID
