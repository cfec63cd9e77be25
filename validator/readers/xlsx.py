"""Bounded reading of one sheet of an .xlsx: values, their storage type and row numbers.

Pipeline for :func:`read_sheet`:

1. **Package guard** (``zipfile``, Python): not a zip -> ``not_xlsx`` (or ``encrypted`` for an
   OLE2 ``EncryptedPackage``, which is what a password-protected .xlsx really is); declared
   uncompressed total above ``max_unzipped_mb`` or one entry above 1 MB inflating more than
   100x -> ``zip_bomb``; no workbook part -> ``not_xlsx``.  The workbook part is found the way
   Excel finds it (``_rels/.rels``), so packages with ``workbook.xml`` at the root open too.
2. **Sheet pre-scan**: the chosen sheet's XML is inflated once (``zipfile`` stops at the declared
   size and checks the CRC, so a lying header cannot push more than that through) and scanned
   with a few byte-level searches:

   * *cell budget* - python-calamine stores a sheet as a **dense** rectangle, 32 bytes a cell,
     from the first to the last cell that has a value.  A 5 KB file with values in A1 and
     XFD1048576 asks for 512 GB, and under an address-space limit Rust's allocator does not
     raise, it aborts the whole process.  So the rectangle is bounded *before* calamine sees
     the file; above ``max_cells`` -> ``SheetError("memory")``.  The common case (<= 26 columns,
     < 100,000 rows) is settled by two failed searches; only larger sheets pay for an exact scan.
   * *error cells* - python-calamine turns ``#N/A``, ``#DIV/0!`` ... into empty cells.  A
     validator must not read "#N/A" as "left blank", so ``t="e"`` cells are located here and
     put back as :class:`ExcelError` values.

3. **Cells** from python-calamine (native, ~10x faster than openpyxl read-only), ``to_python``
   capped at the rows needed, positioned with the sheet's ``start`` so leading blank rows and
   columns keep their Excel row numbers and column positions.

Bounds: the time limit (SIGALRM, see :mod:`validator.readers.bounded`) covers the Python steps
and fires right after any native step; memory is bounded by the input checks above, not by
``RLIMIT_AS`` (under which calamine would abort the process instead of raising).

Cell model: ``cells[i]`` is Excel column ``i + 1`` (A = 0) - leading blank columns are kept as
empty cells - and every row has the same length, the sheet's last used column.  Empty cells and
empty strings are both :data:`EMPTY` (calamine does not tell them apart).  Numbers arrive as
floats; integral ones below 1e15 become ``int`` (that is how Excel shows them); larger ones stay
``float`` and display in scientific notation, as Excel does with an 18-digit id typed as a number.
Formulas give their cached value (none cached -> empty).  Merged cells keep their value in the
top-left cell only; ranges are listed in ``SheetData.merged`` and, for the header row only,
a merged header cell's text is copied into every column it spans.
"""

from __future__ import annotations

import datetime as _dt
import os
import posixpath
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import python_calamine
from defusedxml.ElementTree import fromstring as _xml

from validator.readers.bounded import ParseLimit, limits, paused_gc

__all__ = [
    "EMPTY",
    "ERROR_KEYS",
    "Cell",
    "ExcelError",
    "SheetData",
    "SheetError",
    "col_letter",
    "read_sheet",
    "sheet_names",
]

ERROR_KEYS = ("not_xlsx", "damaged", "encrypted", "zip_bomb", "sheet_missing", "timeout", "memory")

_MB = 1024 * 1024
#: An entry above this size that inflates more than _BOMB_RATIO times is treated as a bomb.
_BOMB_MIN_SIZE = 1 * _MB
_BOMB_RATIO = 100
#: Bytes calamine allocates per cell of the dense sheet rectangle (DataRef, measured).
_BYTES_PER_CELL = 32
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


