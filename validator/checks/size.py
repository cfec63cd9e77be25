"""File size: empty files and the document's min/max size."""

from __future__ import annotations

from validator.checks import Context
from validator.spec.model import DocumentSpec, human_size


def check_size(ctx: Context, rel: str, size: int, doc: DocumentSpec | None) -> None:
    doc_id = doc.id if doc else None
    if size == 0:
        ctx.emit("S101", rel, document=doc_id)
        return
    if doc is None:
        return
    if doc.max_size is not None and size > doc.max_size:
        ctx.emit("S102", rel, {"size": human_size(size), "max": human_size(doc.max_size), "bytes": size},
                 document=doc_id)
    if doc.min_size is not None and size < doc.min_size:
        ctx.emit("S103", rel, {"size": human_size(size), "min": human_size(doc.min_size), "bytes": size},
                 document=doc_id)
