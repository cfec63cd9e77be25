"""The content checks of one regular file, in order, on one memoised set of facts.

Size, type by content, PDF properties, spreadsheet layout and cells, and the leak scan of cells
and PDF text all ask the same :class:`validator.facts.FileFacts`, so each parse happens once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from validator.checks import Context
from validator.checks.leakage import check_content_leaks
from validator.checks.pdf import check_pdf
from validator.checks.portability import note_without_libmagic
from validator.checks.sheet import check_sheet
from validator.checks.size import check_size
from validator.checks.types import check_type
from validator.discovery import Entry
from validator.facts import FileFacts, ReadProblem, read_facts
from validator.spec.model import DocumentSpec

if TYPE_CHECKING:
    from validator.engine import Job


def check_content(ctx: Context, job: Job, entry: Entry, doc: DocumentSpec | None) -> bool:
    """Run every content check; True when the file is a readable, non-empty regular file."""
    doc_id = doc.id if doc else None
    try:
        facts: FileFacts = read_facts(entry, text_pages=job.text_pages)
    except ReadProblem as p:
        params = {"kind": p.kind} if p.code == "F104" else {"target": "?"} if p.code == "F103" else {"detail": p.detail}
        ctx.emit(p.code, entry.rel, params, document=doc_id)
        return False
    note_without_libmagic(ctx, facts.content)
    check_size(ctx, entry.rel, facts.size, doc, facts.content)
    if facts.size == 0:
        return False
    check_type(ctx, facts, doc)
    if doc is not None:
        check_pdf(ctx, facts, doc)
        check_sheet(ctx, facts, doc)
    check_content_leaks(ctx, job.index, facts, job.own, doc_id, job.text_pages)
    return True