class ExcelError(str):
    """A cell holding an Excel error value such as ``#N/A`` or ``#DIV/0!`` (equal to that text)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"ExcelError({str.__repr__(self)})"


@dataclass(frozen=True, slots=True)
class Cell:
    # str | int | float | bool | ExcelError | datetime.datetime | date | time | timedelta | None
    value: object
    is_text: bool  # stored as a string cell (shared/inline string, or a formula's string result)
    display: str  # roughly what Excel shows: "3.40524E+17", "42", "2024-01-02", "#N/A", "TRUE"


EMPTY = Cell(None, False, "")


@dataclass(frozen=True)
class SheetData:
    sheet_names: tuple[str, ...]
    sheet: str  # the sheet read
    header: tuple[str, ...]  # header row as stripped text from column A; trailing empties dropped
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]  # (Excel row number, cells) after the header
    truncated: bool = False  # more rows exist beyond max_rows
    #: merged ranges as 1-based (first_row, first_col, last_row, last_col)
    merged: tuple[tuple[int, int, int, int], ...] = field(default=())


class SheetError(Exception):
    """The sheet could not be read.  ``key`` is one of :data:`ERROR_KEYS`."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail[:300]


# --------------------------------------------------------------------------------------------
# public API


def read_sheet(
    path: str | os.PathLike[str],
    sheet: str | None,
    header_row: int = 1,
    *,
    max_rows: int = 100_000,
    max_unzipped_mb: int = 200,
    timeout: float = 10.0,
    max_cells: int = 10_000_000,
) -> SheetData:
    """Read ``sheet`` (``None``: the first worksheet) of the .xlsx at ``path``.

    ``header_row`` is the 1-based Excel row holding the column names; ``0`` means no header
    (every non-empty row is data).  At most ``max_rows`` sheet rows after the header are looked
    at; ``truncated`` says whether data goes on beyond them.  ``max_cells`` bounds the dense
    rectangle calamine allocates (32 bytes a cell).  Raises :class:`SheetError`, nothing else.
    """
    if header_row < 0 or max_rows < 0:
        raise ValueError("header_row and max_rows must be >= 0")
    with _errors_as_sheet_error(), limits(timeout, None):
        with _Package(path, max_unzipped_mb) as pkg:
            wb = _open_workbook(path)
            names = tuple(wb.sheet_names)
            name = _choose_sheet(wb, names, sheet)
            errors = pkg.scan_sheet(name, max_cells)
        ws = wb.get_sheet_by_name(name)
        with paused_gc():
            return _build(ws, names, name, header_row, max_rows, errors)
    raise AssertionError("unreachable")  # pragma: no cover - the context manager re-raises


def sheet_names(
    path: str | os.PathLike[str], *, max_unzipped_mb: int = 200, timeout: float = 10.0
) -> tuple[str, ...]:
    """All sheet names in workbook order (worksheets and chart sheets).  Raises SheetError."""
    with _errors_as_sheet_error(), limits(timeout, None), _Package(path, max_unzipped_mb):
        return tuple(_open_workbook(path).sheet_names)
    raise AssertionError("unreachable")  # pragma: no cover


def col_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> "A", 27 -> "AB")."""
    n, out = index + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


# --------------------------------------------------------------------------------------------
# error mapping


class _errors_as_sheet_error:  # lower case: used like a function, as a context manager
    """Turn every failure inside into SheetError with a stable key."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, et: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        if exc is None or isinstance(exc, SheetError):
            return
        if isinstance(exc, ParseLimit):
            key = "timeout" if exc.kind == "time" else ("memory" if exc.kind == "memory" else "zip_bomb")
            raise SheetError(key, str(exc)) from exc
        if isinstance(exc, MemoryError):
            raise SheetError("memory", _detail(exc)) from exc
        if isinstance(exc, python_calamine.PasswordError):
            raise SheetError("encrypted", _detail(exc)) from exc
        if isinstance(exc, python_calamine.WorksheetNotFound):
            raise SheetError("sheet_missing", _detail(exc)) from exc
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            return
        if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile):
            raise SheetError("damaged", _detail(exc)) from exc
        # calamine errors, BadZipFile (bad CRC...), XML errors, pyo3 PanicException (a
        # BaseException), anything else a malformed file provokes.
        raise SheetError("damaged", _detail(exc)) from exc


def _detail(exc: BaseException) -> str:
    msg = str(exc).replace("\n", " ").strip()
    return (f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__)[:200]


# --------------------------------------------------------------------------------------------
# package guard and sheet pre-scan


