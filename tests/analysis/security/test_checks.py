"""One code sample that must trigger each check, and a close one that must not."""

from __future__ import annotations

import pytest

from analysis.security import loaded_registry, scan

# rule id -> (flagged code, safe look-alike)
CASES: dict[str, tuple[str, str]] = {
    "SC101": ("eval(expression)", "import ast\nast.literal_eval(expression)"),
    "SC102": ("exec(source)", "print(source)"),
    "SC103": ("code = compile(src, 'x', 'exec')", "import re\nre.compile(pattern)"),
    "SC104": ("mod = __import__(name)", "import json"),
    "SC105": (
        "import importlib\nimportlib.import_module(name)",
        "import importlib\nimportlib.import_module('json')",
    ),
    "SC106": (
        "import importlib\nimportlib.import_module('subprocess')",
        "import importlib\nimportlib.import_module('collections')",
    ),
    "SC107": ("import os\nrunner = getattr(os, 'system')", "import os\nsep = getattr(os, 'sep')"),
    "SC201": ("import subprocess", "import json"),
    "SC202": ("import shutil", "import string"),
    "SC203": ("from ctypes import CDLL", "from collections import deque"),
    "SC204": ("import signal", "import statistics"),
    "SC205": ("import os\nos.system(cmd)", "import os\nos.path.join(a, b)"),
    "SC206": ("import os\nos.execv(path, args)", "import os\nos.getcwd()"),
    "SC207": (
        "import subprocess\nsubprocess.run(cmd, shell=True)",
        "import subprocess\nsubprocess.run(cmd, shell=False)",
    ),
    "SC208": ("import subprocess\nsubprocess.run(['ls'])", "import json\njson.dumps(['ls'])"),
    "SC209": ("import os\nhome = os.environ['HOME']", "import os\nsep = os.sep"),
    "SC210": ("runner.run(cmd, shell=True)", "runner.run(cmd, shell=False)"),
    "SC211": (
        "import subprocess\ndef ping(host):\n    subprocess.run(['ping', '-c', '1', host])",
        "import subprocess\ndef ping(host):\n    subprocess.run(['ping', '-c', '1', '--', host])",
    ),
    "SC301": ("f = open(path, 'w')", "f = open(path)"),
    "SC302": (
        "from pathlib import Path\nPath(p).write_text(data)",
        "from pathlib import Path\nPath(p).read_text()",
    ),
    "SC303": ("import shutil\nshutil.rmtree(folder)", "import shutil\nshutil.copy(a, b)"),
    "SC304": (
        "import tempfile\nname = tempfile.mktemp()",
        "import tempfile\nfd, name = tempfile.mkstemp()",
    ),
    "SC305": ("path = '/tmp/data.txt'", "path = 'data/tmp.txt'"),
    "SC306": (
        "import tarfile\nwith tarfile.open(p) as tar:\n    tar.extractall(dest)",
        "import tarfile\nwith tarfile.open(p) as tar:\n    names = tar.getnames()",
    ),
    "SC307": ("import os\nos.chmod(p, 0o777)", "import os\nos.chmod(p, 0o600)"),
    "SC308": ("import os\nos.chmod(p, 0o755)", "import os\nos.chmod(p, 0o644)"),
    "SC401": ("import pickle\nobj = pickle.loads(data)", "import pickle\ndata = pickle.dumps(obj)"),
    "SC402": ("import pickle", "import json"),
    "SC403": (
        "import yaml\ndata = yaml.load(text, Loader=yaml.Loader)",
        "import yaml\ndata = yaml.load(text, Loader=yaml.SafeLoader)",
    ),
    "SC404": (
        "import torch\nmodel = torch.load(path)",
        "import torch\nmodel = torch.load(path, weights_only=True)",
    ),
    "SC405": (
        "import numpy as np\narr = np.load(p, allow_pickle=True)",
        "import numpy as np\narr = np.load(p)",
    ),
    "SC501": (
        "import hashlib\ndigest = hashlib.md5(data).hexdigest()",
        "import hashlib\ndigest = hashlib.md5(data, usedforsecurity=False).hexdigest()",
    ),
    "SC502": (
        "import hashlib\nh = hashlib.sha256(password.encode()).hexdigest()",
        "import hashlib\nh = hashlib.sha256(content.encode()).hexdigest()",
    ),
    "SC503": (
        "from Crypto.Cipher import DES\ncipher = DES.new(key, DES.MODE_CBC)",
        "from Crypto.Cipher import AES\ncipher = AES.new(key, AES.MODE_GCM)",
    ),
    "SC504": (
        "from Crypto.Cipher import AES\ncipher = AES.new(key, AES.MODE_ECB)",
        "from Crypto.Cipher import AES\ncipher = AES.new(key, AES.MODE_GCM)",
    ),
    "SC505": (
        "from Crypto.PublicKey import RSA\nkey = RSA.generate(1024)",
        "from Crypto.PublicKey import RSA\nkey = RSA.generate(3072)",
    ),
    "SC506": (
        "import random\nsession_token = random.getrandbits(128)",
        "import random\nsample = random.getrandbits(128)",
    ),
    "SC507": ("db_password = 'hunter2'", "db_password = read_secret()"),
    "SC508": (
        "aes_key = b'0123456789abcdef'",
        "import secrets\naes_key = secrets.token_bytes(16)",
    ),
    "SC509": (
        "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)",
        "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)",
    ),
    "SC510": ("import random\nrandom.shuffle(deck)", "import secrets\nsecrets.choice(deck)"),
    "SC601": (
        "cursor.execute(f'SELECT * FROM users WHERE id = {user_id}')",
        "cursor.execute('SELECT * FROM users WHERE id = ?', (user_id,))",
    ),
    "SC602": (
        "import requests\nr = requests.get(url)",
        "import requests\nr = requests.get(url, timeout=10)",
    ),
    "SC603": (
        "import requests\nr = requests.get(url, timeout=5, verify=False)",
        "import requests\nr = requests.get(url, timeout=5)",
    ),
    "SC604": (
        "import ssl\nctx = ssl._create_unverified_context()",
        "import ssl\nctx = ssl.create_default_context()",
    ),
    "SC605": (
        "import xml.etree.ElementTree as ET\nroot = ET.fromstring(text)",
        "import defusedxml.ElementTree as ET\nroot = ET.fromstring(text)",
    ),
    "SC606": (
        "from lxml import etree\nparser = etree.XMLParser()",
        "from lxml import etree\nparser = etree.XMLParser(resolve_entities=False)",
    ),
    "SC607": ("server.bind(('0.0.0.0', 8080))", "server.bind(('127.0.0.1', 8080))"),
    "SC608": (
        "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)",
        "from flask import Flask\napp = Flask(__name__)\napp.run(debug=False)",
    ),
    "SC609": (
        "import jinja2\nenv = jinja2.Environment(loader=loader)",
        "import jinja2\nenv = jinja2.Environment(loader=loader, autoescape=True)",
    ),
    "SC610": ("import telnetlib", "import textwrap"),
    "SC611": (
        "from urllib.request import urlopen\nbody = urlopen(url).read()",
        "from urllib.request import urlopen\nbody = urlopen('https://example.com').read()",
    ),
    "SC612": (
        "from markupsafe import Markup\nhtml = Markup(user_text)",
        "from markupsafe import escape\nhtml = escape(user_text)",
    ),
    "SC613": (
        "import paramiko\nclient.set_missing_host_key_policy(paramiko.AutoAddPolicy())",
        "import paramiko\nclient.set_missing_host_key_policy(paramiko.RejectPolicy())",
    ),
    "SC614": (
        "import jwt\nclaims = jwt.decode(token, key, options={'verify_signature': False})",
        "import jwt\nclaims = jwt.decode(token, key, algorithms=['HS256'])",
    ),
    "SC615": ("import xml.etree.ElementTree as ET", "import defusedxml.ElementTree as ET"),
}


def _ids(code: str) -> set[str]:
    return {issue.id for issue in scan(code)}


def test_every_registered_rule_has_cases() -> None:
    rules = set(loaded_registry().rules) - {"SC000"}
    assert rules == set(CASES)


@pytest.mark.parametrize(("rule_id", "code"), [(k, v[0]) for k, v in CASES.items()])
def test_check_flags_unsafe_code(rule_id: str, code: str) -> None:
    assert rule_id in _ids(code)


@pytest.mark.parametrize(("rule_id", "code"), [(k, v[1]) for k, v in CASES.items()])
def test_check_ignores_safe_look_alike(rule_id: str, code: str) -> None:
    assert rule_id not in _ids(code)


def test_every_rule_has_cwe_and_advice() -> None:
    for rule in loaded_registry().rules.values():
        if rule.id != "SC000":
            assert rule.cwe > 0 and len(rule.message) > 30, rule.id


def test_a_literal_under_a_generic_key_is_no_hardcoded_key() -> None:
    assert "SC508" not in _ids("settings['key'] = 'some long value'")
    assert "SC508" in _ids("aes_key = 'some long value'")
