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
     < 100,000 rows) is settled by one failed search; only other sheets pay for an exact scan.
   * *error cells* - python-calamine turns ``#N/A``, ``#DIV/0!`` ... into empty cells.  A
     validator must not read "#N/A" as "left blank", so ``t="e"`` cells are located in this XML
     and put back as :class:`ExcelError` values.  Only a grid with an empty cell can hold one, so
     the XML (up to 32 MB) is kept and searched after calamine, when the grid has one: a fully
     filled roster skips that pass (2.5 ms of a 4 MB sheet).

3. **Cells** from python-calamine (native, ~10x faster than openpyxl read-only), ``to_python``
   capped at the rows needed, positioned with the sheet's ``start`` so leading blank rows and
   columns keep their Excel row numbers and column positions.  python-calamine would parse the
   whole sheet a second time only to find its merged ranges; for a file up to 16 MB it is given
   a copy of the package whose sheet starts with an empty ``<mergeCells>`` instead (no
   recompression, see :mod:`validator.readers.xlsx_repack`), and the merged ranges come from the
   XML the pre-scan inflated.

Bounds: the time limit (SIGALRM, see :mod:`validator.readers.bounded`) covers the Python steps
and fires right after any native step; memory is bounded by the input checks above, not by
``RLIMIT_AS`` (under which calamine would abort the process instead of raising).

