"""A sheet's layout and column types, inferred from the cells of a known-good workbook.

A column gets a type only when *every* filled cell fits it (judged by the same functions the
check uses, so the folder the draft came from checks clean); the most specific type wins:
identifiers with check digits first, then dates, months, whole numbers, numbers; anything
else is text. Presence, uniqueness and an enum are guessed from what the rows show, each
with its evidence in the comment.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from validator.checks.cells import is_empty, judge
from validator.drafting.words import listing, say
from validator.facts import FileFacts, SheetProblem

# Most specific first: an 18-character credit code also "fits" text, a date also a month.
_CANDIDATES = ("uscc", "cn_id", "licence_no", "icp_record", "cn_mobile", "email", "ip", "domain",
               "date", "month", "integer", "number")
_IDENTIFIERS = frozenset({"uscc", "cn_id", "licence_no", "icp_record", "cn_mobile", "email"})
# A person's ID or a site's ICP number names one row; a provider's credit code or a shared
# phone line may well repeat in the next client's sheet.
_UNIQUE_KINDS = frozenset({"cn_id", "icp_record"})
_MIN_ROWS_FOR_PRESENCE = 3  # "filled in every row" of two rows says little
_NUMERIC_CLASSES: dict[str, tuple[type, ...]] = {"integer": (int,), "number": (int, float)}
_DATE_CLASSES = (dt.date, dt.datetime)
_HEADER_SCAN = 10  # rows looked at for the header
_SAMPLE_ROWS = 5000  # data rows read to infer types
_ENUM_MIN_ROWS, _ENUM_MAX_VALUES = 8, 6


@dataclass
class ColumnDraft:
    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    why: str = ""


@dataclass
class SheetDraft:
    name: str
    header_row: int
    columns: list[ColumnDraft]
    rows: int
    extra_columns: str
    comments: dict[str, str]  # key -> why


def find_header_row(facts: FileFacts, sheet: str | None) -> tuple[int | None, str, tuple[str, ...]]:
    """(Excel row of the header or None, the sheet's name, every sheet's name); raises SheetProblem."""
    data = facts.sheet(sheet, 0, max_rows=_HEADER_SCAN)
    widths = []
    for _, row in data.iter_rows():
        filled = [v for v in row if not is_empty(v)]
        widths.append((len(filled), all(isinstance(v, str) for v in filled)))
    numbers = data.row_numbers
    for i, (count, all_text) in enumerate(widths):
        widest_below = max((w for w, _ in widths[i + 1 :]), default=count)
        if all_text and count >= min(2, widest_below) and count * 2 >= widest_below:
            return numbers[i], data.sheet, data.sheet_names
    return None, data.sheet, data.sheet_names


def draft_sheet(facts: FileFacts, lang: str, client_values: Sequence[str] = ()) -> SheetDraft | str:
    """The layout of the workbook's first sheet, or the reason (a comment) why there is none.
    ``client_values`` (company, credit code …) never become enum values: the next client's differ.

    Read in the killable worker (a hostile workbook costs a timeout, not the run), from the
    file's facts: the bytes are read once, the header scan and the sample are two parses of them."""
    from validator.sandbox import SandboxError, shared

    try:
        return shared().call(_draft_sheet, facts, lang, tuple(client_values), timeout=30)
    except SandboxError as exc:
        return say("sheet_unread", lang, why=type(exc).__name__)


def _draft_sheet(facts: FileFacts, lang: str, client_values: Sequence[str]) -> SheetDraft | str:  # in the worker
    try:
        row, name, names = find_header_row(facts, None)
        if row is None:
            return say("sheet_no_header", lang)
        data = facts.sheet(name, row, max_rows=_SAMPLE_ROWS)
    except SheetProblem as exc:
        return say("sheet_unread", lang, why=exc.key)
    others = [n for n in names if n != name]
    other_text = say("sheet_others", lang, names=listing(others, lang)) if others else ""
    comments = {
        "name": say("sheet_name", lang, others=other_text),
        "header_row": say("header_row", lang, row=row),
        "min_rows": say("min_rows", lang, rows=len(data)),
    }
    columns: list[ColumnDraft] = []
    seen: set[str] = set()
    loose = False
    from validator.checks.sheet import header_key

    for j, text in enumerate(data.header):
        key = header_key(text)
        if not key or key in seen:
            loose = loose or any(not is_empty(v) for v in data.column(j))
            continue
        seen.add(key)
        columns.append(infer_column(text.strip(), data, j, lang, client_values))
    if not columns:
        return say("sheet_no_header", lang)
    extra = "ignore" if loose else "error"
    comments["extra_columns"] = say("layout_loose" if loose else "layout", lang)
    return SheetDraft(name, row, columns, len(data), extra, comments)


