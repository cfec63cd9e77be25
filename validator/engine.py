"""The one pipeline every mode runs: walk a folder once, inspect each file once, finish the package.

``check``, ``check --cache``, the pre-commit hook and every batch executor call
:func:`check_package`; they differ only in what they hand it:

* a :class:`Job` - the resolved spec, the client's values, the client's own identifiers and, in
  a batch, the other clients' identifiers (the leak index); picklable, so a worker gets it once;
* an optional outcome *provider* - the incremental cache (``validator.incremental``), which
  answers for files whose content it already knows and computes the rest through the engine;
* an optional ``only`` set - the hook's changed files: every other file is recognised by its
  name alone (its document and size feed the folder-level rules) and its defects are not kept.

Per file, :func:`inspect` runs the name checks, the leak check of the name and, for a regular
file, the content checks on memoised :class:`validator.facts.FileFacts` (each file's bytes are
parsed once, whichever checks ask).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from validator.checks import Context
from validator.checks.documents import assign, check_counts, check_duplicates, check_name_values, unexpected
from validator.checks.leakage import LeakIndex, Own, check_name_leaks, drop_superseded
from validator.checks.naming import check_name, display_name
from validator.checks.portability import check_case_clashes, check_folder_names
from validator.checks.variables import check_variables
from validator.discovery import Entry
from validator.hashing import file_digest
from validator.limits import DEFAULT_FILE_TIMEOUT
from validator.model import Defect, DocumentStatus, PackageResult, Severity, sorted_defects
from validator.packsource import close_archives, list_package
from validator.spec.model import DocumentSpec, Spec
from validator.waivers import apply_waivers

if TYPE_CHECKING:  # the content checks load with the first file inspected (see _inspect_content)
    from validator.checks.content import Ahead, ParseAhead


@dataclass(frozen=True)
class FileOutcome:
    """Everything learnt from one file: its document and its defects."""

    rel: str
    document: str | None
    defects: tuple[Defect, ...]
    size: int = 0
    regular: bool = False  # a readable regular file (a candidate for the duplicate check)
    path: str = ""
    settled: bool = True  # False: a verdict of this run's conditions (a deadline), not to be cached


@dataclass(frozen=True)
class Job:
    """What checking one package depends on, besides its files."""

    spec: Spec
    values: dict[str, Any]  # the client's variable values
    own: Own = field(default_factory=lambda: Own(()))  # the client's own identifiers: never a leak
    index: LeakIndex | None = None  # other clients' identifiers (batch); None: found by shape only
    leak_pdf_pages: int = 1  # pages of PDF text searched for other clients' identifiers (with an index)
    #: Seconds one file's PDF or workbook parse may take in the killable worker; None: parse here,
    #: bounded only by the readers' own (Python-level) limits.
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT
    waivers: str | None = None  # a waivers file (--waivers); None: the folder's own waivers.yaml, if any

    @classmethod
    def for_client(cls, spec: Spec, values: dict[str, Any], *, sources: Sequence[dict[str, Any]] = (),
                   index: LeakIndex | None = None, leak_pdf_pages: int = 1,
                   file_timeout: float | None = DEFAULT_FILE_TIMEOUT, waivers: str | None = None) -> Job:
        """A job whose own identifiers come from the values (and further sources: registry, yaml)."""
        from validator.checks.leakage import own_identifiers

        return cls(spec, values, own_identifiers(values, sources), index, leak_pdf_pages, file_timeout, waivers)

    @property
    def text_pages(self) -> int:
        """PDF pages whose text some check needs (only the leak scan reads text, and only with an index)."""
        return self.leak_pdf_pages if self.index else 0


class OutcomeProvider(Protocol):
    """Answers for files it knows (the incremental cache); computes the rest with ``compute``."""

    def start(self, entries: list[Entry]) -> None: ...

    def outcome(self, entry: Entry, compute: Callable[[Entry], FileOutcome]) -> FileOutcome: ...

    def digest_of(self, path: str) -> str | None: ...

    def finish(self) -> None: ...


def check_package(
    root: str,
    job: Job,
    *,
    client_problem: str | None = None,
    provider: OutcomeProvider | None = None,
    only: Iterable[str] | None = None,
    notes: Sequence[Defect] = (),
    on_file: Callable[[int, int], None] | None = None,
) -> PackageResult:
    """Check the materials folder ``root``: every file, then the folder as a whole.

    ``only``: paths (relative to root) whose file-level defects are wanted; the other files count
    for the folder-level rules only. ``notes``: defects found before the walk (a batch registry's).
    ``on_file(done, total)``: called after each file (progress on long runs).
    """
    result, _ = check_unwaived(root, job, client_problem=client_problem, provider=provider, only=only, notes=notes,
                               on_file=on_file)
    return apply_waivers(root, job, result, complete=only is None)  # the one place waivers apply, in every mode


def check_unwaived(
    root: str,
    job: Job,
    *,
    client_problem: str | None = None,
    provider: OutcomeProvider | None = None,
    only: Iterable[str] | None = None,
    notes: Sequence[Defect] = (),
    on_file: Callable[[int, int], None] | None = None,
) -> tuple[PackageResult, bool]:
    """``check_package`` before waivers, and whether every verdict is settled (none depends on this
    run's conditions, such as a parse stopped by the deadline): what a cache may keep."""
    spec = job.spec
    try:
        # the incremental cache also knows what an unchanged zip in the folder holds
        listing = list_package(root, spec, job.values, getattr(provider, "nested_zips", None))
    except OSError as exc:
        ctx = Context(spec, job.values)
        ctx.emit("F105", "", {"detail": exc.strerror or str(exc)})
        return PackageResult(root, spec.id, sorted_defects((*ctx.defects, *notes)), error=str(exc),
                             client=job.values), False
    entries = listing.entries
    if listing.problems:  # what is wrong with a zip as a whole (or a zip in the folder)
        ctx = Context(spec, job.values)
        for code, rel, params in listing.problems:
            ctx.emit(code, rel, params)
        notes = (*notes, *ctx.defects)

    ahead = None
    if provider is None and only is None and on_file is None and job.file_timeout is not None:
        # every file in turn, nothing known beforehand: the parse checks of several files go to
        # the worker in one call (the hook's and the cache's few files go one by one, as they come)
        from validator.checks.content import ParseAhead

        ahead = ParseAhead(job, entries)

    def compute(entry: Entry) -> FileOutcome:
        return inspect(job, root, entry, ahead)

    if provider is not None:
        provider.start(entries)
    wanted = None if only is None else set(only)
    outcomes = []
    try:
        for done, entry in enumerate(entries, start=1):
            if wanted is not None and not _wanted(entry, wanted):
                outcomes.append(_name_only(job, entry) or _silent(compute(entry)))
            elif provider is not None and entry.member is None:
                outcomes.append(provider.outcome(entry, compute))
            else:
                outcomes.append(compute(entry))
            if on_file is not None:
                on_file(done, len(entries))
        digest_of = listing.digest_of(provider.digest_of if provider else file_digest)
        result = finish_package(root, job, client_problem, outcomes, digest_of)
    finally:
        if listing.members:
            close_archives()
    if provider is not None:
        provider.finish()
    if notes:
        result = dataclasses.replace(result, defects=sorted_defects((*result.defects, *notes)))
    return result, all(o.settled for o in outcomes)


def _wanted(entry: Entry, wanted: set[str]) -> bool:
    """A changed file, or a file inside a changed zip."""
    return entry.rel in wanted or (entry.member is not None and entry.member.archive_rel in wanted)


def finish_package(
    root: str, job: Job, client_problem: str | None, outcomes: Iterable[FileOutcome],
    digest_of: Callable[[str], str | None] | None = None,
) -> PackageResult:
    """Folder-level rules over the per-file outcomes: variables, counts, duplicates
    (``digest_of``: content hashes the incremental cache already knows)."""
    spec, values = job.spec, job.values
    outcomes = list(outcomes)
    ctx = Context(spec, values)
    check_variables(ctx, client_problem)
    assigned: dict[str, list[str]] = {}
    notes: set[tuple[str, str]] = set()
    for o in outcomes:
        for d in o.defects:
            if not d.path:  # a folder-level note that several files found (U101): once
                key = (d.code, repr(sorted(d.params.items())))
                if key in notes:
                    continue
                notes.add(key)
            ctx.defects.append(d)
        if o.document:
            assigned.setdefault(o.document, []).append(o.rel)
    check_counts(ctx, assigned)
    rels = [o.rel for o in outcomes]
    check_case_clashes(ctx, rels)
    check_folder_names(ctx, rels)
    if spec.rules:  # the rules module (and the cell machinery it loads) only for specs that have rules
        from validator.checks.rules import check_package_rules

        check_package_rules(ctx, assigned)
    check_duplicates(ctx, ((o.rel, o.path, o.size, o.document) for o in outcomes if o.regular), digest_of)
    documents = tuple(
        DocumentStatus(d.id, d.title, d.required, tuple(sorted(assigned.get(d.id, [])))) for d in spec.documents
    )
    return PackageResult(root, spec.id, sorted_defects(ctx.defects), files=len(outcomes), client=values,
                         documents=documents)


def inspect(job: Job, root: str, entry: Entry, ahead: ParseAhead | None = None) -> FileOutcome:
    """Every file-level check of one entry; depends only on the job and the file. ``ahead``: the
    folder's files read and parsed ahead of their turn (a plain file's part is taken from it)."""
    spec = job.spec
    ctx = Context(spec, job.values)
    rel = entry.rel
    known = ahead.pop(entry) if ahead is not None else None
    a = known.assignment if known is not None else assign(spec, entry.name, ctx.values)
    doc = a.document
    doc_id = doc.id if doc else None
    check_name(ctx, rel, doc_id)
    if doc is None:
        unexpected(ctx, rel)
    elif a.match is not None:
        check_name_values(ctx, rel, doc, a.match)
    else:
        ctx.emit("N101", rel, {"title": doc.title, "pattern": doc.pattern.display(job.values)}, document=doc_id)
    leaked = check_name_leaks(ctx, job.index, rel, job.own, doc_id)
    if leaked:
        # "The name carries another value than the client's" (N102) says less than "it carries
        # another company's": one defect per leaked value, the L101.
        ctx.defects[:] = drop_superseded(ctx.defects, leaked)

    regular = False
    if entry.error:
        ctx.emit("F102" if entry.vanished else "F101", rel, {"detail": entry.error}, document=doc_id)
    elif entry.kind == "unreadable-dir":
        ctx.emit("F105", rel, {"detail": entry.error or ""})
    elif entry.kind == "symlink":
        target = _inside_target(root, entry)
        shown = display_name(entry.target or "?")
        if target is None:
            ctx.emit("F103", rel, {"target": shown}, document=doc_id, severity=Severity.ERROR)
        else:
            ctx.emit("F103", rel, {"target": shown}, document=doc_id)
            regular = _inspect_content(ctx, job, Entry(rel, target, "file", os.path.getsize(target)), doc)
    elif entry.kind in ("fifo", "socket", "device", "other"):
        ctx.emit("F104", rel, {"kind": entry.kind}, document=doc_id)
    else:
        regular = _inspect_content(ctx, job, entry, doc, known)
    return _outcome(rel, doc_id, tuple(ctx.defects), entry.size, regular, entry.path, not ctx.unsettled)


_SETATTR = object.__setattr__


def _outcome(rel: str, document: str | None, defects: tuple[Defect, ...], size: int, regular: bool, path: str,
             settled: bool) -> FileOutcome:
    """``FileOutcome(...)`` (every field given) without the frozen dataclass's per-field
    ``object.__setattr__`` calls: one outcome per file."""
    outcome = FileOutcome.__new__(FileOutcome)
    _SETATTR(outcome, "__dict__", {"rel": rel, "document": document, "defects": defects, "size": size,
                                   "regular": regular, "path": path, "settled": settled})
    return outcome


def _name_only(job: Job, entry: Entry) -> FileOutcome | None:
    """What the folder-level rules need from a regular file, without opening it: its document
    (recognised from the name, as ``inspect`` does) and its size. None for anything but a plain
    file, which the caller inspects."""
    if entry.kind != "file" or entry.error:
        return None
    doc = assign(job.spec, entry.name, Context(job.spec, job.values).values).document
    return FileOutcome(entry.rel, doc.id if doc else None, (), entry.size, entry.size > 0, entry.path)


def _silent(outcome: FileOutcome) -> FileOutcome:
    return dataclasses.replace(outcome, defects=())


def _inside_target(root: str, entry: Entry) -> str | None:
    """The real path of a link to a regular file inside the folder; None for anything else."""
    try:
        real = os.path.realpath(entry.path, strict=True)
        base = os.path.realpath(root)
        if os.path.commonpath([real, base]) == base and os.path.isfile(real) and not os.path.islink(real):
            return real
    except (OSError, ValueError):
        pass
    return None


def _inspect_content(ctx: Context, job: Job, entry: Entry, doc: DocumentSpec | None,
                     known: Ahead | None = None) -> bool:
    """The content checks of one regular file; True when it is a readable, non-empty file."""
    # Content checks load here, not at module top: the pre-commit hook imports this module
    # to finish a folder whose files the cache already knows, and must not pay for sniffing.
    # Looked up once, not imported per file (an import statement costs ~1 µs even when loaded).
    global _check_content
    if _check_content is None:
        from validator.checks.content import check_content

        _check_content = check_content
    return _check_content(ctx, job, entry, doc, known)


_check_content: Callable[[Context, Job, Entry, DocumentSpec | None, Ahead | None], bool] | None = None
