"""B202 (tarfile_unsafe_members): ``extractall`` of a tar archive without a safe filter."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B202"
CASES: tuple[Case, ...] = (
    case(
        "extractall in a with block",
        "import tarfile",
        "with tarfile.open(path) as tar:",
        "    tar.extractall(dest)",
        verifier=((3, "SC306", ERROR),),
        bandit=(3,),
    ),
    case(
        "an archive opened through an alias",
        "import tarfile as tf",
        "archive = tf.open(path)",
        "archive.extractall()",
        verifier=((3, "SC306", ERROR),),
        bandit=(3,),
    ),
    case(
        "members chosen by a function",
        "import tarfile",
        "tar = tarfile.open(path)",
        "tar.extractall(members=safe_members(tar))",
        verifier=((3, "SC306", ERROR),),
        bandit=(3,),
    ),
    case(
        "the data filter",
        "import tarfile",
        "with tarfile.open(path) as tar:",
        "    tar.extractall(dest, filter='data')",
    ),
    case(
        "the data filter function (bandit flags it)",
        "import tarfile",
        "with tarfile.open(path) as tar:",
        "    tar.extractall(dest, filter=tarfile.data_filter)",
        bandit=(3,),
    ),
    case("listing members", "import tarfile", "names = tarfile.open(path).getnames()"),
)
