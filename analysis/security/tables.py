"""Names that are dangerous in themselves: calls, imports, attributes and methods.

Pure data: each entry pairs a rule of ``rules.py`` with the qualified names (after
alias resolution) it fires on. The generic checks in ``checks/blacklist.py`` match
names against these tables; checks that depend on how something is called
(``shell=True``, a file mode) live in the other check modules and take their
name sets from here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.findings import Severity
from analysis.security.registry import Rule
from analysis.security.rules import (
    ARCHIVE_EXTRACT,
    CLEARTEXT_PROTOCOL,
    COMPILE,
    CTYPES_IMPORT,
    DESTRUCTIVE_FILE_CALL,
    DESTRUCTIVE_PATH_METHOD,
    DUNDER_IMPORT,
    ECB_MODE,
    ENVIRONMENT,
    EVAL,
    EXEC,
    MKTEMP,
    PICKLE_IMPORT,
    PICKLE_LOAD,
    PROCESS_START,
    SHELL_COMMAND,
    SHUTIL_IMPORT,
    SIGNAL_IMPORT,
    SSH_AUTO_ADD,
    STDLIB_XML,
    SUBPROCESS_IMPORT,
    UNVERIFIED_TLS,
    WEAK_CIPHER,
    XML_IMPORT,
)


@dataclass(frozen=True)
class NameEntry:
    """A rule that fires on any of ``names`` (qualified, after alias resolution)."""

    rule: Rule
    names: frozenset[str]


@dataclass(frozen=True)
class MethodEntry:
    """A rule that fires on ``x.method(...)`` when ``x`` comes from one of ``roots``.

    ``unknown_receiver`` lists the method names distinctive enough to flag
    when ``x`` is a plain local whose origin is unknown; ``safe_keyword`` names a
    keyword and the literal values (or qualified names) that make the call safe.
    """

    rule: Rule
    methods: frozenset[str]
    roots: frozenset[str]
    unknown_receiver: frozenset[str]
    safe_keyword: tuple[str, frozenset[str]] | None = None


def _names(*names: str) -> frozenset[str]:
    return frozenset(names)


def _both_crypto_packages(*suffixes: str) -> frozenset[str]:
    return frozenset(
        f"{package}.{suffix}" for package in ("Crypto", "Cryptodome") for suffix in suffixes
    )


# --- name sets that checks match against ---------------------------------------

SUBPROCESS_CALLS = _names(
    "subprocess.Popen",
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
)
#: Calls that take the program and its arguments as separate values, not as one list.
PROGRAM_ARGUMENT_CALLS = _names("asyncio.create_subprocess_exec")
WRITE_OPENERS = _names("open", "io.open", "codecs.open", "os.fdopen")

#: Protocol constants (``ssl`` and pyOpenSSL) that allow SSLv2/SSLv3/TLS 1.0/1.1, matched by
#: identifier wherever they come from, as in ``ssl_version=PROTOCOL_TLSv1``.
WEAK_TLS_CONSTANTS = _names(
    "PROTOCOL_SSLv2",
    "PROTOCOL_SSLv3",
    "PROTOCOL_TLSv1",
    "PROTOCOL_TLSv1_1",
    "SSLv2_METHOD",
    "SSLv3_METHOD",
    "SSLv23_METHOD",
    "TLSv1_METHOD",
    "TLSv1_1_METHOD",
)
WEAK_TLS_VERSIONS = _names("ssl.TLSVersion.SSLv3", "ssl.TLSVersion.TLSv1", "ssl.TLSVersion.TLSv1_1")

WEAK_HASHES = frozenset(
    {"hashlib.md5", "hashlib.sha1", "hashlib.md4"}
    | _both_crypto_packages(
        "Hash.MD5.new", "Hash.MD4.new", "Hash.MD2.new", "Hash.SHA.new", "Hash.SHA1.new"
    )
    | {f"cryptography.hazmat.primitives.hashes.{name}" for name in ("MD5", "SHA1")}
)
WEAK_HASH_NAMES = _names("md5", "sha1", "md4", "md2", "sha")
FAST_HASHES = WEAK_HASHES | frozenset(
    f"hashlib.{name}"
    for name in (
        "sha224",
        "sha256",
        "sha384",
        "sha512",
        "sha3_256",
        "sha3_512",
        "blake2b",
        "blake2s",
        "new",
    )
)

HTTP_LIBRARIES = _names("requests", "httpx")
HTTP_VERBS = _names("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")
LXML_PARSERS = _names(
    "lxml.etree.parse",
    "lxml.etree.fromstring",
    "lxml.etree.XML",
    "lxml.etree.iterparse",
    "lxml.etree.XMLParser",
    "lxml.objectify.parse",
    "lxml.objectify.fromstring",
)

# --- the blacklists: a rule and the names it fires on ----------------------------

DANGEROUS_CALLS: tuple[NameEntry, ...] = (
    NameEntry(EVAL, _names("eval")),
    NameEntry(EXEC, _names("exec")),
    NameEntry(COMPILE, _names("compile")),
    NameEntry(DUNDER_IMPORT, _names("__import__", "importlib.__import__")),
    NameEntry(
        SHELL_COMMAND,
        _names(
            "os.system",
            "os.popen",
            "os.popen2",
            "os.popen3",
            "os.popen4",
            "popen2.popen2",
            "popen2.popen3",
            "popen2.popen4",
            "popen2.Popen3",
            "popen2.Popen4",
            "commands.getoutput",
            "commands.getstatusoutput",
            "subprocess.getoutput",
            "subprocess.getstatusoutput",
            "platform.popen",
            "asyncio.create_subprocess_shell",
            "pty.spawn",
        ),
    ),
    NameEntry(
        PROCESS_START,
        frozenset(
            {
                f"os.{name}"
                for name in (
                    "execl",
                    "execle",
                    "execlp",
                    "execlpe",
                    "execv",
                    "execve",
                    "execvp",
                    "execvpe",
                    "spawnl",
                    "spawnle",
                    "spawnlp",
                    "spawnlpe",
                    "spawnv",
                    "spawnve",
                    "spawnvp",
                    "spawnvpe",
                    "startfile",
                    "posix_spawn",
                    "posix_spawnp",
                )
            }
        ),
    ),
    NameEntry(
        DESTRUCTIVE_FILE_CALL,
        _names(
            "os.remove",
            "os.unlink",
            "os.rmdir",
            "os.removedirs",
            "os.rename",
            "os.renames",
            "os.replace",
            "os.truncate",
            "os.chmod",
            "os.lchmod",
            "os.chown",
            "os.lchown",
            "shutil.rmtree",
            "shutil.move",
            "shutil.chown",
        ),
    ),
    NameEntry(MKTEMP, _names("tempfile.mktemp", "os.tempnam", "os.tmpnam")),
    NameEntry(CLEARTEXT_PROTOCOL, _names("telnetlib.Telnet", "ftplib.FTP")),
    NameEntry(ARCHIVE_EXTRACT, _names("shutil.unpack_archive")),
    NameEntry(
        PICKLE_LOAD,
        _names(
            "pickle.load",
            "pickle.loads",
            "pickle.Unpickler",
            "cPickle.load",
            "cPickle.loads",
            "cPickle.Unpickler",
            "_pickle.load",
            "_pickle.loads",
            "_pickle.Unpickler",
            "dill.load",
            "dill.loads",
            "dill.Unpickler",
            "cloudpickle.load",
            "cloudpickle.loads",
            "marshal.load",
            "marshal.loads",
            "shelve.open",
            "shelve.DbfilenameShelf",
            "jsonpickle.decode",
            "jsonpickle.loads",
            "jsonpickle.unpickler.decode",
            "jsonpickle.unpickler.Unpickler",
            "pandas.read_pickle",
            "joblib.load",
        ),
    ),
    NameEntry(
        WEAK_CIPHER,
        _both_crypto_packages(
            "Cipher.DES.new",
            "Cipher.ARC2.new",
            "Cipher.ARC4.new",
            "Cipher.Blowfish.new",
            "Cipher.XOR.new",
            "Cipher.CAST.new",
        )
        | frozenset(
            f"cryptography.hazmat.{package}.ciphers.algorithms.{name}"
            for package in ("primitives", "decrepit")
            for name in ("ARC4", "Blowfish", "IDEA", "TripleDES", "CAST5", "SEED")
        )
        | _names("pyDes.des", "pyDes.triple_des"),
    ),
    NameEntry(
        UNVERIFIED_TLS,
        _names(
            "ssl._create_unverified_context",
            "ssl._create_stdlib_context",
            "ssl.wrap_socket",
        ),
    ),
    NameEntry(
        STDLIB_XML,
        frozenset(
            {
                f"xml.etree.{module}.{name}"
                for module in ("ElementTree", "cElementTree")
                for name in (
                    "parse",
                    "fromstring",
                    "XML",
                    "XMLParser",
                    "iterparse",
                    "XMLPullParser",
                )
            }
            | {
                f"xml.dom.{module}.{name}"
                for module in ("minidom", "pulldom", "expatbuilder")
                for name in ("parse", "parseString")
            }
            | {
                "xml.sax.parse",
                "xml.sax.parseString",
                "xml.sax.make_parser",
                "xml.sax.expatreader.create_parser",
                "xml.dom.minidom.parse",
                "xmlrpc.client.loads",
            }
        ),
    ),
)

DANGEROUS_IMPORTS: tuple[NameEntry, ...] = (
    NameEntry(SUBPROCESS_IMPORT, _names("subprocess", "pty", "commands", "popen2")),
    NameEntry(SHUTIL_IMPORT, _names("shutil")),
    NameEntry(CTYPES_IMPORT, _names("ctypes", "cffi")),
    NameEntry(SIGNAL_IMPORT, _names("signal")),
    NameEntry(
        PICKLE_IMPORT,
        _names(
            "pickle", "cPickle", "_pickle", "dill", "cloudpickle", "marshal", "shelve", "jsonpickle"
        ),
    ),
    NameEntry(CLEARTEXT_PROTOCOL, _names("telnetlib", "ftplib")),
    NameEntry(STDLIB_XML, _names("xmlrpc", "xmlrpclib", "SimpleXMLRPCServer")),
    NameEntry(
        XML_IMPORT,
        _names(
            "xml.etree.ElementTree",
            "xml.etree.cElementTree",
            "xml.sax",
            "xml.dom.expatbuilder",
            "xml.dom.minidom",
            "xml.dom.pulldom",
        ),
    ),
)

DANGEROUS_ATTRIBUTES: tuple[NameEntry, ...] = (
    NameEntry(
        ENVIRONMENT,
        _names("os.environ", "os.environb", "os.getenv", "os.getenvb", "os.putenv", "os.unsetenv"),
    ),
    NameEntry(
        ECB_MODE,
        _both_crypto_packages(
            *(
                f"Cipher.{cipher}.MODE_ECB"
                for cipher in ("AES", "DES", "DES3", "Blowfish", "ARC2", "CAST")
            )
        )
        | _names("cryptography.hazmat.primitives.ciphers.modes.ECB"),
    ),
    NameEntry(UNVERIFIED_TLS, _names("ssl.CERT_NONE", "ssl._create_unverified_context")),
    NameEntry(
        SSH_AUTO_ADD,
        _names(
            "paramiko.AutoAddPolicy",
            "paramiko.WarningPolicy",
            "paramiko.client.AutoAddPolicy",
            "paramiko.client.WarningPolicy",
        ),
    ),
)

DANGEROUS_METHODS: tuple[MethodEntry, ...] = (
    MethodEntry(
        DESTRUCTIVE_PATH_METHOD,
        methods=_names(
            "write_text",
            "write_bytes",
            "unlink",
            "rmdir",
            "chmod",
            "lchmod",
            "rename",
            "replace",
            "touch",
            "symlink_to",
            "hardlink_to",
            "link_to",
        ),
        roots=_names("pathlib"),
        unknown_receiver=_names(
            "write_text", "write_bytes", "unlink", "rmdir", "lchmod", "symlink_to", "hardlink_to"
        ),
    ),
    MethodEntry(
        ARCHIVE_EXTRACT,
        methods=_names("extractall", "extract"),
        roots=_names("tarfile", "zipfile"),
        unknown_receiver=_names("extractall"),
        safe_keyword=(
            "filter",
            _names("data", "tar", "tarfile.data_filter", "tarfile.tar_filter"),
        ),
    ),
)

#: Modules whose dynamic import (``importlib.import_module("os")``) hides intent.
DANGEROUS_MODULES = frozenset(
    {"os", "sys", "builtins", "importlib", "socket", "posix", "nt"}
    | {
        name
        for entry in DANGEROUS_IMPORTS
        if entry.rule not in (STDLIB_XML, XML_IMPORT)
        for name in entry.names
    }
)

#: Calls whose hidden form (``getattr(os, "system")``) is itself a finding.
HIDDEN_CALL_TARGETS = frozenset(
    name
    for entry in DANGEROUS_CALLS
    if entry.rule.severity >= Severity.ERROR
    for name in entry.names
)
