"""Spreadsheet layout (header row against the spec) and per-column cell rules."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from validator.checks import Context
from validator.checks.cell_defects import CellDefects, key_column
from validator.checks.cells import Problem, as_text, judge, number_of
from validator.facts import FileFacts, SheetProblem
from validator.model import Location, Severity
from validator.spec.model import ColumnSpec, DocumentSpec, SheetSpec
from validator.table import SheetData, display, paused_gc
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
    check_rows(ctx, facts.rel, doc.id, rule, data, mapping)
    from validator.checks.rules import check_sheet_rules

    check_sheet_rules(ctx, facts.rel, doc.id, rule, data, mapping)


def _available(detail: str) -> list[str]:
    """The workbook's sheet names, from a ``sheet_missing`` error (one per line)."""
    return [s for s in detail.split("\n") if s]


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
    data: SheetData,
    mapping: dict[int, ColumnSpec],
) -> None:
    """Row counts and every column's cell rules; ``mapping`` is actual column index -> column spec."""
    n = len(data)
    sheet = data.sheet
    if rule.min_rows is not None and n < rule.min_rows:
        ctx.emit("X107", rel, {"rows": n, "min": rule.min_rows}, document=doc_id, location=Location(sheet=sheet))
    if rule.max_rows is not None and n > rule.max_rows:
        ctx.emit("X108", rel, {"rows": n, "max": rule.max_rows}, document=doc_id, location=Location(sheet=sheet))
    out = CellDefects(ctx, rel, doc_id, data, key_column(mapping))
    with paused_gc():  # many small objects and no garbage: no cyclic collections meanwhile
        for idx, col in sorted(mapping.items()):
            if _has_cell_rules(col):  # a column without any (职务, 专业) is not even looked at
                _check_column(out, data, idx, col)


def _has_cell_rules(col: ColumnSpec) -> bool:
    """Whether :func:`_check_column` has anything to judge in this column."""
    return bool(col.required or col.type not in (None, "text") or col.enum or col.pattern
                or col.min is not None or col.max is not None or col.unique)


def _check_column(out: CellDefects, data: SheetData, idx: int, col: ColumnSpec) -> None:
    """Every rule of one column, judged once per distinct value; rows are looked up only for the
    values that fail (60,000 cells of a 5,000-row roster are 12 columns of mostly few values)."""
    column = data.column(idx)
    values = data.distinct(idx)
    # Whitespace-only text counts as empty: `required` reports it, the value rules skip it.
    texts_only = data.kinds(idx) == {str}
    if texts_only:  # map() over a str method runs at C speed: the common case pays little
        blank = {v for v in values if v.isspace()} if any(map(str.isspace, values)) else set()
    else:
        blank = {k for k, v in values.items() if v.__class__ is str and v.isspace()}
    blank_rows = data.rows_with(idx, blank)
    if col.required:
        out.emit("X110", col.name, idx, sorted(data.empty_rows(idx) + blank_rows), {})
    if blank:
        values = {k: v for k, v in values.items() if k not in blank}
    if not values:
        return

    def shown(i: int) -> str:
        return display(column[i])

    if col.type not in (None, "text"):
        problems = judge(col.type, values)
        if problems:
            key = data.key(idx)
            by_code: dict[str, set[Any]] = {}
            for k, problem in problems.items():
                by_code.setdefault(problem.code, set()).add(k)
            for code, keys in by_code.items():
                out.emit(code, col.name, idx, data.rows_with(idx, keys), _with_problem(problems, key, column, shown))
    if col.enum:
        listed = list(dict.fromkeys(as_text(v) for v in col.enum))  # the spec's order, for the message
        allowed = set(listed)
        bad = {k for k, v in values.items() if text_of(v) not in allowed}
        out.emit("X112", col.name, idx, data.rows_with(idx, bad), lambda i: {"value": shown(i), "allowed": listed})
    if col.pattern:
        rx = compile_user_regex(col.pattern)
        bad = {k for k, v in values.items() if not rx.fullmatch(text_of(v))}
        out.emit("X113", col.name, idx, data.rows_with(idx, bad),
                 lambda i: {"value": shown(i), "pattern": col.pattern})
    if col.min is not None or col.max is not None:
        lo = float("-inf") if col.min is None else col.min
        hi = float("inf") if col.max is None else col.max
        shown_range = f"[{_g(col.min)}, {_g(col.max)}]"
        bad = {k for k, v in values.items() if (num := number_of(v)) is not None and not lo <= num <= hi}
        out.emit("X117", col.name, idx, data.rows_with(idx, bad), lambda i: {"value": shown(i), "range": shown_range})
    if col.unique:
        present = len(column) - column.count(None) - len(blank_rows)  # rows with a value
        _check_unique(out, data, idx, col, values, present)


def _with_problem(problems: dict[Any, Problem], key: Callable[[Any], Any], column: Sequence[Any],
                  shown: Callable[[int], str]) -> Callable[[int], dict[str, Any]]:
    def params(i: int) -> dict[str, Any]:
        return {"value": shown(i), **problems[key(column[i])].params}

    return params


def _check_unique(out: CellDefects, data: SheetData, idx: int, col: ColumnSpec, values: dict[Any, Any],
                  present: int) -> None:
    """X111 for every row repeating an earlier row's value (compared as text, case-insensitive)."""
    column = data.column(idx)
    if len(values) == present:  # no value repeats as it is; as text (trimmed, any case)?
        kinds = data.kinds(idx)
        if kinds == {int}:
            return  # distinct integers are distinct texts
        if kinds == {str} and len(set(map(str.casefold, map(str.strip, values)))) == len(values):
            return  # the common case for an id column, at C speed
    norms = {k: text_of(v).casefold() for k, v in values.items()}
    if len(values) == present and len(set(norms.values())) == len(norms):
        return  # every value once
    key = data.key(idx)
    first_of: dict[int, int] = {}
    seen: dict[str, int] = {}
    for i, v in enumerate(column):
        if v is None:
            continue
        norm = norms.get(key(v))
        if norm is None:
            continue  # whitespace-only: `required` reports it
        first = seen.setdefault(norm, i)
        if first != i:
            first_of[i] = first
    out.emit("X111", col.name, idx, sorted(first_of),
             lambda i: {"value": display(column[i]), "first_row": data.row_numbers[first_of[i]]})


def text_of(v: Any) -> str:
    """A cell value as text (what enum, pattern and unique compare)."""
    cls = v.__class__
    if cls is str:
        return v.strip()
    if cls is int:
        return str(v)  # as_text's answer for an int, without its isinstance chain
    return as_text(v)


def _g(x: float | None) -> str:
    return "" if x is None else f"{x:g}"
