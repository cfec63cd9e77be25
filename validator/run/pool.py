"""The process-pool executor: one task per client folder on ``jobs`` worker processes.

Processes, not threads: pypdf and the checks are Python (the GIL), and PDFium is not thread-safe.
Workers start from a fork server that has already imported the task module, and receive the
run's settings once, at start-up (not with every task).

At most ``2 * jobs`` tasks are in flight, so memory does not grow with the number of clients.
A worker that dies (a native library aborting on a hostile file) breaks the pool: the clients
that were in flight are then re-run one at a time in a fresh one-worker pool, so only the client
that really kills a worker is reported as such and the run goes on.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from validator.batch.clients import Client
from validator.batch.task import ClientResult, Settings, run_client
from validator.model import PackageResult

_settings: Settings | None = None


def _init(settings: Settings) -> None:
    global _settings
    _settings = settings
    # Ctrl-C reaches the whole process group: the parent alone handles it (stops the pool,
    # says how far the run got); a worker would only print a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _task(client: Client) -> ClientResult:
    assert _settings is not None, "worker not initialised"
    return run_client(client, _settings)


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:  # fork is unsafe once the parent has threads; spawn starts slowly
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["validator.batch.task"])
        return ctx
    return multiprocessing.get_context("spawn")


def run_pool(clients: Sequence[Client], settings: Settings, jobs: int) -> Iterator[ClientResult]:
    pending = list(reversed(clients))  # popped from the end: the given order
    suspects: list[Client] = []
    while pending:  # a fresh pool after each break, for the clients not started yet
        suspects += yield from _drain(pending, settings, jobs)
    for client in suspects:  # each alone, so a crash is pinned on the client that causes it
        if (yield from _drain([client], settings, 1)):
            yield ClientResult(
                client.name,
                PackageResult(
                    client.root,
                    "",
                    (),
                    error="checking this folder crashed a worker process (a file may be hostile to one of the readers)",
                ),
            )


def _drain(pending: list[Client], settings: Settings, jobs: int) -> Generator[ClientResult, None, list[Client]]:
    """Run ``pending`` (emptied as it goes); return the clients in flight if a worker died."""
    window = 2 * jobs
    with ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_init, initargs=(settings,)) as pool:
        in_flight: dict[Future[ClientResult], Client] = {}
        try:
            while pending or in_flight:
                while pending and len(in_flight) < window:
                    client = pending.pop()
                    in_flight[pool.submit(_task, client)] = client
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    result = future.result()  # BrokenProcessPool when a worker died
                    del in_flight[future]
                    yield result
        except BrokenProcessPool:
            return list(in_flight.values())
        except BaseException:  # interrupted (or the consumer stopped): stop now, not after the window
            _stop(pool)
            raise
    return []


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers, so leaving the pool does not wait for
    the tasks in flight."""
    pool.shutdown(wait=False, cancel_futures=True)
    for process in list((getattr(pool, "_processes", None) or {}).values()):  # no public way before 3.14
        if process.is_alive():
            process.terminate()
