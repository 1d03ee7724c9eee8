"""Examples written in a task or a docstring, turned into checks of origin ``example``.

Pure functions from text to assert lines. An example is taken only when it is
safe to take: a wrong assert would make the product reject correct code, so
:func:`extract_examples` prefers to miss an example over guessing one. It reads

* doctests: ``>>> expr`` and the expected value on the following lines
  (``...`` continues the source; ``>>> x = ...`` statements before an example
  run before it; a traceback becomes "raises that exception"; a ``>>> f(x) == y``
  line with no output is read as the comparison it writes);
* inline examples: ``f(x) == y``, ``f(x) -> y``, ``f(x) ➞ y``, ``f(x) => y``,
  ``f(x) ==> y``, ``f(x) # => y``, ``f(x) should return y``, ``f(x) returns y``
  (also in Markdown backticks, or inside a sentence, the value cut from the
  prose that follows it; a worked sum ``-> 19 - 5 - 6 = 8`` gives its result
  when it checks out), and ``f(x) = y`` at the start of a line, unless the text
  defines the function by an equation (``tri(n) = ...``), where such lines are
  terms of that definition;
* ``assert f(x) == y`` lines (a call inside the left side too: ``set(f(x))``);
* in the docstring of a function the text defines, ``Input: a = 1, b = 2`` /
  ``Output: 3`` blocks and "For a = 1 the output should be 2" sentences, whose
  arguments the signature places (they must name its parameters, or be one bare
  value for a function of one parameter).

The call must call one of the given functions and use no other free name than
builtins (and, in a doctest, names its own statements define); the expected
value must be literal-like (``true`` / ``false`` in prose are booleans).
:func:`mentions_examples` says whether examples remain in prose that a model
could write as asserts; :func:`checks_from_reply` reads the asserts a model
wrote.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import re
import tokenize
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from typing import TypeGuard

from verify.checks import Check, Origin

#: Builtins an example's call may use besides the functions under test.
SAFE_BUILTINS = frozenset(dir(builtins)) - {
    "__import__",
    "breakpoint",
    "compile",
    "delattr",
    "eval",
    "exec",
    "exit",
    "globals",
    "help",
    "input",
    "locals",
    "open",
    "print",
    "quit",
    "setattr",
    "vars",
}

#: Calls an expected value may contain: constructors of values with no literal syntax.
LITERAL_CONSTRUCTORS = frozenset({"set", "frozenset", "tuple", "list", "dict", "float", "complex"})
INFINITIES = frozenset({"inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"})

#: Operators between an inline call and its value, strongest first; ``=`` is weak.
INLINE_OPERATOR = re.compile(
    r"`?[ \t]*(?:#[ \t]*)?"
    r"(?P<op>==>|=>|==|->|-->|➞|→|⇒|⟹|"
    r"(?:should|will|would|must)\s+(?:return|be|give|output)\b|returns\b|gives\b|"
    r"evaluates\s+to\b|=(?![=>]))[ \t]*:?"
)
ASSERT_LINE = re.compile(r"^\s*assert\s")
PROMPT = re.compile(r"^\s*>>>(?: |$)(?P<source>.*)$")
CONTINUATION = re.compile(r"^\s*\.\.\.(?: |$)(?P<source>.*)$")
CLOSING_QUOTES = ('"""', "'''")
TRACEBACK = "Traceback (most recent call last)"
EXCEPTION_LINE = re.compile(r"^(?P<name>[A-Za-z_]\w*)(?::.*)?$")
BULLET = re.compile(r"^(?:[-*•]|\d+[.)]|for|e\.g\.,?|i\.e\.,?|examples?:?)?$", re.IGNORECASE)
INPUT_LINE = re.compile(r"^\s*(?:[-*]\s*)?input\s*:\s*(?P<rest>.*)$", re.I)
OUTPUT_LINE = re.compile(r"^\s*(?:[-*]\s*)?output\s*:\s*(?P<rest>.*)$", re.I)
EXAMPLE_HEADING = re.compile(r"^\s*example", re.I)
FOR_SENTENCE = re.compile(
    r"\bfor\s+(?P<input>[A-Za-z_]\w*\s*=(?:(?!\n[ \t]*\n).)*?)[\s,;]*\bthe\s+"
    r"(?:output|result|answer|return\s+value)\s+(?:should|will|would|must)\s+be\b[ \t]*:?",
    re.I | re.S,
)
#: A call and an arrow left in the text: an example that was not taken (``is_happy(a) => False``).
UNTAKEN_EXAMPLE = (
    r"^(?![ \t]*(?:async[ \t]+)?def\b).*?[A-Za-z_]\w*\([^()\n]*\)[ \t]*(?:==>|=>|==|->|➞|→)"
)
SCAN_LIMIT = 4000  # characters a call or a value may span
MAX_JOINED_LINES = 30  # lines one statement of a model's reply may span


