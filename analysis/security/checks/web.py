"""Web and network: SQL built from strings, HTTP and TLS settings, XML parsers, servers."""

from __future__ import annotations

import ast
import re

from analysis.security.context import (
    Context,
    argument,
    callee,
    constant,
    has_keyword,
    is_false,
    is_true,
    receiver,
)
from analysis.security.registry import check, rule
from analysis.security.tables import (
    ERROR,
    HIGH,
    HTTP_LIBRARIES,
    HTTP_VERBS,
    LXML_PARSERS,
    MEDIUM,
    UNVERIFIED_TLS,
    WARNING,
)

SQL_FORMATTING = rule(
    "SC601",
    cwe=89,
    severity=ERROR,
    confidence=MEDIUM,
    message="SQL built by string formatting or concatenation allows SQL "
    "injection; pass values as query parameters, e.g. "
    "cursor.execute('... WHERE id = ?', (value,))",
)
NO_TIMEOUT = rule(
    "SC602",
    cwe=400,
    severity=WARNING,
    confidence=MEDIUM,
    message="an HTTP request without a timeout can hang forever; pass timeout=<seconds>",
)
VERIFY_FALSE = rule(
    "SC603",
    cwe=295,
    severity=ERROR,
    confidence=HIGH,
    message="verify=False turns off certificate checking (man-in-the-middle); "
    "keep verification on, or pass verify=<CA bundle path>",
)
LXML_ENTITIES = rule(
    "SC606",
    cwe=611,
    severity=ERROR,
    confidence=MEDIUM,
    message="lxml resolves external entities by default (XXE); use "
    "defusedxml, or an XMLParser(resolve_entities=False, no_network=True)",
)
BIND_ALL = rule(
    "SC607",
    cwe=605,
    severity=WARNING,
    confidence=MEDIUM,
    message="binding to 0.0.0.0 exposes the service on every network interface; "
    "bind to 127.0.0.1 unless outside access is intended",
)
FLASK_DEBUG = rule(
    "SC608",
    cwe=94,
    severity=ERROR,
    confidence=HIGH,
    message="Flask debug mode exposes the Werkzeug debugger, which runs code "
    "from the browser; never pass debug=True outside local development",
)
JINJA_AUTOESCAPE = rule(
    "SC609",
    cwe=79,
    severity=ERROR,
    confidence=HIGH,
    message="Jinja2 without autoescape renders input as raw HTML (XSS); "
    "pass autoescape=select_autoescape() or autoescape=True",
)
OPEN_URL = rule(
    "SC611",
    cwe=918,
    severity=WARNING,
    confidence=MEDIUM,
    message="opening a computed URL lets input reach internal hosts or file:// "
    "(SSRF); check the scheme and host against an allow-list first",
)
UNSAFE_MARKUP = rule(
    "SC612",
    cwe=79,
    severity=WARNING,
    confidence=MEDIUM,
    message="marking computed text as safe HTML skips escaping (XSS); escape it "
    "or build it from a template with autoescape",
)

_SQL = re.compile(
    r"(select\s.*from\s|delete\s+from\s|insert\s+into\s.*values|update\s.*set\s)",
    re.IGNORECASE | re.DOTALL,
)
_URL_OPENERS = frozenset(
    {
        "urllib.request.urlopen",
        "urllib.request.urlretrieve",
        "urllib.urlopen",
        "urllib.urlretrieve",
        "urllib2.urlopen",
        "six.moves.urllib.request.urlopen",
    }
)
_MARKUP = frozenset(
    {
        "markupsafe.Markup",
        "flask.Markup",
        "jinja2.Markup",
        "django.utils.safestring.mark_safe",
        "django.utils.html.mark_safe",
    }
)
_BIND_ALL_ADDRESS = "0.0.0.0"


def _literal_parts(expr: ast.AST) -> tuple[str, bool] | None:
    """The literal text of a string-building expression and whether any part is computed."""
    if isinstance(expr, ast.Constant):
        return (expr.value, False) if isinstance(expr.value, str) else None
    if isinstance(expr, ast.JoinedStr):
        text = "".join(str(part.value) for part in expr.values if isinstance(part, ast.Constant))
        return text, any(isinstance(part, ast.FormattedValue) for part in expr.values)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left, right = _literal_parts(expr.left), _literal_parts(expr.right)
        if left is None and right is None:
            return None
        left_text, left_dynamic = left if left is not None else (" ", True)
        right_text, right_dynamic = right if right is not None else (" ", True)
        return left_text + right_text, left_dynamic or right_dynamic
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
        left = _literal_parts(expr.left)
        if left is None:
            return None
        return left[0], not isinstance(expr.right, ast.Constant)
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "format"
    ):
        base = _literal_parts(expr.func.value)
        if base is None:
            return None
        return base[0], bool(expr.args or expr.keywords)
    return None


def _builds_string(node: ast.AST | None) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod)


