"""CSV: every defect as one row, UTF-8 with a byte-order mark so Excel on Chinese Windows
opens 中文 correctly instead of guessing GBK.

Columns are the XLSX defect sheet's. A cell that starts with = + - @ (or a tab/CR) gets a
leading apostrophe: a spreadsheet must never run a file name as a formula.
"""

from __future__ import annotations

import csv
import io

from validator.formats.common import defect_row, sheet_columns
from validator.model import Report

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render(report: Report) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(sheet_columns(report.lang, with_package=True))
    for p in report.packages:
        for d in p.defects:
            writer.writerow([_cell(v) for v in defect_row(p, d, report.lang, with_package=True)])
    return BOM + buf.getvalue()


def _cell(value: str | int | None) -> str:
    if value is None:
        return ""
    text = str(value)
    # A value that itself starts with an apostrophe gets one too, so the guard can be undone.
    return "'" + text if text.startswith((*_FORMULA_START, "'")) else text


def unquote(cell: str) -> str:
    """The value a cell stands for (the formula guard's apostrophe taken off)."""
    return cell[1:] if cell.startswith("'") else cell
