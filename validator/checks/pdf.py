"""PDF properties: opens at all, encryption, page count (from the file's memoised facts)."""

from __future__ import annotations

from validator.checks import Context
from validator.facts import FileFacts
from validator.spec.model import DocumentSpec


def check_pdf(ctx: Context, facts: FileFacts, doc: DocumentSpec) -> None:
    rule = doc.pdf
    if rule is None or facts.content.kind != "pdf":
        return
    info = facts.pdf()
    if info.error == "password" or info.needs_password:
        ctx.emit("P103", facts.rel, document=doc.id)
        return
    if info.error:
        ctx.emit("P101", facts.rel, {"reason": info.error, "detail": info.detail}, document=doc.id)
        return
    if info.repaired:
        ctx.emit("P105", facts.rel, document=doc.id)
    if info.encrypted and rule.encrypted is False:
        ctx.emit("P102", facts.rel, document=doc.id)
    if rule.pages is not None and info.pages is not None and info.pages not in rule.pages:
        ctx.emit("P104", facts.rel, {"pages": info.pages, "expected": str(rule.pages)}, document=doc.id)
