"""The table a sheet reader produces and the checks consume: values, columns, Excel's display.

Reader-free on purpose: the checks import this module, never a reader, so loading a check loads
no parser; the readers build :class:`SheetData` (the sheet model and how values are typed are
described in :mod:`validator.readers.xlsx`).
"""

from __future__ import annotations

import datetime as _dt
import gc
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ERROR_KEYS", "ExcelError", "SheetData", "Value", "col_letter", "display", "number_display", "paused_gc"]


# Why a sheet could not be read (SheetError.key), each with a text in validator.codes REASONS.
ERROR_KEYS = ("not_xlsx", "damaged", "encrypted", "zip_bomb", "sheet_missing", "timeout", "memory")

class ExcelError(str):
    """A cell holding an Excel error value such as ``#N/A`` or ``#DIV/0!`` (equal to that text)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"ExcelError({str.__repr__(self)})"


#: A cell's value: str | int | float | bool | ExcelError | date | datetime | time | timedelta,
#: or None for an empty cell.
Value = Any


@dataclass(frozen=True, eq=False)
class SheetData:
    sheet_names: tuple[str, ...]
    sheet: str  # the sheet read
    header: tuple[str, ...]  # header row as stripped text from column A; trailing empties dropped
    row_numbers: tuple[int, ...]  # Excel row number of each data row (non-empty rows after the header)
    columns: tuple[tuple[Value, ...], ...]  # columns[j][i]: column j (A = 0), data row i; None = empty
    truncated: bool = False  # more rows exist beyond max_rows
    #: merged ranges as 1-based (first_row, first_col, last_row, last_col)
    merged: tuple[tuple[int, int, int, int], ...] = field(default=())
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        """The number of data rows."""
        return len(self.row_numbers)

    def column(self, j: int | None) -> tuple[Value, ...]:
        """Column ``j`` (0-based); all empty beyond the last used column or for ``None``."""
        if j is not None and 0 <= j < len(self.columns):
            return self.columns[j]
        empty: tuple[Value, ...] | None = self._memo.get("empty")
        if empty is None:
            empty = self._memo["empty"] = (None,) * len(self.row_numbers)
        return empty

    def value(self, i: int, j: int | None) -> Value:
        """The value of data row ``i`` (0-based) in column ``j``."""
        return self.columns[j][i] if j is not None and 0 <= j < len(self.columns) else None

    def row(self, i: int) -> tuple[Value, ...]:
        """Data row ``i`` (0-based) as values, column A first."""
        return tuple([col[i] for col in self.columns])

    def iter_rows(self) -> Iterator[tuple[int, tuple[Value, ...]]]:
        """(Excel row number, values) for every data row."""
        if not self.columns:
            return iter(())
        return zip(self.row_numbers, zip(*self.columns, strict=True), strict=True)

    def distinct(self, j: int | None) -> dict[Value, Value]:
        """Column ``j``'s distinct non-empty values, as key -> value.

        The key is the value itself, except in a column mixing ``bool`` with numbers (True == 1
        as a dict key), where every non-str key is ``(class, value)``.  Computed once per column
        and kept: the same parse serves every check of the file.
        """
        memo_key = ("distinct", j)
        found: dict[Value, Value] | None = self._memo.get(memo_key)
        if found is None:
            col = self.column(j)
            kinds = self.kinds(j)
            if bool in kinds and (int in kinds or float in kinds):
                self._memo[("mixed", j)] = True
                found = {_typed_key(v): v for v in col if v is not None}
            elif ExcelError in kinds or (int in kinds and float in kinds):
                # equal values of two classes ("#N/A" and the error #N/A, 3 and 3.0): one object
                # is both the key and the value
                uniq = set(col)
                uniq.discard(None)
                found = dict(zip(uniq, uniq, strict=True))
            else:  # no two equal values of different classes: each value is its own key
                found = dict(zip(col, col, strict=True))
                found.pop(None, None)
            self._memo[memo_key] = found
        return found

    def kinds(self, j: int | None) -> frozenset[type]:
        """The classes of column ``j``'s non-empty values (``{str}`` for a text column)."""
        memo_key = ("kinds", j)
        found: frozenset[type] | None = self._memo.get(memo_key)
        if found is None:
            found = self._memo[memo_key] = frozenset(map(type, self.column(j))) - {type(None)}
        return found

    def key(self, j: int | None) -> Callable[[Value], Value]:
        """The function giving a value's key in :meth:`distinct` (call that first)."""
        self.distinct(j)
        return _typed_key if self._memo.get(("mixed", j)) else _same

    def rows_with(self, j: int | None, keys: Collection[Value]) -> list[int]:
        """The data rows (0-based, ascending) whose value in column ``j`` has one of ``keys``."""
        if not keys:
            return []
        col = self.column(j)
        if self.key(j) is _typed_key:
            return [i for i, v in enumerate(col) if v is not None and _typed_key(v) in keys]
        return [i for i, v in enumerate(col) if v in keys]

    def empty_rows(self, j: int | None) -> list[int]:
        """The data rows (0-based, ascending) where column ``j`` is empty."""
        col = self.column(j)
        return [i for i, v in enumerate(col) if v is None] if None in col else []


def _typed_key(v: Value) -> Value:
    return v if v.__class__ is str else (v.__class__, v)


def _same(v: Value) -> Value:
    return v


def col_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> "A", 27 -> "AB")."""
    n, out = index + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def display(v: Value) -> str:
    """Roughly what Excel shows for a cell value: "3.40524E+17", "42", "2024-01-02", "#N/A", "TRUE"."""
    cls = v.__class__
    if cls is str:
        return v
    if v is None:
        return ""
    if cls is int or cls is float:
        return number_display(v)
    if cls is bool:
        return "TRUE" if v else "FALSE"
    if cls is _dt.datetime:
        d: _dt.datetime = v
        return d.isoformat(sep=" ") if d.time() != _dt.time() else d.date().isoformat()
    if cls is _dt.date or cls is _dt.time:
        return v.isoformat()
    if cls is _dt.timedelta:
        secs = round(v.total_seconds())
        sign, secs = ("-", -secs) if secs < 0 else ("", secs)
        return f"{sign}{secs // 3600}:{secs // 60 % 60:02d}:{secs % 60:02d}"
    return str.__str__(v) if isinstance(v, str) else str(v)


def number_display(x: float | int) -> str:
    """Roughly Excel's General format: plain integers, 15 significant digits, 6 from 1e15 up."""
    if isinstance(x, int) and abs(x) < 10**15:
        return str(x)
    f = float(x)
    if f != f or f in (float("inf"), float("-inf")):
        return str(f)
    if abs(f) >= 1e15:
        mant, exp = f"{f:.5E}".split("E")
        mant = mant.rstrip("0").rstrip(".")
        return f"{mant}E{exp}"
    if f.is_integer():
        return str(int(f))
    return f"{f:.15g}".replace("e", "E")


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: building or checking a sheet creates tens of
    thousands of objects (values, cells, rows), none of them garbage, and collections triggered
    by them would only walk them again and again (5-20 ms on a 5,000-row sheet). Nested or
    concurrent uses are fine: whoever disabled the collector enables it again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
