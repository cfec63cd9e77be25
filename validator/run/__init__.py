"""Executors: run the per-client task over many clients and yield results as they complete.

Every executor maps `validator.batch.task.run_client` over the clients; none of them knows
what a check does, and the checks never know which executor ran them, so results are the same
whichever one is chosen (tests compare their JSON). Results arrive in completion order; the
caller sorts.

* ``serial``  - one after the other in this process
* ``process`` - a local process pool (default: one worker per core)
* ``dask``    - a Dask distributed cluster (``--scheduler tcp://host:8786``) or a LocalCluster
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from validator.batch.clients import Client
    from validator.batch.task import ClientResult, Settings

EXECUTORS = ("serial", "process", "dask")


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def run(
    executor: str,
    clients: Sequence[Client],
    settings: Settings,
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
) -> Iterator[ClientResult]:
    """Results for ``clients`` from the named executor, in completion order."""
    jobs = jobs or default_jobs()
    if executor == "serial":
        from validator.run.serial import run_serial

        return run_serial(clients, settings)
    if executor == "process":
        from validator.run.pool import run_pool

        return run_pool(clients, settings, jobs)
    if executor == "dask":
        from validator.run.dask_cluster import run_dask

        return run_dask(clients, settings, jobs, scheduler)
    raise ValueError(f"unknown executor {executor!r}; choose from {', '.join(EXECUTORS)}")
