"""Cryptography and secrets: weak hashes, small keys, predictable randomness, secrets in code."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from analysis.security.context import (
    Context,
    argument,
    callee,
    constant,
    is_false,
    mentioned_names,
    target_keys,
    target_names,
)
from analysis.security.registry import Rule, check, table_check
from analysis.security.rules import (
    HARDCODED_KEY,
    HARDCODED_PASSWORD,
    PASSWORD_DIGEST,
    PREDICTABLE_RANDOM,
    RANDOM_GENERATOR,
    SMALL_KEY,
    WEAK_HASH,
)
from analysis.security.tables import (
    FAST_HASHES,
    WEAK_HASH_NAMES,
    WEAK_HASHES,
)

_SECRET_WORDS = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "credential",
    "apikey",
    "api_key",
    "access_key",
    "private_key",
    "auth_token",
    "access_token",
    "api_token",
)
_SECRET_SUFFIX = re.compile(r"(^|_)(pass|pwd|pw)$")
_KEY_NAME = re.compile(
    r"(^|_)(key|iv|salt|nonce|aes_key|enc_key|encryption_key|signing_key|"
    r"hmac_key|cipher_key)$"
)
_SECURITY_WORDS = frozenset(
    {
        "token",
        "tokens",
        "session",
        "sessionid",
        "sid",
        "nonce",
        "salt",
        "otp",
        "totp",
        "pin",
        "csrf",
        "xsrf",
        "key",
        "keys",
        "apikey",
        "secret",
        "secrets",
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "auth",
        "authentication",
        "credential",
        "credentials",
        "cookie",
        "crypto",
        "cryptographic",
        "secure",
        "verification",
        "signature",
        "iv",
    }
)
_TEXT_WORDS = frozenset({"string", "str"})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_KEY_MATERIAL = re.compile(r"-----BEGIN ([A-Z]+ )?PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b")
_RANDOM_NAMES = (
    "random",
    "randint",
    "randrange",
    "choice",
    "choices",
    "sample",
    "getrandbits",
    "randbytes",
    "uniform",
    "triangular",
    "shuffle",
)
_RANDOM_FUNCTIONS = frozenset(
    {"random.Random"}
    | {f"random.{name}" for name in _RANDOM_NAMES}
    | {f"random.Random().{name}" for name in _RANDOM_NAMES}
)
_EC_GENERATOR = "cryptography.hazmat.primitives.asymmetric.ec.generate_private_key"
_WEAK_CURVES = frozenset(
    f"cryptography.hazmat.primitives.asymmetric.ec.{curve}"
    for curve in ("SECP192R1", "SECT163K1", "SECT163R2")
)
_WEAK_CRYPT_METHODS = frozenset({"crypt.METHOD_CRYPT", "crypt.METHOD_MD5"})
_CRYPT_SALTS = {"crypt.crypt": (1, "salt"), "crypt.mksalt": (0, "method")}
_KEY_GENERATORS = {
    "cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key": (1, "key_size"),
    "cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key": (0, "key_size"),
    **{
        f"{package}.PublicKey.{algorithm}.generate": (0, "bits")
        for package in ("Crypto", "Cryptodome")
        for algorithm in ("RSA", "DSA")
    },
}
_SALTED_KDFS = {"hashlib.pbkdf2_hmac": (2, "salt"), "hashlib.scrypt": (None, "salt")}
_MIN_KEY_BITS = 2048
_MIN_KEY_LITERAL = 8


def is_secret_name(name: str) -> bool:
    """True when an identifier names a password, secret or credential."""
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS) or bool(_SECRET_SUFFIX.search(lowered))


def _is_text_literal(expr: ast.AST | None, *, allow_empty: bool = False) -> bool:
    value = constant(expr)
    return isinstance(value, str | bytes) and (allow_empty or len(value) > 0)


@table_check(ast.Call, (WEAK_HASH, PASSWORD_DIGEST))
def weak_digest(ctx: Context[ast.Call]) -> Iterator[Rule]:
    """MD5/SHA-1 for anything, any fast digest over something named like a password, or
    ``crypt`` with its DES or MD5 method."""
    name = callee(ctx)
    if name in _CRYPT_SALTS:
        method = ctx.qualname(argument(ctx.node, *_CRYPT_SALTS[name]))
        if method in _WEAK_CRYPT_METHODS:
            yield PASSWORD_DIGEST
        return
    if name not in FAST_HASHES:
        return
    call = ctx.node
    data = call.args[1:] if name == "hashlib.new" else call.args
    if any(is_secret_name(word) for arg in data for word in mentioned_names(arg)):
        yield PASSWORD_DIGEST
        return
    if name == "hashlib.new":
        algorithm = constant(argument(call, 0, "name"))
        weak = isinstance(algorithm, str) and algorithm.lower() in WEAK_HASH_NAMES
    else:
        weak = name in WEAK_HASHES
    if weak and not is_false(argument(call, None, "usedforsecurity")):
        yield WEAK_HASH


@check(ast.Call, SMALL_KEY)
def small_key_size(ctx: Context[ast.Call]) -> bool:
    """An RSA/DSA key generated with a literal size under 2048 bits, or an EC key on a
    curve under 224 bits."""
    name = callee(ctx)
    if name == _EC_GENERATOR:
        curve = ctx.qualname(argument(ctx.node, 0, "curve"))
        return curve is not None and curve.removesuffix("()") in _WEAK_CURVES
    where = _KEY_GENERATORS.get(name or "")
    if where is None:
        return False
    size = constant(argument(ctx.node, *where))
    return isinstance(size, int) and not isinstance(size, bool) and size < _MIN_KEY_BITS


def _names_around(ctx: Context[ast.Call]) -> list[str]:
    """What the call's result is bound to or passed as, and the functions and classes
    it is written in."""
    names = [*target_names(ctx.statement), *target_keys(ctx.statement)]
    for ancestor in ctx.path:
        if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(ancestor.name)
        elif isinstance(ancestor, ast.keyword) and ancestor.arg is not None:
            names.append(ancestor.arg)
    return names


def is_security_name(name: str) -> bool:
    """True when an identifier speaks of a secret, token, key or session
    (``session_id``, ``generateCryptoKey``, ``random_string``)."""
    words = [word.lower() for word in _WORD.findall(name)]
    if not _SECURITY_WORDS.isdisjoint(words):
        return True
    return "random" in words and not _TEXT_WORDS.isdisjoint(words)


@table_check(ast.Call, (PREDICTABLE_RANDOM, RANDOM_GENERATOR))
def predictable_random(ctx: Context[ast.Call]) -> Iterator[Rule]:
    """``random`` where the result names or feeds a token, key, password or session (an
    error); anywhere else (a game, a simulation) only a note."""
    if callee(ctx) not in _RANDOM_FUNCTIONS:
        return
    if any(is_secret_name(name) or is_security_name(name) for name in _names_around(ctx)):
        yield PREDICTABLE_RANDOM
    else:
        yield RANDOM_GENERATOR


@check((ast.Assign, ast.AnnAssign), HARDCODED_PASSWORD)
def password_assigned(ctx: Context[ast.Assign | ast.AnnAssign]) -> bool:
    """``password = "hunter2"`` (also attributes such as ``client.api_key = "..."`` and
    literal keys such as ``config["password"] = "..."``)."""
    return _is_text_literal(ctx.node.value) and any(
        is_secret_name(name) for name in (*target_names(ctx.node), *target_keys(ctx.node))
    )


@check(ast.Call, HARDCODED_PASSWORD)
def password_argument(ctx: Context[ast.Call]) -> bool:
    """``connect(password="...")``: a literal passed to a secret-named keyword (even empty)."""
    return any(
        item.arg is not None
        and is_secret_name(item.arg)
        and _is_text_literal(item.value, allow_empty=True)
        for item in ctx.node.keywords
    )


@check(ast.Constant, HARDCODED_PASSWORD)
def password_in_dict(ctx: Context[ast.Constant]) -> bool:
    """``{"password": "hunter2"}``: a secret-named key of a dict literal with a literal value
    (even empty: a settings dict with no password)."""
    key = ctx.node.value
    literal = ctx.parent
    if not isinstance(key, str) or not isinstance(literal, ast.Dict) or not is_secret_name(key):
        return False
    return any(
        candidate is ctx.node and _is_text_literal(value, allow_empty=True)
        for candidate, value in zip(literal.keys, literal.values, strict=True)
    )


@check(ast.Compare, HARDCODED_PASSWORD)
def password_compared(ctx: Context[ast.Compare]) -> bool:
    """``if password == "admin"``: a secret compared with a literal."""
    operands = [ctx.node.left, *ctx.node.comparators]
    named = any(
        is_secret_name(word)
        for operand in operands
        if isinstance(operand, ast.Name | ast.Attribute)
        for word in mentioned_names(operand)
    )
    return named and any(_is_text_literal(operand) for operand in operands)


@check(ast.arguments, HARDCODED_PASSWORD)
def password_default(ctx: Context[ast.arguments]) -> bool:
    """``def login(password="admin")``: a literal default for a secret-named parameter."""
    arguments = ctx.node
    positional = [*arguments.posonlyargs, *arguments.args]
    pairs = list(
        zip(
            positional[len(positional) - len(arguments.defaults) :], arguments.defaults, strict=True
        )
    )
    pairs += [
        (arg, default)
        for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        if default is not None
    ]
    return any(is_secret_name(arg.arg) and _is_text_literal(default) for arg, default in pairs)


@check(ast.Constant, HARDCODED_KEY)
def key_material_literal(ctx: Context[ast.Constant]) -> bool:
    """A literal holding a PEM private key or an AWS access key id."""
    value = ctx.node.value
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return isinstance(value, str) and bool(_KEY_MATERIAL.search(value))


@check((ast.Assign, ast.AnnAssign), HARDCODED_KEY)
def key_assigned(ctx: Context[ast.Assign | ast.AnnAssign]) -> bool:
    """``key = "..."`` or ``iv = b"..."``: a literal of 8+ characters bound to a key-like name."""
    value = constant(ctx.node.value)
    if not isinstance(value, str | bytes) or len(value) < _MIN_KEY_LITERAL:
        return False
    return any(_KEY_NAME.search(name.lower()) for name in target_names(ctx.node))


@check(ast.Call, HARDCODED_KEY)
def constant_salt(ctx: Context[ast.Call]) -> bool:
    """``hashlib.pbkdf2_hmac("sha256", password, b"fixed", n)``: a literal salt."""
    where = _SALTED_KDFS.get(callee(ctx) or "")
    return where is not None and _is_text_literal(argument(ctx.node, *where))