Sheet model (columnar): ``SheetData.columns[j]`` is Excel column ``j + 1`` (A = 0) as a tuple
with one value per data row (``SheetData.row_numbers[i]`` is that row's Excel number); leading
blank columns are kept as all-empty columns, and every column has one entry per data row.  A
value is ``None`` when the cell is empty (calamine does not tell empty cells from empty
strings), else the Python value: ``str`` for a text cell (shared/inline string, or a formula's
string result - "stored as text" is exactly ``type(value) is str``), ``int`` for an integral
number below 1e15 (that is how Excel shows it), ``float`` otherwise (larger ones display in
scientific notation, as Excel does with an 18-digit id typed as a number), ``bool``,
:class:`ExcelError`, ``datetime.date/datetime/time/timedelta``.  :func:`display` gives roughly
what Excel shows for a value.  Formulas give their cached value (none cached -> empty).  Merged
cells keep their value in the top-left cell only; ranges are listed in ``SheetData.merged`` and,
for the header row only, a merged header cell's text is copied into every column it spans.

No object per cell: 60,000 cells of a 5,000-row roster are 12 tuples, and rules judge each
distinct value of a column once (:meth:`SheetData.distinct`).

Fallback: when python-calamine cannot open a workbook that the package guard accepted (valid
.xlsm files it refuses: an XLM macro sheet first, a very-hidden sheet with an empty
relationship id), openpyxl reads it in read-only mode, after the same pre-scan, under the same
time limit and a memory limit (pure Python: ``RLIMIT_AS`` is safe there).  Only when that
fails too is the workbook "damaged".
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from defusedxml.ElementTree import fromstring as _xml

from validator.readers import xlsx_repack
from validator.readers.bounded import ParseLimit, limits
from validator.table import ERROR_KEYS, ExcelError, SheetData, Value, col_letter, display, number_display, paused_gc

if TYPE_CHECKING:
    import python_calamine
# python_calamine is imported where a workbook is read, not at import time.

__all__ = [
    "ERROR_KEYS",
    "ExcelError",
    "SheetData",
    "SheetError",
    "Value",
    "col_letter",
    "display",
    "number_display",
    "read_sheet",
    "sheet_names",
]


_MB = 1024 * 1024
#: An entry above this size that inflates more than _BOMB_RATIO times is treated as a bomb.
_BOMB_MIN_SIZE = 1 * _MB
_BOMB_RATIO = 100
#: Bytes calamine allocates per cell of the dense sheet rectangle (DataRef, measured).
_BYTES_PER_CELL = 32
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
#: Files up to this size are read into memory, so that calamine can be given a copy of the package
#: without its second pass over the sheet (xlsx_repack); bigger ones are read as they are.
_REPACK_MAX_BYTES = 16 * _MB
#: Sheets whose XML is at most this size keep it from the pre-scan, to look for error cells in it
#: only when needed (see _build); bigger ones are searched at once and dropped before calamine.
_KEEP_XML_MAX = 32 * _MB
#: Address space the openpyxl fallback may add (pure Python, so RLIMIT_AS is safe there).
_FALLBACK_MEMORY_MB = 1024


class SheetError(Exception):
    """The sheet could not be read.  ``key`` is one of :data:`ERROR_KEYS`."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail[:300]


# --------------------------------------------------------------------------------------------
# public API


def read_sheet(
    path: str | os.PathLike[str] | bytes,
    sheet: str | None,
    header_row: int = 1,
    *,
    max_rows: int = 100_000,
    max_unzipped_mb: int = 200,
    timeout: float = 10.0,
    max_cells: int = 10_000_000,
) -> SheetData:
    """Read ``sheet`` (``None``: the first worksheet) of the .xlsx at ``path`` (or in these bytes).

    ``header_row`` is the 1-based Excel row holding the column names; ``0`` means no header
    (every non-empty row is data).  At most ``max_rows`` sheet rows after the header are looked
    at; ``truncated`` says whether data goes on beyond them.  ``max_cells`` bounds the dense
    rectangle calamine allocates (32 bytes a cell).  Raises :class:`SheetError`, nothing else.
    """
    if header_row < 0 or max_rows < 0:
        raise ValueError("header_row and max_rows must be >= 0")
    import python_calamine

    nrows = header_row + max_rows  # the last Excel row looked at
    with _errors_as_sheet_error(), limits(timeout, None):
        with _Package(path, max_unzipped_mb) as pkg:
            target = sheet if sheet is not None else pkg.first_worksheet()
            quick = pkg.merge_first(target, max_cells)  # None: calamine reads the file as it is
            try:
                wb = _open_workbook(path if quick is None else quick)
                names = tuple(wb.sheet_names)
                name = _choose_sheet(wb, names, sheet)
            except _CALAMINE_FAILURES as exc:
                if _is_own(exc):
                    raise
                return _fallback(path, pkg, sheet, header_row, max_rows, max_cells, exc)
            pkg.scan_sheet(name, max_cells)
            merged = pkg.merged(name) if quick is not None and name == target else None
            try:
                ws = wb.get_sheet_by_name(name)
                start = ws.start
                wanted = max(0, nrows - start[0]) if start is not None else 0  # grid rows from start[0] + 1
                with paused_gc():  # 60,000 new values, none garbage: no collection walks them
                    grid = ws.to_python(nrows=wanted) if wanted else []
            except _CALAMINE_FAILURES as exc:
                if _is_own(exc) or isinstance(exc, python_calamine.PasswordError):
                    raise
                return _fallback(path, pkg, sheet, header_row, max_rows, max_cells, exc)
        with paused_gc():
            end = ws.end
            if merged is None:
                merged = tuple((r0 + 1, c0 + 1, r1 + 1, c1 + 1)
                               for (r0, c0), (r1, c1) in (ws.merged_cell_ranges or []))
            if start is None or end is None:  # no valued cell at all
                return SheetData(names, name, (), (), (), False, merged)
            truncated = end[0] + 1 > nrows
            return _build(grid, start, names, name, header_row, lambda: pkg.error_cells(name), merged, truncated)
    raise AssertionError("unreachable")  # pragma: no cover - the context manager re-raises


def sheet_names(
    path: str | os.PathLike[str] | bytes, *, max_unzipped_mb: int = 200, timeout: float = 10.0
) -> tuple[str, ...]:
    """All sheet names in workbook order (worksheets and chart sheets).  Raises SheetError."""
    import python_calamine

    with _errors_as_sheet_error(), limits(timeout, None), _Package(path, max_unzipped_mb) as pkg:
        try:
            return tuple(_open_workbook(path).sheet_names)
        except _CALAMINE_FAILURES as exc:
            if _is_own(exc) or isinstance(exc, python_calamine.PasswordError):
                raise
            return pkg.readable_names()
    raise AssertionError("unreachable")  # pragma: no cover


# Failures of python-calamine that openpyxl may get past (its own errors, XML/zip errors, a
# pyo3 PanicException, which is a BaseException).  Our own limits and signals are re-raised.
_CALAMINE_FAILURES = BaseException


def _is_own(exc: BaseException) -> bool:
    """Not calamine's failure: a limit, an answer already given, or an interruption."""
    import python_calamine

    return isinstance(exc, (SheetError, ParseLimit, MemoryError, KeyboardInterrupt, SystemExit, GeneratorExit,
                            python_calamine.PasswordError, python_calamine.WorksheetNotFound))


# --------------------------------------------------------------------------------------------
# error mapping


class _errors_as_sheet_error:  # lower case: used like a function, as a context manager
    """Turn every failure inside into SheetError with a stable key."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, et: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        if exc is None or isinstance(exc, SheetError):
            return
        import python_calamine

        if isinstance(exc, ParseLimit):
            key = "timeout" if exc.kind == "time" else ("memory" if exc.kind == "memory" else "zip_bomb")
            raise SheetError(key, str(exc)) from exc
        if isinstance(exc, MemoryError):
            raise SheetError("memory", _detail(exc)) from exc
        if isinstance(exc, python_calamine.PasswordError):
            raise SheetError("encrypted", _detail(exc)) from exc
        if isinstance(exc, python_calamine.WorksheetNotFound):
            raise SheetError("sheet_missing", "") from exc  # which sheets there are: unknown here
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

    def __init__(self, path: str | os.PathLike[str] | bytes, max_unzipped_mb: int) -> None:
        self.max_bytes = max_unzipped_mb * _MB
        #: The whole file, when small enough to copy (see merge_first); else None.
        self.blob: bytes | None = None
        source: str | os.PathLike[str] | io.BytesIO
        if isinstance(path, bytes):
            head = self.blob = path
            source = io.BytesIO(path)
        elif os.path.getsize(path) <= _REPACK_MAX_BYTES:
            with open(path, "rb") as fh:
                head = self.blob = fh.read()
            source = io.BytesIO(self.blob)
        else:
            with open(path, "rb") as fh:
                head = fh.read(8)
            source = path
        if not zipfile.is_zipfile(source):
            raise _not_zip(path, head[:8])
        try:
            self.zf = zipfile.ZipFile(source)
        except zipfile.BadZipFile as exc:
            raise SheetError("damaged", _detail(exc)) from exc
        #: part -> what the pre-scan found in it (see _Scan)
        self._scanned: dict[str, _Scan] = {}
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
        """Sheet name -> worksheet XML part, via workbook.xml and its relationships.

        Also keeps ``self.sheets``: (name, relationship type, part or None) in workbook order,
        for the openpyxl fallback, which must tell worksheets from macro and chart sheets.
        """
        base = posixpath.dirname(self.workbook)
        rels_name = posixpath.join(base, "_rels", posixpath.basename(self.workbook) + ".rels")
        targets: dict[str, tuple[str, str]] = {}
        if rels_name in self.zf.namelist():
            targets = {rid: (typ, _resolve(base, tgt)) for rid, typ, tgt in _relationships(self._read(rels_name))}
        parts: dict[str, str] = {}
        self.sheets: list[tuple[str, str, str | None]] = []
        for el in _xml(self._read(self.workbook)).iter():
            if _local(el.tag) != "sheet":
                continue
            name = el.get("name")
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            if name is None:
                continue
            typ, part = targets.get(rid or "", ("", None))
            self.sheets.append((name, typ.rsplit("/", 1)[-1], part))
            if part is not None:
                parts[name] = part
        return parts

    def readable_names(self) -> tuple[str, ...]:
        """Sheet names with a part behind them, in workbook order (what openpyxl can open)."""
        names = set(self.zf.namelist())
        return tuple(name for name, _typ, part in self.sheets if part in names)

    def first_worksheet(self) -> str | None:
        names = set(self.zf.namelist())
        return next((n for n, typ, part in self.sheets if typ == "worksheet" and part in names), None)

    def scan_sheet(self, name: str, max_cells: int) -> None:
        """Check the cell budget of sheet ``name`` and note what calamine will not tell (see _Scan)."""
        part = self.parts.get(name)
        if part is None or part not in self.zf.namelist():
            # Unknown layout: calamine has its own way to the sheet; bound every worksheet part.
            candidates = [n for n in self.zf.namelist() if n.endswith(".xml") and "sheet" in n.lower()]
        else:
            candidates = [part]
        if part in self._scanned:
            return
        for cand in candidates:
            data = self._read(cand)
            _check_cell_budget(data, max_cells, cand)
            if cand == part:
                keep = len(data) <= _KEEP_XML_MAX
                self._scanned[part] = _Scan(data[:200], xlsx_repack.merged_ranges(data),
                                            data if keep else None, None if keep else _error_cells(data))

    def error_cells(self, name: str) -> dict[tuple[int, int], ExcelError]:
        """Error cells of sheet ``name`` (scanned before), by 0-based (row, col)."""
        scan = self._scanned.get(self.parts.get(name, ""))
        if scan is None:
            return {}
        if scan.errors is None:
            scan.errors = _error_cells(scan.xml or b"")
            scan.xml = None
        return scan.errors

    def merge_first(self, name: str | None, max_cells: int) -> bytes | None:
        """This package with worksheet ``name`` scanned and starting with an empty <mergeCells>
        (:mod:`validator.readers.xlsx_repack`), or None when that does not apply."""
        part = self.parts.get(name) if name is not None else None
        worksheet = any(n == name and typ == "worksheet" for n, typ, _p in self.sheets)
        if name is None or part is None or self.blob is None or not worksheet or part not in self.zf.namelist():
            return None
        self.scan_sheet(name, max_cells)
        return xlsx_repack.merge_first(self.blob, self.zf.infolist(), part, self._scanned[part].head)

    def merged(self, name: str) -> tuple[tuple[int, int, int, int], ...]:
        """Merged ranges of worksheet ``name`` (scanned before), as read from its XML."""
        return self._scanned[self.parts[name]].merged


class _Scan:
    """What the pre-scan found in a sheet's XML."""

    __slots__ = ("errors", "head", "merged", "xml")

    def __init__(self, head: bytes, merged: tuple[tuple[int, int, int, int], ...], xml: bytes | None,
                 errors: dict[tuple[int, int], ExcelError] | None) -> None:
        self.head = head  # the first bytes of the XML
        self.merged = merged
        #: The XML while small, kept for the error cells: they are looked for only when calamine
        #: gave an empty cell (it gives an error cell as one), most sheets have none.
        self.xml = xml
        self.errors = errors  # None: not looked for yet (xml kept)


def _not_zip(path: str | os.PathLike[str] | bytes, head: bytes) -> SheetError:
    if head.startswith(_OLE_MAGIC):
        if isinstance(path, bytes):
            blob = path[: 64 * _MB]
        else:
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
# not match).  Where the error cells are.
_REF = re.compile(rb"""\br=["']([A-Z]{1,3})([0-9]{1,7})["']""")
# Every reference calamine places a cell by (it reads letters of either case, digits of any length,
# spaces around "="): for the cell budget, which must not miss one.
_ANY_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]+)([0-9]+)["']""")
# calamine takes <c>, <x:c>, <anything:c> for a cell (and <row> likewise): the exact scan does too.
_ANY_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"


