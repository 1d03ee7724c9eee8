"""A per-problem result cache, so that an interrupted benchmark run resumes where it stopped.

A record is stored under ``<root>/<benchmark>/<mode>/<settings hash>-<model sha>/<problem>.json``
and written atomically: a run killed mid-write leaves no half record behind. The
settings hash takes in ``code_fingerprint()``, so a change to the product's code
never serves records that the old code made.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from config.files import atomic_writer

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
REPO_ROOT = Path(__file__).resolve().parents[2]
PRODUCT_PACKAGES = ("analysis", "config", "decoding", "memory", "nodes", "orchestrator", "verify")


def code_fingerprint(
    root: Path = REPO_ROOT, packages: tuple[str, ...] = PRODUCT_PACKAGES, length: int = 12
) -> str:
    """A short hash of the product's Python and YAML sources under ``root``."""
    digest = hashlib.sha256()
    for package in packages:
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".yaml") and path.is_file():
                digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:length]


def settings_hash(settings: Mapping[str, Any], length: int = 12) -> str:
    """A stable short hash of JSON-serialisable settings (key order does not matter)."""
    text = json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


class ResultCache:
    """Finished problem records of one (benchmark, mode, settings, model) combination."""

    def __init__(
        self, root: Path, *, benchmark: str, mode: str, settings_key: str, model_sha: str
    ) -> None:
        self.directory = root / _safe(benchmark) / _safe(mode) / f"{settings_key}-{model_sha}"

    def path(self, problem_id: str) -> Path:
        """Where the record of ``problem_id`` lives."""
        return self.directory / f"{_safe(problem_id)}.json"

    def get(self, problem_id: str) -> dict[str, Any] | None:
        """The stored record of ``problem_id``, or ``None`` when absent or unreadable."""
        try:
            data = json.loads(self.path(problem_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, problem_id: str, record: Mapping[str, Any]) -> None:
        """Store ``record`` for ``problem_id`` atomically."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with atomic_writer(self.path(problem_id)) as handle:
            json.dump(record, handle, indent=1)


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name)
