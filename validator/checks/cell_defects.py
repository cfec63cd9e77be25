"""Cell defects of one sheet, as a clerk wants to read them: who is on the row, and one line
per (code, column) however many rows fail.

* **Row context** - a defect on a data row names the row's person (or whatever identifies the
  row): the value of the sheet's key column (:func:`key_column`) goes in params as ``who`` and
  in the message ("第 5 行（张三）：…").
* **Grouping** - the rows of one column failing one code are one defect: ``count`` rows,
  the first :data:`LISTED` in ``row_list`` (with their ``who``), ``more`` beyond them, the
  first row's own params as the example, located at the first failing cell.  A single failing
  row stays an ordinary defect with ``row`` and ``who``.  The messages are
  ``codes.GROUPED`` (chosen by ``messages.message`` when ``row_list`` is present).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from validator.checks import Context
from validator.model import Location, Severity
from validator.spec.model import ColumnSpec
from validator.table import SheetData, col_letter, display

#: Rows listed by number in a grouped defect (the rest are counted).
LISTED = 10

_NAME_COLUMN = re.compile(r"姓名$")
_ROW_NUMBER = frozenset({"序号", "编号", "行号", "no", "no.", "#"})

Params = Mapping[str, Any] | Callable[[int], Mapping[str, Any]]


def key_column(mapping: Mapping[int, ColumnSpec]) -> int | None:
    """The column that names a row: a person's name (姓名), else the first unique column that
    is not a running number (坐席编号, 域名, 机房名称 ...), else the first required 名称 column."""
    columns = sorted(mapping.items())
    keys = {i: _key(col.name) for i, col in columns}
    for i, _ in columns:
        if _NAME_COLUMN.search(keys[i]):
            return i
    for i, col in columns:
        if col.unique and col.type != "integer" and keys[i].casefold() not in _ROW_NUMBER:
            return i
    for i, col in columns:
        if col.required and keys[i].endswith("名称"):
            return i
    return None


def _key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


class CellDefects:
    """Emits the cell defects of one sheet with row context, grouped per (code, column)."""

    def __init__(self, ctx: Context, rel: str, doc_id: str, data: SheetData, who_column: int | None) -> None:
        self.ctx = ctx
        self.rel = rel
        self.doc_id = doc_id
        self.data = data
        self.who_column = who_column

    def who(self, i: int) -> str:
        """The key column's value on data row ``i`` ("" when there is none)."""
        if self.who_column is None:
            return ""
        v = self.data.value(i, self.who_column)
        return "" if v is None else display(v).strip()

    def emit(
        self,
        code: str,
        column: str,
        index: int | None,
        rows: Sequence[int],
        params: Params,
        *,
        severity: Severity | None = None,
    ) -> None:
        """One defect for data rows ``rows`` (0-based, ascending) of the column at ``index``.

        ``params``: the same for every row, or a function of the row giving each row's own
        (a grouped defect carries the first row's as its example).
        """
        if not rows:
            return
        first = rows[0]
        own = params(first) if callable(params) else params
        row_no = self.data.row_numbers[first]
        out: dict[str, Any] = {"column": column, **own}
        skip_who = index is not None and index == self.who_column  # the value is the name itself
        if len(rows) == 1:
            out["row"] = row_no
            who = "" if skip_who else self.who(first)
            if who:
                out["who"] = who
        else:
            listed = rows[:LISTED]
            out["count"] = len(rows)
            out["row_list"] = [self.data.row_numbers[i] for i in listed]
            if len(rows) > LISTED:
                out["more"] = len(rows) - LISTED
            names = [] if skip_who else [w for w in (self.who(i) for i in listed) if w]
            if names:
                out["who"] = names
        cell = f"{col_letter(index)}{row_no}" if index is not None else None
        where = Location(sheet=self.data.sheet, row=row_no, column=column, cell=cell)
        self.ctx.emit(code, self.rel, out, document=self.doc_id, location=where, severity=severity)