@check((ast.JoinedStr, ast.BinOp, ast.Call), SQL_FORMATTING)
def sql_string_building(ctx: Context[ast.JoinedStr | ast.BinOp | ast.Call]) -> bool:
    """A query whose text is built with f-strings, ``%``, ``+`` or ``.format``."""
    if _builds_string(ctx.parent):
        return False
    parts = _literal_parts(ctx.node)
    if parts is None or isinstance(ctx.node, ast.Constant):
        return False
    text, dynamic = parts
    return dynamic and bool(_SQL.search(text))


def _http_function(ctx: Context[ast.Call]) -> str | None:
    name = callee(ctx)
    if name is None:
        return None
    root, _, rest = name.partition(".")
    return rest if root in HTTP_LIBRARIES else None


@check(ast.Call, NO_TIMEOUT)
def request_without_timeout(ctx: Context[ast.Call]) -> bool:
    """``requests.get(url)`` (or httpx) with no ``timeout``, or ``timeout=None``."""
    function = _http_function(ctx)
    if function not in HTTP_VERBS:
        return False
    timeout = argument(ctx.node, None, "timeout")
    if timeout is None:
        return not has_keyword(ctx.node, "timeout")
    return constant(timeout) is None


@check(ast.Call, VERIFY_FALSE)
def tls_verification_off(ctx: Context[ast.Call]) -> bool:
    """Any requests/httpx call (sessions and clients too) passing ``verify=False``."""
    return _http_function(ctx) is not None and is_false(argument(ctx.node, None, "verify"))


@check(ast.Assign, UNVERIFIED_TLS)
def hostname_check_off(ctx: Context[ast.Assign]) -> bool:
    """``context.check_hostname = False``."""
    return is_false(ctx.node.value) and any(
        isinstance(target, ast.Attribute) and target.attr == "check_hostname"
        for target in ctx.node.targets
    )


@check(ast.Call, LXML_ENTITIES)
def lxml_external_entities(ctx: Context[ast.Call]) -> bool:
    """lxml parsing with its default parser, or an ``XMLParser`` that resolves entities."""
    name = callee(ctx)
    if name not in LXML_PARSERS:
        return False
    if name.endswith("XMLParser"):
        return not is_false(argument(ctx.node, None, "resolve_entities"))
    return argument(ctx.node, 1, "parser") is None


@check(ast.Constant, BIND_ALL)
def bind_all_interfaces(ctx: Context[ast.Constant]) -> bool:
    """The literal ``"0.0.0.0"`` (outside a docstring)."""
    return ctx.node.value == _BIND_ALL_ADDRESS and not ctx.is_docstring()


@check(ast.Call, FLASK_DEBUG)
def flask_debug(ctx: Context[ast.Call]) -> bool:
    """``app.run(debug=True)`` on a Flask app (or an app of unknown origin)."""
    found = receiver(ctx)
    if found is None or found[1] != "run":
        return False
    owner = found[0]
    from_flask = owner is None or owner.split(".", 1)[0] == "flask"
    return from_flask and is_true(argument(ctx.node, None, "debug"))


@check(ast.Call, JINJA_AUTOESCAPE)
def jinja_autoescape_off(ctx: Context[ast.Call]) -> bool:
    """``jinja2.Environment()`` without autoescape, or with ``autoescape=False``."""
    if callee(ctx) != "jinja2.Environment":
        return False
    autoescape = argument(ctx.node, None, "autoescape")
    if autoescape is None:
        return not has_keyword(ctx.node, "autoescape")
    return is_false(autoescape)


@check(ast.Call, OPEN_URL)
def open_computed_url(ctx: Context[ast.Call]) -> bool:
    """``urllib.request.urlopen(url)`` where ``url`` is not a literal."""
    url = argument(ctx.node, 0, "url")
    return callee(ctx) in _URL_OPENERS and url is not None and not isinstance(constant(url), str)


@check(ast.Call, UNSAFE_MARKUP)
def unsafe_markup(ctx: Context[ast.Call]) -> bool:
    """``Markup(text)`` / ``mark_safe(text)`` on computed text."""
    text = argument(ctx.node, 0, None)
    return callee(ctx) in _MARKUP and text is not None and not isinstance(constant(text), str)


JWT_UNVERIFIED = rule(
    "SC614",
    cwe=347,
    severity=ERROR,
    confidence=HIGH,
    message="decoding a JWT without verifying its signature trusts forged "
    "tokens; pass the key and algorithms=[...] and keep verification on",
)

_JWT_DECODERS = frozenset({"jwt.decode", "jose.jwt.decode", "jwt.api_jwt.decode"})


def _turns_off_signature(options: ast.AST | None) -> bool:
    if not isinstance(options, ast.Dict):
        return False
    return any(
        constant(key) in ("verify_signature", "verify") and is_false(value)
        for key, value in zip(options.keys, options.values, strict=True)
    )


@check(ast.Call, JWT_UNVERIFIED)
def jwt_unverified(ctx: Context[ast.Call]) -> bool:
    """``jwt.decode(token, verify=False)`` or ``options={"verify_signature": False}``."""
    if callee(ctx) not in _JWT_DECODERS:
        return False
    call = ctx.node
    return is_false(argument(call, None, "verify")) or _turns_off_signature(
        argument(call, None, "options")
    )