@dataclass(frozen=True)
class _Example:
    """An example found in text, before it is written as a check."""

    line: int  # 0-based line of the text where it starts
    column: int
    call: ast.expr
    expected: ast.expr | None  # None: the call raises ``raises``
    raises: str = ""
    setup: str = ""  # doctest statements that run before it
    weak: bool = False  # written ``f(x) = y``
    function: str = ""  # the function an inline example calls


def entry_point(stub: str) -> str | None:
    """The function a stub asks to complete: the last top-level function whose body is only a
    docstring (or ``pass`` / ``...``), else the last top-level function; None if there is none
    or the stub does not parse."""
    try:
        tree = ast.parse(stub)
    except SyntaxError:
        return None
    functions = [
        node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    empty = [f for f in functions if all(_is_placeholder(s) for s in f.body)]
    chosen = empty or functions
    return chosen[-1].name if chosen else None


def extract_examples(text: str, functions: Collection[str]) -> list[Check]:
    """The examples in ``text`` (a task, or a whole stub) that call one of ``functions``, in
    text order, each an ``assert <call> == <expected>`` check of origin ``example``, each once."""
    names = frozenset(functions)
    if not names:
        return []
    lines = text.splitlines()
    consumed: set[int] = set()
    found = list(_doctest_examples(lines, names, consumed))
    found += _signature_examples(text, names, consumed)
    found += _assert_lines(lines, names, consumed)
    found += _inline_examples(text, names, consumed)
    found.sort(key=lambda e: (e.line, e.column))
    checks: list[Check] = []
    seen: set[str] = set()
    for example in found:
        check = _check_of(example)
        if check.source not in seen:
            seen.add(check.source)
            checks.append(check)
    return checks


def mentions_examples(text: str) -> bool:
    """Whether ``text`` gives examples in prose beyond those :func:`extract_examples` takes from
    it (``Input: ... Output: ...``, "the output should be 6", "For example, 'abc' ..."), which a
    model could write as asserts."""
    names = frozenset(
        m.group(1)
        for m in re.finditer(r"(?<![\w.])([A-Za-z_]\w*)\s*\(", text)
        if not keyword.iskeyword(m.group(1))
    )
    lines = text.splitlines()
    consumed = _code_lines(text)
    for _ in _doctest_examples(lines, names, consumed):
        pass
    _signature_examples(text, names, consumed)
    _assert_lines(lines, names, consumed)
    for example in _inline_examples(text, names, consumed):
        consumed.add(example.line)
    remainder = "\n".join("" if i in consumed else line for i, line in enumerate(lines))
    if re.search(r"\binput\s*:", remainder, re.I) and re.search(r"\boutput\s*:", remainder, re.I):
        return True
    if re.search(UNTAKEN_EXAMPLE, remainder, re.M):
        return True
    if re.search(
        r"\b(?:output|result|answer|return value)\s+(?:should|would|will|must)\s+be\s+"
        r"(?:[-\d'\"\[({]|True\b|False\b|None\b)",
        remainder,
        re.I,
    ):
        return True
    remainder = remainder.replace('"""', "").replace("'''", "")
    cues = r"\bexamples?\b(?:[ \t]*\d+)?|\be\.g\.|\bfor instance\b"
    for cue in re.finditer(cues, remainder, re.I):
        paragraph = re.split(r"\n\s*\n", remainder[cue.end() : cue.end() + 400])[0]
        if re.search(r"[\d'\"\[{]", paragraph):
            return True
    return False


def checks_from_reply(
    reply: str, functions: Collection[str], *, origin: Origin, limit: int = 10
) -> list[Check]:
    """The first ``limit`` distinct asserts in a model's reply that parse and call one of
    ``functions`` (``f(x) == y`` lines without ``assert`` too), each a check of ``origin``.

    The reply may hold prose, comments and ```` ```python ```` fences (only the fenced code is
    read when there is any); an assert that uses a free name other than the functions and
    builtins is left out, and so is its message."""
    names = frozenset(functions)
    checks: list[Check] = []
    seen: set[str] = set()
    for statement in _logical_lines(_fenced_code(reply)):
        test = _assert_test(statement)
        if test is None or not _calls(test, names) or not _names_defined(test, names):
            continue
        label = ast.unparse(test)
        source = f"assert {label}"
        if source not in seen:
            seen.add(source)
            checks.append(Check(source, origin, label))
            if len(checks) >= limit:
                break
    return checks


def _code_lines(text: str) -> set[int]:
    """The 0-based lines of ``text`` outside its docstrings (and other string statements), when
    it parses as Python (a stub); none when it does not (a task in words)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set()
    prose: set[int] = set()
    for node in ast.walk(tree):
        if _is_text(node):
            prose.update(range(node.lineno - 1, node.end_lineno or node.lineno))
    return set(range(len(text.splitlines()))) - prose


# --- doctests ---------------------------------------------------------------------------------


def _doctest_examples(
    lines: list[str], functions: frozenset[str], consumed: set[int]
) -> Iterator[_Example]:
    """Examples of the ``>>>`` blocks in ``lines``; marks the lines they take as consumed."""
    statements: list[str] = []  # doctest statements so far: each example runs after them all
    defined: set[str] = set()
    index = 0
    while index < len(lines):
        prompt = PROMPT.match(lines[index])
        if prompt is None:
            index += 1
            continue
        start = index
        source = [prompt.group("source")]
        index += 1
        while index < len(lines) and (more := CONTINUATION.match(lines[index])):
            source.append(more.group("source"))
            index += 1
        want: list[str] = []
        while index < len(lines) and lines[index].strip() and not PROMPT.match(lines[index]):
            line = lines[index].strip()
            if line in CLOSING_QUOTES or (want and _starts_with_call(line, functions)):
                break  # the docstring's end, or an inline example after the output
            want.append(line.removesuffix('"""').removesuffix("'''"))
            index += 1
            if line.endswith(CLOSING_QUOTES):
                break
        consumed.update(range(start, index))
        example = _doctest_example(start, "\n".join(source), want, functions, statements, defined)
        if example is not None:
            yield example


def _doctest_example(
    line: int,
    source: str,
    want: list[str],
    functions: frozenset[str],
    statements: list[str],
    defined: set[str],
) -> _Example | None:
    """The example one doctest makes; a statement with no output joins ``statements``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    setup = "\n".join(statements)
    known = functions | defined
    single = tree.body[0] if len(tree.body) == 1 else None
    value = single.value if isinstance(single, ast.Expr) else None
    if not want:
        if isinstance(value, ast.Compare) and _is_equality(value):
            return _checked(line, 0, value.left, value.comparators[0], functions, known, setup)
        if isinstance(value, ast.Call) and _is_name(value.func, functions):
            return _checked(line, 0, value, ast.Constant(None), functions, known, setup)
        statements.append(source)
        defined.update(_assigned_names(tree))
        return None
    if value is None:
        return None
    if want[0].startswith(TRACEBACK):
        exception = EXCEPTION_LINE.match(want[-1])
        if exception is None or not _is_builtin_exception(exception.group("name")):
            return None
        if not _calls(value, functions) or not _names_defined(value, known):
            return None
        return _Example(line, 0, value, None, exception.group("name"), setup)
    expected = _parse_expression("\n".join(want))
    if expected is None:
        return None
    if isinstance(value, ast.Compare) and _is_equality(value) and _is_true(expected):
        value, expected = value.left, value.comparators[0]
    return _checked(line, 0, value, expected, functions, known, setup)


# --- Input: / Output: blocks and "For x = 1 the output should be 2" ----------------------------


def _signature_examples(text: str, functions: frozenset[str], consumed: set[int]) -> list[_Example]:
    """The ``Input: ... Output: ...`` blocks and ``For a = 1, b = 2 the output should be 3``
    sentences in the docstrings of the ``functions`` that ``text`` defines: their arguments
    are named by the parameters (or, for one parameter, bare), so the signature places them."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    lines = text.splitlines()
    found: list[_Example] = []
    for node in tree.body:
        if not (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in functions
        ):
            continue
        docstring = next((s for s in node.body if _is_text(s)), None)
        if docstring is None:
            continue
        start, end = docstring.lineno - 1, docstring.end_lineno or docstring.lineno
        signature = _Signature.of(node)
        found += _input_output_blocks(lines, start, end, signature, consumed)
        found += _for_sentences(lines, start, end, signature, consumed)
    return found


@dataclass(frozen=True)
class _Signature:
    """A function's name and the parameters an example may give it."""

    name: str
    positional: tuple[str, ...]
    keyword_only: tuple[str, ...]
    required: frozenset[str]

    @classmethod
    def of(cls, node: ast.FunctionDef | ast.AsyncFunctionDef) -> _Signature:
        arguments = node.args
        positional = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
        required = set(positional[: len(positional) - len(arguments.defaults)])
        keyword_only = [a.arg for a in arguments.kwonlyargs]
        required |= {
            a for a, d in zip(keyword_only, arguments.kw_defaults, strict=True) if d is None
        }
        return cls(node.name, tuple(positional), tuple(keyword_only), frozenset(required))

    def call(self, written: str) -> ast.Call | None:
        """The call that arguments written ``a = 1, b = 2`` (or ``a : 1`` lines, or one bare
        value) make, positional where they fill the parameters in order; None when they do not
        name the parameters or are not literal-like."""
        parsed = _parse_expression(f"f({written})")
        if not isinstance(parsed, ast.Call):
            pairs = [
                re.sub(r"^([A-Za-z_]\w*)\s*:", r"\1 =", line.strip())
                for line in written.splitlines()
            ]
            parsed = _parse_expression(
                "f({})".format(",\n".join(p.rstrip(",") for p in pairs if p))
            )
        if not isinstance(parsed, ast.Call) or (parsed.args and parsed.keywords):
            return None
        values = [*parsed.args, *(k.value for k in parsed.keywords)]
        if not values or not all(_is_literal(v) for v in values):
            return None
        function = ast.Name(self.name, ast.Load())
        if parsed.args:
            given = self.positional[: len(parsed.args)]
            if len(parsed.args) > len(self.positional) or not self.required <= set(given):
                return None
            return ast.Call(function, parsed.args, [])
        named = {k.arg: k.value for k in parsed.keywords}
        if None in named or not set(named) <= {*self.positional, *self.keyword_only}:
            return None
        if not self.required <= set(named):
            return None
        in_order = self.positional[: len(named)]
        if set(in_order) == set(named):
            return ast.Call(function, [named[p] for p in in_order], [])
        return ast.Call(function, [], [ast.keyword(n, v) for n, v in named.items()])


def _input_output_blocks(
    lines: list[str], start: int, end: int, signature: _Signature, consumed: set[int]
) -> Iterator[_Example]:
    """``Input: <arguments>`` then ``Output: <value>`` (an explanation may follow)."""
    index = start
    while index < end:
        opened = INPUT_LINE.match(lines[index])
        if opened is None:
            index += 1
            continue
        first = index
        written = [opened.group("rest")]
        index += 1
        while index < end and lines[index].strip() and not INPUT_LINE.match(lines[index]):
            if OUTPUT_LINE.match(lines[index]):
                break
            written.append(lines[index])
            index += 1
        closed = OUTPUT_LINE.match(lines[index]) if index < end else None
        if closed is None:
            continue
        call = signature.call("\n".join(written))
        value = _value_at("\n".join([closed.group("rest"), *lines[index + 1 : end]]), 0)
        index += 1
        while index < end and lines[index].strip() and not INPUT_LINE.match(lines[index]):
            if EXAMPLE_HEADING.match(lines[index]):
                break
            index += 1  # the explanation
        if call is not None and value is not None:
            consumed.update(range(first, index))
            yield _Example(first, 0, call, value, function=signature.name)


def _for_sentences(
    lines: list[str], start: int, end: int, signature: _Signature, consumed: set[int]
) -> Iterator[_Example]:
    """``For a = 1, b = 2 the output should be 3``."""
    text = "\n".join(lines[start:end])
    for match in FOR_SENTENCE.finditer(text):
        call = signature.call(match.group("input"))
        value = _value_at(text, match.end())
        if call is None or value is None:
            continue
        line = start + text.count("\n", 0, match.start())
        consumed.update(range(line, start + text.count("\n", 0, match.end()) + 1))
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1)
        yield _Example(line, column, call, value)


