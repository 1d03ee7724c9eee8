"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO


@contextmanager
def atomic_writer(target: Path) -> Iterator[IO[str]]:
    """A UTF-8 text handle on a partial file beside ``target`` (:func:`partial_writer`),
    renamed onto it on success; the file gets the mode a plain ``open()`` would give it."""
    with partial_writer(target) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8")
        try:
            yield text
            text.flush()
        finally:
            text.detach()  # the partial file is partial_writer's to close


@contextmanager
def partial_writer(target: Path) -> Iterator[BinaryIO]:
    """A binary handle on ``.NAME.PID.partial`` beside ``target``, renamed onto it when the block
    ends without error; on any error, Ctrl-C included, the partial file is removed.

    Partial files that writers killed before they could clean up left behind (their
    process is gone) are removed first, so a large file never lingers half-written.
    """
    _remove_abandoned_partials(target)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _remove_abandoned_partials(target: Path) -> None:
    for stale in target.parent.glob(f".{target.name}.*.partial"):
        pid = stale.name.removeprefix(f".{target.name}.").removesuffix(".partial")
        if pid.isdigit() and not _alive(int(pid)):
            stale.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_writable(target: Path) -> None:
    """Raise ``OSError`` unless a file can be created beside ``target`` and renamed onto it."""
    if target.is_dir():
        raise IsADirectoryError(21, "is a directory", str(target))
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    Path(tmp_name).unlink()
