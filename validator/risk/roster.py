"""Figures from the staff roster that the defect list does not carry: how many people, how
many insured by the company itself, how many named network security officer.

Two steps, so the roster need not be parsed twice: ``roster_figures`` counts from a header
and rows already read (the check's own parse, once the engine shares it), and
``read_roster`` is the one place here that opens the file, for callers that have no parse.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from validator.model import PackageResult
from validator.risk.assess import ROSTER, RosterFacts, document_id
from validator.spec.model import SheetSpec, Spec

_INSURER = "社保缴纳单位"
_OFFICER = "网络安全责任人"


def roster_facts(p: PackageResult, spec: Spec) -> RosterFacts | None:
    """None when the spec has no roster, the folder none (or several), or it cannot be read."""
    found = roster_file(p, spec)
    if found is None:
        return None
    path, sheet = found
    parsed = read_roster(path, sheet)
    if parsed is None:
        return None
    header, rows = parsed
    return roster_figures(header, rows, str(p.client.get("company", "") or ""))


def roster_file(p: PackageResult, spec: Spec) -> tuple[str, SheetSpec] | None:
    """The roster's path and sheet layout, when the folder has exactly one roster."""
    doc_id = document_id(p, ROSTER)
    status = next((s for s in p.documents if s.id == doc_id), None)
    doc = next((d for d in spec.documents if d.id == doc_id), None)
    if status is None or doc is None or doc.sheet is None or len(status.files) != 1:
        return None
    return os.path.join(p.root, status.files[0]), doc.sheet


def read_roster(path: str, sheet: SheetSpec) -> tuple[list[str], list[list[str]]] | None:
    """Header and the rows' displayed cell texts; None when the sheet cannot be read.
    (The only read of the roster by the risk report: feed ``roster_figures`` from the
    check's own parse instead when it is at hand.)"""
    from validator.readers.xlsx import SheetError, display, read_sheet

    try:
        data = read_sheet(path, sheet.name, sheet.header_row)
    except SheetError:
        return None
    rows = [["" if v is None else display(v) for v in row] for _, row in data.iter_rows()]
    return [str(h) for h in data.header], rows


def roster_figures(header: Sequence[Any], rows: Sequence[Sequence[str]], company: str) -> RosterFacts:
    """Count from a parsed roster: non-empty rows, rows insured by ``company``, officers."""
    from validator.checks.sheet import header_key

    keys = [header_key(h) for h in header]
    filled = [cells for cells in rows if any(c.strip() for c in cells)]

    def column(name: str) -> list[str] | None:
        key = header_key(name)
        if key not in keys:
            return None
        i = keys.index(key)
        return [cells[i].strip() if i < len(cells) else "" for cells in filled]

    insurers = column(_INSURER)
    officers = column(_OFFICER)
    return RosterFacts(
        rows=len(filled),
        insured_by_company=None if insurers is None or not company else sum(1 for v in insurers if v == company),
        security_officers=None if officers is None else sum(1 for v in officers if v == "是"),
    )
