"""The per-client task: check one client folder into a PackageResult.

Picklable in and out (a `Client`, the run's `Settings`, a `ClientResult`), so a serial loop, a
process pool and a Dask cluster all run exactly this function and give the same results. What a
worker can build once - the specs, the leakage index - is cached per run (``Settings.token``)
in the worker process.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from validator.batch.clients import Client
from validator.checks import Context
from validator.checks.leakage import Identity, LeakIndex
from validator.limits import DEFAULT_FILE_TIMEOUT
from validator.model import PackageResult, sorted_defects
from validator.spec.model import Spec

if TYPE_CHECKING:
    from validator.engine import Job
    from validator.incremental import CachedOutcomes


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
    name: str
    package: PackageResult
    seconds: float = 0.0


class _Worker:
    """Per-process state for one run."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.index = LeakIndex(settings.identities)
        self.identities_digest = hashlib.sha256(
            repr(sorted(dataclasses.astuple(i) for i in settings.identities)).encode()
        ).hexdigest()
        self.specs: dict[tuple[str, ...], Spec | Exception] = {}
        self.digests: dict[int, tuple[Spec, str]] = {}  # id(spec) -> (spec, spec_digest): hashed once per run

    def spec_digest(self, spec: Spec) -> str:
        """``spec_cache.spec_digest`` of a spec this worker loaded (canonicalising a spec costs
        ~1 ms: once per run, not once per client)."""
        known = self.digests.get(id(spec))
        if known is None or known[0] is not spec:
            from validator.spec_cache import spec_digest

            known = self.digests[id(spec)] = (spec, spec_digest(spec))
        return known[1]

    def spec(self, refs: tuple[str, ...], root: str) -> Spec:
        cached = self.specs.get(refs)
        if cached is None:
            from validator.spec import SpecError

            try:
                spec = self._load(refs, root)
                if self.settings.severity:
                    spec = dataclasses.replace(spec, severity={**spec.severity, **dict(self.settings.severity)})
                cached = spec
            except SpecError as exc:
                cached = exc
            self.specs[refs] = cached
        if isinstance(cached, Exception):
            raise cached
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
    from validator.engine import Job, check_package
    from validator.spec import SpecError

    if not client.exists:
        return _unchecked(client, None, "not checked")
    refs = client.specs or worker.settings.default_specs
    if not refs:
        return _unchecked(client, ("L207", {}), "no spec")
    try:
        spec = worker.spec(refs, client.root)
    except SpecError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else "invalid spec"
        return _unchecked(client, ("L204", {"spec": ", ".join(refs), "detail": detail}), "spec error")
    values = client.values(spec.variables)
    job = Job.for_client(spec, values, sources=(client.yaml_values, client.registry_values),
                         index=worker.index or None, leak_pdf_pages=worker.settings.leak_pdf_pages,
                         file_timeout=worker.settings.file_timeout, waivers=worker.settings.waivers)
    notes = _emit_notes(client, spec, values)
    return check_package(client.root, job, client_problem=client.client_problem, notes=notes.defects,
                         provider=_cached_outcomes(client.root, job, worker) if worker.settings.cache else None)


def _cached_outcomes(root: str, job: Job, worker: _Worker) -> CachedOutcomes | None:
    """The folder's incremental cache, bound to what its outcomes depend on: the spec, the values
    and - for the leak checks - every client's identities (a new client re-checks every file)."""
    from validator.cache import PackageCache
    from validator.incremental import CachedOutcomes
    cache = PackageCache.open(root)
    if cache is None:
        return None
    cache.bind(f"{worker.spec_digest(job.spec)}|{worker.identities_digest}|{job.text_pages}", job.values)
    return CachedOutcomes(cache)


def _emit_notes(client: Client, spec: Spec, values: dict[str, str]) -> Context:
    ctx = Context(spec, values)
    for note in client.notes:
        params = dict(note.params)
        var = spec.variables.get(str(params.get("name", "")))
        if note.code == "L201" and var is not None:
            params["title"] = var.title
        ctx.emit(note.code, note.path, params, location=note.location)
    return ctx


def _unchecked(client: Client, extra: tuple[str, dict[str, object]] | None, why: str) -> PackageResult:
    """A client that cannot be checked: its notes (and the reason) as defects, and an error."""
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
