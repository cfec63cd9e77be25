"""Spreadsheet layout (header row against the spec) and per-column cell rules."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from validator.checks import Context
from validator.checks.cells import TYPES, as_text, cell_value, number_of
from validator.facts import FileFacts, SheetProblem
from validator.model import Location, Severity
from validator.readers.bounded import paused_gc
from validator.spec.model import ColumnSpec, DocumentSpec, SheetSpec
from validator.userregex import compile_user_regex

SHEET_KINDS = frozenset({"xlsx", "xlsm"})


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def header_key(text: str) -> str:
    """Header cells compare after NFKC (full-width brackets) and without any whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def check_sheet(ctx: Context, facts: FileFacts, doc: DocumentSpec) -> None:
    rule = doc.sheet
    if rule is None or facts.content.kind not in SHEET_KINDS:
        return
    try:
        data = facts.sheet(rule.name, rule.header_row)
    except SheetProblem as exc:
        if exc.key == "sheet_missing":
            ctx.emit("X102", facts.rel, {"sheet": rule.name or "", "available": _available(exc.detail)},
                     document=doc.id)
        else:
            ctx.emit("X101", facts.rel, {"reason": exc.key, "detail": exc.detail}, document=doc.id)
        return
    mapping = check_header(ctx, facts.rel, doc.id, rule, data.sheet, data.header)
    check_rows(ctx, facts.rel, doc.id, rule, data.sheet, mapping, data.rows)
    from validator.checks.rules import check_sheet_rules

    check_sheet_rules(ctx, facts.rel, doc.id, rule, data.sheet, mapping, data.rows)


def _available(detail: str) -> list[str]:
    return [s for s in detail.split("\n") if s] if "\n" in detail else [detail]


def check_header(
    ctx: Context, rel: str, doc_id: str, rule: SheetSpec, sheet: str, header: Sequence[str]
) -> dict[int, ColumnSpec]:
    """Compare the header with the spec; return actual column index -> column spec."""
    row = rule.header_row
    actual = {i: header_key(h) for i, h in enumerate(header) if h.strip()}
    first_index: dict[str, int] = {}
    for i, key in actual.items():
        first_index.setdefault(key, i)
    mapping: dict[int, ColumnSpec] = {}
    missing: list[tuple[int, ColumnSpec]] = []
    for pos, col in enumerate(rule.columns):
        idx = first_index.get(header_key(col.name))
        if idx is None:
            missing.append((pos, col))
        else:
            mapping[idx] = col
    extras = sorted(i for i in actual if i not in mapping)

    def loc(i: int) -> Location:
        return Location(sheet=sheet, row=row, column=header[i].strip(), cell=f"{column_letter(i)}{row}")

    # A missing column and an extra one in its place (or spelt alike) is one renamed column.
    for pos, col in list(missing):
        partner = _rename_partner(pos, col, extras, header)
        if partner is None:
            continue
        missing.remove((pos, col))
        extras.remove(partner)
        mapping[partner] = col
        ctx.emit("X105", rel, {"position": column_letter(partner), "found": header[partner].strip(),
                               "expected": col.name}, document=doc_id, location=loc(partner))
    for _, col in missing:
        ctx.emit("X103", rel, {"column": col.name}, document=doc_id,
                 location=Location(sheet=sheet, row=row, column=col.name))
    if rule.extra_columns != "ignore":
        for i in extras:
            ctx.emit("X104", rel, {"column": header[i].strip()}, document=doc_id, location=loc(i),
                     severity=Severity(rule.extra_columns))
    if rule.order == "strict":
        _check_order(ctx, rel, doc_id, rule, mapping, loc)
    return mapping


def _rename_partner(pos: int, col: ColumnSpec, extras: list[int], header: Sequence[str]) -> int | None:
    if pos in extras:
        return pos
    key = header_key(col.name)
    scored = [(difflib.SequenceMatcher(None, key, header_key(header[i])).ratio(), i) for i in extras]
    scored = [s for s in scored if s[0] >= 0.6]
    return max(scored)[1] if scored else None


def _check_order(ctx: Context, rel: str, doc_id: str, rule: SheetSpec, mapping: dict[int, ColumnSpec],
                 loc: Any) -> None:
    """Columns out of the spec's order: those outside the longest run already in order."""
    expected_pos = {col.name: p for p, col in enumerate(rule.columns)}
    present = sorted(mapping.items())  # by actual index
    seq = [expected_pos[col.name] for _, col in present]
    keep = set(_longest_increasing(seq))
    for k, (idx, col) in enumerate(present):
        if k not in keep:
            ctx.emit("X106", rel, {"column": col.name, "found": column_letter(idx),
                                   "expected": column_letter(expected_pos[col.name])},
                     document=doc_id, location=loc(idx))


def _longest_increasing(seq: list[int]) -> list[int]:
    """Indices of one longest strictly increasing subsequence (patience sorting)."""
    import bisect

    tails: list[int] = []
    tails_idx: list[int] = []
    prev = [-1] * len(seq)
    for i, v in enumerate(seq):
        j = bisect.bisect_left(tails, v)
        if j == len(tails):
            tails.append(v)
            tails_idx.append(i)
        else:
            tails[j], tails_idx[j] = v, i
        prev[i] = tails_idx[j - 1] if j else -1
    out: list[int] = []
    k = tails_idx[-1] if tails_idx else -1
    while k >= 0:
        out.append(k)
        k = prev[k]
    return out[::-1]


