"""Find the GGUF file to load and make sure it is one, before llama.cpp sees it.

``"default"`` means the embedded default model (``decoding.embedded_model``):
assembled once into the user's cache from its PyPI part packages, checked by
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
from decoding.embedded_model import QWEN_CODER_1_5B, AssemblyProgress, assemble, cache_dir

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


def resolve_model(spec: str, *, on_progress: AssemblyProgress | None = None) -> ModelFile:
    """Return the checked GGUF file that ``spec`` names ("default" or a path).

    The default model is assembled on first use; ``on_progress`` then hears of it.
    """
    if spec == DEFAULT_MODEL:
        path = default_model_path(on_progress=on_progress)
    else:
        path = Path(spec).expanduser()
    check_gguf(path)
    return ModelFile(path=path, size=path.stat().st_size, sha256_prefix=sha256_prefix(path))


def default_model_path(*, on_progress: AssemblyProgress | None = None) -> Path:
    """The embedded default model in the user's cache, assembled there if it is not yet."""
    model = QWEN_CODER_1_5B
    target = cache_dir() / model.file_name
    if not _stamp_matches(target, model.sha256):
        assemble(model, target, on_progress=on_progress)
        _write_stamp(target, model.sha256)
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
