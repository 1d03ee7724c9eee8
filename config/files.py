"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def _new_file_mode() -> int:
    """The mode ``open()`` would give a new file: 0o666 less the process's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_writer(target: Path) -> Iterator[IO[str]]:
    """A text handle on a temporary file beside ``target``, renamed onto it on success.

    The file gets the mode a plain ``open()`` would give it (the user's umask).
    On any error the temporary file is removed and ``target`` is left as it was.
    """
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), _new_file_mode())
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def check_writable(target: Path) -> None:
    """Raise ``OSError`` unless a file can be created beside ``target`` and renamed onto it."""
    if target.is_dir():
        raise IsADirectoryError(21, "is a directory", str(target))
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    Path(tmp_name).unlink()
