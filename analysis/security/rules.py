"""Every rule the security verifier reports, one entry each: its id, CWE, severity,
confidence, the advice it gives, and the bandit test ids that report the same problem.

Pure data. The checks (``checks/``) and the name tables (``tables.py``) refer to
these rules; neither defines one.

An import alone is no flaw: the rules that fire on an import and nothing else
(SC201-SC204, SC402, SC615) are notes, INFO with LOW confidence, so that the
findings on what the code does stand out. bandit 1.9.4 rates the same imports
(B403-B409) LOW severity and HIGH confidence, sure of the match rather than of a
problem; here confidence is how sure a check is that a match is a real problem.
"""

from __future__ import annotations

from analysis.findings import Severity
from analysis.security.issue import Confidence
from analysis.security.registry import rule

CRITICAL, ERROR, WARNING, INFO = (
    Severity.CRITICAL,
    Severity.ERROR,
    Severity.WARNING,
    Severity.INFO,
)
HIGH, MEDIUM, LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW

#: Not a problem in the code: a check raised on it (the other checks still ran).
INTERNAL_ERROR = rule(
    "SC000",
    cwe=0,
    severity=INFO,
    confidence=LOW,
    message="a security check failed on this code; the other checks still ran",
)

# --- code execution --------------------------------------------------------------

EVAL = rule(
    "SC101",
    cwe=95,
    severity=CRITICAL,
    confidence=HIGH,
    message="eval() runs any code in the string; use ast.literal_eval for literals "
    "or parse the input explicitly",
    bandit=("B307",),
)
EXEC = rule(
    "SC102",
    cwe=95,
    severity=CRITICAL,
    confidence=HIGH,
    message="exec() runs any code; call the intended functions directly instead of building code",
    bandit=("B102",),
)
COMPILE = rule(
    "SC103",
    cwe=95,
    severity=CRITICAL,
    confidence=MEDIUM,
    message="compile() builds code objects to run; use ast.parse to inspect code "
    "and never run compiled input",
)
DUNDER_IMPORT = rule(
    "SC104",
    cwe=470,
    severity=ERROR,
    confidence=HIGH,
    message="__import__() loads modules by name at run time; use an import "
    "statement for the modules you need",
)
COMPUTED_IMPORT = rule(
    "SC105",
    cwe=470,
    severity=ERROR,
    confidence=MEDIUM,
    message="importing a module whose name is computed lets input choose the "
    "code that runs; import the modules you need explicitly",
)
DANGEROUS_DYNAMIC_IMPORT = rule(
    "SC106",
    cwe=470,
    severity=ERROR,
    confidence=HIGH,
    message="a dangerous module is imported dynamically, which "
    "hides what the code does; use a plain import statement",
)
HIDDEN_DANGEROUS_CALL = rule(
    "SC107",
    cwe=95,
    severity=ERROR,
    confidence=HIGH,
    message="getattr() with a literal name reaches a dangerous function "
    "indirectly; call a safe alternative directly",
)

# --- processes and the operating system ------------------------------------------