def _assert_lines(
    lines: list[str], functions: frozenset[str], consumed: set[int]
) -> list[_Example]:
    """The ``assert <call> == <value>`` lines written in the text, one line each."""
    found: list[_Example] = []
    for index, line in enumerate(lines):
        if index in consumed or not ASSERT_LINE.match(line):
            continue
        test = _assert_test(line.strip())
        if isinstance(test, ast.Compare) and _is_equality(test):
            left, right = test.left, test.comparators[0]
            example = _checked(index, 0, left, right, functions, functions, "")
            if example is not None:
                consumed.add(index)
                found.append(example)
    return found


# --- inline examples --------------------------------------------------------------------------


def _inline_examples(text: str, functions: frozenset[str], consumed: set[int]) -> list[_Example]:
    """The ``f(x) <operator> y`` examples in ``text`` outside the ``consumed`` lines."""
    if not functions:
        return []
    pattern = re.compile(
        r"(?<![\w.])(?P<name>" + "|".join(re.escape(f) for f in sorted(functions)) + r")\s*\("
    )
    line_starts = [0, *(m.end() for m in re.finditer(r"\n", text))]
    found: list[_Example] = []
    by_equation: set[str] = set()  # functions the text defines by an equation, f(n) = ...
    for match in pattern.finditer(text):
        line = _line_of(line_starts, match.start())
        if line in consumed:
            continue
        before = text[line_starts[line] : match.start()]
        if re.search(r"\b(?:def|class)\s*$", before):
            continue
        end = _closing(text, match.end() - 1)
        if end is None:
            continue
        operator = INLINE_OPERATOR.match(text, end)
        if operator is None:
            continue
        call = _parse_expression(text[match.start() : end])
        if call is None:
            continue
        weak = operator.group("op") == "="
        if weak and not _names_defined(call, functions):
            by_equation.add(match.group("name"))
            continue
        if weak and not BULLET.match(before.strip()):
            continue
        expected = _value_at(text, operator.end())
        if expected is None or _is_signature(call, operator.group("op"), expected):
            continue
        column = match.start() - line_starts[line]
        example = _checked(line, column, call, expected, functions, functions, "", weak=weak)
        if example is not None:
            found.append(replace(example, function=match.group("name")))
    return [e for e in found if not (e.weak and e.function in by_equation)]


