"""How programs are started: an import alone is a note, and a value that may start with
``-`` in an argument list with no ``--`` before it is option injection (SC211)."""

from __future__ import annotations

import ast

import pytest

from analysis.findings import Severity
from analysis.security import loaded_registry, scan, scan_findings
from analysis.security.issue import Confidence

PING = "import subprocess\n\n\ndef ping(host):\n"

# (name, code) that SC211 flags
OPTION_INJECTION: tuple[tuple[str, str], ...] = (
    ("a parameter after the options", PING + "    subprocess.run(['ping', '-c', '1', host])"),
    (
        "a parameter after a flag",
        "import subprocess\ndef ls(path):\n    subprocess.run(['ls', '-l', path])",
    ),
    (
        "a list bound to a name",
        PING + "    cmd = ['ping', host]\n    subprocess.run(cmd, check=True)",
    ),
    (
        "an annotated list",
        PING + "    cmd: list[str] = ['ping', host]\n    subprocess.run(cmd)",
    ),
    ("the args keyword", PING + "    subprocess.Popen(args=['ping', host])"),
    ("a tuple", PING + "    subprocess.check_output(('ping', host))"),
    ("an f-string that starts with the value", PING + "    subprocess.run(['ping', f'{host}'])"),
    ("a concatenation that starts with it", PING + "    subprocess.run(['ping', host + '.lan'])"),
    ("unpacked values", "import subprocess\ndef rm(files):\n    subprocess.run(['rm', *files])"),
    ("an attribute", "import subprocess\nsubprocess.run(['ping', args.host])"),
    ("a value read from a call", "import subprocess\nsubprocess.run(['cat', input()])"),
    (
        "a name bound to a non-literal",
        "import subprocess\nhost = input()\nsubprocess.run(['ping', host])",
    ),
    ("a name bound nowhere", "import subprocess\nsubprocess.run(['ping', host])"),
    (
        "a check after the call",
        PING + "    subprocess.run(['ping', host])\n    assert host.isalnum()",
    ),
    (
        "a test that only asks if it is empty",
        PING + "    if not host:\n        return\n    subprocess.run(['ping', host])",
    ),
    ("a type check", PING + "    assert isinstance(host, str)\n    subprocess.run(['ping', host])"),
    ("a value before the '--'", PING + "    subprocess.run(['ping', host, '--', 'x'])"),
    (
        "asyncio's exec",
        "import asyncio\nasync def ping(host):\n    await asyncio.create_subprocess_exec('ping', host)",
    ),
)

# (name, code) that SC211 leaves alone
NO_OPTION_INJECTION: tuple[tuple[str, str], ...] = (
    ("'--' before the value", PING + "    subprocess.run(['ping', '-c', '1', '--', host])"),
    (
        "'--' before unpacked values",
        "import subprocess\ndef rm(files):\n    subprocess.run(['rm', '--', *files])",
    ),
    ("literals only", "import subprocess\nsubprocess.run(['ls', '-l', '/srv'])"),
    (
        "a module constant",
        "import subprocess\nHOST = 'example.com'\ndef ping():\n    subprocess.run(['ping', HOST])",
    ),
    (
        "a local constant",
        PING + "    count = '3'\n    subprocess.run(['ping', '-c', count, '--', host])",
    ),
    (
        "a loop over literals",
        "import subprocess\nfor h in ('a.lan', 'b.lan'):\n    subprocess.run(['ping', h])",
    ),
    (
        "an option with its value attached",
        PING + "    subprocess.run(['ssh', f'-oHostName={host}', 'box'])",
    ),
    ("fixed text first", PING + "    subprocess.run(['ssh', 'admin@' + host, 'uptime'])"),
    (
        "the program alone a variable",
        "import subprocess, sys\nsubprocess.run([sys.executable, '-V'])",
    ),
    (
        "a startswith check",
        PING
        + "    if host.startswith('-'):\n        raise ValueError(host)\n    subprocess.run(['ping', host])",
    ),
    (
        "a pattern check",
        "import re, subprocess\n\ndef ping(host):\n    assert re.fullmatch(r'[a-z.]+', host)\n    subprocess.run(['ping', host])",
    ),
    (
        "an allow-list",
        PING + "    if host not in {'a', 'b'}:\n        return\n    subprocess.run(['ping', host])",
    ),
    (
        "a list changed after it is built",
        PING + "    cmd = ['ping']\n    cmd.append(host)\n    subprocess.run(cmd)",
    ),
    ("a list the code does not show", "import subprocess\ndef run(cmd):\n    subprocess.run(cmd)"),
    ("shell=True (SC207's)", PING + "    subprocess.run(['ping', host], shell=True)"),
    ("not a process call", "import json\ndef dump(host):\n    json.dumps(['ping', host])"),
)


def _flagged(code: str) -> bool:
    return "SC211" in {issue.id for issue in scan(code)}


@pytest.mark.parametrize(("name", "code"), OPTION_INJECTION, ids=[n for n, _ in OPTION_INJECTION])
def test_a_value_that_may_start_an_option_is_flagged(name: str, code: str) -> None:
    assert _flagged(code), name


@pytest.mark.parametrize(
    ("name", "code"), NO_OPTION_INJECTION, ids=[n for n, _ in NO_OPTION_INJECTION]
)
def test_an_argument_that_cannot_start_an_option_is_not_flagged(name: str, code: str) -> None:
    assert not _flagged(code), name


def test_option_injection_is_one_low_confidence_warning_on_the_call_line() -> None:
    code = PING + "    subprocess.run(['ping', '-c', count, host])"
    found = [i for i in scan(code) if i.id == "SC211"]
    assert [(i.line, i.severity, i.confidence, i.cwe) for i in found] == [
        (5, Severity.WARNING, Confidence.LOW, 88)
    ]
    assert "put '--' before user-controlled arguments" in found[0].message


def _import_only_rules() -> set[str]:
    """The rules that only checks of import statements report."""
    registry = loaded_registry()
    imports = {ast.Import, ast.ImportFrom}
    by_imports = {r.id for c in registry.checks if set(c.node_types) <= imports for r in c.rules}
    elsewhere = {r.id for c in registry.checks if not set(c.node_types) <= imports for r in c.rules}
    return by_imports - elsewhere


def test_an_import_alone_is_a_low_confidence_note() -> None:
    rules = loaded_registry().rules
    only = _import_only_rules()
    assert {"SC201", "SC402", "SC615"} <= only
    assert {(rules[i].severity, rules[i].confidence) for i in only} == {
        (Severity.INFO, Confidence.LOW)
    }


def test_importing_subprocess_reads_as_a_note_not_a_high_confidence_warning() -> None:
    [finding] = scan_findings("import subprocess\n")
    assert (finding.rule, finding.severity) == ("SC201", Severity.INFO)
    assert "low confidence" in finding.message
