"""Value types for spreadsheet cells and client variables.

Each type is a function from a cell to None (fine) or a problem: the code to emit
and its params. One table serves columns and variables alike.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from validator.identifiers import CHECKERS, SURE_PASS
from validator.table import display


@dataclass(frozen=True)
class CellValue:
    """What a type check needs to know about a value: itself and whether it was typed as text."""

    value: Any
    is_text: bool
    display: str


_new = object.__new__


def cell_value(value: Any, is_text: bool, display: str) -> CellValue:
    """``CellValue(value, is_text, display)`` without the frozen dataclass ``__init__`` (hot path)."""
    c: CellValue = _new(CellValue)
    d = c.__dict__
    d["value"] = value
    d["is_text"] = is_text
    d["display"] = display
    return c


@dataclass(frozen=True)
class Problem:
    """One problem of a cell value: its code and the message values."""

    code: str  # X114 wrong kind, X115 identifier stored as a number, X116 invalid identifier
    params: dict[str, Any]


def as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_SHAPES = {
    "date": r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?",
    "month": r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?",
    "email": r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}",
    "domain": r"(?=.{1,253}$)(?:(?!-)[A-Za-z0-9\-\u4e00-\u9fff]{1,63}(?<!-)\.)+[A-Za-z\u4e00-\u9fff]{2,63}",
}


@cache
def _shape(kind: str) -> re.Pattern[str]:
    """Compiled on first use, not at import: most runs check no date, e-mail or domain cell,
    and every `validator` process imports this module (the domain pattern alone costs ~1–3 ms)."""
    return re.compile(_SHAPES[kind])


def _wrong(type_name: str, cell: CellValue) -> Problem:
    return Problem("X114", {"type": type_name, "value": cell.display})


def _integer(cell: CellValue) -> Problem | None:
    v = cell.value
    if isinstance(v, bool):
        return _wrong("integer", cell)
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer()):
        return None
    if isinstance(v, str) and re.fullmatch(r"[-+]?\d+", v.strip()):
        return None
    return _wrong("integer", cell)


def _number(cell: CellValue) -> Problem | None:
    v = cell.value
    if isinstance(v, int | float) and not isinstance(v, bool):
        return None
    if isinstance(v, str):
        try:
            float(v.strip().replace(",", ""))
            return None
        except ValueError:
            pass
    return _wrong("number", cell)


def parse_date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        m = _shape("date").fullmatch(v.strip())
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def _date(cell: CellValue) -> Problem | None:
    return None if parse_date(cell.value) else _wrong("date", cell)


def _month(cell: CellValue) -> Problem | None:
    v = cell.value
    if isinstance(v, dt.date):
        return None
    if isinstance(v, str):
        m = _shape("month").fullmatch(v.strip())
        if m and 1 <= int(m.group(2)) <= 12 and 1900 <= int(m.group(1)) <= 2200:
            return None
    return _wrong("month", cell)


def _boolean(cell: CellValue) -> Problem | None:
    v = cell.value
    if isinstance(v, bool) or as_text(v) in {"是", "否", "Y", "N", "y", "n", "TRUE", "FALSE", "true", "false"}:
        return None
    return _wrong("boolean", cell)


def _email(cell: CellValue) -> Problem | None:
    return None if _shape("email").fullmatch(as_text(cell.value)) else _wrong("email", cell)


def _ip(cell: CellValue) -> Problem | None:
    try:
        ipaddress.ip_address(as_text(cell.value))
        return None
    except ValueError:
        return _wrong("ip", cell)


def _domain(cell: CellValue) -> Problem | None:
    return None if _shape("domain").fullmatch(as_text(cell.value).rstrip(".")) else _wrong("domain", cell)


def _identifier(kind: str) -> Callable[[CellValue], Problem | None]:
    checker = CHECKERS[kind]

    def check(cell: CellValue) -> Problem | None:
        v = cell.value
        if v.__class__ is str:  # the common case first
            problem = checker(v)
        elif isinstance(v, int | float) and not isinstance(v, bool):
            # Excel keeps 15 significant digits: an 18-digit id typed as a number is already damaged.
            return Problem("X115", {"type": kind, "display": cell.display})
        else:
            problem = checker(as_text(v) if not isinstance(v, str) else v)
        if problem is None:
            return None
        return Problem("X116", {"type": kind, "reason": problem.reason, **problem.params})

    return check


TYPES: dict[str, Callable[[CellValue], Problem | None]] = {
    "text": lambda cell: None,
    "integer": _integer,
    "number": _number,
    "date": _date,
    "month": _month,
    "boolean": _boolean,
    "email": _email,
    "ip": _ip,
    "domain": _domain,
    **{kind: _identifier(kind) for kind in CHECKERS},
}


def check_value(type_name: str | None, cell: CellValue) -> Problem | None:
    if type_name is None:
        return None
    return TYPES[type_name](cell)


def number_of(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", ""))
        except ValueError:
            return None
    return None


def judge(type_name: str, values: Mapping[Any, Any]) -> dict[Any, Problem]:
    """The failing ones of ``values`` (key -> value, e.g. a column's distinct values) under a type.

    Column-wise: each value is judged once, and values that cannot fail are passed over without
    building a :class:`CellValue` (a date column's dates, an integer column's ints, an id column's
    text goes straight to its checker).
    """
    check = TYPES[type_name]
    fine: tuple[type, ...] = _ALWAYS_FINE.get(type_name, ())
    checker = CHECKERS.get(type_name)
    sure = SURE_PASS.get(type_name)
    if sure is not None:  # most texts of an id column pass: found in bulk, the rest judged one by one
        passed = sure([v for v in values.values() if v.__class__ is str])
        if len(passed) == len(values):
            return {}
        if passed:
            values = {k: v for k, v in values.items() if v.__class__ is not str or v not in passed}
    out: dict[Any, Problem] = {}
    for key, v in values.items():
        cls = v.__class__
        if cls in fine:
            continue
        if checker is not None and cls is str:
            found = checker(v)
            if found is not None:
                out[key] = Problem("X116", {"type": type_name, "reason": found.reason, **found.params})
            continue
        problem = check(cell_value(v, cls is str, display(v)))
        if problem is not None:
            out[key] = problem
    return out


# Value classes a type accepts whatever the value (bool is its own class: not an int here).
_ALWAYS_FINE: dict[str, tuple[type, ...]] = {
    "text": (str, int, float, bool, dt.date, dt.datetime),
    "integer": (int,),
    "number": (int, float),
    "date": (dt.date, dt.datetime),
    "month": (dt.date, dt.datetime),
    "boolean": (bool,),
}
