"""Candidates from a finished generation."""

from __future__ import annotations

from decoding.result import BeamText, GenerationResult
from nodes.generate import candidates_from
from nodes.prompting import Prompt

STUB = "import base64\n\n\ndef load(data):\n    '''Decode base64 data and parse it as JSON.'''\n"


def test_each_new_beam_is_a_candidate_with_the_standard_imports_it_forgot() -> None:
    forgot = "    return json.loads(base64.b64decode(data))\n"
    imported = "    import json\n    return json.loads(base64.b64decode(data))\n"
    result = GenerationResult(
        text=forgot,
        tokens=(1,),
        stop_reason="stop",
        beams=(BeamText(forgot, (1,), "stop", -0.1), BeamText(imported, (2,), "stop", -0.2)),
    )
    known: set[str] = set()
    found = candidates_from(
        result, Prompt(text=STUB, code_prefix=STUB), cycle=1, origin="search",
        seconds=1.0, sabs_stats={}, known=known,
    )
    assert [c["code"] for c in found] == [
        "import base64\nimport json\n" + STUB.removeprefix("import base64\n") + forgot,
        STUB + imported,
    ]
    assert known == {c["code"] for c in found}
