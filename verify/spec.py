"""A spec file: one function's name, typed parameters, return type, constraints and examples.

JSON of this shape::

    {"function_name": "add",
     "parameters": [{"name": "a", "type": "int"}, {"name": "b", "type": "int"}],
     "return_type": "int",
     "constraints": "Return the sum of a and b.",
     "examples": [{"input": {"a": 1, "b": 2}, "output": 3}]}

:func:`load_spec` validates it into a :class:`Spec` (a user error is one line
naming the file and the field); the spec then gives the generator its stub
(:meth:`Spec.stub`), its request (:meth:`Spec.task`) and the checks of origin
``spec`` the code must pass (:meth:`Spec.suite`).
"""

from __future__ import annotations

import ast
import builtins
import json
import keyword
import sys
import typing
import unicodedata
from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    JsonValue,
    ValidationError,
    field_validator,
    model_validator,
)

from config.errors import UsageError
from verify.checks import Check, Suite

#: pydantic's error types, said in JSON's words.
EXPECTED = {
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "string_type": "a string",
}

FieldPath = tuple[str | int, ...]  # ("examples", 1, "input")


class SpecError(ValueError):
    """A spec that is valid JSON but wrong at ``path`` (``("examples", 1, "input")``)."""

    def __init__(self, path: FieldPath, message: str) -> None:
        super().__init__(message)
        self.path = path


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(_Model):
    """One parameter: its name and its type, written as a Python annotation."""

    name: str
    type: str

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, name: str) -> str:
        return _identifier(name)

    @field_validator("type")
    @classmethod
    def _type_is_annotation(cls, text: str) -> str:
        return _annotation(text)


class Example(_Model):
    """One example: the arguments by parameter name, and the value the call returns."""

    input: dict[str, JsonValue]
    output: JsonValue


class Spec(_Model):
    """A function to write, as a spec file gives it."""

    function_name: str
    parameters: tuple[Parameter, ...]
    return_type: str
    constraints: str | tuple[str, ...] = ""
    examples: tuple[Example, ...] = ()

    @field_validator("function_name")
    @classmethod
    def _function_name_is_identifier(cls, name: str) -> str:
        return _identifier(name)

    @field_validator("return_type")
    @classmethod
    def _return_type_is_annotation(cls, text: str) -> str:
        return _annotation(text)

    @field_validator("constraints", mode="before")
    @classmethod
    def _constraints_are_text(cls, value: object) -> object:
        if isinstance(value, str):
            texts: tuple[str, ...] = (value,)
        elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            texts = tuple(value)
        else:
            raise ValueError("expected a string or a list of strings")
        if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for t in texts for c in t):
            raise ValueError("holds a control character")
        return value if isinstance(value, str) else texts

    @model_validator(mode="after")
    def _examples_name_the_parameters(self) -> Self:
        names = [p.name for p in self.parameters]
        for index, name in enumerate(names):
            if name in names[:index]:
                raise SpecError(("parameters", index, "name"), f"duplicate parameter {name!r}")
        for index, example in enumerate(self.examples):
            path = ("examples", index, "input")
            if unknown := [n for n in example.input if n not in names]:
                raise SpecError(path, f"unknown parameter {unknown[0]!r}")
            if missing := [n for n in names if n not in example.input]:
                raise SpecError(path, f"missing parameter {missing[0]!r}")
        return self

    def signature(self) -> str:
        """``name(a: int, b: int) -> int``."""
        parameters = ", ".join(f"{p.name}: {p.type}" for p in self.parameters)
        return f"{self.function_name}({parameters}) -> {self.return_type}"

    def call(self, example: Example) -> str:
        """The call an example makes, its arguments by keyword in parameter order."""
        arguments = ", ".join(f"{p.name}={example.input[p.name]!r}" for p in self.parameters)
        return ast.unparse(ast.parse(f"{self.function_name}({arguments})", mode="eval"))

    def constraint_lines(self) -> list[str]:
        """The constraints as lines: a list's items as ``- item``, a text's own lines."""
        if isinstance(self.constraints, str):
            return [line.rstrip() for line in self.constraints.strip().splitlines()]
        return [f"- {c.strip()}" for c in self.constraints if c.strip()]

    def stub(self) -> str:
        """The imports the annotations need, the signature, and a docstring holding the
        constraints and the examples (as doctests)."""
        fallback = "Return what the examples show." if self.examples else "Write this function."
        lines = self.constraint_lines() or [fallback]
        if self.examples:
            lines += ["", "Examples:"]
            for example in self.examples:
                lines += [f">>> {self.call(example)}", _literal(example.output)]
        imports = _imports([p.type for p in self.parameters] + [self.return_type])
        head = "\n".join(imports) + "\n\n\n" if imports else ""
        return f"{head}def {self.signature()}:\n{_docstring(lines, '    ')}\n"

    def task(self) -> str:
        """The request in words, from the signature, the constraints and the examples."""
        request = f"Write a Python function `{self.signature()}`"
        lines = self.constraint_lines()
        if isinstance(self.constraints, str) and len(lines) == 1:
            text = f"{request} that meets this requirement: {lines[0]}"
        elif lines:
            text = "\n".join([f"{request} that meets these requirements:", *lines])
        else:
            text = f"{request}."
        if self.examples:
            count = len(self.examples)
            which = f"{count} examples" if count > 1 else "example"
            text += f"\nIt must pass the {which} in its docstring."
        return text

    def suite(self) -> Suite:
        """One check of origin ``spec`` per example: ``assert name(a=1, b=2) == 3``."""
        checks: list[Check] = []
        for example in self.examples:
            label = f"{self.call(example)} == {_literal(example.output)}"
            checks.append(Check(f"assert {label}", "spec", label))
        return Suite(tuple(checks))