SUBPROCESS_IMPORT = rule(
    "SC201",
    cwe=78,
    severity=INFO,
    confidence=LOW,
    message="this module runs other programs; pass an argument list "
    "(no shell) and never build it from untrusted input",
    bandit=("B404",),
)
SHUTIL_IMPORT = rule(
    "SC202",
    cwe=73,
    severity=INFO,
    confidence=LOW,
    message="shutil can delete and overwrite whole trees; check every path it receives",
)
CTYPES_IMPORT = rule(
    "SC203",
    cwe=676,
    severity=INFO,
    confidence=LOW,
    message="ctypes/cffi call native code without memory safety; prefer a "
    "pure-Python or vetted binding",
)
SIGNAL_IMPORT = rule(
    "SC204",
    cwe=364,
    severity=INFO,
    confidence=LOW,
    message="signal handlers run asynchronously and race with the program; "
    "keep them minimal or avoid them",
)
SHELL_COMMAND = rule(
    "SC205",
    cwe=78,
    severity=CRITICAL,
    confidence=HIGH,
    message="this runs a command line through the shell (command injection); "
    "use subprocess.run([...]) with an argument list",
    bandit=("B605",),
)
PROCESS_START = rule(
    "SC206",
    cwe=78,
    severity=ERROR,
    confidence=MEDIUM,
    message="os.exec*/os.spawn* start programs directly; use subprocess.run "
    "with a fixed argument list and check its inputs",
    bandit=("B606",),
)
SHELL_TRUE = rule(
    "SC207",
    cwe=78,
    severity=CRITICAL,
    confidence=HIGH,
    message="shell=True runs the command through the shell (command injection); "
    "pass an argument list and leave shell off",
    bandit=("B602", "B604"),
)
SUBPROCESS_CALL = rule(
    "SC208",
    cwe=78,
    severity=WARNING,
    confidence=LOW,
    message="this starts another program; make sure neither the program nor "
    "its arguments come from untrusted input",
    bandit=("B603",),
)
ENVIRONMENT = rule(
    "SC209",
    cwe=526,
    severity=WARNING,
    confidence=MEDIUM,
    message="reading or changing the environment makes behaviour depend on "
    "hidden state and can leak secrets; pass configuration explicitly",
)
SHELL_KEYWORD = rule(
    "SC210",
    cwe=78,
    severity=WARNING,
    confidence=LOW,
    message="shell=True is passed to a function that may hand the command to a shell "
    "(command injection); pass an argument list and leave shell off",
    bandit=("B604",),
)
OPTION_INJECTION = rule(
    "SC211",
    cwe=88,
    severity=WARNING,
    confidence=LOW,
    message="a value that is not a constant follows the program in this argument list "
    "with no '--' before it; if it starts with '-' the program reads it as an option "
    "(argument injection): put '--' before user-controlled arguments or check them first",
)

# --- files -----------------------------------------------------------------------

WRITE_MODE = rule(
    "SC301",
    cwe=73,
    severity=WARNING,
    confidence=MEDIUM,
    message="this opens a file for writing; make sure the path cannot be chosen by "
    "untrusted input and that overwriting is intended",
)
DESTRUCTIVE_PATH_METHOD = rule(
    "SC302",
    cwe=73,
    severity=WARNING,
    confidence=MEDIUM,
    message="this Path method writes, deletes or re-permissions "
    "files; make sure the path cannot be chosen by untrusted input",
)
DESTRUCTIVE_FILE_CALL = rule(
    "SC303",
    cwe=73,
    severity=WARNING,
    confidence=MEDIUM,
    message="this deletes, moves or re-permissions files; make sure "
    "the path cannot be chosen by untrusted input",
)
MKTEMP = rule(
    "SC304",
    cwe=377,
    severity=ERROR,
    confidence=HIGH,
    message="mktemp() returns a name another process can take first; use "
    "tempfile.mkstemp or tempfile.NamedTemporaryFile",
    bandit=("B306",),
)
HARDCODED_TMP = rule(
    "SC305",
    cwe=377,
    severity=WARNING,
    confidence=MEDIUM,
    message="a fixed path in a shared temporary directory can be raced or "
    "pre-created by another user; use the tempfile module",
    bandit=("B108",),
)
ARCHIVE_EXTRACT = rule(
    "SC306",
    cwe=22,
    severity=ERROR,
    confidence=MEDIUM,
    message="extracting an archive can write outside the target directory "
    "(path traversal); validate members or use tarfile's filter='data'",
    bandit=("B202",),
)
PERMISSIVE_MODE = rule(
    "SC307",
    cwe=732,
    severity=ERROR,
    confidence=HIGH,
    message="this makes a file writable by every user; grant the least "
    "permissions needed (for example 0o600 or 0o644)",
    bandit=("B103",),
)
LOOSE_MODE = rule(
    "SC308",
    cwe=732,
    severity=INFO,
    confidence=MEDIUM,
    message="this lets the group write the file or others execute it; grant only "
    "the permissions needed (for example 0o600 or 0o644)",
    bandit=("B103",),
)

# --- deserialisation -------------------------------------------------------------