def _cell_tag(prefix: bytes, body: bytes) -> re.Pattern[bytes]:
    return re.compile(b"<" + re.escape(prefix) + b"c" + body)


def _check_cell_budget(data: bytes, max_cells: int, part: str) -> None:
    """Raise SheetError("memory") when calamine's dense rectangle would exceed ``max_cells``."""
    prefix = _tag_prefix(data)
    if (max_cells >= _QUICK_ROWS * _QUICK_COLS and _unusual_cell(prefix).search(data) is None
            and not any(p.search(data) for p in _foreign_cell(prefix)) and _later_r(prefix).search(data) is None):
        return  # every cell opens with r="A1" .. r="Z99999": at most 26 columns x 99,999 rows
    rless = _rless_cells(data)
    rows, cols = _bounding_box(data, rless, _ANY_REF.findall(data))
    if rows * cols > max_cells and not rless:
        # Empty styled cells (<c r="Z9999" s="3"/>) count above but not for calamine.
        rows, cols = _bounding_box(data, rless, _valued_refs(data))
    if rows * cols > max_cells:
        shown = f"{col_letter(cols - 1)}{rows}" if cols <= 16_384 and rows <= 1_048_576 else "beyond XFD1048576"
        raise SheetError(
            "memory",
            f"{part}: cells span {shown} ({rows * cols:,} cells, about"
            f" {rows * cols * _BYTES_PER_CELL // _MB:,} MB to load), more than {max_cells:,} allowed",
        )