def _is_signature(call: ast.expr, operator: str, expected: ast.expr) -> bool:
    """Whether ``f() -> None`` is rather a signature in prose than an example."""
    return (
        operator == "->"
        and isinstance(call, ast.Call)
        and not (call.args or call.keywords)
        and isinstance(expected, ast.Constant)
        and expected.value is None
    )


def _value_at(text: str, start: int) -> ast.expr | None:
    """The literal-like value written at ``text[start:]``, cut from the prose that follows."""
    written = text[start : _expression_end(text, start)].strip()
    for candidate in [written, *(written[:cut] for cut in reversed(_prose_cuts(written)))]:
        value = _literal_value(_trim(candidate))
        if value is not None:
            return value
    return None


def _literal_value(written: str) -> ast.expr | None:
    """``written`` as a literal-like value; also the result of a worked sum that checks out
    (``19 - 5 - 6 = 8``), and prose's ``true`` / ``false``."""
    if written in ("true", "false"):
        return ast.Constant(written == "true")
    value = _parse_expression(written)
    if value is not None:
        return value if _is_literal(value) else None
    sides = [_parse_expression(side) for side in re.split(r"(?<![=!<>])=(?!=)", written)]
    if len(sides) < 2 or any(side is None or not _is_number(side) for side in sides):
        return None
    results = [_arithmetic(side) for side in sides if side is not None]
    first = results[0]
    if first is None or any(
        r is None or abs(r - first) > 1e-9 * max(1, abs(first)) for r in results
    ):
        return None
    return sides[-1]


