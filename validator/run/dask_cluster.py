"""The Dask executor: the same per-client tasks on a Dask distributed cluster.

``scheduler=None`` starts a LocalCluster of ``jobs`` single-threaded worker processes; an
address (``tcp://host:8786``) uses an agency's cluster. Workers need this package installed and
the client folders mounted at the same path as here. The run's settings travel to every worker
once (``scatter(broadcast=True)``); tasks are submitted in a sliding window so the scheduler and
this process hold a bounded number of results whatever the client count.

Each task parses its files in the engine's killable worker (validator/sandbox.py), so the per-file
deadline holds in Dask's worker threads too. A client whose task kills workers repeatedly (Dask
gives up after its allowed failures) is reported as that client's error; a scheduler that cannot
be reached is the run's error (``SchedulerUnreachable``: exit 2, no traceback).
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any

from validator.batch.clients import Client
from validator.batch.task import ClientResult, Settings, run_client
from validator.model import PackageResult


class SchedulerUnreachable(Exception):
    """The Dask scheduler could not be reached (after distributed.comm.timeouts.connect, 30 s by
    default) or its address is not one."""

    def __init__(self, address: str, detail: str) -> None:
        super().__init__(f"{address}: {detail}")
        self.address, self.detail = address, detail


def run_dask(clients: Sequence[Client], settings: Settings, jobs: int, scheduler: str | None) -> Iterator[ClientResult]:
    import logging  # here, not at the top: `batch` imports this module for SchedulerUnreachable on every run

    from distributed import Client as DaskClient
    from distributed import LocalCluster, as_completed

    cluster = None
    scratch: str | None = None
    if scheduler is None:
        import dask.config

        # Off for our own cluster: the statistical profiler (a thread sampling every worker's
        # stack every 10 ms and keeping the trees) and the 1 ms GIL monitor. They cost CPU, and
        # the profile history grew each worker by ~10 MB per 1,000 clients. Workers get this
        # configuration from their nanny when they start.
        quiet = {"distributed.worker.profile.enabled": False, "distributed.admin.system-monitor.gil.enabled": False}
        scratch = tempfile.mkdtemp(prefix="validator-dask-")  # removed at the end (Dask leaves its own)
        with dask.config.set({**quiet, "temporary-directory": scratch}):
            cluster = LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                silence_logs=logging.ERROR,
            )  # fmt: skip
    try:
        try:
            dc = DaskClient(cluster if cluster is not None else scheduler)
        except (OSError, ValueError) as exc:  # unreachable or malformed address: the run's error, no traceback
            raise SchedulerUnreachable(scheduler or "LocalCluster", str(exc)) from None
        with dc:
            workers = max(len(dc.scheduler_info().get("workers", {})), 1)
            shared = dc.scatter(settings, broadcast=True)
            todo = iter(clients)
            futures: dict[Any, Client] = {}
            serial = itertools.count()

            def submit(client: Client) -> Any:
                future = dc.submit(
                    run_client, client, shared, pure=False, key=f"validator-{settings.token}-{next(serial)}"
                )
                futures[future] = client
                return future

            window = as_completed([submit(c) for _, c in zip(range(4 * workers), todo, strict=False)])
            for future in window:
                client = futures.pop(future)
                try:
                    result: ClientResult = future.result()
                except Exception as exc:  # KilledWorker and the like: that client's error, not the run's
                    result = ClientResult(
                        client.name,
                        PackageResult(client.root, "", (), error=f"the Dask task failed: {type(exc).__name__}: {exc}"),
                    )
                future.release()
                following = next(todo, None)
                if following is not None:
                    window.add(submit(following))
                yield result
    finally:
        if cluster is not None:
            cluster.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
