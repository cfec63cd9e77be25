"""The per-client task: check one client folder into a PackageResult.

Picklable in and out (a `Client`, the run's `Settings`, a `ClientResult`), so a serial loop, a
process pool and a Dask cluster all run exactly this function and give the same results. What a
worker can build once - the specs, the leakage index - is cached per run (``Settings.token``)
in the worker process.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from validator.batch.clients import Client
from validator.limits import DEFAULT_FILE_TIMEOUT
from validator.model import Defect, PackageResult, sorted_defects

if TYPE_CHECKING:  # the checks load with the first folder checked: a re-run that reuses every result needs none
    from validator.cache import PackageCache
    from validator.checks.leakage import Identity, LeakIndex
    from validator.engine import Job
    from validator.incremental import CachedOutcomes, RunHashes
    from validator.memo import Table
    from validator.spec.model import Spec


@dataclass(frozen=True)
class Settings:
    """What every task of one run shares."""

    token: str  # one per run: worker caches are keyed by it
    identities: tuple[Identity, ...] = ()  # every client's company and credit code
    default_specs: tuple[str, ...] = ()  # --spec: for clients that name none
    severity: tuple[tuple[str, str], ...] = ()  # --ignore / --warn: (code, level)
    leak_pdf_pages: int = 1  # 0: do not read PDF text
    cache: bool = False  # reuse outcomes of unchanged files (the incremental cache, per client folder)
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT  # seconds per file's PDF/workbook parse in the killable worker
    waivers: str | None = None  # --waivers FILE for every client (validator.waivers)


@dataclass(frozen=True)
class ClientResult:
    """One client's checked package and how long the check took."""

    name: str
    package: PackageResult
    seconds: float = 0.0


class _Worker:
    """Per-process state for one run."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._index: LeakIndex | None = None
        self.identities_digest = hashlib.sha256(
            repr(sorted(dataclasses.astuple(i) for i in settings.identities)).encode()
        ).hexdigest()
        self.specs: dict[tuple[str, ...], Spec | Exception] = {}
        self.hashes: RunHashes | None = None  # content hashes of this run (--cache): a hard-linked file once

    @property
    def index(self) -> LeakIndex:
        """Every client's identities, indexed when a folder is first checked (not for reused results)."""
        if self._index is None:
            from validator.checks.leakage import LeakIndex

            self._index = LeakIndex(self.settings.identities)
        return self._index

    def spec(self, refs: tuple[str, ...], root: str) -> Spec | Exception:
        """The spec, or the SpecError it raised (once per run; a spec from the spec cache loads
        without PyYAML, which defines SpecError: it is imported only when loading failed)."""
        cached = self.specs.get(refs)
        if cached is None:
            try:
                spec = self._load(refs, root)
                if self.settings.severity:
                    spec = dataclasses.replace(spec, severity={**spec.severity, **dict(self.settings.severity)})
                cached = spec
            except Exception as exc:
                from validator.spec import SpecError

                if not isinstance(exc, SpecError):
                    raise
                cached = exc
            self.specs[refs] = cached
        return cached

    def _load(self, refs: tuple[str, ...], root: str) -> Spec:
        """One spec: with ``--cache``, unpickled from the spec cache while its files are unchanged
        (as the hook does: no YAML parsing and validation on a re-run); a union is always built."""
        if self.settings.cache and len(refs) == 1:
            from validator.cache import usable_dir

            directory = usable_dir(root)
            if directory is not None:
                from validator.spec_cache import cached_spec, load_and_store

                return cached_spec(refs[0], directory) or load_and_store(refs[0], directory)
        from validator.batch.union import load_union

        return load_union(refs)


_lock = threading.Lock()
_current: _Worker | None = None


def _worker(settings: Settings) -> _Worker:
    global _current
    with _lock:  # Dask workers may run several tasks in threads
        if _current is None or _current.settings.token != settings.token:
            _current = _Worker(settings)
        return _current


def run_client(client: Client, settings: Settings) -> ClientResult:
    """Check one client; never raises (an internal error becomes that client's error)."""
    start = time.perf_counter()
    try:
        package = _check(client, _worker(settings))
    except Exception as exc:
        package = PackageResult(client.root, "", (), error=f"internal error: {type(exc).__name__}: {exc}")
    return ClientResult(client.name, package, time.perf_counter() - start)


def _check(client: Client, worker: _Worker) -> PackageResult:
    if not client.exists:
        return _unchecked(client, None, "not checked")
    refs = client.specs or worker.settings.default_specs
    if not refs:
        return _unchecked(client, ("L207", {}), "no spec")
    spec = worker.spec(refs, client.root)
    if isinstance(spec, Exception):
        detail = str(spec).splitlines()[0] if str(spec) else "invalid spec"
        return _unchecked(client, ("L204", {"spec": ", ".join(refs), "detail": detail}), "spec error")
    values = client.values(spec.variables)
    notes = _emit_notes(client, spec, values) if client.notes else ()
    if worker.settings.cache:
        return _check_cached(client, spec, values, notes, worker)
    job = _job(client, spec, values, worker)
    return _finish(client.root, job, _run(client, job, None)[0], notes)