def _trim(text: str) -> str:
    """``text`` without the sentence punctuation that may follow a value, nor the backticks
    that may quote it."""
    return text.strip().strip("`").rstrip(".,;:").strip().strip("`").strip()


def _prose_cuts(text: str) -> list[int]:
    """Offsets in ``text`` where prose may begin after a value: whitespace, outside brackets and
    strings, followed by ``(``, ``and`` or a word that is not a Python keyword."""
    cuts: list[int] = []
    for index, char, depth in _unquoted(text, 0):
        if depth == 0 and char.isspace():
            word = re.match(r"\s*(\(|[A-Za-z_]\w*)", text[index:])
            if word and (word.group(1) == "and" or not keyword.iskeyword(word.group(1))):
                cuts.append(index)
    return cuts


def _closing(text: str, start: int) -> int | None:
    """The offset just past the bracket that closes ``text[start]``; None when the text ends, a
    blank line, a comment or a triple quote comes first, or the scan runs past
    :data:`SCAN_LIMIT`."""
    for index, char, depth in _unquoted(text, start):
        if char in ")]}" and depth == 1:
            return index + 1
        if char in "#'\"" or (char == "\n" and re.match(r"\n[ \t]*\n", text[index:])):
            return None
    return None


def _expression_end(text: str, start: int) -> int:
    """Where the value starting at ``text[start]`` ends: the end of its line, or of the line
    where its brackets close; a closing ``\"\"\"`` or an unmatched closing bracket ends it too."""
    for index, char, depth in _unquoted(text, start):
        if depth == 0 and (char in "\n'\"" or char in ")]}"):
            return index
    return min(len(text), start + SCAN_LIMIT)


