"""File type judged by content (libmagic + a look inside zip/OLE containers)."""

from __future__ import annotations

from validator.checks import Context
from validator.checks.naming import split_ext
from validator.facts import FileFacts
from validator.sniff import extension_agrees, kind_matches
from validator.spec.model import DocumentSpec


def check_type(ctx: Context, facts: FileFacts, doc: DocumentSpec | None) -> None:
    content = facts.content
    if content.kind == "empty":
        return  # S101 says it all
    doc_id = doc.id if doc else None
    params = {"kind": content.kind, "mime": content.mime}
    if content.damaged:  # a cut-short xlsx is damaged, not a wrong type or extension
        ctx.emit("T105", facts.rel, params, document=doc_id)
        return
    if content.default_password:  # Excel opens it without asking: not a locked file
        ctx.emit("T104", facts.rel, params, document=doc_id)
    if content.encrypted and not content.default_password:
        ctx.emit("T103", facts.rel, params, document=doc_id)
    elif doc and doc.types and not any(kind_matches(content.kind, content.mime, t) for t in doc.types):
        ctx.emit("T101", facts.rel, {**params, "allowed": list(doc.types)}, document=doc_id)
    ext = split_ext(facts.rel.rsplit("/", 1)[-1])[1].lower()
    if ext and not extension_agrees(ext, content.kind):
        ctx.emit("T102", facts.rel, {**params, "ext": ext}, document=doc_id)