class _Package:
    """The zip, checked for bombs, with its sheet name -> part map."""

    def __init__(self, path: str | os.PathLike[str], max_unzipped_mb: int) -> None:
        self.max_bytes = max_unzipped_mb * _MB
        with open(path, "rb") as fh:
            head = fh.read(8)
        if not zipfile.is_zipfile(path):
            raise _not_zip(path, head)
        try:
            self.zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise SheetError("damaged", _detail(exc)) from exc
        try:
            self._guard()
            self.workbook = self._find_workbook()
            self.parts = self._sheet_parts()
        except BaseException:
            self.zf.close()
            raise

    def __enter__(self) -> _Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zf.close()

    def _guard(self) -> None:
        total = 0
        for info in self.zf.infolist():
            total += info.file_size
            if info.file_size > _BOMB_MIN_SIZE and info.file_size > _BOMB_RATIO * max(info.compress_size, 1):
                raise SheetError(
                    "zip_bomb",
                    f"{info.filename}: {info.compress_size} bytes inflate to {info.file_size}"
                    f" (more than {_BOMB_RATIO}x)",
                )
        if total > self.max_bytes:
            raise SheetError(
                "zip_bomb", f"{total} bytes uncompressed, more than {self.max_bytes // _MB} MB allowed"
            )

    def _read(self, name: str) -> bytes:
        return self.zf.read(name)  # bounded: zipfile stops at the declared (guarded) size

    def _find_workbook(self) -> str:
        names = set(self.zf.namelist())
        target = None
        if "_rels/.rels" in names:
            for rel in _relationships(self._read("_rels/.rels")):
                if rel[1].endswith("/officeDocument"):
                    target = _resolve("", rel[2])
                    break
        if target is None or target not in names:
            target = "xl/workbook.xml" if "xl/workbook.xml" in names else None
        if target is None or not target.endswith(".xml"):
            kind = "an .xlsb (binary) workbook" if "xl/workbook.bin" in names else "no workbook part"
            raise SheetError("not_xlsx", f"zip archive with {kind}")
        return target

    def _sheet_parts(self) -> dict[str, str]:
        """Sheet name -> worksheet XML part, via workbook.xml and its relationships."""
        base = posixpath.dirname(self.workbook)
        rels_name = posixpath.join(base, "_rels", posixpath.basename(self.workbook) + ".rels")
        targets: dict[str, str] = {}
        if rels_name in self.zf.namelist():
            targets = {rid: _resolve(base, tgt) for rid, _typ, tgt in _relationships(self._read(rels_name))}
        parts: dict[str, str] = {}
        for el in _xml(self._read(self.workbook)).iter():
            if _local(el.tag) != "sheet":
                continue
            name = el.get("name")
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            if name is not None and rid in targets:
                parts[name] = targets[rid]
        return parts

    def scan_sheet(self, name: str, max_cells: int) -> dict[tuple[int, int], ExcelError]:
        """Check the cell budget of sheet ``name``; return its error cells (0-based positions)."""
        part = self.parts.get(name)
        if part is None or part not in self.zf.namelist():
            # Unknown layout: calamine has its own way to the sheet; bound every worksheet part.
            candidates = [n for n in self.zf.namelist() if n.endswith(".xml") and "sheet" in n.lower()]
        else:
            candidates = [part]
        errors: dict[tuple[int, int], ExcelError] = {}
        for cand in candidates:
            data = self._read(cand)
            _check_cell_budget(data, max_cells, cand)
            if cand == part:
                errors = _error_cells(data)
        return errors


def _not_zip(path: str | os.PathLike[str], head: bytes) -> SheetError:
    if head.startswith(_OLE_MAGIC):
        size = os.path.getsize(path)
        with open(path, "rb") as fh:  # the directory may sit anywhere; these files are small
            blob = fh.read(min(size, 64 * _MB))
        if _ENCRYPTED_PACKAGE in blob:
            return SheetError("encrypted", "password-protected workbook (OLE2 EncryptedPackage)")
        return SheetError("not_xlsx", "an OLE2 compound file (legacy .xls?), not an .xlsx zip")
    if not head:
        return SheetError("not_xlsx", "empty file")
    if head.startswith(b"PK"):
        return SheetError("damaged", "zip signature but no readable central directory")
    return SheetError("not_xlsx", f"not a zip archive; starts with {head!r}")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _relationships(xml: bytes) -> list[tuple[str, str, str]]:
    out = []
    for el in _xml(xml).iter():
        if _local(el.tag) == "Relationship":
            out.append((el.get("Id", ""), el.get("Type", ""), el.get("Target", "")))
    return out


