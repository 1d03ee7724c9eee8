"""B310 (urllib_urlopen): opening URLs with urllib, which also accepts ``file://``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B310"
CASES: tuple[Case, ...] = (
    case(
        "urlopen of a parameter",
        "import urllib.request",
        "def fetch(url):",
        "    return urllib.request.urlopen(url).read()",
        verifier=((3, "SC611", WARNING),),
        bandit=(3,),
    ),
    case(
        "from-import alias",
        "from urllib.request import urlretrieve as download",
        "download(url, path)",
        verifier=((2, "SC611", WARNING),),
        bandit=(2,),
    ),
    case(
        "module alias",
        "import urllib.request as ur",
        "page = ur.urlopen(address)",
        verifier=((2, "SC611", WARNING),),
        bandit=(2,),
    ),
    case(
        "URLopener",
        "from urllib.request import URLopener",
        "opener = URLopener()",
        verifier=((2, "SC611", WARNING),),
        bandit=(2,),
    ),
    case(
        "six.moves",
        "from six.moves.urllib.request import urlopen",
        "page = urlopen(url)",
        verifier=((2, "SC611", WARNING),),
        bandit=(2,),
    ),
    case(
        "a literal https URL cannot be steered (bandit flags it)",
        "from urllib.request import urlopen",
        "page = urlopen('https://example.com')",
        bandit=(2,),
    ),
    case("urlparse", "from urllib.parse import urlparse", "parts = urlparse(url)"),
)
