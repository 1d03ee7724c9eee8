"""B108 (hardcoded_tmp_directory): a literal path in a shared temporary directory."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B108"
CASES: tuple[Case, ...] = (
    case(
        "a file in /tmp",
        "with open('/tmp/report.txt', 'w') as f:",
        "    f.write(data)",
        verifier=((1, "SC305", WARNING),),
        bandit=(1,),
    ),
    case("/var/tmp", "CACHE = '/var/tmp/cache'", verifier=((1, "SC305", WARNING),), bandit=(1,)),
    case("/dev/shm", "path = '/dev/shm/x'", verifier=((1, "SC305", WARNING),), bandit=(1,)),
    case(
        "the start of an f-string",
        "path = f'/tmp/{name}.log'",
        verifier=((1, "SC305", WARNING),),
        bandit=(1,),
    ),
    case(
        "joined with a name",
        "import os",
        "path = os.path.join('/tmp', name)",
        verifier=((2, "SC305", WARNING),),
        bandit=(2,),
    ),
    case(
        "a name that only starts with tmp (bandit flags it)",
        "path = '/tmpfiles/x'",
        bandit=(1,),
    ),
    case("the tempfile module", "import tempfile", "path = tempfile.mkdtemp()"),
    case("a relative path", "path = 'tmp/report.txt'"),
)
