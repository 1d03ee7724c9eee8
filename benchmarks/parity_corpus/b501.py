"""B501 (request_with_no_cert_validation): requests or httpx with ``verify=False``)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B501"
CASES: tuple[Case, ...] = (
    case(
        "requests.get",
        "import requests",
        "r = requests.get(url, timeout=5, verify=False)",
        verifier=((2, "SC603", ERROR),),
        bandit=(2,),
    ),
    case(
        "keyword on its own line",
        "import requests",
        "r = requests.post(",
        "    url,",
        "    timeout=5,",
        "    verify=False,",
        ")",
        verifier=((2, "SC603", ERROR),),
        bandit=(5,),
    ),
    case(
        "from-import alias",
        "from requests import put as upload",
        "upload(url, data=d, timeout=5, verify=False)",
        verifier=((2, "SC603", ERROR),),
        bandit=(2,),
    ),
    case(
        "an httpx client",
        "import httpx",
        "client = httpx.Client(verify=False)",
        verifier=((2, "SC603", ERROR),),
        bandit=(2,),
    ),
    case(
        "a requests session call (bandit cannot follow the object)",
        "import requests",
        "requests.Session().get(url, timeout=5, verify=False)",
        verifier=((2, "SC603", ERROR),),
    ),
    case("verification on", "import requests", "r = requests.get(url, timeout=5, verify=True)"),
    case(
        "a CA bundle",
        "import requests",
        'r = requests.get(url, timeout=5, verify="/etc/ca.pem")',
    ),
)
