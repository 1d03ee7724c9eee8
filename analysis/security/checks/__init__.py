"""Every security check; importing this package registers them all."""

from analysis.security.checks import (
    blacklist,
    crypto,
    deserialisation,
    execution,
    files,
    processes,
    web,
)

__all__ = ["blacklist", "crypto", "deserialisation", "execution", "files", "processes", "web"]
