"""Where the product keeps its data on the user's machine."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The data directory: ``$SUPERCODER_DATA_DIR``, else ``$XDG_DATA_HOME/supercoder``."""
    explicit = os.environ.get("SUPERCODER_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "supercoder"


def cache_root() -> Path:
    """Where set-up keeps what it builds: ``$XDG_CACHE_HOME/supercoder`` (``~/.cache/...``)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "supercoder"
