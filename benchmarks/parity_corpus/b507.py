"""B507 (ssh_no_host_key_verification): paramiko trusting unknown host keys)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B507"
CASES: tuple[Case, ...] = (
    case(
        "AutoAddPolicy",
        "import paramiko",
        "client = paramiko.SSHClient()",
        "client.set_missing_host_key_policy(paramiko.AutoAddPolicy())",
        verifier=((3, "SC613", ERROR),),
        bandit=(3,),
    ),
    case(
        "WarningPolicy from an aliased submodule",
        "from paramiko import client as pc",
        "ssh = pc.SSHClient()",
        "ssh.set_missing_host_key_policy(pc.WarningPolicy)",
        verifier=((3, "SC613", ERROR),),
        bandit=(3,),
    ),
    case(
        "from-import alias (bandit matches the policy by its name)",
        "import paramiko",
        "from paramiko import AutoAddPolicy as Trust",
        "ssh = paramiko.SSHClient()",
        "ssh.set_missing_host_key_policy(Trust())",
        verifier=((4, "SC613", ERROR),),
    ),
    case(
        "RejectPolicy",
        "import paramiko",
        "client = paramiko.SSHClient()",
        "client.set_missing_host_key_policy(paramiko.RejectPolicy())",
    ),
)