_QUICK_ROWS, _QUICK_COLS = 99_999, 26


def _unusual_cell(prefix: bytes) -> re.Pattern[bytes]:
    """A <c> tag not opening with r= of one letter and at most five digits (one scan settles the
    common case; any hit, even a harmless one such as another attribute first, takes the exact path)."""
    # The negative lookahead first, then the one character: 0.5 of 4 ms less than the other way round.
    return _cell_tag(prefix, rb"""(?! r=["'][A-Z][0-9]{1,5}["'])[\s>/]""")


def _later_r(prefix: bytes) -> re.Pattern[bytes]:
    """An r= attribute that is not the first of a <c> or <row> tag: calamine places a cell by the
    last r= of its tag, so a second one (<c r="A1" r="XFD1048576">) would escape _unusual_cell.
    From the literal r, the cells' own r= ruled out first: 3 ms of a 4 MB sheet."""
    p = re.escape(prefix)
    return re.compile(b"r(?<!<" + p + b"c r)(?<!<" + p + rb"""row r)(?<=["'\s]r)\s*=""")


def _foreign_cell(prefix: bytes) -> tuple[re.Pattern[bytes], ...]:
    """Cell tags with another namespace prefix than the sheet's, which _unusual_cell does not see
    and calamine reads all the same.  Unprefixed sheets: any ":c" tag (":" is rare in a sheet's
    XML, so the scan is quick: 1.2 ms of a 4 MB sheet)."""
    if not prefix:
        return (re.compile(rb":c[\s>/]"),)
    return re.compile(rb"<c[\s>/]"), re.compile(rb":c(?<!<" + re.escape(prefix) + rb"c)[\s>/]")