def check_rows(
    ctx: Context,
    rel: str,
    doc_id: str,
    rule: SheetSpec,
    sheet: str,
    mapping: dict[int, ColumnSpec],
    rows: Sequence[tuple[int, Sequence[Any]]],
) -> None:
    n = len(rows)
    if rule.min_rows is not None and n < rule.min_rows:
        ctx.emit("X107", rel, {"rows": n, "min": rule.min_rows}, document=doc_id, location=Location(sheet=sheet))
    if rule.max_rows is not None and n > rule.max_rows:
        ctx.emit("X108", rel, {"rows": n, "max": rule.max_rows}, document=doc_id, location=Location(sheet=sheet))
    # The per-column lists are many small objects and no garbage: no cyclic collections meanwhile.
    with paused_gc():
        for idx, col in sorted(mapping.items()):
            _check_column(ctx, rel, doc_id, sheet, idx, col, rows)


def _check_column(ctx: Context, rel: str, doc_id: str, sheet: str, idx: int, col: ColumnSpec,
                  rows: Sequence[tuple[int, Sequence[Any]]]) -> None:
    """Every rule of one column over every row.

    Hot path (60,000 cells for a 5,000-row roster): one pass collects the non-empty cells,
    each rule then runs over that list; a type is judged once per distinct value, and a
    Location is built only for a defect.
    """
    letter = column_letter(idx)
    # One comprehension keeps the non-empty cells (None: the row is too short).
    present: list[tuple[int, Any]] = [
        (row_no, cell)
        for row_no, cells in rows
        if len(cells) > idx
        and (cell := cells[idx]) is not None
        and (v := cell.value) is not None
        and not (v.__class__ is str and not v.strip())
    ]
    if col.required and len(present) != len(rows):
        for row_no, cells in rows:
            cell = cells[idx] if idx < len(cells) else None
            value = None if cell is None else cell.value
            if value is None or (value.__class__ is str and not value.strip()):
                _emit_cell(ctx, rel, doc_id, sheet, letter, col, row_no, "X110", {})
    if not present:
        return

    def emit(code: str, row_no: int, params: dict[str, Any]) -> None:
        _emit_cell(ctx, rel, doc_id, sheet, letter, col, row_no, code, params)

    if col.type not in (None, "text"):
        check = TYPES[col.type]
        judged: dict[tuple[type, Any, bool], Any] = {}
        get = judged.get
        for row_no, cell in present:
            v = cell.value
            key = (v.__class__, v, cell.is_text)
            problem = get(key, _UNJUDGED)
            if problem is _UNJUDGED:
                problem = judged[key] = check(cell_value(v, cell.is_text, cell.display or text_of(cell)))
            if problem is not None:
                emit(problem.code, row_no, {"value": cell.display or text_of(cell), **problem.params})
    if col.enum or col.unique:
        texts = [text_of(cell) for _, cell in present]
    if col.enum:
        listed = list(dict.fromkeys(as_text(v) for v in col.enum))  # the spec's order, for the message
        allowed = set(listed)
        for (row_no, cell), text in zip(present, texts, strict=True):
            if text not in allowed:
                emit("X112", row_no, {"value": cell.display or text, "allowed": listed})
    if col.pattern:
        rx = compile_user_regex(col.pattern)
        for row_no, cell in present:
            if not rx.fullmatch(text_of(cell)):
                emit("X113", row_no, {"value": cell.display or text_of(cell), "pattern": col.pattern})
    if col.min is not None or col.max is not None:
        lo = float("-inf") if col.min is None else col.min
        hi = float("inf") if col.max is None else col.max
        shown_range = f"[{_g(col.min)}, {_g(col.max)}]"
        for row_no, cell in present:
            num = number_of(cell.value)
            if num is not None and not lo <= num <= hi:
                emit("X117", row_no, {"value": cell.display or text_of(cell), "range": shown_range})
    if col.unique:
        first_row: dict[str, int] = {}
        setdefault = first_row.setdefault
        for (row_no, cell), text in zip(present, texts, strict=True):
            first = setdefault(text.casefold(), row_no)
            if first != row_no:
                emit("X111", row_no, {"value": cell.display or text, "first_row": first})


_UNJUDGED = object()


def text_of(cell: Any) -> str:
    """The cell's value as text (what enum, pattern and unique compare)."""
    v = cell.value
    cls = v.__class__
    if cls is str:
        return v.strip()
    if cls is int:
        return str(v)  # as_text's answer for an int, without its isinstance chain
    return as_text(v)


def _emit_cell(ctx: Context, rel: str, doc_id: str, sheet: str, letter: str, col: ColumnSpec, row_no: int,
               code: str, params: dict[str, Any]) -> None:
    where = Location(sheet=sheet, row=row_no, column=col.name, cell=f"{letter}{row_no}")
    ctx.emit(code, rel, {"column": col.name, **params}, document=doc_id, location=where)


def _g(x: float | None) -> str:
    return "" if x is None else f"{x:g}"
