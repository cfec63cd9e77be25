"""XLSX: the defect list as a workbook an account manager can filter, sort and forward.

Sheets: 汇总/Summary (per folder: ready or not, counts; counts per code), 问题/Defects (every
defect, one row each, autofilter and frozen header), 材料清单/Documents (each spec document:
files taken, status) and, when several folders were checked, one sheet per folder.

Written with openpyxl (already a dependency). Text that starts like a formula stays text,
and the file carries no timestamp unless the report has ``generated_at``.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from validator.formats.common import (
    SEVERITY_WORD,
    clean,
    counts,
    defect_row,
    join_titles,
    missing_titles,
    package_name,
    section_status,
    sections,
    sheet_columns,
    status_word,
    title,
    words,
)
from validator.model import Report

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_WRAP_COLUMNS_MIN = 40  # columns this wide wrap their text instead of growing
_MAX_WIDTH = 60
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def render(report: Report) -> bytes:
    from openpyxl import Workbook

    lang = report.lang
    w = words(lang)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's own deprecation chatter is not ours to raise
        wb = Workbook()
        names = SheetNames()
        summary = wb.active
        assert summary is not None
        summary.title = names.take(w["summary_sheet"])
        _fill_summary(summary, report)
        defects = wb.create_sheet(names.take(w["defects_sheet"]))
        _fill_defects(defects, report, with_package=True, packages=range(len(report.packages)))
        docs = wb.create_sheet(names.take(w["documents_sheet"]))
        _fill_documents(docs, report)
        if len(report.packages) > 1:
            for i, p in enumerate(report.packages):
                ws = wb.create_sheet(names.take(package_name(p) or f"{i + 1}"))
                _fill_defects(ws, report, with_package=False, packages=[i])
        buf = io.BytesIO()
        wb.save(buf)
    return _without_clock(buf.getvalue(), report.generated_at)


class SheetNames:
    """Excel's rules for sheet names: at most 31 characters, none of []:*?/\\, not starting or
    ending with an apostrophe, unique ignoring case, and not the reserved name History."""

    def __init__(self) -> None:
        self._taken: set[str] = {"history"}

    def take(self, wanted: str) -> str:
        base = _BAD_SHEET_CHARS.sub("_", clean(wanted)).strip().strip("'") or "Sheet"
        base = base[:MAX_SHEET_NAME]
        name, n = base, 1
        while name.casefold() in self._taken:
            n += 1
            suffix = f"~{n}"
            name = base[: MAX_SHEET_NAME - len(suffix)].rstrip("'") + suffix
        self._taken.add(name.casefold())
        return name


def _put(ws: Worksheet, row: int, col: int, value: Any, bold: bool = False) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # a file named "=HYPERLINK(...)" must stay a name, not become a formula
    if bold:
        from openpyxl.styles import Font

        cell.font = Font(bold=True)


def _header(ws: Worksheet, row: int, names: Sequence[str]) -> None:
    from openpyxl.styles import Font, PatternFill

    fill = PatternFill("solid", fgColor="F1F3F4")
    for c, name in enumerate(names, start=1):
        _put(ws, row, c, name)
        cell = ws.cell(row=row, column=c)
        cell.font = Font(bold=True)
        cell.fill = fill


def _fill_summary(ws: Worksheet, report: Report) -> None:
    lang = report.lang
    w = words(lang)
    _put(ws, 1, 1, w["report_title"], bold=True)
    _put(ws, 2, 1, w["tool"])
    _put(ws, 2, 2, report.tool_version or "-")
    row = 3
    if report.generated_at:
        _put(ws, row, 1, w["generated_at"])
        _put(ws, row, 2, report.generated_at)
        row += 1
    row += 1
    _header(ws, row, [w["folder"], w["spec"], w["status"], w["files"], w["error"], w["warning"], w["info"],
                      w["missing_docs"]])
    for p in report.packages:
        row += 1
        c = counts(p.defects)
        missing = clean(join_titles(missing_titles(p), lang)) or None  # no empty-string cell
        cells: list[object] = [package_name(p), p.spec, status_word(p, lang), p.files,
                               c["error"], c["warning"], c["info"], missing]
        for col, value in enumerate(cells, start=1):
            _put(ws, row, col, value)
    row += 1
    total = counts(report.defects)
    for col, value in ((1, w["total"]), (4, sum(p.files for p in report.packages)),
                       (5, total["error"]), (6, total["warning"]), (7, total["info"])):
        _put(ws, row, col, value, bold=True)
    row += 2
    _put(ws, row, 1, w["by_code"], bold=True)
    row += 1
    _header(ws, row, [w["code"], w["title"], w["severity"], w["count"]])
    by_code = Counter((d.code, d.severity) for d in report.defects)
    for (code, severity), n in sorted(by_code.items(), key=lambda kv: (kv[0][1].rank, kv[0][0])):
        row += 1
        for col, value in enumerate([code, title(code, lang), SEVERITY_WORD[lang][severity], n], start=1):
            _put(ws, row, col, value)
    _size_columns(ws)


def _fill_defects(ws: Worksheet, report: Report, with_package: bool, packages: Iterable[int]) -> None:
    lang = report.lang
    head = list(sheet_columns(lang, with_package))
    _header(ws, 1, head)
    row = 1
    for i in packages:
        p = report.packages[i]
        for d in p.defects:
            row += 1
            for col, value in enumerate(defect_row(p, d, lang, with_package), start=1):
                _put(ws, row, col, value)
    _table(ws, len(head), row)


def _fill_documents(ws: Worksheet, report: Report) -> None:
    lang = report.lang
    w = words(lang)
    head = [w["folder"], w["document"], w["doc_id"], w["required_head"], w["file"], w["status"],
            w["error"], w["warning"], w["info"]]
    _header(ws, 1, head)
    row = 1
    for p in report.packages:
        for s in sections(p, lang):
            row += 1
            c = counts(s.defects)
            files = "\n".join(clean(f) for f in s.files)
            values = [package_name(p), s.title, s.key, w["required"] if s.required else w["optional"], files,
                      section_status(s, lang), c["error"], c["warning"], c["info"]]
            for col, value in enumerate(values, start=1):
                _put(ws, row, col, value)
    _table(ws, len(head), row)


def _table(ws: Worksheet, ncols: int, last_row: int) -> None:
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{max(last_row, 1)}"
    _size_columns(ws)


def display_width(text: str) -> int:
    """Columns a string takes in Excel: CJK and full-width characters count double."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _size_columns(ws: Worksheet) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            longest = max(display_width(line) for line in str(cell.value).split("\n"))
            widths[cell.column] = max(widths.get(cell.column, 0), longest)
    wrap = Alignment(wrap_text=True, vertical="top")
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 6), _MAX_WIDTH)
        if width > _WRAP_COLUMNS_MIN:
            for (cell,) in ws.iter_rows(min_col=col, max_col=col, min_row=2):
                cell.alignment = wrap


_CORE_DATES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def _without_clock(data: bytes, generated_at: str) -> bytes:
    """openpyxl stamps the save time into docProps/core.xml and every zip entry; use the
    report's generated_at (or no date at all) so the same report gives the same bytes."""
    stamp = _w3c_date(generated_at)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _CORE_DATES.sub(
                    lambda m: m.group(0).split(b">", 1)[0] + b">" + stamp + b"</dcterms:" + m.group(1) + b">"
                    if stamp else b"",
                    body,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body)
    return out.getvalue()


def _w3c_date(value: str) -> bytes:
    """generated_at as the W3CDTF date-time core.xml wants (YYYY-MM-DDThh:mm:ssZ), or b""."""
    if not value:
        return b""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return b""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

