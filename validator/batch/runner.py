"""Run a batch: discover the clients, run the tasks on an executor, keep what the reports need.

Memory stays flat whatever the number of clients: each finished package is pickled to a
temporary spill file as it arrives, and only its roll-up row stays in memory. Reports are
written afterwards by reading the packages back one at a time (``validator.batch.output``).
"""

from __future__ import annotations

import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, overload

from validator.batch.clients import Client, discover
from validator.batch.rollup import Baseline, RollupRow, rollup_row
from validator.batch.task import ClientResult, Settings
from validator.checks.leakage import Identity
from validator.limits import DEFAULT_FILE_TIMEOUT
from validator.model import PackageResult


@dataclass(frozen=True)
class BatchOptions:
    """How one batch runs: the root, the specs and the executor."""

    root: str
    default_specs: tuple[str, ...] = ()
    executor: str = "process"  # serial | process | dask
    jobs: int | None = None  # default: all cores (process) / that many LocalCluster workers (dask)
    scheduler: str | None = None  # Dask scheduler address; None: a LocalCluster
    severity: tuple[tuple[str, str], ...] = ()
    leak_pdf_pages: int = 1
    lang: str = "zh"
    since: Baseline | None = None
    cache: bool = False
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT  # seconds per file parse in the killable worker
    waivers: str | None = None  # --waivers FILE (absolute) for every client; None: each folder's waivers.yaml


class Spill:
    """Finished packages in a temporary file, read back one at a time, by client name."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="validator-batch-")  # noqa: SIM115 - closed by close()
        self._where: dict[str, tuple[int, int]] = {}

    def add(self, name: str, package: PackageResult) -> None:
        data = pickle.dumps(package, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.seek(0, os.SEEK_END)
        self._where[name] = (self._file.tell(), len(data))
        self._file.write(data)

    def names(self) -> list[str]:
        return sorted(self._where)

    def get(self, name: str) -> PackageResult:
        offset, size = self._where[name]
        self._file.seek(offset)
        package: PackageResult = pickle.loads(self._file.read(size))
        return package

    def close(self) -> None:
        self._file.close()


class SpilledPackages(Sequence[PackageResult]):
    """The packages of a spill in client order, loaded on access: a Report's `packages` for
    formats that iterate (they then hold one package at a time, not all of them)."""

    def __init__(self, spill: Spill):
        self._spill = spill
        self._names = spill.names()

    def __len__(self) -> int:
        return len(self._names)

    @overload
    def __getitem__(self, i: int) -> PackageResult: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[PackageResult]: ...
    def __getitem__(self, i: int | slice) -> PackageResult | Sequence[PackageResult]:
        if isinstance(i, slice):
            return [self._spill.get(n) for n in self._names[i]]
        return self._spill.get(self._names[i])

    def __iter__(self) -> Iterator[PackageResult]:
        for name in self._names:
            yield self._spill.get(name)


@dataclass
class BatchOutcome:
    """What a batch run produced: the roll-up rows and where the full results are spilled."""

    options: BatchOptions
    spill: Spill
    rows: list[RollupRow] = field(default_factory=list)  # sorted by client
    seconds: float = 0.0
    gone: list[str] = field(default_factory=list)  # clients of the earlier report not seen now

    @property
    def files(self) -> int:
        return sum(r.files for r in self.rows)

    @property
    def ok(self) -> bool:
        return all(r.ready for r in self.rows)


def settings_for(options: BatchOptions, clients: Sequence[Client]) -> Settings:
    identities = tuple(
        Identity(c.name, *(c.yaml_values.get(k) or c.registry_values.get(k) or "" for k in ("company", "uscc")))
        for c in clients
        if c.exists
    )
    return Settings(
        token=os.urandom(16).hex(),  # what uuid4 reads, without importing uuid (and platform)
        identities=identities,
        default_specs=options.default_specs,
        severity=options.severity,
        leak_pdf_pages=options.leak_pdf_pages,
        cache=options.cache,
        file_timeout=options.file_timeout,
        waivers=options.waivers,
    )


def run_batch(
    options: BatchOptions,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[ClientResult], None] | None = None,
) -> BatchOutcome:
    """Check every client under ``options.root``; the caller closes ``outcome.spill``.

    With the ``process`` executor, a script calling this needs the usual multiprocessing guard
    (``if __name__ == "__main__":``): workers start from a fork server, which imports the script.
    """
    from validator.batch.json_report import package_json
    from validator.run import run

    start = time.perf_counter()
    if options.cache:
        from validator.batch.clients import load_memo, save_memo

        memo = load_memo(options.root)
        clients = discover(options.root, memo)
        save_memo(options.root, memo)
    else:
        clients = discover(options.root)
    if on_start is not None:
        on_start(len(clients))
    settings = settings_for(options, clients)
    outcome = BatchOutcome(options, Spill())
    results = run(options.executor, clients, settings, jobs=options.jobs, scheduler=options.scheduler)
    try:
        for result in results:
            outcome.spill.add(result.name, result.package)
            changes = None
            if options.since is not None:
                changes = options.since.compare(
                    result.name, package_json(result.name, result.package, options.lang)["defects"]
                )
            outcome.rows.append(rollup_row(result.name, result.package, changes))
            if on_result is not None:
                on_result(result)
    except BaseException:  # Ctrl-C: stop the executor now (its workers, its cluster), not at exit
        close = getattr(results, "close", None)
        if close is not None:
            close()
        outcome.spill.close()
        raise
    outcome.rows.sort(key=lambda r: r.client)
    if options.since is not None:
        seen = {r.client for r in outcome.rows}
        outcome.gone = sorted(c for c in options.since.clients if c not in seen)
    outcome.seconds = time.perf_counter() - start
    return outcome
