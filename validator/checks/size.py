"""File size: empty files and the document's min/max size."""

from __future__ import annotations

from typing import TYPE_CHECKING

from validator.checks import Context
from validator.sniff import matches_any
from validator.spec.model import DocumentSpec, human_size

if TYPE_CHECKING:
    from validator.sniff import ContentType


def check_size(ctx: Context, rel: str, size: int, doc: DocumentSpec | None, content: ContentType | None = None) -> None:
    """``content``, when known, spares a size verdict on a file of a type the document does
    not allow: its T101/T102 asks for another file (unzip it, convert it), and advice for
    resizing a scan ("re-scan at 300 dpi") would not fit a zip or a web page."""
    doc_id = doc.id if doc else None
    if size == 0:
        ctx.emit("S101", rel, document=doc_id)
        return
    if doc is None or (doc.max_size is None and doc.min_size is None):  # no size rule: nothing to judge
        return
    if content is not None and doc.types and not _allowed(content, doc):
        return
    if doc.max_size is not None and size > doc.max_size:
        ctx.emit("S102", rel, {"size": human_size(size), "max": human_size(doc.max_size), "bytes": size},
                 document=doc_id)
    if doc.min_size is not None and size < doc.min_size:
        ctx.emit("S103", rel, {"size": human_size(size), "min": human_size(doc.min_size), "bytes": size},
                 document=doc_id)


def _allowed(content: ContentType, doc: DocumentSpec) -> bool:
    return content.kind in ("empty", "unknown") or matches_any(content.kind, content.mime, doc.types)