PICKLE_LOAD = rule(
    "SC401",
    cwe=502,
    severity=CRITICAL,
    confidence=HIGH,
    message="unpickling runs code chosen by whoever wrote the data; use json or "
    "another data-only format for anything not produced by this program",
    bandit=("B301", "B302"),
)
PICKLE_IMPORT = rule(
    "SC402",
    cwe=502,
    severity=INFO,
    confidence=LOW,
    message="this module can deserialise arbitrary objects; never load data "
    "from an untrusted source with it",
    bandit=("B403",),
)
UNSAFE_YAML = rule(
    "SC403",
    cwe=502,
    severity=CRITICAL,
    confidence=HIGH,
    message="yaml.load without a safe loader can build arbitrary Python objects; "
    "use yaml.safe_load (or Loader=yaml.SafeLoader)",
    bandit=("B506",),
)
TORCH_LOAD = rule(
    "SC404",
    cwe=502,
    severity=CRITICAL,
    confidence=HIGH,
    message="torch.load unpickles the file and can run code; pass weights_only=True",
    bandit=("B614",),
)
NUMPY_PICKLE = rule(
    "SC405",
    cwe=502,
    severity=ERROR,
    confidence=HIGH,
    message="numpy.load with allow_pickle=True can run code from the file; leave allow_pickle off",
)

# --- cryptography and secrets ----------------------------------------------------

WEAK_HASH = rule(
    "SC501",
    cwe=328,
    severity=WARNING,
    confidence=HIGH,
    message="MD5 and SHA-1 are broken for security use; use hashlib.sha256, or "
    "pass usedforsecurity=False when this is only a checksum",
    bandit=("B303", "B324"),
)
PASSWORD_DIGEST = rule(
    "SC502",
    cwe=916,
    severity=ERROR,
    confidence=MEDIUM,
    message="a password hashed with a fast digest is easy to brute-force; "
    "use hashlib.scrypt or hashlib.pbkdf2_hmac with a random salt",
    bandit=("B303", "B324"),
)
WEAK_CIPHER = rule(
    "SC503",
    cwe=327,
    severity=ERROR,
    confidence=HIGH,
    message="this cipher is broken; use AES-GCM or ChaCha20-Poly1305 "
    "(cryptography's AESGCM / ChaCha20Poly1305)",
    bandit=("B304",),
)
ECB_MODE = rule(
    "SC504",
    cwe=327,
    severity=ERROR,
    confidence=MEDIUM,
    message="ECB mode leaks patterns of the plaintext; use an authenticated mode such as GCM",
    bandit=("B305",),
)
SMALL_KEY = rule(
    "SC505",
    cwe=326,
    severity=ERROR,
    confidence=HIGH,
    message="RSA/DSA keys shorter than 2048 bits can be broken; use key_size=2048 "
    "or more (3072 for new systems)",
    bandit=("B505",),
)
PREDICTABLE_RANDOM = rule(
    "SC506",
    cwe=338,
    severity=ERROR,
    confidence=MEDIUM,
    message="the random module is predictable and unfit for tokens, "
    "passwords or keys; use the secrets module (secrets.token_hex, "
    "secrets.choice)",
    bandit=("B311",),
)
HARDCODED_PASSWORD = rule(
    "SC507",
    cwe=798,
    severity=ERROR,
    confidence=MEDIUM,
    message="a password or secret is written in the code; read it at run "
    "time from configuration or a secret store",
    bandit=("B105", "B106", "B107"),
)
HARDCODED_KEY = rule(
    "SC508",
    cwe=321,
    severity=ERROR,
    confidence=MEDIUM,
    message="a cryptographic key, salt or IV is written in the code; generate "
    "it with the secrets module or load it from a key store",
)
WEAK_TLS = rule(
    "SC509",
    cwe=327,
    severity=ERROR,
    confidence=HIGH,
    message="SSLv2/SSLv3/TLS 1.0/1.1 are broken; use ssl.create_default_context() (TLS 1.2+)",
    bandit=("B502", "B503"),
)
RANDOM_GENERATOR = rule(
    "SC510",
    cwe=338,
    severity=INFO,
    confidence=LOW,
    message="the random module is predictable: fine for games and simulations, "
    "but use the secrets module for anything an attacker must not guess",
    bandit=("B311",),
)