def load_spec(text: str, *, name: str) -> Spec:
    """The spec in ``text`` (JSON), read from a file called ``name``; ``UsageError`` with one
    line naming the file and the field (or the JSON line) when it is not a valid spec."""
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise UsageError(f"{name}: line {error.lineno}: invalid JSON: {error.msg}") from None
    except ValueError as error:
        raise UsageError(f"{name}: invalid JSON: {error}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{name}: expected a JSON object with function_name, parameters, ...")
    try:
        return Spec.model_validate(data)
    except ValidationError as error:
        raise UsageError(f"{name}: {_describe(error)}") from None


def _describe(error: ValidationError) -> str:
    """The first problem of ``error`` as ``field.path: what is wrong``."""
    first = error.errors()[0]
    cause = first.get("ctx", {}).get("error")
    path: FieldPath = cause.path if isinstance(cause, SpecError) else tuple(first["loc"])
    kind = first["type"]
    if kind == "missing":
        message = "missing"
    elif kind == "extra_forbidden":
        message = "unknown field"
    elif isinstance(cause, ValueError):
        message = str(cause)
    elif kind in EXPECTED:
        message = f"expected {EXPECTED[kind]}"
    else:
        message = first["msg"][:1].lower() + first["msg"][1:]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return f"{where}: {message}" if where else message


def _reject_constant(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")


def _identifier(name: str) -> str:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError("not a Python identifier")
    return name


def _annotation(text: str) -> str:
    """``text`` if it is a Python annotation of known names; ``ValueError`` otherwise."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise ValueError(f"not a Python type: {text!r}") from None
    if unknown := _unknown_names(tree, top=True):
        whole = ast.unparse(tree) in unknown
        raise ValueError(unknown if whole else f"{unknown} in {text.strip()!r}")
    return text.strip()


def _unknown_names(node: ast.expr, *, top: bool = False) -> str:
    """What makes ``node`` no annotation of builtin, ``typing`` or standard-library names
    (``""`` when nothing)."""
    match node:
        case ast.Name(id=name):
            known = _is_builtin_type(name) or hasattr(typing, name)
            return "" if known else f"unknown type {name!r}"
        case ast.Attribute():
            root = _root(node)
            if isinstance(root, ast.Name) and root.id in sys.stdlib_module_names:
                return ""
            return f"unknown type {ast.unparse(node)!r}"
        case ast.Constant(value=value):
            return "" if value is None or not top else f"not a type: {value!r}"
        case ast.Subscript(value=base, slice=index):
            items = index.elts if isinstance(index, ast.Tuple) else [index]
            for part in [base, *items]:
                if found := _unknown_names(part):
                    return found
            return ""
        case ast.List(elts=items) if not top:  # Callable[[int, str], bool]
            return next((f for f in map(_unknown_names, items) if f), "")
        case ast.BinOp(op=ast.BitOr(), left=left, right=right):
            return _unknown_names(left) or _unknown_names(right)
    return f"not a type: {ast.unparse(node)!r}"


def _root(node: ast.Attribute) -> ast.expr:
    """``a`` of ``a.b.c``."""
    root: ast.expr = node
    while isinstance(root, ast.Attribute):
        root = root.value
    return root


def _is_builtin_type(name: str) -> bool:
    return isinstance(getattr(builtins, name, None), type)


def _imports(annotations: list[str]) -> list[str]:
    """The import lines the annotations need: ``from typing import ...``, ``import datetime``."""
    typing_names: set[str] = set()
    modules: set[str] = set()
    for text in annotations:
        tree = ast.parse(text, mode="eval")
        roots = {id(_root(n)) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Name):
                continue
            if id(node) in roots:
                modules.add(node.id)
            elif not _is_builtin_type(node.id):
                typing_names.add(node.id)
    lines = [f"import {module}" for module in sorted(modules)]
    if typing_names:
        lines.append(f"from typing import {', '.join(sorted(typing_names))}")
    return lines


def _literal(value: JsonValue) -> str:
    """A JSON value as a Python literal."""
    return ast.unparse(ast.parse(repr(value), mode="eval"))


def _docstring(lines: list[str], indent: str) -> str:
    """``lines`` as a docstring indented by ``indent`` (raw when it holds a backslash)."""
    text = "\n".join(f"{indent}{line}" if line else "" for line in lines).replace(
        '"""', '\\"\\"\\"'
    )
    prefix = "r" if "\\" in text else ""
    return f'{indent}{prefix}"""{text.lstrip()}\n{indent}"""'
