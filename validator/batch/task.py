"""The per-client task: check one client folder into a PackageResult.

Picklable in and out (a `Client`, the run's `Settings`, a `ClientResult`), so a serial loop, a
process pool and a Dask cluster all run exactly this function and give the same results. What a
worker can build once - the specs, the leakage index - is cached per run (``Settings.token``)
in the worker process.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import threading
import time
from dataclasses import dataclass

from validator.api import FileOutcome, finish_package, inspect_file
from validator.batch.clients import Client
from validator.batch.leakage import Identity, LeakIndex, Own, normalize, scan_name, scan_pdf, scan_xlsx
from validator.checks import Context
from validator.discovery import Entry, Ignore, walk
from validator.model import PackageResult, sorted_defects
from validator.spec.model import Spec

_PDF_HEAD = 1024
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


@dataclass(frozen=True)
class Settings:
    """What every task of one run shares."""

    token: str  # one per run: worker caches are keyed by it
    identities: tuple[Identity, ...] = ()  # every client's company and credit code
    default_specs: tuple[str, ...] = ()  # --spec: for clients that name none
    severity: tuple[tuple[str, str], ...] = ()  # --ignore / --warn: (code, level)
    leak_pdf_pages: int = 1  # 0: do not read PDF text
    leak_pdf_seconds: float = 2.0


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
        self.specs: dict[tuple[str, ...], Spec | Exception] = {}

    def spec(self, refs: tuple[str, ...]) -> Spec:
        cached = self.specs.get(refs)
        if cached is None:
            from validator.batch.union import load_union
            from validator.spec import SpecError

            try:
                spec = load_union(refs)
                if self.settings.severity:
                    spec = dataclasses.replace(spec, severity={**spec.severity, **dict(self.settings.severity)})
                cached = spec
            except SpecError as exc:
                cached = exc
            self.specs[refs] = cached
        if isinstance(cached, Exception):
            raise cached
        return cached


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
    from validator.spec import SpecError

    if not client.exists:
        return _unchecked(client, None, "not checked")
    refs = client.specs or worker.settings.default_specs
    if not refs:
        return _unchecked(client, ("L207", {}), "no spec")
    try:
        spec = worker.spec(refs)
    except SpecError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else "invalid spec"
        return _unchecked(client, ("L204", {"spec": ", ".join(refs), "detail": detail}), "spec error")
    values = client.values(spec.variables)
    notes = _emit_notes(client, spec, values)
    try:
        entries = list(walk(client.root, Ignore(spec.ignore)))
    except OSError as exc:
        notes.emit("F105", "", {"detail": exc.strerror or str(exc)})
        return PackageResult(client.root, spec.id, sorted_defects(notes.defects), client=values, error=str(exc))
    own = _own_identifiers(client, values)
    outcomes = [_inspect(worker, spec, values, client.root, e, own) for e in entries]
    package = finish_package(client.root, spec, values, client.client_problem, outcomes)
    return dataclasses.replace(package, defects=sorted_defects((*package.defects, *notes.defects)))


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
    if extra is not None:
        ctx.emit(extra[0], "", extra[1])
    values = client.values(set(client.registry_values) | set(client.yaml_values))
    return PackageResult(client.root, "", sorted_defects(ctx.defects), client=values, error=why)


def _own_identifiers(client: Client, values: dict[str, str]) -> Own:
    from validator.identifiers import check_uscc

    sources = (values, client.yaml_values, client.registry_values)
    kinds = ["company"] if values.get("company") else []
    uscc = values.get("uscc", "")
    if uscc and check_uscc(uscc) is None:
        kinds.append("uscc")
    return Own((v for src in sources for k in ("company", "uscc") if (v := src.get(k))), kinds)


def _inspect(worker: _Worker, spec: Spec, values: dict[str, str], root: str, entry: Entry, own: Own) -> FileOutcome:
    outcome = inspect_file(spec, values, root, entry)
    index = worker.index
    if not index:
        return outcome
    ctx = Context(spec, values)
    named = scan_name(ctx, index, entry.rel, own, outcome.document)
    if entry.kind == "file" and not entry.error and entry.size > 0:
        kind = _leak_kind(entry)
        if kind == "xlsx":
            scan_xlsx(ctx, index, entry.path, entry.rel, own, outcome.document)
        elif kind == "pdf" and worker.settings.leak_pdf_pages > 0:
            scan_pdf(
                ctx,
                index,
                entry.path,
                entry.rel,
                own,
                outcome.document,
                worker.settings.leak_pdf_pages,
                worker.settings.leak_pdf_seconds,
            )
    if not ctx.defects:
        return outcome
    defects = outcome.defects
    if named:
        # "The name carries another value than the client's" (N102) says less than "it carries
        # client B's": keep one defect per leaked value, the L101.
        leaked = {normalize(h.value) for h in named}
        defects = tuple(
            d for d in defects if not (d.code == "N102" and normalize(str(d.params.get("found", ""))) in leaked)
        )
    return dataclasses.replace(outcome, defects=defects + tuple(ctx.defects))


def _leak_kind(entry: Entry) -> str | None:
    """pdf or xlsx by extension and first bytes; None for anything not worth a content scan."""
    ext = os.path.splitext(entry.name)[1].lower()
    if ext not in (".pdf", ".xlsx", ".xlsm"):
        return None
    try:  # as facts.read_facts: never block on a FIFO or follow a link swapped in since the walk
        fd = os.open(entry.path, _OPEN_FLAGS)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            head = os.read(fd, _PDF_HEAD)
        finally:
            os.close(fd)
    except OSError:
        return None
    if ext == ".pdf":
        return "pdf" if b"%PDF-" in head else None
    return "xlsx" if head.startswith(b"PK\x03\x04") else None
