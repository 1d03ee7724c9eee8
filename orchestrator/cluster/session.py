"""Ray itself: joining a cluster or starting a local instance, and sizing the workers to it.

Without ``--ray`` the command starts a local Ray instance (its temporary
files in a directory of their own, removed at the end) and stops it again;
with ``--ray ADDRESS`` it joins a running cluster and leaves it running.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from config.errors import UserError

if TYPE_CHECKING:
    from config.settings import Settings


class ClusterError(UserError):
    """Ray is missing, a cluster cannot be joined, or the workers cannot start (exit 2)."""


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """Raise ``ClusterError`` unless ``HOST:PORT`` (or ``ray://HOST:PORT``) accepts a connection.

    Ray itself retries an unreachable head for minutes; ``auto`` is left to Ray,
    which fails at once when no cluster runs on this machine.
    """
    target = address.removeprefix("ray://")
    if target == "auto":
        return
    host, _, port = target.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise ClusterError(
            f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}"
        ) from None


@contextmanager
def ray_session(address: str | None, num_cpus: int) -> Iterator[None]:
    """Join the cluster at ``address``, or start a local Ray instance and remove it afterwards."""
    import logging

    try:
        import ray
    except ImportError:
        raise ClusterError(
            "Ray is not installed: install the cluster extra (pip install -e '.[cluster]' "
            "or make setup)"
        ) from None
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    # Ray starts its processes with fork+exec, which LanceDB's fork warning does not concern.
    warnings.filterwarnings("ignore", message="lancedb fork support", category=RuntimeWarning)
    temp_dir = None if address is not None else tempfile.mkdtemp(prefix="supercoder-ray-")
    try:
        try:
            if address is None:
                ray.init(
                    num_cpus=num_cpus,
                    include_dashboard=False,
                    _temp_dir=temp_dir,
                    logging_level=logging.WARNING,
                    log_to_driver=False,
                )
            else:
                ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError, TimeoutError) as exc:
            where = f"the Ray cluster at {address}" if address else "a local Ray instance"
            first = (str(exc).strip().split(". ") or [type(exc).__name__])[0].rstrip(".")
            raise ClusterError(f"cannot start or join {where}: {first}") from None
        yield
    finally:
        if ray.is_initialized():
            ray.shutdown()
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)


def threads_and_workers(
    settings: Settings, workers: int | None, address: str | None
) -> tuple[int, int]:
    """CPU threads per worker and the worker count, before Ray starts (local) or after (joined)."""
    if address is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        count = workers or 1
        return settings.model.n_threads or max(1, (cpus or 1) // count), count
    import ray

    node_cpus = [int(n["Resources"].get("CPU", 0)) for n in ray.nodes() if n.get("Alive")]
    node_cpus = [c for c in node_cpus if c > 0] or [1]
    if workers is None:
        return settings.model.n_threads or min(node_cpus), len(node_cpus)
    threads = settings.model.n_threads or max(1, sum(node_cpus) // workers)
    return min(threads, max(node_cpus)), workers
