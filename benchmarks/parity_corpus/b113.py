"""B113 (request_without_timeout): requests without a timeout, or requests/httpx with
``timeout=None``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B113"
CASES: tuple[Case, ...] = (
    case(
        "requests.get",
        "import requests",
        "r = requests.get(url)",
        verifier=((2, "SC602", WARNING),),
        bandit=(2,),
    ),
    case(
        "every verb",
        "import requests",
        "requests.post(url, data=d)",
        "requests.put(url)",
        "requests.patch(url)",
        "requests.delete(url)",
        "requests.head(url)",
        "requests.options(url)",
        verifier=tuple((line, "SC602", WARNING) for line in range(2, 8)),
        bandit=tuple(range(2, 8)),
    ),
    case(
        "import alias",
        "import requests as rq",
        "rq.get(url)",
        verifier=((2, "SC602", WARNING),),
        bandit=(2,),
    ),
    case(
        "from-import alias",
        "from requests import get as fetch",
        "body = fetch(url).text",
        verifier=((2, "SC602", WARNING),),
        bandit=(2,),
    ),
    case(
        "timeout=None",
        "import requests",
        "requests.get(url, timeout=None)",
        verifier=((2, "SC602", WARNING),),
        bandit=(2,),
    ),
    case(
        "httpx with timeout=None",
        "import httpx",
        "httpx.get(url, timeout=None)",
        verifier=((2, "SC602", WARNING),),
        bandit=(2,),
    ),
    case(
        "a multi-line call",
        "import requests",
        "r = requests.post(",
        "    url,",
        "    json=payload,",
        ")",
        verifier=((2, "SC602", WARNING),),
        bandit=(2,),
    ),
    case(
        "a session (bandit cannot follow the object)",
        "import requests",
        "session = requests.Session()",
        "session.get(url)",
        verifier=((3, "SC602", WARNING),),
    ),
    case(
        "requests.request (bandit skips it)",
        "import requests",
        "requests.request('GET', url)",
        verifier=((2, "SC602", WARNING),),
    ),
    case("with a timeout", "import requests", "requests.get(url, timeout=10)"),
    case("httpx has a default timeout", "import httpx", "httpx.get(url)"),
    case(
        "timeout in **kwargs (bandit flags it)",
        "import requests",
        "requests.get(url, **options)",
        bandit=(2,),
    ),
)
