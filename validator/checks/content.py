"""The content checks of one regular file, in order, on one memoised set of facts.

Size, type by content, PDF properties, spreadsheet layout and cells, and the leak scan of cells
and PDF text all ask the same :class:`validator.facts.FileFacts`, so each parse happens once.

The checks that parse a PDF or a workbook run native code (PDFium, python-calamine) that no
signal can interrupt, so they run in the killable worker (:mod:`validator.sandbox`) under the
job's per-file deadline: a parse that outlives it, exhausts the worker's memory or crashes it
kills the worker, never the run, and the file gets the defect the reader gives for that failure
(``timeout``, ``memory``, ``damaged``).  Only defects travel back, never the parsed content.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from validator.checks import Context
from validator.checks.leakage import LeakIndex, Own, check_content_leaks
from validator.checks.pdf import check_pdf
from validator.checks.portability import note_without_libmagic
from validator.checks.size import check_size
from validator.checks.types import check_type
from validator.discovery import Entry
from validator.facts import FileFacts, ReadProblem, preload_readers, read_facts
from validator.memo import Table, per_object
from validator.model import Defect
from validator.spec.model import DocumentSpec, Spec

if TYPE_CHECKING:
    from validator.checks.documents import Assignment
    from validator.engine import Job
    from validator.sandbox import Sandbox

#: ``checks.sheet.SHEET_KINDS`` (a test holds them equal), not imported from there: a run whose
#: files to parse are all PDFs (a re-run where PDFs changed) never loads the sheet checks.
SHEET_KINDS = frozenset({"xlsx", "xlsm"})

def check_content(ctx: Context, job: Job, entry: Entry, doc: DocumentSpec | None, ahead: Ahead | None = None) -> bool:
    """Run every content check; True when the file is a readable, non-empty regular file.
    ``ahead``: what :class:`ParseAhead` learnt of this file (its facts, its parse checks' result)."""
    doc_id = doc.id if doc else None
    try:
        facts: FileFacts = ahead.facts if ahead is not None and ahead.facts is not None else \
            read_facts(entry, text_pages=job.text_pages)
    except ReadProblem as p:
        params = (p.params if p.params is not None else {"kind": p.kind} if p.code == "F104"
                  else {"target": "?"} if p.code == "F103" else {"detail": p.detail})
        ctx.emit(p.code, entry.rel, params, document=doc_id)
        return False
    note_without_libmagic(ctx, facts.content)
    check_size(ctx, entry.rel, facts.size, doc, facts.content)
    if facts.size == 0:
        return False
    check_type(ctx, facts, doc)
    if not parses(job, facts, doc):
        pass  # names and types only: nothing to parse
    elif job.file_timeout is not None:  # a PDF or a workbook: native parsers, in the killable worker
        _parse_checks_in_worker(ctx, job, facts, doc, ahead.result if ahead is not None else None)
    else:
        parse_checks(ctx, job, facts, doc)
    return True


def parses(job: Job, facts: FileFacts, doc: DocumentSpec | None) -> bool:
    """Would any parse check read this file's content? (A spec of names and types never does.)"""
    kind = facts.content.kind
    if kind == "pdf":
        return (doc is not None and doc.pdf is not None) or (job.index is not None and job.text_pages > 0)
    if kind in SHEET_KINDS:
        return (doc is not None and doc.sheet is not None) or bool(job.index)
    return False


def parse_checks(ctx: Context, job: Job, facts: FileFacts, doc: DocumentSpec | None) -> None:
    """The checks that parse the content: PDF properties, sheet layout and cells, the leak scan."""
    if doc is not None:
        check_pdf(ctx, facts, doc)
        if facts.content.kind in SHEET_KINDS and doc.sheet is not None:
            from validator.checks.sheet import check_sheet

            check_sheet(ctx, facts, doc)
    check_content_leaks(ctx, job.index, facts, job.own, doc.id if doc else None, job.text_pages)


def _parse_checks_in_worker(ctx: Context, job: Job, facts: FileFacts, doc: DocumentSpec | None,
                            asked: object = None) -> None:
    """``asked``: the worker's answer for this file when :class:`ParseAhead` asked for it (the
    defects, or the exception the call ended with); None: ask now."""
    from validator.sandbox import SandboxCrashed, SandboxError, SandboxMemory, SandboxTimeout

    try:
        if asked is None:
            box = _ready_worker({_readers(facts)})
            if box is None:  # no worker can start here: parse in this process, as before
                parse_checks(ctx, job, facts, doc)
                return
            found: tuple[Defect, ...] = box.call(
                _worker_parse_checks, *_per_file(job, facts, doc), timeout=job.file_timeout,
                state_key=_state_key(job.spec, job.index), state=_state(job, box),
            )
        elif isinstance(asked, BaseException):
            raise asked
        else:
            found = asked  # type: ignore[assignment]
    except SandboxError as exc:
        if isinstance(exc, SandboxTimeout):
            reason, detail = "timeout", f"> {job.file_timeout:g} s"
        elif isinstance(exc, SandboxMemory):
            reason, detail = "memory", ""
        else:
            reason, detail = "damaged", _crash_detail(exc) if isinstance(exc, SandboxCrashed) else ""
        facts.fail(reason, detail)
        ctx.unsettled = True  # a slower machine, or a less loaded one, may judge it otherwise
        before = len(ctx.defects)
        parse_checks(ctx, job, facts, doc)  # now on the failed facts: the reader's defect for it
        if len(ctx.defects) == before:
            # No rule of the spec reads this property (the leak scan was reading its text):
            # the file could not be read all the same, and that is said.
            code = "P101" if facts.content.kind == "pdf" else "X101"
            ctx.emit(code, facts.rel, {"reason": reason, "detail": detail}, document=doc.id if doc else None)
        return
    ctx.defects.extend(found)


def _ready_worker(kinds: set[str]) -> Sandbox | None:
    """This thread's worker, started and holding the parsers of ``kinds`` ("pdf", "sheet");
    None when no worker can start here. A worker loads the parsers of a kind before its first
    file of that kind, so that their import (a fresh interpreter on Windows) is not counted
    against that file's deadline; a kind it never meets is never loaded (a re-run where only
    PDFs changed)."""
    from validator.sandbox import START_TIMEOUT, SandboxError, shared

    box = shared()
    if box.pid is None:
        _preloaded.clear()  # the next call starts a new worker (a reused pid must not look loaded)
    if box.mode == "inline":
        return box
    try:
        box.ready()  # started early by start_worker, or now
        for readers in sorted(kinds):
            if readers not in _preloaded.get(box.pid, ()):
                box.call(preload_readers, readers, timeout=START_TIMEOUT)
                _preloaded.setdefault(box.pid, set()).add(readers)
    except SandboxError:
        return None
    return box


def _readers(facts: FileFacts) -> str:
    """The kind of readers ("sheet", "pdf") the worker needs for this file's parse checks."""
    return "sheet" if facts.content.kind in SHEET_KINDS else "pdf"


def _state(job: Job, box: Sandbox) -> tuple[Spec, LeakIndex | None] | None:
    """What every parse call of a run shares, sent to the worker once (it can be large); None when
    the worker holds it already (sent before, or inherited where it was forked)."""
    return None if box.holds(_state_key(job.spec, job.index)) else (_worker_spec(job.spec), job.index)


def _per_file(job: Job, facts: FileFacts, doc: DocumentSpec | None) -> tuple[Any, ...]:
    """The arguments of :func:`_worker_parse_checks` after the shared state."""
    return job.values, job.own, job.leak_pdf_pages, facts, doc.id if doc else None


#: Files of a folder looked at together by :class:`ParseAhead`: enough to spare most round trips
#: to the worker, few enough that the facts held meanwhile (heads of at most 8 KiB) stay small.
AHEAD = 32


class Ahead(NamedTuple):
    """What :class:`ParseAhead` learnt of one plain file before the engine inspects it."""

    assignment: Assignment  # the document its name stands for
    facts: FileFacts | None  # None: it could not be read (inspecting it says why)
    result: object = None  # its parse checks' defects, or the exception that ended them; None: not asked


class ParseAhead:
    """The parse checks of a folder's files, asked of the worker for up to :data:`AHEAD` files
    in one call (:meth:`validator.sandbox.Sandbox.call_each`) rather than one call per file: a
    round trip between two processes costs more than many a file's checks. The same checks on
    the same facts, each file under its own deadline (counted from the end of the file before);
    a file the call did not reach (the worker ended or raised on an earlier one) is asked alone,
    as without this. The engine walks the entries in order; :meth:`pop` hands it each file's part."""

    def __init__(self, job: Job, entries: Sequence[Entry]):
        self.job = job
        self._entries = entries
        self._next = 0  # the first entry not looked at yet
        self._known: dict[str, Ahead] = {}
        self._values = Context(job.spec, job.values).values  # as inspect assigns documents

    def pop(self, entry: Entry) -> Ahead | None:
        """What was learnt of ``entry`` (looking at the next files first when it was not yet);
        None for anything but a plain file of the folder."""
        found = self._known.pop(entry.rel, None)
        if found is None and self._next < len(self._entries) and entry is self._entries[self._next]:
            self._look(self._entries[self._next : self._next + AHEAD])
            found = self._known.pop(entry.rel, None)
        return found

    def _look(self, window: Sequence[Entry]) -> None:
        from validator.checks.documents import assign

        self._next += len(window)
        self._known.clear()  # the engine takes every file in order: nothing of the last window is left
        job = self.job
        asked: list[tuple[str, FileFacts, DocumentSpec | None]] = []
        for entry in window:
            if entry.kind != "file" or entry.error or entry.member is not None:
                continue
            assignment = assign(job.spec, entry.name, self._values)
            try:
                facts: FileFacts | None = read_facts(entry, text_pages=job.text_pages)
            except ReadProblem:
                facts = None
            self._known[entry.rel] = Ahead(assignment, facts)
            if facts is not None and facts.size > 0 and parses(job, facts, assignment.document):
                asked.append((entry.rel, facts, assignment.document))
        if not asked or job.file_timeout is None:
            return
        box = _ready_worker({_readers(f) for _, f, _ in asked})
        if box is None or box.mode == "inline":
            return  # each file is parsed as without this (in this process, or inline)
        answers = box.call_each(_worker_parse_checks, [_per_file(job, f, d) for _, f, d in asked],
                                timeout=job.file_timeout, state_key=_state_key(job.spec, job.index),
                                state=_state(job, box))
        for (rel, _, _), answer in zip(asked, answers, strict=False):
            self._known[rel] = self._known[rel]._replace(result=answer)


def _worker_parse_checks(
    state: tuple[Spec, LeakIndex | None], values: dict[str, Any], own: Own, leak_pdf_pages: int,
    facts: FileFacts, doc_id: str | None,
) -> tuple[Defect, ...]:
    """In the worker: the parse checks of one file, as the job would run them here."""
    from validator.engine import Job

    spec, index = state
    job = Job(spec, values, own, index, leak_pdf_pages, file_timeout=None)
    ctx = Context(spec, values)
    parse_checks(ctx, job, facts, spec.document(doc_id) if doc_id else None)
    return tuple(ctx.defects)


_preloaded: dict[int | None, set[str]] = {}  # worker pid -> the kinds of readers it has loaded


def start_worker(kinds: set[str], specs: Iterable[Spec] = ()) -> None:
    """Start this thread's parse worker now, in the background, loading the readers of ``kinds``
    ("pdf", "sheet") before it says it is ready: a caller that knows early that it will parse
    (the hook, once it sees a changed PDF) overlaps the worker's start with its own work.  Nothing
    happens when a worker is already live or none would be used (``inline``).

    ``specs`` (loaded already; checked without a leak index, as the hook checks) are the worker's
    from its start where it is forked (:meth:`Sandbox.start`'s ``states``): its first parse
    then waits for no spec to be pickled, sent and unpickled (its name patterns compiled again)."""
    from validator.sandbox import shared

    box = shared()
    kind = next(iter(kinds)) if len(kinds) == 1 else None  # None: every kind
    states = {_state_key(spec, None): (spec, None) for spec in specs}
    try:
        started = box.start(warm=(_warm_worker, (kind,)), states=states)
    except OSError:  # no process can be made now: the first parse tries again, and says why
        return
    if started:
        _preloaded.clear()
        _preloaded[box.pid] = {"pdf", "sheet"} if kind is None else {kind}


def start_worker_for(folder: str) -> None:
    """:func:`start_worker` for a folder about to be checked in full, by the names at its top:
    its PDFs and workbooks will be parsed (a wrong guess costs a fork)."""
    import os

    kinds = set()
    try:
        with os.scandir(folder) as names:
            for entry in names:
                suffix = os.path.splitext(entry.name)[1].lower()
                if suffix == ".pdf":
                    kinds.add("pdf")
                elif suffix in (".xlsx", ".xlsm"):
                    kinds.add("sheet")
    except OSError:  # a zip, or unreadable: the check says so; the worker starts when needed
        return
    if kinds:
        start_worker(kinds)


def _warm_worker(kind: str | None) -> None:
    """In a worker started early: what its parse calls will need, loaded before the first."""
    import validator.engine  # noqa: F401 - _worker_parse_checks builds a Job

    preload_readers(kind)


def _crash_detail(exc: Exception) -> str:
    """The signal that ended the parser (SIGSEGV, SIGABRT): language-neutral, shown as is."""
    import signal

    exitcode = getattr(exc, "exitcode", None)
    if isinstance(exitcode, int) and exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit {exitcode}" if exitcode is not None else ""


_tokens: Table = {}
_worker_specs: Table = {}


def _state_key(spec: Spec, index: LeakIndex | None) -> str:
    """The name of the worker's state (the spec, the leak index) for a job's parse checks."""
    return f"{_token(spec)}|{_token(index) if index is not None else '-'}"


def _token(obj: object) -> str:
    """A name for this very object, for the worker's state cache: a spec or leak index is sent to
    the worker once per object, however many files use it (an id alone could be reused)."""
    return per_object(_tokens, obj, lambda: uuid.uuid4().hex)


def _worker_spec(spec: Spec) -> Spec:
    """The spec as the worker gets it: its merged data as plain dicts and lists
    (``spec_cache.portable``). A worker started before the spec was loaded would otherwise import
    PyYAML and the loader to unpickle it, ~10 ms on the way to its first parse."""
    from validator.spec_cache import portable

    return per_object(_worker_specs, spec, lambda: portable(spec))
