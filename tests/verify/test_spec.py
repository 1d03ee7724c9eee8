"""Spec files: validation with one-line errors, and the stub, task and suite a spec gives."""

from __future__ import annotations

import ast
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.errors import UsageError
from verify.checks import Check
from verify.examples import entry_point, extract_examples
from verify.spec import Spec, load_spec

ADD: dict[str, Any] = {
    "function_name": "add",
    "parameters": [{"name": "a", "type": "int"}, {"name": "b", "type": "int"}],
    "return_type": "int",
    "constraints": "Return the sum of a and b.",
    "examples": [
        {"input": {"a": 1, "b": 2}, "output": 3},
        {"input": {"b": 0, "a": -4}, "output": -4},
    ],
}

TOP_WORDS: dict[str, Any] = {
    "function_name": "top_words",
    "parameters": [
        {"name": "text", "type": "str"},
        {"name": "k", "type": "int"},
        {"name": "stop", "type": "Optional[set[str]]"},
    ],
    "return_type": "list[tuple[str, int]]",
    "constraints": ["Words are case-insensitive.", "Ties keep their first appearance."],
    "examples": [
        {"input": {"text": "a b a", "k": 1, "stop": None}, "output": [["a", 2]]},
    ],
}


def spec(data: dict[str, Any], **changes: Any) -> Spec:
    return load_spec(json.dumps({**data, **changes}), name="spec.json")


def test_a_valid_spec_loads() -> None:
    loaded = spec(ADD)
    assert (loaded.function_name, [p.name for p in loaded.parameters]) == ("add", ["a", "b"])


def test_constraints_and_examples_may_be_left_out() -> None:
    loaded = spec({k: v for k, v in ADD.items() if k not in ("constraints", "examples")})
    assert (loaded.constraints, loaded.examples) == ("", ())


def test_the_suite_has_one_spec_check_per_example_in_parameter_order() -> None:
    assert spec(ADD).suite().checks == (
        Check("assert add(a=1, b=2) == 3", "spec", "add(a=1, b=2) == 3"),
        Check("assert add(a=-4, b=0) == -4", "spec", "add(a=-4, b=0) == -4"),
    )


def test_json_values_become_python_literals() -> None:
    assert spec(TOP_WORDS).suite().sources == [
        "assert top_words(text='a b a', k=1, stop=None) == [['a', 2]]"
    ]


def test_the_stub_is_a_signature_with_a_docstring() -> None:
    assert spec(ADD).stub() == (
        "def add(a: int, b: int) -> int:\n"
        '    """Return the sum of a and b.\n'
        "\n"
        "    Examples:\n"
        "    >>> add(a=1, b=2)\n"
        "    3\n"
        "    >>> add(a=-4, b=0)\n"
        "    -4\n"
        '    """\n'
    )


def test_the_stub_imports_what_its_annotations_need() -> None:
    stub = spec(TOP_WORDS).stub()
    assert stub.startswith("from typing import Optional\n\n\ndef top_words(")


def test_the_stub_runs() -> None:
    namespace: dict[str, object] = {}
    exec(spec(TOP_WORDS, parameters=[*TOP_WORDS["parameters"]]).stub(), namespace)
    assert callable(namespace["top_words"])


def test_the_stub_imports_a_standard_library_module_it_names() -> None:
    parameters = [{"name": "day", "type": "datetime.date"}]
    stub = spec(ADD, parameters=parameters, examples=[]).stub()
    assert stub.startswith("import datetime\n\n\ndef add(day: datetime.date) -> int:")


def test_the_stub_asks_for_its_function() -> None:
    assert entry_point(spec(TOP_WORDS).stub()) == "top_words"


def test_the_stubs_examples_are_the_spec_checks() -> None:
    loaded = spec(TOP_WORDS)
    extracted = extract_examples(loaded.stub(), ["top_words"])
    assert [c.source for c in extracted] == loaded.suite().sources


def test_a_list_of_constraints_is_a_list_in_the_docstring() -> None:
    function = ast.parse(spec(TOP_WORDS).stub()).body[-1]
    assert isinstance(function, ast.FunctionDef)
    docstring = ast.get_docstring(function) or ""
    assert docstring.startswith(
        "- Words are case-insensitive.\n- Ties keep their first appearance."
    )


