"""The process-pool executor: one task per client folder on ``jobs`` worker processes.

Processes, not threads: the checks are Python (the GIL), and PDFium is not thread-safe.
Workers start from a fork server that has already imported the task module, and receive the
run's settings once, at start-up (not with every task).

Each worker has its own pipe and holds one client at a time, so memory does not grow with the
number of clients, and when a worker dies (a native library aborting on a hostile file, the OOM
killer) the parent knows which client it was checking. That client is tried once more in a fresh
worker - the death may not have been its doing - and reported as having crashed a worker only
if it kills that one too; the other workers go on. (concurrent.futures' pool cannot say which
task killed it, and in 3.11 a submit racing its break can lose a task or hang its shutdown.)
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections import deque
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from validator.batch.clients import Client
from validator.batch.task import ClientResult, Settings, run_client
from validator.model import PackageResult

CRASHED = "checking this folder crashed a worker process (a file may be hostile to one of the readers)"


def _serve(conn: Connection, settings: Settings) -> None:
    """A worker: check each client the parent sends until it sends None (or goes away)."""
    # Ctrl-C reaches the whole process group: the parent alone handles it (stops the workers,
    # says how far the run got); a worker would only print a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            client = conn.recv()
        except EOFError:
            return
        if client is None:
            return
        conn.send(run_client(client, settings))


def _context() -> Any:
    if "forkserver" in multiprocessing.get_all_start_methods():  # fork is unsafe once the parent has threads
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["validator.batch.task"])
        return ctx
    return multiprocessing.get_context("spawn")  # Windows


class _Worker:
    def __init__(self, ctx: Any, settings: Settings) -> None:
        self.conn, child_end = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child_end, settings), name="validator-batch")
        self.process.start()
        child_end.close()
        self.client: Client | None = None
        self.retry = False  # the client is on its second try, after a worker died under it

    def give(self, client: Client, retry: bool) -> None:
        self.client, self.retry = client, retry
        self.conn.send(client)

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # already gone
            self.conn.send(None)
        self.conn.close()
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def run_pool(clients: Sequence[Client], settings: Settings, jobs: int) -> Iterator[ClientResult]:
    ctx = _context()
    todo: deque[tuple[Client, bool]] = deque((client, False) for client in clients)
    idle = [_Worker(ctx, settings) for _ in range(max(1, min(jobs, len(clients))))]
    busy: list[_Worker] = []
    try:
        while todo or busy:
            while todo and idle:
                worker = idle.pop()
                try:
                    worker.give(*todo[0])
                except OSError:  # died before it was given anything: replace it, keep the client
                    worker.stop()
                    idle.append(_Worker(ctx, settings))
                    continue
                todo.popleft()
                busy.append(worker)
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
            for worker in [w for w in busy if w.conn in ready or w.process.sentinel in ready]:
                client, retry = worker.client, worker.retry
                assert client is not None
                try:
                    result = worker.conn.recv()
                except (EOFError, OSError):  # the worker died checking this client
                    busy.remove(worker)
                    worker.stop()
                    idle.append(_Worker(ctx, settings))
                    if retry:
                        yield ClientResult(client.name, PackageResult(client.root, "", (), error=CRASHED))
                    else:
                        todo.appendleft((client, True))
                    continue
                busy.remove(worker)
                idle.append(worker)
                yield result
    finally:  # done, interrupted, or the consumer stopped: no worker outlives the run
        for worker in busy:
            worker.process.kill()
        for worker in idle + busy:
            worker.stop()
