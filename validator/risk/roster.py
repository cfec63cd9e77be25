"""Counts from the staff roster that the defect list does not carry: how many people,
how many insured by the company itself, how many named network security officer."""

from __future__ import annotations

import os

from validator.model import PackageResult
from validator.risk.assess import ROSTER, RosterFacts, document_id
from validator.spec.model import Spec

_INSURER = "社保缴纳单位"
_OFFICER = "网络安全责任人"


def roster_facts(p: PackageResult, spec: Spec) -> RosterFacts | None:
    """None when the spec has no roster, the folder none, or it cannot be read."""
    doc_id = document_id(p, ROSTER)
    status = next((s for s in p.documents if s.id == doc_id), None)
    doc = next((d for d in spec.documents if d.id == doc_id), None)
    if status is None or doc is None or doc.sheet is None or len(status.files) != 1:
        return None
    from validator.checks.sheet import header_key
    from validator.readers.xlsx import SheetError, display, read_sheet

    try:
        data = read_sheet(os.path.join(p.root, status.files[0]), doc.sheet.name, doc.sheet.header_row)
    except SheetError:
        return None
    keys = [header_key(h) for h in data.header]
    n = len(data)  # the reader keeps only rows with at least one value

    def column(name: str) -> list[str] | None:
        key = header_key(name)
        if key not in keys:
            return None
        return ["" if v is None else display(v).strip() for v in data.column(keys.index(key))]

    company = str(p.client.get("company", "") or "")
    insurers = column(_INSURER)
    officers = column(_OFFICER)
    return RosterFacts(
        rows=n,
        insured_by_company=None if insurers is None or not company else sum(1 for v in insurers if v == company),
        security_officers=None if officers is None else sum(1 for v in officers if v == "是"),
    )