def _job(client: Client, spec: Spec, values: dict[str, str], worker: _Worker) -> Job:
    from validator.engine import Job

    return Job.for_client(spec, values, sources=(client.yaml_values, client.registry_values),
                          index=worker.index or None, leak_pdf_pages=worker.settings.leak_pdf_pages,
                          file_timeout=worker.settings.file_timeout, waivers=worker.settings.waivers)


def _run(client: Client, job: Job, provider: CachedOutcomes | None) -> tuple[PackageResult, bool]:
    """The engine's result before the client's notes and waivers, and whether it may be kept."""
    from validator.engine import check_unwaived

    return check_unwaived(client.root, job, client_problem=client.client_problem, provider=provider)


def _finish(root: str, job: Job | None, result: PackageResult, notes: tuple[Defect, ...]) -> PackageResult:
    """The client's notes and the waivers, on an engine result (fresh or reused) - as check_package
    does. ``job`` None: a reused result with no waivers file to apply (no job is built for it)."""
    if notes:
        result = dataclasses.replace(result, defects=sorted_defects((*result.defects, *notes)))
    if job is None:
        return result
    from validator.waivers import apply_waivers

    return apply_waivers(root, job, result)


def _check_cached(client: Client, spec: Spec, values: dict[str, str], notes: tuple[Defect, ...],
                  worker: _Worker) -> PackageResult:
    """With ``--cache``: the folder's kept result when not one of its entries moved (validator.reuse),
    else a check through the per-file outcomes of the incremental cache."""
    from validator.cache import PackageCache, usable_dir
    from validator.reuse import folder_key, keep, record_path, reusable, take_snapshot

    root = client.root
    directory = usable_dir(root)
    if directory is None:  # the cache directory lies inside the materials: no cache at all
        job = _job(client, spec, values, worker)
        return _finish(root, job, _run(client, job, None)[0], notes)
    path = record_path(root, directory)
    settings = worker.settings
    key = folder_key(root, _spec_digest(spec), worker.identities_digest, settings.leak_pdf_pages, values,
                     (client.yaml_values, client.registry_values), client.client_problem)
    taken = take_snapshot(root)  # before anything is read: what changes later moves a stamp past it
    kept = reusable(path, key, taken)
    if kept is not None:
        waived = settings.waivers is not None or _has_waivers_file(root)
        return _finish(root, _job(client, spec, values, worker) if waived else None, kept, notes)
    job = _job(client, spec, values, worker)
    result, settled_verdicts = _run(client, job, _cached_outcomes(PackageCache(root, directory), job, worker))
    keep(path, key, taken, result, settled_verdicts)
    return _finish(root, job, result, notes)


_SPEC_DIGESTS: Table = {}


def _spec_digest(spec: Spec) -> str:
    """``spec_cache.spec_digest`` of a loaded spec (canonicalising a spec costs ~1 ms: once per
    spec object and run, not once per client)."""
    from validator.memo import per_object
    from validator.spec_cache import spec_digest

    return per_object(_SPEC_DIGESTS, spec, lambda: spec_digest(spec))


def _has_waivers_file(root: str) -> bool:
    from validator.discovery import WAIVERS_FILE

    return os.path.lexists(os.path.join(root, WAIVERS_FILE))


def _cached_outcomes(cache: PackageCache, job: Job, worker: _Worker) -> CachedOutcomes:
    """The folder's incremental cache, bound to what its outcomes depend on: the spec, the values
    and - for the leak checks - every client's identities (a new client re-checks every file)."""
    from validator.incremental import CachedOutcomes, RunHashes

    cache.bind(f"{_spec_digest(job.spec)}|{worker.identities_digest}|{job.text_pages}", job.values)
    if worker.hashes is None:
        worker.hashes = RunHashes()
    return CachedOutcomes(cache, worker.hashes)


def _emit_notes(client: Client, spec: Spec, values: dict[str, str]) -> tuple[Defect, ...]:
    from validator.checks import Context

    ctx = Context(spec, values)
    for note in client.notes:
        params = dict(note.params)
        var = spec.variables.get(str(params.get("name", "")))
        if note.code == "L201" and var is not None:
            params["title"] = var.title
        ctx.emit(note.code, note.path, params, location=note.location)
    return tuple(ctx.defects)


def _unchecked(client: Client, extra: tuple[str, dict[str, object]] | None, why: str) -> PackageResult:
    """A client that cannot be checked: its notes (and the reason) as defects, and an error."""
    from validator.checks import Context
    from validator.spec.model import Spec

    spec = Spec(id="", title="", documents=())
    ctx = Context(spec, dict(client.yaml_values))
    for note in client.notes:
        ctx.emit(note.code, note.path, note.params, location=note.location)
    if client.client_problem:
        # Often the very reason no spec is known: a client.yaml that could not be read.
        from validator.client_file import problem_defects

        for code, params in problem_defects(client.client_problem):
            ctx.emit(code, "", params)
    if extra is not None:
        ctx.emit(extra[0], "", extra[1])
    values = client.values(set(client.registry_values) | set(client.yaml_values))
    return PackageResult(client.root, "", sorted_defects(ctx.defects), client=values, error=why)