# A tag's attributes up to its closing '>': a quoted value may hold '>', "/>" or '<' (calamine takes them).
_ATTRS = rb"""(?:[^>"']|"[^"]*"|'[^']*')*"""
# An empty styled cell as producers write it (<c r="Z9999" s="3"/>, or closed at once): plain
# attribute values only. Its r= is its own, never another tag's: quoted segments hold no '=' or
# quote, so however a '<c' in a quoted value lines up, no real attribute starts inside the match.
_EMPTY_CELL = re.compile(
    _ANY_PREFIX + rb"""c r="[A-Za-z]+[0-9]+"(?:\s+[\w:.-]+="[\w.:#-]*")*\s*(?:/>|></(?:[A-Za-z_][\w.-]*:)?c>)"""
)


def _valued_refs(data: bytes) -> list[tuple[bytes, bytes]]:
    """(letters, digits) of every r= but those of empty styled cells (calamine skips them). Not a
    parse of each tag (a '>' or '/>' in a quoted value, a second r=, a quote-aware scan that an
    unclosed quote makes run on: quadratic): whatever is not surely an empty cell counts."""
    return _ANY_REF.findall(_EMPTY_CELL.sub(b"", data))


def _tag_prefix(data: bytes) -> bytes:
    """``b"x:"`` when the sheet writes ``<x:sheetData>``, else ``b""``."""
    i = data.find(b"sheetData")
    if i <= 0:
        return b""
    lt = data.rfind(b"<", max(0, i - 40), i)
    return data[lt + 1 : i] if lt >= 0 else b""