def _unquoted(text: str, start: int) -> Iterator[tuple[int, str, int]]:
    """Each character of ``text[start:]`` outside string literals (up to :data:`SCAN_LIMIT`),
    with the bracket depth before it. A triple quote is yielded as its first character, not
    entered (in raw text it ends a docstring); a one-line string ends at a line's end (it's
    prose's apostrophe), whose newline is yielded."""
    depth = 0
    quote = ""
    index = start
    stop = min(len(text), start + SCAN_LIMIT)
    while index < stop:
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
            elif char == "\n":
                quote = ""
                yield index, char, depth
        elif text.startswith(CLOSING_QUOTES, index):
            yield index, char, depth
            index += 2
        elif char in "'\"":
            quote = char
        else:
            yield index, char, depth
            depth += (char in "([{") - (char in ")]}")
        index += 1


# --- model replies ----------------------------------------------------------------------------


def _fenced_code(reply: str) -> str:
    """The Python in a reply's code fences (an unclosed last fence included); the whole reply
    when it has no fence."""
    blocks = re.findall(r"```[ \t]*(\w*)[^\n]*\n(.*?)(?:```|\Z)", reply, re.S)
    code = [
        body for language, body in blocks if language.lower() in ("", "python", "py", "python3")
    ]
    return "\n".join(code) if code else reply