def _resolve(base: str, target: str) -> str:
    target = target.replace("\\", "/")
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
    return posixpath.normpath(path)


# Cell references as written by every producer seen so far: r="AB12" (rows alone, r="12", do
# not match).  Searched without a leading \b, which would cost 7x: a false hit only costs time.
_BIG_REF = re.compile(rb"""r=["'][A-Z](?:[A-Z]|[0-9]{6})""")  # column beyond Z or row >= 100000
_REF = re.compile(rb"""\br=["']([A-Z]{1,3})([0-9]{1,7})["']""")


def _cell_tag(prefix: bytes, body: bytes) -> re.Pattern[bytes]:
    return re.compile(b"<" + re.escape(prefix) + b"c" + body)


def _check_cell_budget(data: bytes, max_cells: int, part: str) -> None:
    """Raise SheetError("memory") when calamine's dense rectangle would exceed ``max_cells``."""
    prefix = _tag_prefix(data)
    rless = _rless_cells(data, prefix)
    if not rless and max_cells >= _QUICK_ROWS * _QUICK_COLS and not _BIG_REF.search(data):
        return  # at most 26 columns x 99,999 rows
    rows, cols = _bounding_box(data, prefix, rless, _REF)
    if rows * cols > max_cells and not rless:
        # Empty styled cells (<c r="Z9999" s="3"/>) count above but not for calamine.
        rows, cols = _bounding_box(data, prefix, rless, _valued_ref(prefix))
    if rows * cols > max_cells:
        raise SheetError(
            "memory",
            f"{part}: cells span {col_letter(cols - 1)}{rows} ({rows * cols:,} cells, about"
            f" {rows * cols * _BYTES_PER_CELL // _MB:,} MB to load), more than {max_cells:,} allowed",
        )


_QUICK_ROWS, _QUICK_COLS = 99_999, 26


def _valued_ref(prefix: bytes) -> re.Pattern[bytes]:
    """The r= of <c> tags that are neither self-closing nor immediately closed."""
    return _cell_tag(prefix, rb"""\s[^>]*?\br=["']([A-Z]{1,3})([0-9]{1,7})["'][^>]*(?<!/)>(?!</)""")


def _tag_prefix(data: bytes) -> bytes:
    """``b"x:"`` when the sheet writes ``<x:sheetData>``, else ``b""``."""
    i = data.find(b"sheetData")
    if i <= 0:
        return b""
    lt = data.rfind(b"<", max(0, i - 40), i)
    return data[lt + 1 : i] if lt >= 0 else b""


def _bounding_box(data: bytes, prefix: bytes, rless: bool, ref: re.Pattern[bytes]) -> tuple[int, int]:
    """An upper bound (rows, cols) of the cells ``ref`` finds, plus any cells without r=."""
    max_row = max_col = 0
    for letters, digits in set(ref.findall(data)):
        max_row = max(max_row, int(digits))
        max_col = max(max_col, _col_number(letters))
    if rless:
        # Cells without r= are placed after their left neighbour in a row numbered by <row r=>
        # or by counting; bound both generously.
        p = re.escape(prefix)
        row_split = re.split(b"<" + p + rb"row\b", data)
        row_numbers = [int(n) for n in re.findall(b"<" + p + rb"row\b[^>]*?\br=[\"']([0-9]{1,7})", data)]
        cell_tag = re.compile(b"<" + p + rb"c[\s>/]")
        widest = max((len(cell_tag.findall(seg)) for seg in row_split), default=0)
        max_row = max([max_row, len(row_split), *row_numbers])
        max_col += widest
    return max_row, max_col


def _rless_cells(data: bytes, prefix: bytes) -> bool:
    """Might some <c> tag lack an r= attribute?  (True also when r= is not the first attribute.)"""
    return _cell_tag(prefix, rb"""(?:[>/]|\s+(?!r=))""").search(data) is not None


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