def infer_column(name: str, data: Any, j: int, lang: str, client_values: Sequence[str] = ()) -> ColumnDraft:
    col = data.column(j)
    rows = len(col)
    filled = [v for v in col if not is_empty(v)]
    out = ColumnDraft(name)
    if not filled:
        out.why = say("col_empty", lang)
        return out
    distinct = {k: v for k, v in data.distinct(j).items() if not is_empty(v)}
    evidence: list[str] = []
    kind, stored_as_number = _type_of(distinct, [type(v) for v in filled])
    if kind:
        out.fields["type"] = kind
        evidence.append(say("col_type", lang, type=kind))
    if stored_as_number:
        evidence.append(say("col_number_id", lang, type=stored_as_number, kind=kind or "-"))
    if len(filled) == rows and rows >= _MIN_ROWS_FOR_PRESENCE:
        out.fields["required"] = True
        evidence.append(say("col_required", lang))
    elif len(filled) < rows:
        evidence.append(say("col_optional", lang, empty=rows - len(filled)))
    if len(distinct) == len(filled) >= _MIN_ROWS_FOR_PRESENCE and (kind in _UNIQUE_KINDS or _is_sequence(filled)):
        out.fields["unique"] = True
        evidence.append(say("col_unique", lang))
    enum = _enum(filled, distinct, client_values) if not kind else None
    if enum:
        out.fields["enum"] = enum
        evidence.append(say("col_enum", lang, k=len(enum)))
    if not kind and not enum:
        evidence.append(say("col_text", lang))
    out.why = say("col", lang, n=len(filled), evidence="; ".join(evidence))
    return out


def _type_of(distinct: dict[Any, Any], classes: Sequence[type]) -> tuple[str | None, str | None]:
    """(the most specific type every value fits, or None; an identifier type the values would
    fit if they were not stored as numbers)."""
    number_id = None
    for kind in _CANDIDATES:
        if kind in _NUMERIC_CLASSES and not all(c in _NUMERIC_CLASSES[kind] for c in classes):
            continue  # only real numbers: "001" typed as text stays text
        if kind == "month" and any(c in _DATE_CLASSES for c in classes):
            continue  # dates are dates; a month column holds text such as 2025-11
        sample = dict(itertools.islice(distinct.items(), 64))  # most candidates fail on the first values
        if len(sample) < len(distinct) and any(p.code != "X115" for p in judge(kind, sample).values()):
            continue
        problems = judge(kind, distinct)
        if not problems:
            return kind, number_id
        if number_id is None and kind in _IDENTIFIERS and all(p.code == "X115" for p in problems.values()):
            number_id = _number_identifier(list(distinct.values()))
    return None, number_id


def _number_identifier(values: Sequence[Any]) -> str | None:
    """Which identifier a column of numbers looks like by its digits (every identifier type
    refuses a number alike): 11 digits from 1 a mobile, 18 with a birth date inside an ID
    number, other 18s a credit code."""
    digits = [str(int(v)) for v in values if isinstance(v, int | float) and not isinstance(v, bool) and v >= 0]
    if len(digits) != len(values) or not digits:
        return None
    if all(len(d) == 11 and d[0] == "1" for d in digits):
        return "cn_mobile"
    if all(len(d) == 18 for d in digits):
        born = all(1900 <= int(d[6:10]) <= 2100 and 1 <= int(d[10:12]) <= 12 and 1 <= int(d[12:14]) <= 31
                   for d in digits)
        return "cn_id" if born else "uscc"
    return None


def _is_sequence(values: Sequence[Any]) -> bool:
    """1, 2, 3 … (a 序号 column)."""
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values) and \
        sorted(values) == list(range(min(values), min(values) + len(values)))


def _enum(filled: Sequence[Any], distinct: dict[Any, Any], client_values: Sequence[str] = ()) -> list[str] | None:
    """An enum only with many rows and a few (2-6), repeated, short text values that are not
    numbers: a handful of examples would make every new value a false defect."""
    if len(filled) < _ENUM_MIN_ROWS or not 2 <= len(distinct) <= _ENUM_MAX_VALUES or len(distinct) * 2 > len(filled):
        return None  # one value is a constant seen, not a choice
    values = list(distinct.values())
    if not all(isinstance(v, str) and v == v.strip() and 0 < len(v) <= 12 and not v.isdigit() for v in values):
        return None
    if any(c and c in v for v in values for c in client_values if len(c) >= 2):
        return None
    counts = {v: 0 for v in values}
    for v in filled:
        counts[v] += 1
    if min(counts.values()) < 2:
        return None
    return sorted(values, key=lambda v: (-counts[v], v))