def _logical_lines(code: str) -> Iterator[str]:
    """The lines of ``code`` dedented, a line whose brackets stay open joined with the next ones
    (up to :data:`MAX_JOINED_LINES`)."""
    lines = [line.strip() for line in code.splitlines()]
    index = 0
    while index < len(lines):
        for last in range(index, min(index + MAX_JOINED_LINES, len(lines))):
            joined = "\n".join(lines[index : last + 1])
            if _is_complete(joined):
                yield joined
                index = last + 1
                break
        else:
            yield lines[index]
            index += 1


def _is_complete(code: str) -> bool:
    """Whether no bracket or triple-quoted string stays open at the end of ``code``."""
    try:
        for _ in tokenize.generate_tokens(io.StringIO(code).readline):
            pass
    except tokenize.TokenError:
        return False
    except SyntaxError:
        return True
    return True


def _assert_test(statement: str) -> ast.expr | None:
    """The condition of ``assert <test>``, or the comparison of a bare ``a == b`` line."""
    try:
        tree = ast.parse(statement)
    except SyntaxError:
        return None
    if len(tree.body) != 1:
        return None
    node = tree.body[0]
    if isinstance(node, ast.Assert):
        return node.test
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Compare):
        return node.value if _is_equality(node.value) else None
    return None


# --- shared -----------------------------------------------------------------------------------


def _checked(
    line: int,
    column: int,
    call: ast.expr,
    expected: ast.expr,
    functions: frozenset[str],
    known: frozenset[str] | set[str],
    setup: str,
    *,
    weak: bool = False,
) -> _Example | None:
    """The example, if its call calls a function, uses only known names and its value is
    literal-like."""
    if not _calls(call, functions) or not _names_defined(call, known) or not _is_literal(expected):
        return None
    return _Example(line, column, call, expected, setup=setup, weak=weak)


def _check_of(example: _Example) -> Check:
    call = _operand(example.call)
    prefix = f"{example.setup}\n" if example.setup else ""
    if example.expected is None:
        label = f"{call} raises {example.raises}"
        body = (
            f"try:\n    {call}\nexcept {example.raises}:\n    pass\n"
            f"else:\n    raise AssertionError({label!r})"
        )
        return Check(prefix + body, "example", label)
    label = f"{call} == {_operand(example.expected)}"
    return Check(f"{prefix}assert {label}", "example", label)


def _operand(node: ast.expr) -> str:
    """``node`` as the source of an operand of ``==``, in brackets where it binds looser."""
    text = ast.unparse(node)
    loose = isinstance(node, ast.Compare | ast.BoolOp | ast.IfExp | ast.Lambda | ast.NamedExpr)
    if loose or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
        return f"({text})"
    return text


def _parse_expression(text: str) -> ast.expr | None:
    try:
        return ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return None


def _calls(node: ast.AST, functions: Collection[str]) -> bool:
    """Whether ``node`` calls one of ``functions`` by name."""
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in functions
        for n in ast.walk(node)
    )


