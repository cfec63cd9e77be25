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
from validator.textsafe import spreadsheet_cell

BOM = "\ufeff"


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
    return spreadsheet_cell(str(value))


def unquote(cell: str) -> str:
    """The value a cell stands for (the formula guard's apostrophe taken off)."""
    return cell[1:] if cell.startswith("'") else cell