def test_the_task_names_the_signature_and_the_constraint() -> None:
    assert spec(ADD).task() == (
        "Write a Python function `add(a: int, b: int) -> int` that meets this requirement: "
        "Return the sum of a and b.\nIt must pass the 2 examples in its docstring."
    )


def test_the_task_lists_several_constraints() -> None:
    assert spec(TOP_WORDS).task().splitlines()[1:3] == [
        "- Words are case-insensitive.",
        "- Ties keep their first appearance.",
    ]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(value=json_values, output=json_values)
def test_any_json_example_survives_the_stub(value: Any, output: Any) -> None:
    loaded = spec(
        ADD,
        parameters=[{"name": "a", "type": "Any"}],
        examples=[{"input": {"a": value}, "output": output}],
    )
    extracted = extract_examples(loaded.stub(), ["add"])
    assert [c.source for c in extracted] == loaded.suite().sources


ERRORS = [
    pytest.param(
        '{"function_name": "add",\n  "parameters": [,]}', "line 2: invalid JSON: ", id="json"
    ),
    pytest.param('{"function_name": NaN}', "invalid JSON: NaN is not a JSON value", id="nan"),
    pytest.param("[1, 2]", "expected a JSON object", id="not-an-object"),
    pytest.param(
        json.dumps({**ADD, "function_name": "2add"}),
        "function_name: not a Python identifier",
        id="function-name",
    ),
    pytest.param(
        json.dumps({**ADD, "function_name": "class"}),
        "function_name: not a Python identifier",
        id="keyword",
    ),
    pytest.param(
        json.dumps({k: v for k, v in ADD.items() if k != "return_type"}),
        "return_type: missing",
        id="missing",
    ),
    pytest.param(json.dumps({**ADD, "author": "me"}), "author: unknown field", id="unknown-field"),
    pytest.param(
        json.dumps({**ADD, "parameters": [{"name": "a", "type": "int", "default": 1}]}),
        "parameters[0].default: unknown field",
        id="unknown-nested-field",
    ),
    pytest.param(
        json.dumps({**ADD, "parameters": {"a": "int"}}), "parameters: expected a list", id="type"
    ),
    pytest.param(
        json.dumps({**ADD, "parameters": [{"name": "a", "type": "list[int"}]}),
        "parameters[0].type: not a Python type: 'list[int'",
        id="annotation-syntax",
    ),
    pytest.param(
        json.dumps({**ADD, "parameters": [{"name": "p", "type": "list[Point]"}]}),
        "parameters[0].type: unknown type 'Point' in 'list[Point]'",
        id="annotation-unknown-name",
    ),
    pytest.param(
        json.dumps({**ADD, "return_type": "print('x')"}),
        "return_type: not a type: \"print('x')\"",
        id="annotation-call",
    ),
    pytest.param(
        json.dumps({**ADD, "parameters": [{"name": "a", "type": "int"}] * 2}),
        "parameters[1].name: duplicate parameter 'a'",
        id="duplicate-parameter",
    ),
    pytest.param(
        json.dumps(
            {**ADD, "examples": [*ADD["examples"], {"input": {"a": 1, "z": 2}, "output": 3}]}
        ),
        "examples[2].input: unknown parameter 'z'",
        id="unknown-parameter",
    ),
    pytest.param(
        json.dumps({**ADD, "examples": [{"input": {"a": 1}, "output": 1}]}),
        "examples[0].input: missing parameter 'b'",
        id="missing-parameter",
    ),
    pytest.param(
        json.dumps({**ADD, "examples": [{"input": {"a": 1, "b": 2}}]}),
        "examples[0].output: missing",
        id="missing-output",
    ),
    pytest.param(
        json.dumps({**ADD, "constraints": 3}),
        "constraints: expected a string or a list of strings",
        id="constraints",
    ),
    pytest.param(
        json.dumps({**ADD, "constraints": ["Fine.", "Not\u0000fine."]}),
        "constraints: holds a control character",
        id="control-character",
    ),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_load_spec_refuses_with_one_line_naming_the_file_and_field(text: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        load_spec(text, name="spec.json")
    assert raised.value.message.startswith(f"spec.json: {message}")
    assert "\n" not in raised.value.message