def _names_defined(node: ast.AST, known: Collection[str]) -> bool:
    """Whether every name ``node`` reads is in ``known``, a safe builtin or bound inside it."""
    bound = {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    bound |= {a.arg for n in ast.walk(node) if isinstance(n, ast.Lambda) for a in _args(n.args)}
    return all(
        n.id in known or n.id in SAFE_BUILTINS or n.id in bound
        for n in ast.walk(node)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    )


def _args(arguments: ast.arguments) -> list[ast.arg]:
    extra = [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, *extra]


def _is_literal(node: ast.expr) -> bool:
    """Whether ``node`` is a literal-like value: constants, displays of them, signed numbers,
    arithmetic on numbers, and ``set()``, ``float('inf')`` and their kind."""
    match node:
        case ast.Constant(value=value):
            return value is not Ellipsis
        case ast.Tuple(elts=items) | ast.List(elts=items) | ast.Set(elts=items):
            return all(_is_literal(item) for item in items)
        case ast.Dict(keys=keys, values=values):
            return all(k is not None and _is_literal(k) for k in keys) and all(
                _is_literal(v) for v in values
            )
        case ast.UnaryOp(op=ast.USub() | ast.UAdd(), operand=operand):
            return _is_number(operand)
        case ast.BinOp(op=ast.Add() | ast.Sub() | ast.Mult() | ast.Div(), left=left, right=right):
            return _is_number(left) and _is_number(right)
        case ast.Call(func=ast.Name(id=name), args=args, keywords=[]):
            return name in LITERAL_CONSTRUCTORS and len(args) <= 1 and _is_constructed(name, args)
    return False


def _is_number(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float | complex) and not isinstance(node.value, bool)
    return _is_literal(node) and isinstance(node, ast.UnaryOp | ast.BinOp)


def _arithmetic(node: ast.expr) -> complex | None:
    """The value of a literal-like number (a constant, a sign, ``+ - * /``)."""
    match node:
        case ast.Constant(value=int() | float() | complex() as value) if not isinstance(
            value, bool
        ):
            return complex(value)
        case ast.UnaryOp(op=op, operand=operand):
            inner = _arithmetic(operand)
            return None if inner is None else (-inner if isinstance(op, ast.USub) else inner)
        case ast.BinOp(op=op, left=left, right=right):
            a, b = _arithmetic(left), _arithmetic(right)
            if a is None or b is None:
                return None
            if isinstance(op, ast.Add):
                return a + b
            if isinstance(op, ast.Sub):
                return a - b
            if isinstance(op, ast.Mult):
                return a * b
            return a / b if isinstance(op, ast.Div) and b != 0 else None
    return None


def _is_constructed(name: str, args: list[ast.expr]) -> bool:
    if not args:
        return True
    (arg,) = args
    if name == "float":
        return isinstance(arg, ast.Constant) and str(arg.value).lower() in INFINITIES
    return _is_literal(arg)


def _starts_with_call(line: str, functions: frozenset[str]) -> bool:
    called = re.match(r"([A-Za-z_]\w*)\s*\(", line)
    return called is not None and called.group(1) in functions


def _is_name(node: ast.expr, names: Collection[str]) -> bool:
    return isinstance(node, ast.Name) and node.id in names


def _is_equality(node: ast.Compare) -> bool:
    return len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq)


def _is_true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _is_builtin_exception(name: str) -> bool:
    value = getattr(builtins, name, None)
    return isinstance(value, type) and issubclass(value, BaseException)


def _is_placeholder(statement: ast.stmt) -> bool:
    """Whether ``statement`` is a docstring, ``pass`` or ``...``."""
    if isinstance(statement, ast.Pass):
        return True
    return isinstance(statement, ast.Expr) and (
        isinstance(statement.value, ast.Constant)
        and (isinstance(statement.value.value, str) or statement.value.value is Ellipsis)
    )


def _is_text(node: ast.AST) -> TypeGuard[ast.Expr]:
    """Whether ``node`` is a statement that is only a string: a docstring."""
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _assigned_names(tree: ast.Module) -> set[str]:
    """The names a doctest statement binds."""
    names = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
    return names


def _line_of(line_starts: list[int], offset: int) -> int:
    low, high = 0, len(line_starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if line_starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low
