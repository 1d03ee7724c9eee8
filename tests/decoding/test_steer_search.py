"""SABS steering inside the search, on a toy vocabulary that spells real Python, judged by the
real controller: a rewind bans the name under every spelling, boosts the safe one, rewinds a
rewrite that uses an unknown name, and refuses with whole code when nothing safe is left."""

from __future__ import annotations

from typing import Any

from decoding.result import GenerationResult
from decoding.sabs import SABSConfig, SecurityController
from decoding.search import BeamSearch, SearchConfig
from tests.decoding.test_search import ToyModel

#: The toy vocabulary: each token's text.
VOCAB = [
    "",  # 0: end
    "return",  # 1
    " eval",  # 2
    "eval",  # 3
    "(s)\n",  # 4
    " ev",  # 5
    "al",  # 6
    " int",  # 7
    " ast",  # 8
    ".literal_eval",  # 9
    " ",  # 10
    "ev",  # 11
    " calc",  # 12
    "y = s\n    ",  # 13
    "",  # 14: the prompt
]
END, PROMPT = 0, 14
ID = {text: token for token, text in enumerate(VOCAB) if text}
STUB = "def f(s):\n    "
GREEDY = {"beam_width": 1, "max_tokens": 12}


def row(**scores: float) -> list[float]:
    """A logits row: -20 everywhere except the tokens named (by their text, via ``ID``)."""
    values = [-20.0] * len(VOCAB)
    for text, value in scores.items():
        values[ID[text] if text != "end" else END] = value
    return values


def table(after_return: dict[str, float], **rest: dict[str, float]) -> dict[int, list[float]]:
    """Logits per last token: the prompt leads to ``return``, then ``after_return``; a call
    ends the line and the code; ``rest`` maps a token's text to what follows it."""
    rows = {token: row(end=9.0) for token in range(len(VOCAB))}
    rows[PROMPT] = row(**{"return": 9.0})
    rows[ID["return"]] = row(**after_return)
    for name in (" eval", "eval", " int", " calc", "al", ".literal_eval", "ev"):
        rows[ID[name]] = row(**{"(s)\n": 9.0})
    rows[ID[" ast"]] = row(**{".literal_eval": 9.0})
    rows[ID[" ev"]] = row(al=9.0)
    for text, scores in rest.items():
        rows[ID[text]] = row(**scores)
    return rows


def generate(
    rows: dict[int, list[float]], *, prefix: str = STUB, safe_boost: float = 0.0, **config: Any
) -> tuple[GenerationResult, SecurityController]:
    model = ToyModel(rows, pieces={t: text.encode() for t, text in enumerate(VOCAB)})
    controller = SecurityController(SABSConfig(min_tokens_between_checks=1, safe_boost=safe_boost))
    search = BeamSearch(model, SearchConfig(**{**GREEDY, **config}), controller=controller)
    return search.run([PROMPT], code_prefix=prefix), controller


def test_the_old_one_token_ban_would_glue_the_name_to_the_word_before() -> None:
    # the model's second choice after " eval" is "eval", which makes "returneval(s)"
    rows = table({" eval": 9.0, "eval": 8.0, " int": 5.0})
    result, _ = generate(rows)
    assert "eval" not in result.text
    assert result.text == "return int(s)\n"


def test_every_spelling_that_opens_the_name_is_banned_at_the_rewind_point() -> None:
    rows = table({" eval": 9.0, "eval": 8.0, " ev": 7.0, " int": 5.0})
    result, controller = generate(rows)
    assert (result.text, result.stop_reason) == ("return int(s)\n", "eos")
    assert (result.stats.unsafe, result.stats.rewinds) == (1, 1)
    assert controller.summary()["unsafe"] == 1


def test_the_name_cannot_be_formed_again_over_the_next_tokens() -> None:
    # " " then "ev" + "al" would spell eval again: "al" is refused, so "ev(s)" comes, a name
    # bound nowhere, which is rewound in its turn
    rows = table({" eval": 9.0, " ": 8.0, " int": 5.0}, **{" ": {"ev": 9.0, " int": 1.0}})
    rows[ID["ev"]] = row(al=9.0, **{"(s)\n": 1.0})
    result, controller = generate(rows)
    assert "eval" not in result.text
    assert controller.summary()["undefined"] == 1
    assert result.text == "return  int(s)\n"


def test_a_rewrite_that_calls_a_name_bound_nowhere_is_rewound() -> None:
    rows = table({" eval": 9.0, " calc": 8.0, " int": 5.0})
    result, controller = generate(rows)
    assert result.text == "return int(s)\n"
    assert controller.summary()["undefined"] == 1
    assert result.stats.rewinds == 2


def test_the_safe_spelling_is_boosted_where_the_code_imports_it() -> None:
    rows = table({" eval": 9.0, " int": 5.0, " ast": 1.0})
    result, _ = generate(rows, prefix="import ast\n" + STUB, safe_boost=6.0)
    assert result.text == "return ast.literal_eval(s)\n"


def test_without_a_boost_the_model_chooses_its_own_rewrite() -> None:
    rows = table({" eval": 9.0, " int": 5.0, " ast": 1.0})
    result, _ = generate(rows, prefix="import ast\n" + STUB, safe_boost=0.0)
    assert result.text == "return int(s)\n"


def test_a_safe_spelling_whose_module_is_not_imported_is_not_boosted() -> None:
    rows = table({" eval": 9.0, " int": 5.0, " ast": 1.0})
    result, _ = generate(rows, safe_boost=6.0)
    assert result.text == "return int(s)\n"


def test_a_refused_generation_ends_at_its_last_whole_statement_and_says_why() -> None:
    rows = table({" eval": 9.0}, **{"y = s\n    ": {"return": 9.0}})
    rows[PROMPT] = row(**{"y = s\n    ": 9.0})
    result, controller = generate(rows, max_rewinds=0)
    assert result.stop_reason == "no_safe_beam"
    assert result.text == "y = s\n"  # not "y = s\n    return", and the token's indent is dropped
    assert controller.summary()["refusal"] == "SC101 eval (CWE-95)"


def test_a_refusal_with_no_whole_statement_returns_the_stub_alone() -> None:
    rows = table({" eval": 9.0, "eval": 8.0, " int": 5.0})
    result, controller = generate(rows, max_rewinds=0)
    assert (result.stop_reason, result.text) == ("no_safe_beam", "")
    assert controller.summary()["refusal"].startswith("SC101 eval")


def test_an_avoided_answer_cannot_begin_the_completion_with_its_first_name() -> None:
    rows = table({" int": 9.0})
    rows[PROMPT] = row(**{"return": 9.0, "y = s\n    ": 5.0})
    rows[ID["y = s\n    "]] = row(**{"return": 9.0})
    model = ToyModel(rows, pieces={t: text.encode() for t, text in enumerate(VOCAB)})
    search = BeamSearch(model, SearchConfig(beam_width=1, max_tokens=12))
    result = search.run([PROMPT], code_prefix=STUB, avoid=["    # convert\n    return int(s)\n"])
    assert result.text == "y = s\n    return int(s)\n"  # "return" is free once a statement ended
