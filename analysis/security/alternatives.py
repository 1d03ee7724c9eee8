"""What to write instead of what a security rule flags: the safe spelling of each construct.

Pure data, beside ``rules.py`` (what is wrong) and ``tables.py`` (which names a
rule fires on). Two readers use it: the security-aware beam search steers a
rewound beam toward the safe spelling (``decoding.search``), and the loop's
feedback names it beside the finding (``nodes.reflect``). It lives here, not in
``decoding/``, because it is knowledge about the rules that both need; how much
a decoder favours it (a logit bonus) is decoding policy and stays there.

An entry answers one or more rule ids for the flagged call's last name part
(``names``; empty: any). Its :class:`Steer` says, in source terms, where the
safe spelling parts from the unsafe one and how it begins:

* ``"name"``: it replaces the last part of the flagged dotted name
  (``yaml.load`` -> ``yaml.safe_load``: rewind to ``load``, write ``safe_load``);
* ``"root"``: it replaces the whole dotted name (``pickle.loads`` ->
  ``json.loads``: rewind to ``pickle``);
* ``"keyword"``: the call's keyword argument ``keyword`` is the problem
  (``shell=True``): rewind to it, so that it is what gets banned;
* ``"call_end"``: a keyword argument is missing: rewind to the call's closing
  bracket and write ``boost`` there (``autoescape=True``).

``drop`` names a keyword argument the unsafe call took and the safe one does
not (``yaml.load(text, Loader=...)`` -> ``yaml.safe_load(text)``): the rewritten
statement may not write an identifier that contains it (``Loader``, ``FullLoader``).

``boost`` is the text the safe spelling begins with at that point ("" where the
safe form is merely the absence of the unsafe one). A boost that starts a new
name (``json.``, ``ast.literal_eval``) only makes sense where the code binds
that name (``import json``); the decoder checks that before it uses one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

SteerAt = Literal["name", "root", "keyword", "call_end"]

_DOTTED = re.compile(r"[A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*")


@dataclass(frozen=True)
class Steer:
    """Where a decoder rewinds to write the safe spelling, and the text it begins with."""

    at: SteerAt
    boost: str = ""
    keyword: str = ""  # for ``at="keyword"``: the keyword argument that is the problem
    drop: str = ""  # a keyword argument the safe call does not take (``safe_load``: ``Loader``)


@dataclass(frozen=True)
class SafeAlternative:
    """A safe way to write what ``rules`` flag on a call whose last name part is in ``names``."""

    rules: frozenset[str]
    names: frozenset[str]
    unsafe: str  # the flagged spelling, as people write it
    safe: str  # what to write instead
    steer: Steer | None = None  # None: no rewrite a decoder can begin by itself

    def applies(self, rule_id: str, name: str | None) -> bool:
        """Whether this entry answers ``rule_id`` on a call whose last name part is ``name``."""
        return rule_id in self.rules and (not self.names or name in self.names)


def _entry(
    rules: str, names: str, unsafe: str, safe: str, steer: Steer | None = None
) -> SafeAlternative:
    return SafeAlternative(frozenset(rules.split()), frozenset(names.split()), unsafe, safe, steer)


_RANDOM_CALLS = "choice choices randint randrange random sample shuffle getrandbits uniform"
_FAST_DIGESTS = "md5 sha1 md4 sha224 sha256 sha384 sha512 sha3_256 sha3_512 blake2b blake2s"
_ELEMENT_TREE = "parse fromstring XML iterparse XMLParser XMLPullParser"

#: The safe spellings, most specific first (``alternative_for`` takes the first that applies).
ALTERNATIVES: tuple[SafeAlternative, ...] = (
    _entry("SC101", "eval", "eval(text)", "ast.literal_eval(text) for literals; for "
           "arithmetic, walk ast.parse(text, mode='eval') and allow only numbers and "
           "arithmetic operators", Steer("name", "ast.literal_eval")),
    _entry("SC102", "", "exec(code)", "call the intended functions directly"),
    _entry("SC103", "", "compile(source, ...)", "ast.parse(source) to inspect code; never "
           "run compiled input"),
    _entry("SC205", "system popen popen2 popen3 popen4 getoutput getstatusoutput",
           "os.system(command)", "subprocess.run([program, argument], check=True) (an argument "
           "list, no shell)", Steer("root", "subprocess.run(")),
    _entry("SC207 SC210", "", "subprocess.run(command, shell=True)",
           "subprocess.run([program, argument], check=True) (an argument list, no shell)",
           Steer("keyword", keyword="shell")),
    _entry("SC304", "mktemp tempnam tmpnam", "tempfile.mktemp()",
           "tempfile.NamedTemporaryFile(delete=False).name or tempfile.mkstemp()",
           Steer("name", "NamedTemporaryFile(delete=False).name")),
    _entry("SC305", "", "'/tmp/name'", "tempfile.mkdtemp() or tempfile.TemporaryDirectory()"),
    _entry("SC306", "extractall extract", "archive.extractall(path)",
           "archive.extractall(path, filter='data')", Steer("call_end", "filter='data'")),
    _entry("SC307", "", "os.chmod(path, 0o777)", "os.chmod(path, 0o600)"),
    _entry("SC401", "load loads", "pickle.loads(data)", "json.loads(data) (a data-only format)",
           Steer("root", "json.")),
    _entry("SC401", "", "pickle.Unpickler(stream)", "json.load(stream) (a data-only format)"),
    _entry("SC403", "load unsafe_load", "yaml.load(stream)", "yaml.safe_load(stream)",
           Steer("name", "safe_load", drop="Loader")),
    _entry("SC403", "load_all unsafe_load_all", "yaml.load_all(stream)",
           "yaml.safe_load_all(stream)", Steer("name", "safe_load_all", drop="Loader")),
    _entry("SC404", "", "torch.load(path)", "torch.load(path, weights_only=True)",
           Steer("call_end", "weights_only=True")),
    _entry("SC405", "", "numpy.load(path, allow_pickle=True)", "numpy.load(path)",
           Steer("keyword", keyword="allow_pickle")),
    _entry("SC501", "md5 sha1 md4", "hashlib.md5(data)", "hashlib.sha256(data)",
           Steer("name", "sha256")),
    _entry("SC502", _FAST_DIGESTS, "hashlib.sha256(password)",
           "hashlib.pbkdf2_hmac('sha256', password, salt, 600_000) with salt = os.urandom(16)",
           Steer("name", "pbkdf2_hmac")),
    _entry("SC503 SC504", "", "DES / ECB mode", "AES-GCM (cryptography's AESGCM)"),
    _entry("SC505", "", "a key under 2048 bits", "key_size=3072"),
    _entry("SC506", _RANDOM_CALLS, "random.choice(alphabet)",
           "secrets.choice(alphabet) or random.SystemRandom().choice(alphabet)",
           Steer("name", "SystemRandom().")),
    _entry("SC507", "", "password='secret'", "os.environ['APP_PASSWORD'] (read at run time)"),
    _entry("SC508", "", "key = b'...'", "secrets.token_bytes(32), or os.urandom(16) for a salt"),
    _entry("SC509", "", "ssl.PROTOCOL_TLSv1", "ssl.create_default_context() (TLS 1.2+)"),
    _entry("SC601", "", "cursor.execute(f\"... WHERE name = '{name}'\")",
           "cursor.execute('... WHERE name = %s', (name,)) (query parameters)"),
    _entry("SC602", "", "requests.get(url)", "requests.get(url, timeout=10)",
           Steer("call_end", "timeout=")),
    _entry("SC603", "", "requests.get(url, verify=False)",
           "requests.get(url, timeout=10) (certificate checks on, the default)",
           Steer("keyword", keyword="verify")),
    _entry("SC604", "_create_unverified_context _create_stdlib_context",
           "ssl._create_unverified_context()", "ssl.create_default_context()",
           Steer("name", "create_default_context")),
    _entry("SC604", "", "ssl.CERT_NONE", "ssl.create_default_context() (verification on)"),
    _entry("SC605", "parseString", "xml.dom.minidom.parseString(text)",
           "defusedxml.minidom.parseString(text)", Steer("root", "defusedxml.minidom.")),
    _entry("SC605", _ELEMENT_TREE, "xml.etree.ElementTree.fromstring(text)",
           "defusedxml.ElementTree.fromstring(text)", Steer("root", "defusedxml.ElementTree.")),
    _entry("SC605", "", "an xml parser on untrusted input", "defusedxml's drop-in module"),
    _entry("SC606", "", "lxml.etree.fromstring(text)",
           "lxml.etree.fromstring(text, etree.XMLParser(resolve_entities=False, no_network=True))"),
    _entry("SC607", "", "host='0.0.0.0'", "host='127.0.0.1'"),
    _entry("SC608", "", "app.run(debug=True)", "app.run()", Steer("keyword", keyword="debug")),
    _entry("SC609", "", "jinja2.Environment(loader=loader)",
           "jinja2.Environment(loader=loader, autoescape=True)",
           Steer("call_end", "autoescape=True")),
    _entry("SC610", "FTP", "ftplib.FTP(host)", "ftplib.FTP_TLS(host)", Steer("name", "FTP_TLS")),
    _entry("SC610", "", "telnetlib.Telnet(host)", "SSH (paramiko) or SFTP"),
    _entry("SC611", "", "urlopen(url)", "check urllib.parse.urlparse(url).scheme and .hostname "
           "against an allow-list before opening it"),
    _entry("SC612", "", "Markup(text)", "markupsafe.escape(text)"),
    _entry("SC613", "AutoAddPolicy WarningPolicy", "paramiko.AutoAddPolicy()",
           "paramiko.RejectPolicy() with known hosts", Steer("name", "RejectPolicy")),
    _entry("SC614", "", "jwt.decode(token, options={'verify_signature': False})",
           "jwt.decode(token, key, algorithms=['HS256'])"),
)


def alternative_for(rule_id: str, name: str | None) -> SafeAlternative | None:
    """The safe spelling of what ``rule_id`` flags on a call whose last name part is ``name``
    (``None``: the rule has no entry)."""
    return next((entry for entry in ALTERNATIVES if entry.applies(rule_id, name)), None)


def name_at(line: str, col: int) -> str | None:
    """The last part of the dotted name that starts at 1-based UTF-8 byte ``col`` of ``line``
    (``hashlib.md5(x)`` at its start: ``md5``), or ``None`` when no name starts there."""
    column = len(line.encode("utf-8")[: max(col - 1, 0)].decode("utf-8", errors="ignore"))
    match = _DOTTED.match(line, column)
    if match is None:
        return None
    return re.split(r"[ \t]*\.[ \t]*", match.group())[-1]


def alternative_at(line: str, col: int, rule_id: str) -> SafeAlternative | None:
    """The safe spelling for a finding of ``rule_id`` at ``col`` (1-based) of source ``line``."""
    return alternative_for(rule_id, name_at(line, col))
