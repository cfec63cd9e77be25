"""Library entry points: check one materials folder (or some files of it) against a spec.

The work per file (`inspect_file`) depends only on the spec, the client's values
and the file itself, so its outcome can be cached (hook) or computed anywhere
(process pool, Dask); the folder-level rules then run on the collected outcomes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from validator.checks import Context
from validator.checks.documents import assign, check_counts, check_duplicates, check_name_values, unexpected
from validator.checks.naming import check_name, display_name
from validator.checks.rules import check_package_rules
from validator.checks.variables import check_variables, read_client_file
from validator.discovery import Entry, Ignore, walk
from validator.model import Defect, DocumentStatus, PackageResult, Severity, sorted_defects
from validator.spec.model import Spec


@dataclass(frozen=True)
class FileOutcome:
    """Everything learnt from one file: its document and its defects."""

    rel: str
    document: str | None
    defects: tuple[Defect, ...]
    size: int = 0
    regular: bool = False  # a readable regular file (a candidate for the duplicate check)
    path: str = ""


def client_values(root: str, overrides: Mapping[str, str] | None) -> tuple[dict[str, str], str | None]:
    values, problem = read_client_file(root)
    values.update(overrides or {})
    return values, problem


def client_spec_ref(root: str) -> str | None:
    """The spec a folder's client.yaml names (`spec: call-center`), if any."""
    values, _ = read_client_file(root)
    ref = values.get("spec")
    return ref if isinstance(ref, str) and ref else None


def check_folder(root: str, spec: Spec, overrides: Mapping[str, str] | None = None) -> PackageResult:
    """Check every file of a materials folder and the folder as a whole."""
    values, problem = client_values(root, overrides)
    try:
        entries = list(walk(root, Ignore(spec.ignore)))
    except OSError as exc:
        ctx = Context(spec, values)
        ctx.emit("F105", "", {"detail": exc.strerror or str(exc)})
        return PackageResult(root, spec.id, sorted_defects(ctx.defects), error=str(exc), client=values)
    outcomes = [inspect_file(spec, values, root, e) for e in entries]
    return finish_package(root, spec, values, problem, outcomes)


def finish_package(
    root: str, spec: Spec, values: dict[str, str], client_problem: str | None, outcomes: Iterable[FileOutcome],
    digest_of: Callable[[str], str | None] | None = None,
) -> PackageResult:
    """Folder-level rules over the per-file outcomes: variables, counts, duplicates
    (`digest_of`: content hashes from the incremental cache, see validator.incremental)."""
    outcomes = list(outcomes)
    ctx = Context(spec, values)
    check_variables(ctx, client_problem)
    assigned: dict[str, list[str]] = {}
    for o in outcomes:
        ctx.defects.extend(o.defects)
        if o.document:
            assigned.setdefault(o.document, []).append(o.rel)
    check_counts(ctx, assigned)
    check_package_rules(ctx, assigned)
    check_duplicates(ctx, ((o.rel, o.path, o.size, o.document) for o in outcomes if o.regular), digest_of)
    documents = tuple(
        DocumentStatus(d.id, d.title, d.required, tuple(sorted(assigned.get(d.id, [])))) for d in spec.documents
    )
    return PackageResult(root, spec.id, sorted_defects(ctx.defects), files=len(outcomes), client=values,
                         documents=documents)


def inspect_file(spec: Spec, values: dict[str, str], root: str, entry: Entry) -> FileOutcome:
    ctx = Context(spec, values)
    rel = entry.rel
    name = rel.rsplit("/", 1)[-1]
    a = assign(spec, name, ctx.values)
    doc = a.document
    doc_id = doc.id if doc else None
    check_name(ctx, rel, doc_id)
    if doc is None:
        unexpected(ctx, rel)
    elif a.match is not None:
        check_name_values(ctx, rel, doc, a.match)
    else:
        ctx.emit("N101", rel, {"title": doc.title, "pattern": doc.pattern.display(values)}, document=doc_id)

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
            regular = _inspect_content(ctx, Entry(rel, target, "file", os.path.getsize(target)), doc)
    elif entry.kind in ("fifo", "socket", "device", "other"):
        ctx.emit("F104", rel, {"kind": entry.kind}, document=doc_id)
    else:
        regular = _inspect_content(ctx, entry, doc)
    return FileOutcome(rel, doc_id, tuple(ctx.defects), entry.size, regular, entry.path)


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


def _inspect_content(ctx: Context, entry: Entry, doc: object) -> bool:
    # Content checks load here, not at module top: the pre-commit hook imports this module
    # to finish a folder whose files the cache already knows, and must not pay for sniffing.
    from validator.checks.pdf import check_pdf
    from validator.checks.sheet import check_sheet
    from validator.checks.size import check_size
    from validator.checks.types import check_type
    from validator.facts import FileFacts, ReadProblem, read_facts
    from validator.spec.model import DocumentSpec

    assert doc is None or isinstance(doc, DocumentSpec)
    doc_id = doc.id if doc else None
    try:
        facts: FileFacts = read_facts(entry)
    except ReadProblem as p:
        params = {"kind": p.kind} if p.code == "F104" else {"target": "?"} if p.code == "F103" else {"detail": p.detail}
        ctx.emit(p.code, entry.rel, params, document=doc_id)
        return False
    check_size(ctx, entry.rel, facts.size, doc, facts.content)
    if facts.size == 0:
        return False
    check_type(ctx, facts, doc)
    if doc is not None:
        check_pdf(ctx, facts, doc)
        check_sheet(ctx, facts, doc)
    return True
