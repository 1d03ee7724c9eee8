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
from analysis.security.registry import check
from analysis.security.rules import (
    BIND_ALL,
    FLASK_DEBUG,
    JINJA_AUTOESCAPE,
    JWT_UNVERIFIED,
    LXML_ENTITIES,
    NO_TIMEOUT,
    OPEN_URL,
    SQL_FORMATTING,
    UNSAFE_MARKUP,
    UNVERIFIED_TLS,
    VERIFY_FALSE,
    WEAK_TLS,
)
from analysis.security.tables import (
    HTTP_LIBRARIES,
    HTTP_VERBS,
    LXML_PARSERS,
    WEAK_TLS_CONSTANTS,
    WEAK_TLS_VERSIONS,
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
        "six.moves.urllib.request.urlretrieve",
    }
)
_URL_OPENER_CLASSES = frozenset(
    f"{package}.{name}"
    for package in ("urllib.request", "six.moves.urllib.request")
    for name in ("URLopener", "FancyURLopener")
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
_HTTP_OWNERS = frozenset({"", "api", "Session()", "session()", "Client()", "AsyncClient()"})
_BIND_ALL_ADDRESS = "0.0.0.0"
_TLS_MODULES = frozenset({"ssl", "OpenSSL.SSL"})
_TLS_VERSION_NAMES = frozenset(name.rsplit(".", 1)[1] for name in WEAK_TLS_VERSIONS)
_JINJA_ENVIRONMENTS = frozenset(
    {"jinja2.Environment", "jinja2.environment.Environment", "jinja2.sandbox.SandboxedEnvironment"}
)


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
        and expr.func.attr in ("format", "replace")
    ):
        base = _literal_parts(expr.func.value)
        if base is None:
            return None
        if expr.func.attr == "replace":
            return base[0], base[1] or not all(isinstance(a, ast.Constant) for a in expr.args)
        return base[0], base[1] or bool(expr.args or expr.keywords)
    return None


def _builds_string(node: ast.AST | None) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod)


@check((ast.JoinedStr, ast.BinOp, ast.Call), SQL_FORMATTING)
def sql_string_building(ctx: Context[ast.JoinedStr | ast.BinOp | ast.Call]) -> bool:
    """A query whose text is built with f-strings, ``%``, ``+``, ``.format`` or ``.replace``."""
    if _builds_string(ctx.parent):
        return False
    parts = _literal_parts(ctx.node)
    if parts is None or isinstance(ctx.node, ast.Constant):
        return False
    text, dynamic = parts
    return dynamic and bool(_SQL.search(text))


def _http_function(ctx: Context[ast.Call]) -> tuple[str, str] | None:
    """``(library, function)`` for a requests/httpx call: ``("requests", "get")`` for
    ``requests.get`` and for ``requests.Session().get``."""
    name = callee(ctx)
    if name is None:
        return None
    root, _, rest = name.partition(".")
    owner, _, function = rest.rpartition(".")
    if root not in HTTP_LIBRARIES or owner not in _HTTP_OWNERS:
        return None
    return root, function


@check(ast.Call, NO_TIMEOUT)
def request_without_timeout(ctx: Context[ast.Call]) -> bool:
    """A requests call (sessions too) with no ``timeout``, or requests/httpx with
    ``timeout=None`` (httpx has a default timeout; requests waits forever)."""
    found = _http_function(ctx)
    if found is None or found[1] not in HTTP_VERBS:
        return False
    timeout = argument(ctx.node, None, "timeout")
    if timeout is None:
        return found[0] == "requests" and not has_keyword(ctx.node, "timeout")
    return constant(timeout) is None


@check(ast.Call, VERIFY_FALSE)
def tls_verification_off(ctx: Context[ast.Call]) -> bool:
    """Any requests/httpx call (sessions and clients too) passing ``verify=False``."""
    name = callee(ctx)
    return (
        name is not None
        and name.partition(".")[0] in HTTP_LIBRARIES
        and is_false(argument(ctx.node, None, "verify"))
    )


@check((ast.Attribute, ast.Name), WEAK_TLS)
def weak_tls_protocol(ctx: Context[ast.Attribute | ast.Name]) -> bool:
    """``ssl.PROTOCOL_TLSv1``, ``SSL.SSLv3_METHOD``, ``ssl.TLSVersion.TLSv1`` and the like,
    by identifier, whatever object they are read from."""
    node = ctx.node
    identifier = node.attr if isinstance(node, ast.Attribute) else node.id
    if identifier in WEAK_TLS_CONSTANTS:
        return isinstance(node.ctx, ast.Load)
    return identifier in _TLS_VERSION_NAMES and ctx.qualname(node) in WEAK_TLS_VERSIONS


@check(ast.ImportFrom, WEAK_TLS)
def weak_tls_import(ctx: Context[ast.ImportFrom]) -> bool:
    """``from ssl import PROTOCOL_TLSv1 as OLD``: the constant may be used under any name."""
    return ctx.node.module in _TLS_MODULES and any(
        alias.name in WEAK_TLS_CONSTANTS for alias in ctx.node.names
    )


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
    """``app.run(debug=True)`` on a Flask app, or on an app of unknown origin (a local
    variable, what an app factory returns)."""
    found = receiver(ctx)
    if found is None or found[1] != "run":
        return False
    owner = found[0]
    from_flask = owner is None or owner.split(".", 1)[0] == "flask" or owner.endswith("()")
    return from_flask and is_true(argument(ctx.node, None, "debug"))


@check(ast.Call, JINJA_AUTOESCAPE)
def jinja_autoescape_off(ctx: Context[ast.Call]) -> bool:
    """``jinja2.Environment()`` without autoescape, or with ``autoescape=False``."""
    if callee(ctx) not in _JINJA_ENVIRONMENTS:
        return False
    autoescape = argument(ctx.node, None, "autoescape")
    if autoescape is None:
        return not has_keyword(ctx.node, "autoescape")
    return is_false(autoescape)


@check(ast.Call, OPEN_URL)
def open_computed_url(ctx: Context[ast.Call]) -> bool:
    """``urllib.request.urlopen(url)`` where ``url`` is not a literal, or a ``URLopener``
    (it opens whatever URL it is given, ``file://`` included)."""
    name = callee(ctx)
    if name in _URL_OPENER_CLASSES:
        return True
    url = argument(ctx.node, 0, "url")
    return name in _URL_OPENERS and url is not None and not isinstance(constant(url), str)


@check(ast.Call, UNSAFE_MARKUP)
def unsafe_markup(ctx: Context[ast.Call]) -> bool:
    """``Markup(text)`` / ``mark_safe(text)`` on computed text."""
    text = argument(ctx.node, 0, None)
    return callee(ctx) in _MARKUP and text is not None and not isinstance(constant(text), str)


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