def _bounding_box(data: bytes, rless: bool, refs: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """An upper bound (rows, cols) of the cells at ``refs`` (r= values), plus any cells without r=."""
    max_row = max_col = 0
    for letters, digits in set(refs):
        max_row = max(max_row, int(digits))
        max_col = max(max_col, _col_number(letters))
    if rless:
        # Cells without r= are placed after their left neighbour in a row numbered by <row r=>
        # or by counting; bound both generously.
        row_split = re.split(_ANY_PREFIX + rb"row\b", data)
        # Every r= of digits alone, whatever tag it is in: no scan of the row tags (a quoted '>' hid
        # the r= after it; a <row left open made the scan run on, from every one of them).
        row_numbers = [int(n) for n in _ROW_REF.findall(data)]
        cell_tag = re.compile(_ANY_PREFIX + rb"c[\s>/]")
        widest = max((len(cell_tag.findall(seg)) for seg in row_split), default=0)
        max_row = max([max_row, len(row_split), *row_numbers])
        max_col += widest
    return max_row, max_col


_ROW_REF = re.compile(rb"""\br\s*=\s*["']([0-9]+)["']""")


def _rless_cells(data: bytes) -> bool:
    """Might some <c> tag lack an r= attribute?  (True also when r= is not the first attribute.)"""
    return re.search(_ANY_PREFIX + rb"""c(?:[>/]|\s+(?!r\s*=))""", data) is not None


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():  # calamine reads "xfd" as "XFD"
        n = n * 26 + ch - 64
    return n


# A quoted "e" (t="e", t='e', t = "e": calamine reads spaces around '='; _ERROR_ATTR decides), one
# pass; found from its rarer middle "e" it is 1.3 instead of 2.3 ms on a 4 MB sheet (the sre engine
# skips to a one-character literal quickest).
_ERROR_TYPE = re.compile(rb"""e(?<=["']e)["']""")
# The <c> tag a t="e" lies in, taken to start at the last '<' before it; quoted values are skipped
# whole (a '/>' or t="e" in one is neither). A '<' inside a quoted value, which XML forbids and
# calamine takes, misleads it: that cell's error is missed, never another cell's taken.
_CELL_OPEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(\s" + _ATTRS + rb")>")
_ERROR_ATTR = re.compile(rb"""(?:[^"']|"[^"]*"|'[^']*')*?\bt\s*=\s*["']e["']""")
_CELL_CLOSE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c>")
_CLOSED = re.compile(rb"<" + _ATTRS + rb">")  # any tag, closed
_ERROR_VALUE = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)<""")


def _error_cells(data: bytes) -> dict[tuple[int, int], ExcelError]:
    """Cells stored as Excel errors (t="e"), by 0-based (row, col). Each t="e" is looked at where it
    is, not every cell: 1.4 instead of 35 ms on a 4 MB sheet with an error cell."""
    found: dict[tuple[int, int], ExcelError] = {}
    seen = 0  # the end of the last tag looked at: a t="e" before it was in that tag (or its text)
    closed = -1  # where the </c> after it starts
    for hit in _ERROR_TYPE.finditer(data):
        start = data.rfind(b"<", seen, hit.start())
        if start < 0:
            continue  # in the text after the last tag looked at
        tag = _CELL_OPEN.match(data, start) or _CLOSED.match(data, start)
        if tag is None:
            break  # a tag that never closes: calamine reads no further (and each scan would run to the end)
        seen = tag.end()
        if seen <= hit.start() or tag.re is _CLOSED:
            continue  # in a value or text, or in another tag than a cell's
        attrs = tag.group(1)
        if attrs.endswith(b"/") or _ERROR_ATTR.match(attrs) is None:
            continue  # self-closing: no value (calamine skips it); or t="e" only inside a quoted value
        if closed < seen:  # the next </c> (looked for once per stretch: cells left open would rescan)
            close = _CELL_CLOSE.search(data, seen)
            if close is None:
                break  # no cell after this one is closed either
            closed = close.start()
        refs = _ANY_REF.findall(attrs)  # calamine puts it at the last
        val = _ERROR_VALUE.search(data, seen, closed)
        if not refs or val is None:
            continue  # an error cell without position or cached value cannot be placed
        row, col = int(refs[-1][1]) - 1, _col_number(refs[-1][0]) - 1
        found[(row, col)] = ExcelError(val.group(1).decode("utf-8", "replace").strip())
    return found


# --------------------------------------------------------------------------------------------
# calamine


def _open_workbook(path: str | os.PathLike[str] | bytes) -> python_calamine.CalamineWorkbook:
    import python_calamine

    if isinstance(path, bytes):
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path))
    return python_calamine.CalamineWorkbook.from_path(os.fspath(path))


def _names_detail(names: Sequence[str]) -> str:
    """A ``sheet_missing`` error's detail: the sheets the workbook has, one per line (the check
    lists them in the reader's language; no English sentence around them)."""
    return "\n".join(names)