# --- web and network -------------------------------------------------------------

SQL_FORMATTING = rule(
    "SC601",
    cwe=89,
    severity=ERROR,
    confidence=MEDIUM,
    message="SQL built by string formatting or concatenation allows SQL "
    "injection; pass values as query parameters, e.g. "
    "cursor.execute('... WHERE id = ?', (value,))",
    bandit=("B608",),
)
NO_TIMEOUT = rule(
    "SC602",
    cwe=400,
    severity=WARNING,
    confidence=MEDIUM,
    message="an HTTP request without a timeout can hang forever; pass timeout=<seconds>",
    bandit=("B113",),
)
VERIFY_FALSE = rule(
    "SC603",
    cwe=295,
    severity=ERROR,
    confidence=HIGH,
    message="verify=False turns off certificate checking (man-in-the-middle); "
    "keep verification on, or pass verify=<CA bundle path>",
    bandit=("B501",),
)
UNVERIFIED_TLS = rule(
    "SC604",
    cwe=295,
    severity=ERROR,
    confidence=HIGH,
    message="this turns off certificate checking; use "
    "ssl.create_default_context() and keep verification on",
    bandit=("B323", "B504"),
)
STDLIB_XML = rule(
    "SC605",
    cwe=611,
    severity=WARNING,
    confidence=HIGH,
    message="the standard XML parsers are open to entity-expansion attacks; use "
    "defusedxml for untrusted XML",
    bandit=("B313", "B314", "B315", "B316", "B317", "B318", "B319", "B411"),
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
    bandit=("B104",),
)
FLASK_DEBUG = rule(
    "SC608",
    cwe=94,
    severity=ERROR,
    confidence=HIGH,
    message="Flask debug mode exposes the Werkzeug debugger, which runs code "
    "from the browser; never pass debug=True outside local development",
    bandit=("B201",),
)
JINJA_AUTOESCAPE = rule(
    "SC609",
    cwe=79,
    severity=ERROR,
    confidence=HIGH,
    message="Jinja2 without autoescape renders input as raw HTML (XSS); "
    "pass autoescape=select_autoescape() or autoescape=True",
    bandit=("B701",),
)
CLEARTEXT_PROTOCOL = rule(
    "SC610",
    cwe=319,
    severity=WARNING,
    confidence=HIGH,
    message="telnet and FTP send credentials in clear text; use SSH/SFTP or ftplib.FTP_TLS",
    bandit=("B312", "B321", "B401", "B402"),
)
OPEN_URL = rule(
    "SC611",
    cwe=918,
    severity=WARNING,
    confidence=MEDIUM,
    message="opening a computed URL lets input reach internal hosts or file:// "
    "(SSRF); check the scheme and host against an allow-list first",
    bandit=("B310",),
)
UNSAFE_MARKUP = rule(
    "SC612",
    cwe=79,
    severity=WARNING,
    confidence=MEDIUM,
    message="marking computed text as safe HTML skips escaping (XSS); escape it "
    "or build it from a template with autoescape",
    bandit=("B308", "B703", "B704"),
)
SSH_AUTO_ADD = rule(
    "SC613",
    cwe=295,
    severity=ERROR,
    confidence=HIGH,
    message="accepting unknown SSH host keys allows man-in-the-middle attacks; "
    "use paramiko.RejectPolicy and known hosts",
    bandit=("B507",),
)
JWT_UNVERIFIED = rule(
    "SC614",
    cwe=347,
    severity=ERROR,
    confidence=HIGH,
    message="decoding a JWT without verifying its signature trusts forged "
    "tokens; pass the key and algorithms=[...] and keep verification on",
)
XML_IMPORT = rule(
    "SC615",
    cwe=611,
    severity=INFO,
    confidence=LOW,
    message="this module parses XML without protection against entity expansion; "
    "parse untrusted XML with defusedxml instead",
    bandit=("B405", "B406", "B407", "B408", "B409"),
)