_ERROR_CELL = re.compile(
    rb"""<(?:[A-Za-z_][\w.-]*:)?c\s([^>]*\bt=["']e["'][^>]*)>(.*?)</(?:[A-Za-z_][\w.-]*:)?c>""", re.S
)
_ERROR_TYPE = re.compile(rb"""t=(?:"e"|'e')""")  # t="e" or t='e'; one pass instead of two
_ERROR_VALUE = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)<""")


def _error_cells(data: bytes) -> dict[tuple[int, int], ExcelError]:
    """Cells stored as Excel errors (t="e"), by 0-based (row, col)."""
    if _ERROR_TYPE.search(data) is None:
        return {}
    found: dict[tuple[int, int], ExcelError] = {}
    for attrs, body in _ERROR_CELL.findall(data):
        ref = _REF.search(b" " + attrs)
        val = _ERROR_VALUE.search(body)
        if ref is None or val is None:
            continue  # an error cell without position or cached value cannot be placed
        row, col = int(ref.group(2)) - 1, _col_number(ref.group(1)) - 1
        found[(row, col)] = ExcelError(val.group(1).decode("utf-8", "replace").strip())
    return found


# --------------------------------------------------------------------------------------------
# calamine


def _open_workbook(path: str | os.PathLike[str]) -> python_calamine.CalamineWorkbook:
    return python_calamine.CalamineWorkbook.from_path(os.fspath(path))


def _choose_sheet(wb: python_calamine.CalamineWorkbook, names: tuple[str, ...], sheet: str | None) -> str:
    if sheet is None:
        for meta in wb.sheets_metadata:
            if meta.typ == python_calamine.SheetTypeEnum.WorkSheet:
                return meta.name
        raise SheetError("sheet_missing", f"no worksheet; sheets: {', '.join(names) or '(none)'}")
    if sheet not in names:
        raise SheetError("sheet_missing", f"no sheet {sheet!r}; sheets: {', '.join(names) or '(none)'}")
    return sheet


def _build(
    ws: python_calamine.CalamineSheet,
    names: tuple[str, ...],
    name: str,
    header_row: int,
    max_rows: int,
    errors: dict[tuple[int, int], ExcelError],
) -> SheetData:
    start, end = ws.start, ws.end
    merged = tuple((r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in (ws.merged_cell_ranges or []))
    if start is None or end is None:  # no valued cell at all
        return SheetData(names, name, (), (), False, merged)
    r0, c0 = start
    last_row = header_row + max_rows  # last Excel row looked at
    nrows = max(0, last_row - r0)
    grid = ws.to_python(nrows=nrows) if nrows else []
    truncated = end[0] + 1 > last_row
    for (er, ec), err in errors.items():
        i, j = er - r0, ec - c0
        if 0 <= i < len(grid) and 0 <= j < len(grid[i]):
            grid[i][j] = err

    error_rows: dict[int, list[tuple[int, ExcelError]]] = {}
    for (er, ec), err in errors.items():
        error_rows.setdefault(er, []).append((ec, err))

    header: tuple[str, ...] = ()
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    lead = [EMPTY] * c0
    # Text cells repeat a lot (sex, id type, unit...): one Cell per distinct string.  Only str
    # keys go in, so a number can never pick up a text Cell (1 == 1.0 == True in a dict).
    memo: dict[object, Cell] = {"": EMPTY}
    get = memo.get

    def convert(v: object) -> Cell:
        tv = type(v)
        c: Cell = _new(Cell)
        if tv is str:  # hot paths inlined: this runs once per distinct string / per number
            _set_value(c, v)
            _set_is_text(c, True)
            _set_display(c, v)
            memo[v] = c
            return c
        if tv is float and v.is_integer() and -1e15 < v < 1e15:  # type: ignore[attr-defined, operator]
            n = int(v)  # type: ignore[call-overload]
            _set_value(c, n)
            _set_is_text(c, False)
            _set_display(c, str(n))
            return c
        c = _value_cell(v)
        if tv is _dt.date or tv is _dt.datetime:  # never equal to a str or a number: memo-safe
            memo[v] = c
        return c

    for i, raw in enumerate(grid):
        excel_row = r0 + i + 1
        if excel_row < header_row:
            continue
        errs = error_rows.get(excel_row - 1)
        if excel_row == header_row:
            header = _header(_patched(raw, errs, c0), c0, excel_row, merged, grid, r0)
            continue
        if errs is None:
            if raw.count("") == len(raw):
                continue
            if not c0:
                rows.append((excel_row, tuple([get(v) or convert(v) for v in raw])))
                continue
        cells = lead + [get(v) or convert(v) for v in raw]
        if errs is not None:
            for ec, err in errs:
                if 0 <= ec < len(cells):
                    cells[ec] = _new_cell(err, False, str(err))
        rows.append((excel_row, tuple(cells)))
    if header_row and header_row < r0 + 1:
        header = _header([], c0, header_row, merged, grid, r0)
    return SheetData(names, name, header, tuple(rows), truncated, merged)


def _patched(raw: list[Any], errs: list[tuple[int, ExcelError]] | None, c0: int) -> list[Any]:
    if not errs:
        return raw
    raw = list(raw)
    for ec, err in errs:
        if 0 <= ec - c0 < len(raw):
            raw[ec - c0] = err
    return raw


def _header(
    raw: Sequence[object],
    c0: int,
    excel_row: int,
    merged: Iterable[tuple[int, int, int, int]],
    grid: list[list[Any]],
    r0: int,
) -> tuple[str, ...]:
    texts = [""] * c0 + [_value_cell(v).display.strip() for v in raw]
    for fr, fc, lr, lc in merged:
        if not fr <= excel_row <= lr:
            continue
        i, j = fr - 1 - r0, fc - 1
        top_left = ""
        if 0 <= i < len(grid) and 0 <= j - c0 < len(grid[i]):
            top_left = _value_cell(grid[i][j - c0]).display.strip()
        if not top_left:
            continue
        if len(texts) < lc:
            texts += [""] * (lc - len(texts))
        for col in range(fc - 1, lc):
            if not texts[col]:
                texts[col] = top_left
    while texts and not texts[-1]:
        texts.pop()
    return tuple(texts)


# --------------------------------------------------------------------------------------------
# values


_new = object.__new__
_slots: dict[str, Any] = dict(vars(Cell))  # the slot descriptors; their __set__ skips frozen-ness
_set_value = _slots["value"].__set__
_set_is_text = _slots["is_text"].__set__
_set_display = _slots["display"].__set__
del _slots


def _new_cell(value: object, is_text: bool, display: str) -> Cell:
    """``Cell(value, is_text, display)`` at half the cost (frozen dataclass __init__ is slow)."""
    c: Cell = _new(Cell)
    _set_value(c, value)
    _set_is_text(c, is_text)
    _set_display(c, display)
    return c


def _value_cell(v: object) -> Cell:
    """The Cell for one value as python-calamine returns it."""
    tv = type(v)
    if tv is float:
        f: float = v  # type: ignore[assignment]
        if f.is_integer() and abs(f) < 1e15:
            n = int(f)
            return _new_cell(n, False, str(n))
        return _new_cell(f, False, number_display(f))
    if tv is str or tv is ExcelError:
        if not v:
            return EMPTY
        return _new_cell(v, tv is str, v)  # type: ignore[arg-type]
    if tv is bool:
        return _new_cell(v, False, "TRUE" if v else "FALSE")
    if tv is int:
        return _new_cell(v, False, number_display(v))  # type: ignore[arg-type]
    if tv is _dt.datetime:
        d: _dt.datetime = v  # type: ignore[assignment]
        return _new_cell(d, False, d.isoformat(sep=" ") if d.time() != _dt.time() else d.date().isoformat())
    if tv is _dt.date or tv is _dt.time:
        return _new_cell(v, False, v.isoformat())  # type: ignore[attr-defined]
    if tv is _dt.timedelta:
        td: _dt.timedelta = v  # type: ignore[assignment]
        secs = round(td.total_seconds())
        sign, secs = ("-", -secs) if secs < 0 else ("", secs)
        return _new_cell(td, False, f"{sign}{secs // 3600}:{secs // 60 % 60:02d}:{secs % 60:02d}")
    if v is None:
        return EMPTY
    return _new_cell(v, isinstance(v, str), str(v))


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