def _choose_sheet(wb: python_calamine.CalamineWorkbook, names: tuple[str, ...], sheet: str | None) -> str:
    import python_calamine

    if sheet is None:
        for meta in wb.sheets_metadata:
            if meta.typ == python_calamine.SheetTypeEnum.WorkSheet:
                return meta.name
        raise SheetError("sheet_missing", _names_detail(names))
    if sheet not in names:
        raise SheetError("sheet_missing", _names_detail(names))
    return sheet


# --------------------------------------------------------------------------------------------
# openpyxl fallback


def _fallback(
    path: str | os.PathLike[str] | bytes,
    pkg: _Package,
    sheet: str | None,
    header_row: int,
    max_rows: int,
    max_cells: int,
    cause: BaseException,
) -> SheetData:
    """Read the sheet with openpyxl (read-only) after calamine failed on the workbook."""
    names = pkg.readable_names()
    name = pkg.first_worksheet() if sheet is None else sheet
    if name is None or name not in names:
        if sheet is None and not pkg.sheets:
            raise SheetError("damaged", _detail(cause))
        raise SheetError("sheet_missing", _names_detail(names))
    pkg.scan_sheet(name, max_cells)  # the same cell budget as for calamine
    errors = pkg.error_cells(name)
    nrows = header_row + max_rows
    try:
        with limits(3600.0, _FALLBACK_MEMORY_MB):  # the caller's time limit still runs
            grid, truncated = _openpyxl_grid(path, name, nrows)
    except (ParseLimit, MemoryError, KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        raise SheetError("damaged", f"{_detail(cause)}; openpyxl: {_detail(exc)}") from exc
    with paused_gc():
        return _build(grid, (0, 0), names, name, header_row, errors, (), truncated)


def _openpyxl_grid(path: str | os.PathLike[str] | bytes, name: str, nrows: int) -> tuple[list[list[Any]], bool]:
    """Rows 1..nrows of sheet ``name`` as calamine gives them: '' for empty, a rectangle."""
    import warnings

    import openpyxl

    # The file is opened here, not by openpyxl: a time limit that fires inside load_workbook
    # must not leave its handle to the garbage collector (an unclosed-file warning, a held file).
    with warnings.catch_warnings(), (io.BytesIO(path) if isinstance(path, bytes) else open(path, "rb")) as source:
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(source, read_only=True, data_only=True, keep_links=False)
        try:
            ws = wb[name]
            ws.reset_dimensions()  # a lying <dimension> must not cut the data
            grid: list[list[Any]] = []
            truncated = False
            for values in ws.iter_rows(values_only=True):
                if len(grid) == nrows:
                    truncated = any(v is not None for v in values)
                    if truncated:
                        break
                    continue
                grid.append(["" if v is None else v for v in values])
        finally:
            wb.close()
    width = max(map(len, grid), default=0)
    for row in grid:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    while grid and grid[-1].count("") == width:
        grid.pop()
    return grid, truncated


# --------------------------------------------------------------------------------------------
# columns


Errors = dict[tuple[int, int], ExcelError]


def _build(
    grid: list[list[Any]],
    start: tuple[int, int],
    names: tuple[str, ...],
    name: str,
    header_row: int,
    errors: Errors | Callable[[], Errors],
    merged: tuple[tuple[int, int, int, int], ...],
    truncated: bool,
) -> SheetData:
    """The grid (rows of raw values from Excel row ``start[0] + 1``, column ``start[1] + 1``) as columns.

    ``errors``: the error cells to put in, or (calamine's grid) a function giving them, called only
    when the grid has an empty cell: calamine gives an error cell as ``""``.
    """
    r0, c0 = start
    first = max(0, header_row - r0) if header_row else 0  # the first data row's index in the grid
    raw_columns = list(zip(*grid[first:], strict=True))
    blank = ["" in raw for raw in raw_columns]  # per column: has an empty cell
    if callable(errors):
        errors = errors() if any(blank) or any("" in row for row in grid[:first]) else {}
    if _put_errors(grid, r0, c0, errors):
        raw_columns = list(zip(*grid[first:], strict=True))
        blank = ["" in raw for raw in raw_columns]
    header: tuple[str, ...] = ()
    if header_row:
        hi = header_row - 1 - r0
        if 0 <= hi < len(grid):
            header = _header(grid[hi], c0, header_row, merged, grid, r0)
        elif hi < 0:
            header = _header([], c0, header_row, merged, grid, r0)
    if not all(blank):
        # A column without an empty cell: no row is empty, all are kept (no pass per row).
        numbers = tuple(range(r0 + first + 1, r0 + len(grid) + 1))
    else:
        kept: list[list[Any]] = []
        kept_numbers: list[int] = []
        for i in range(first, len(grid)):
            raw = grid[i]
            if raw.count("") != len(raw):
                kept.append(raw)
                kept_numbers.append(r0 + i + 1)
        numbers = tuple(kept_numbers)
        raw_columns = list(zip(*kept, strict=True))
        blank = ["" in raw for raw in raw_columns]
    if not numbers:
        return SheetData(names, name, header, (), (), truncated, merged)
    columns: list[tuple[Value, ...]] = [(None,) * len(numbers)] * c0
    memo: dict[Any, Any] = {}  # the column kinds found on the way, for SheetData.kinds
    for j, (values, has_blank) in enumerate(zip(raw_columns, blank, strict=True), c0):
        column, kinds = _column(values, has_blank)
        columns.append(column)
        if kinds is not None:
            memo[("kinds", j)] = kinds
    return SheetData(names, name, header, numbers, tuple(columns), truncated, merged, memo)


def _put_errors(grid: list[list[Any]], r0: int, c0: int, errors: Errors) -> bool:
    """Put the error cells into the grid; True if any landed there."""
    placed = False
    for (er, ec), err in errors.items():
        i, j = er - r0, ec - c0
        if 0 <= i < len(grid) and 0 <= j < len(grid[i]):
            grid[i][j] = err
            placed = True
    return placed


_TEXT = frozenset({str})


def _column(raw: tuple[Any, ...], has_blank: bool) -> tuple[tuple[Value, ...], frozenset[type] | None]:
    """One column of raw calamine values as cell values (see the module's sheet model), and the
    classes of its non-empty values when they are known without another pass."""
    kinds = set(map(type, raw))
    if kinds == {str}:  # the common case: a text column
        if not has_blank:
            return raw, _TEXT
        return tuple([v or None for v in raw]), (_TEXT if raw.count("") < len(raw) else frozenset())
    if kinds <= {str, float}:  # numbers, some cells empty: the conversion inlined
        return tuple([
            (int(v) if v.is_integer() and -1e15 < v < 1e15 else v) if v.__class__ is float else (v or None)
            for v in raw
        ]), None
    if not kinds & {str, float, ExcelError}:  # dates, booleans...: nothing to convert
        return raw, frozenset(kinds) - {type(None)}
    return tuple([_value(v) for v in raw]), None


def _value(v: Any) -> Value:
    cls = v.__class__
    if cls is float:
        return int(v) if v.is_integer() and -1e15 < v < 1e15 else v
    if cls is str or cls is ExcelError:
        return v or None
    return v


def _header(
    raw: Sequence[object],
    c0: int,
    excel_row: int,
    merged: Iterable[tuple[int, int, int, int]],
    grid: list[list[Any]],
    r0: int,
) -> tuple[str, ...]:
    texts = [""] * c0 + [_text(v) for v in raw]
    # Merged ranges of a sound sheet do not overlap (Excel refuses the file), so a header column
    # is spanned once.  A hostile list (60,000 copies of A1:XFD1 in 100 KB) must not have every
    # range walk its 16,384 columns: a column already taken ends the range's walk.
    taken: set[int] = set()
    for fr, fc, lr, lc in merged:
        if not fr <= excel_row <= lr or fc - 1 in taken:
            continue
        i, j = fr - 1 - r0, fc - 1
        top_left = ""
        if 0 <= i < len(grid) and 0 <= j - c0 < len(grid[i]):
            top_left = _text(grid[i][j - c0])
        if not top_left:
            continue
        if len(texts) < lc:
            texts += [""] * (lc - len(texts))
        for col in range(fc - 1, lc):
            if col in taken:
                break
            taken.add(col)
            if not texts[col]:
                texts[col] = top_left
    while texts and not texts[-1]:
        texts.pop()
    return tuple(texts)


def _text(raw: object) -> str:
    v = _value(raw)
    return "" if v is None else display(v).strip()
