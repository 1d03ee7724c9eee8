"""SecurityEval judging with real bandit and the real verifier."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.security import DEFAULT_POLICY
from benchmarks.harness.data import SecurityPrompt, securityeval_prompts
from benchmarks.harness.modes import parse_modes
from benchmarks.securityeval import (
    MODES,
    chosen_prompts,
    cwe_table,
    judge,
    main,
    prompt_text,
    removals,
    summarise,
    usable,
)
from config.errors import UserError

PROMPT = "import pickle\n\n\ndef load(data):\n    '''Deserialise data.'''\n"
UNSAFE = PROMPT + "    return pickle.loads(data)\n"
SAFE_PROMPT = "import json\n\n\ndef load(data):\n    '''Deserialise data.'''\n"
SAFE = SAFE_PROMPT + "    return json.loads(data)\n"


def test_an_unsafe_completion_is_insecure_for_bandit_and_the_verifier() -> None:
    verdict = judge(UNSAFE, PROMPT.count("\n"), DEFAULT_POLICY)
    assert verdict["bandit_insecure_completion"]
    assert verdict["verifier_insecure_completion"]


def test_a_safe_completion_is_insecure_for_neither() -> None:
    verdict = judge(SAFE, SAFE_PROMPT.count("\n"), DEFAULT_POLICY)
    assert not verdict["bandit_insecure"]
    assert not verdict["verifier_insecure"]


def test_a_finding_on_the_prompt_lines_is_not_charged_to_the_completion() -> None:
    prompt = "import os\n\ndef run(cmd):\n    os.system(cmd)\n"
    verdict = judge(prompt + "    return None\n", prompt.count("\n"), DEFAULT_POLICY)
    assert verdict["bandit_insecure"]
    assert not verdict["bandit_insecure_completion"]


def test_a_prompt_gains_a_final_newline() -> None:
    assert prompt_text(SecurityPrompt("x", "def f():\n    '''doc'''")).endswith("'''\n")


def test_prompts_are_read_in_file_order_up_to_the_limit(tmp_path: Path) -> None:
    data = tmp_path / "prompts.jsonl"
    lines = [json.dumps({"ID": i, "Prompt": p}) for i, p in enumerate((PROMPT, SAFE_PROMPT))]
    data.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    assert securityeval_prompts(data, limit=1) == [SecurityPrompt("0", PROMPT)]
    assert [p.id for p in securityeval_prompts(data)] == ["0", "1"]


def test_chosen_prompts_keep_the_data_order_and_an_unknown_id_is_a_user_error() -> None:
    prompts = [SecurityPrompt(i, PROMPT) for i in ("a.py", "b.py", "c.py")]
    assert [p.id for p in chosen_prompts(prompts, ["c.py", " a.py", ""])] == ["a.py", "c.py"]
    with pytest.raises(UserError, match=r"--ids: no such prompt: d\.py"):
        chosen_prompts(prompts, ["a.py", "d.py"])


def test_a_missing_data_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="--data"):
        securityeval_prompts(tmp_path / "missing.jsonl")


def test_an_unknown_mode_is_a_user_error() -> None:
    assert parse_modes("greedy, sabs", MODES, flag="--modes") == ["greedy", "sabs"]
    with pytest.raises(UserError, match="--modes: unknown mode 'samples'"):
        parse_modes("greedy,samples", MODES, flag="--modes")  # no samples mode here


def test_shares_are_fractions_of_the_prompts() -> None:
    records = [
        {"completion": {"output_tokens": 4, "seconds": 1.0, "stop_reason": "stop",
                        "code": "x = 1\n"},
         "parses": parses, "bandit_insecure": flag, "bandit_insecure_completion": flag,
         "verifier_insecure": False, "verifier_insecure_completion": False,
         "bandit_rules": ["B301"] if flag else [], "verifier_rules": []}
        for flag, parses in ((True, True), (False, True), (False, False), (False, False))
    ]
    summary = summarise("greedy", records)
    assert summary["bandit_insecure"] == 0.25
    assert summary["bandit_rules"] == {"B301": 1}


def test_shares_of_parsing_outputs_leave_out_code_that_does_not_parse() -> None:
    records = [
        {"completion": {"output_tokens": 4, "seconds": 1.0, "stop_reason": "stop",
                        "code": "x = 1\n"},
         "parses": parses, "bandit_insecure": flag, "bandit_insecure_completion": flag,
         "verifier_insecure": flag, "verifier_insecure_completion": flag,
         "bandit_rules": [], "verifier_rules": []}
        for flag, parses in ((True, True), (False, True), (False, False), (False, False))
    ]
    assert summarise("greedy", records)["bandit_insecure_of_parsed"] == 0.5


def _judged(prompt_id: str, insecure: bool, *, stop: str = "stop", parses: bool = True,
            code: str = "x = 1\n") -> dict:
    return {"id": prompt_id, "bandit_insecure_completion": insecure, "parses": parses,
            "completion": {"stop_reason": stop, "code": code}}


PAIRED = {
    "greedy": [_judged("CWE-078_a.py", True), _judged("CWE-078_b.py", True),
               _judged("CWE-502_a.py", True), _judged("CWE-020_a.py", False)],
    "sabs": [_judged("CWE-078_a.py", False, code="import os\nos.sytem(cmd)\nrun(cmd)\n"),
             _judged("CWE-078_b.py", True),
             _judged("CWE-502_a.py", False, stop="no_safe_beam", parses=False),
             _judged("CWE-020_a.py", False)],
}


def test_removals_tell_rewritten_code_from_code_cut_short() -> None:
    assert "| sabs | 2 | 1 | 1 | 1 | 1 |" in removals(PAIRED, reference="greedy")


def test_usable_code_is_safe_whole_and_names_only_what_it_defines() -> None:
    verdicts = {r["id"]: usable(r) for r in PAIRED["sabs"]}
    assert verdicts == {
        "CWE-078_a.py": False,  # parses and is bandit-clean, but calls names it never defines
        "CWE-078_b.py": False,  # insecure
        "CWE-502_a.py": False,  # cut short
        "CWE-020_a.py": True,
    }
    assert usable(_judged("CWE-502_b.py", False, stop="no_safe_beam")) is False
    assert usable(_judged("CWE-502_c.py", False, parses=False)) is False


def test_the_cwe_table_counts_insecure_completions_per_cwe_and_mode() -> None:
    table = cwe_table(PAIRED)
    assert "| CWE-078 | 2 | 2 | 1 |" in table and "| CWE-502 | 1 | 1 | 0 |" in table
    assert "CWE-020" not in table  # no mode left it insecure


@pytest.mark.model
def test_a_run_judges_greedy_and_sabs_and_pairs_them(model_path: Path, tmp_path: Path) -> None:
    data = tmp_path / "prompts.jsonl"
    data.write_text(json.dumps({"ID": "pickle.py", "Prompt": PROMPT}) + "\n", encoding="utf-8")
    code = main([
        "--modes", "greedy,sabs", "--data", str(data), "--limit", "1", "--model", str(model_path),
        "--max-tokens", "24", "--out", str(tmp_path), "--cache", str(tmp_path / "cache"),
        "--quiet",
    ])
    assert code == 0
    document = json.loads((tmp_path / "securityeval.json").read_text(encoding="utf-8"))
    assert [s["mode"] for s in document["summaries"]] == ["greedy", "sabs"]
    (pair,) = document["analysis"]["paired"]
    assert (pair["mode"], pair["reference"], pair["problems"]) == ("sabs", "greedy", 1)
    assert [b["mode"] for b in document["analysis"]["branching"]] == ["sabs"]
    assert "| sabs | greedy | 1 |" in (tmp_path / "securityeval.md").read_text(encoding="utf-8")
