"""validator.readers.xlsx: exact values, row numbers and storage types; bombs; agreement with openpyxl."""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import time
import tracemalloc
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.datetime import from_excel

from tests.conftest import (
    CORPUS,
    needs_alarm,
)
from validator.readers.xlsx import (
    ExcelError,
    SheetError,
    display,
    number_display,
    read_sheet,
    sheet_names,
)

ID = 340524199001011234  # 18 digits: Excel keeps 15 significant ones when typed as a number


def _save(wb: openpyxl.Workbook, path: Path) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb.save(path)
    return path


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    """Two blank rows and a blank column A before the header; a second sheet with merged headers."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "人员名单"
    header = ["姓名", "证件号码", "证件号码(文本)", "出生日期", "登记时间", "金额", "在职", "备注"]
    for j, h in enumerate(header):
        ws.cell(row=3, column=2 + j, value=h)
    ws.cell(row=3, column=11, value="  ")  # whitespace-only header cell beyond the last name
    data: dict[int, list[object]] = {
        4: ["张三", ID, str(ID), dt.date(1990, 1, 1), dt.datetime(2024, 5, 6, 7, 8, 9), 1234.5, True, None],
        # row 5 left empty
        6: ["李四", 42, "00123", None, None, -0.25, False, "#N/A"],
        7: [None, None, None, None, None, 1e16, None, "  有空格  "],
    }
    for r, values in data.items():
        for j, v in enumerate(values):
            if v is not None:
                ws.cell(row=r, column=2 + j, value=v)
    ws2 = wb.create_sheet("附表")
    ws2["A1"] = "联系人"
    ws2.merge_cells("A1:B1")
    ws2["C1"] = "单位"
    ws2.merge_cells("C1:C2")
    ws2["A2"] = "电话"
    ws2["B2"] = "邮箱"
    ws2["A3"] = "13800000000"
    ws2["B3"] = "a@example.com"
    ws2["C3"] = "某公司"
    return _save(wb, tmp_path / "名单 (1).xlsx")


def test_values_row_numbers_and_storage_types(roster: Path) -> None:
    d = read_sheet(roster, "人员名单", header_row=3)
    assert d.sheet_names == ("人员名单", "附表")
    assert d.sheet == "人员名单"
    # column A is blank: header and cells stay aligned to Excel columns (index 0 = A)
    assert d.header == (
        "",
        "姓名",
        "证件号码",
        "证件号码(文本)",
        "出生日期",
        "登记时间",
        "金额",
        "在职",
        "备注",
    )
    assert d.row_numbers == (4, 6, 7)  # empty row 5 skipped, numbers are Excel's
    assert not d.truncated
    assert len(d.columns) == 11  # every row spans A..K (K3 holds the whitespace header cell)
    assert {len(col) for col in d.columns} == {3}  # one value per data row in every column

    def cell(i: int, j: int) -> tuple[object, bool, str]:
        """(value, stored as text, what Excel shows)."""
        v = d.value(i, j)
        return v, type(v) is str, display(v)

    assert d.column(0) == (None, None, None)  # column A is blank
    assert cell(0, 1) == ("张三", True, "张三")
    id_as_number, is_text, shown = cell(0, 2)
    assert is_text is False and isinstance(id_as_number, float)
    assert shown == "3.40524E+17"
    assert cell(0, 3) == (str(ID), True, str(ID))
    assert d.value(0, 4) == dt.date(1990, 1, 1) or d.value(0, 4) == dt.datetime(1990, 1, 1)
    assert display(d.value(0, 4)) == "1990-01-01"
    assert cell(0, 5) == (dt.datetime(2024, 5, 6, 7, 8, 9), False, "2024-05-06 07:08:09")
    assert cell(0, 6) == (1234.5, False, "1234.5")
    assert cell(0, 7) == (True, False, "TRUE")
    assert cell(0, 8) == (None, False, "")

    assert cell(1, 2) == (42, False, "42")
    assert type(d.value(1, 2)) is int
    assert cell(1, 3) == ("00123", True, "00123")
    assert cell(1, 6) == (-0.25, False, "-0.25")
    assert cell(1, 7) == (False, False, "FALSE")
    # openpyxl writes "#N/A" as an error cell (t="e"); calamine alone would say "empty"
    assert d.value(1, 8) == "#N/A" and isinstance(d.value(1, 8), ExcelError)
    assert type(d.value(1, 8)) is not str and display(d.value(1, 8)) == "#N/A"

    assert cell(2, 6) == (1e16, False, "1E+16")
    assert cell(2, 8) == ("  有空格  ", True, "  有空格  ")  # data cells are not stripped
    assert d.row(2)[6] == 1e16 and list(d.iter_rows())[2][0] == 7


def test_column_kinds_are_the_classes_of_the_values(roster: Path) -> None:
    """kinds() of every column (some learnt while the columns are built) match the values."""
    for header_row in (3, 0):
        d = read_sheet(roster, "人员名单", header_row=header_row)
        for j in range(len(d.columns) + 1):
            assert d.kinds(j) == frozenset(type(v) for v in d.column(j) if v is not None), (header_row, j)
    d = read_sheet(roster, "人员名单", header_row=3)
    assert d.kinds(1) == {str} and d.kinds(5) == {dt.datetime} and d.kinds(8) == {str, ExcelError}


def test_distinct_values_and_their_rows(tmp_path: Path) -> None:
    """The column view rules use: each distinct value once, rows looked up by value."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in [["单位", "在职"], ["甲", True], ["乙", 1], [None, True], ["甲", 1.0], ["甲", None]]:
        ws.append(row)
    d = read_sheet(_save(wb, tmp_path / "d.xlsx"), None)
    assert d.distinct(0) == {"甲": "甲", "乙": "乙"}
    assert d.rows_with(0, {"甲"}) == [0, 3, 4] and d.empty_rows(0) == [2]
    # True and 1 are equal dict keys but different cells: a mixed column keys by class
    mixed = d.distinct(1)
    assert sorted(map(repr, mixed.values())) == ["1", "True"]
    assert d.rows_with(1, {d.key(1)(True)}) == [0, 2] and d.rows_with(1, {d.key(1)(1)}) == [1, 3]
    assert d.kinds(1) == {bool, int}
    assert list(d.distinct(0)) == ["甲", "乙"]  # in order of first appearance


def test_distinct_value_is_its_key(roster: Path) -> None:
    """A value's key is that value, of the same class, whatever classes its column mixes."""
    d = read_sheet(roster, "人员名单", header_row=3)
    for j in range(len(d.columns)):
        for k, v in d.distinct(j).items():
            assert k == v and type(k) is type(v)
    assert isinstance(d.distinct(8)["#N/A"], ExcelError)


def test_default_sheet_and_header_row_one(roster: Path) -> None:
    d = read_sheet(roster, None)  # first worksheet; header row 1 is blank
    assert d.sheet == "人员名单"
    assert d.header == ()
    assert d.row_numbers == (3, 4, 6, 7)


def test_no_header(roster: Path) -> None:
    d = read_sheet(roster, "附表", header_row=0)
    assert d.header == ()
    assert d.row_numbers == (1, 2, 3)


def test_merged_header_cells(roster: Path) -> None:
    d = read_sheet(roster, "附表", header_row=1)
    assert d.header == ("联系人", "联系人", "单位")
    assert set(d.merged) == {(1, 1, 1, 2), (1, 3, 2, 3)}
    # data rows keep Excel's storage: a merged cell's value sits in its top-left cell only
    row2 = dict(d.iter_rows())[2]
    assert list(row2) == ["电话", "邮箱", None]

    d2 = read_sheet(roster, "附表", header_row=2)
    assert d2.header == ("电话", "邮箱", "单位")  # C1:C2 reaches down into the header row
    assert d2.row_numbers == (3,)
    assert d2.value(0, 0) == "13800000000" and type(d2.value(0, 0)) is str


def test_header_row_beyond_data(roster: Path) -> None:
    d = read_sheet(roster, "人员名单", header_row=50)
    assert d.header == () and len(d) == 0 and not d.truncated


def test_max_rows_truncates(roster: Path) -> None:
    d = read_sheet(roster, "人员名单", header_row=3, max_rows=1)
    assert d.row_numbers == (4,)
    assert d.truncated
    d = read_sheet(roster, "人员名单", header_row=3, max_rows=4)
    assert d.row_numbers == (4, 6, 7)
    assert not d.truncated


def test_sheet_missing_lists_names(roster: Path) -> None:
    with pytest.raises(SheetError) as ei:
        read_sheet(roster, "Sheet1")
    assert ei.value.key == "sheet_missing"
    assert ei.value.detail.splitlines() == ["人员名单", "附表"]  # the names alone: X102 lists them in zh or en
    assert sheet_names(roster) == ("人员名单", "附表")


def test_empty_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    path = _save(wb, tmp_path / "empty.xlsx")
    d = read_sheet(path, None)
    assert d.header == () and len(d) == 0 and d.sheet == "Sheet"


def test_error_cells_in_a_sheet_with_no_other_empty_cell(tmp_path: Path) -> None:
    """Error cells are the only cells calamine gives as empty: found wherever they are (header,
    a merged header's top-left above it, data rows), with or without other empty cells."""
    a1, a2 = '<c r="A1" t="e"><v>#REF!</v></c>', '<c r="A2" t="inlineStr"><is><t>a</t></is></c>'
    b2, b3 = '<c r="B2" t="e"><v>#N/A</v></c>', '<c r="B3" t="e"><v>#DIV/0!</v></c>'

    def read(row1: str, row2: str, row3: str, merge: str = "A1:A2") -> Any:
        sheet = (
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            f'<row r="1">{row1}</row><row r="2">{row2}<c r="C2" t="inlineStr"><is><t>c</t></is></c></row>'
            f'<row r="3"><c r="A3"><v>1</v></c>{row3}<c r="C3"><v>3</v></c></row>'
            '<row r="4"><c r="A4"><v>4</v></c><c r="B4"><v>5</v></c><c r="C4"><v>6</v></c></row>'
            f'</sheetData><mergeCells count="1"><mergeCell ref="{merge}"/></mergeCells></worksheet>'
        )
        return read_sheet(_package(tmp_path / "e.xlsx", sheet.encode()), None, header_row=2)

    d = read(a1, b2, b3)  # A2 empty: the merged A1 names column A
    assert d.header == ("#REF!", "#N/A", "c") and d.columns == ((1, 4), ("#DIV/0!", 5), (3, 6))
    assert isinstance(d.value(0, 1), ExcelError)
    d = read("", a2 + b2, '<c r="B3"><v>2</v></c>')  # the header's error is the only one
    assert d.header == ("a", "#N/A", "c") and d.columns == ((1, 4), (2, 5), (3, 6))
    b2_text, b3_number = '<c r="B2" t="inlineStr"><is><t>b</t></is></c>', '<c r="B3"><v>2</v></c>'
    d = read("", a2 + b2_text, b3)  # a data cell's is
    assert d.header == ("a", "b", "c") and d.columns == ((1, 4), ("#DIV/0!", 5), (3, 6))
    assert isinstance(d.value(0, 1), ExcelError)
    d = read(a1, a2 + b2_text, b3_number, "A1:E2")  # above the header, named columns beyond the cells
    assert d.header == ("a", "b", "c", "#REF!", "#REF!") and d.columns == ((1, 4), (2, 5), (3, 6))


def test_error_cells_are_placed_where_calamine_places_them(tmp_path: Path) -> None:
    """A self-closing error-typed cell has no value; a lower-case reference is still a place."""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="e"/><c r="C1" t="e"><v>#N/A</v></c>'
        '<c r="d1" t="e"><v>#REF!</v></c><c r="E1"><v>5</v></c></row></sheetData></worksheet>'
    )
    d = read_sheet(_package(tmp_path / "e.xlsx", sheet.encode()), None, header_row=0)
    assert d.columns == ((1,), (None,), ("#N/A",), ("#REF!",), (5,))
    assert isinstance(d.value(0, 2), ExcelError) and isinstance(d.value(0, 3), ExcelError)


def test_error_cells_with_odd_attributes_are_found(tmp_path: Path) -> None:
    """A quoted '/>' in an error cell's tag made it look self-closing (its #N/A read as blank, and
    the search ran on into the next cell); a cell with two r= was put at the first, calamine puts
    it at the last; a t="e" inside another attribute's value is no error type; t = "e" is one."""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="e" foo="/>"><v>#N/A</v></c>'
        '<c r="C1" r="D1" t="e"><v>#REF!</v></c><c r="E1" foo=\'t="e"\'><v>5</v></c>'
        '<c r="F1" t="e"><v>#DIV/0!</v></c><c r="G1" t = "e"><v>#NAME?</v></c></row></sheetData></worksheet>'
    )
    d = read_sheet(_package(tmp_path / "e.xlsx", sheet.encode()), None, header_row=0)
    assert d.columns == ((1,), ("#N/A",), (None,), ("#REF!",), (5,), ("#DIV/0!",), ("#NAME?",))
    assert all(isinstance(d.value(0, c), ExcelError) for c in (1, 3, 5, 6))


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (b"", "not_xlsx"),
        (b"<!DOCTYPE html><html><body>login expired</body></html>", "not_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "not_xlsx"),  # OLE2 without a package
        (b"PK\x03\x04" + b"\x00" * 40, "damaged"),
    ],
)
def test_not_an_xlsx(tmp_path: Path, content: bytes, key: str) -> None:
    path = tmp_path / "表.xlsx"
    path.write_bytes(content)
    with pytest.raises(SheetError) as ei:
        read_sheet(path, None)
    assert ei.value.key == key
    with pytest.raises(SheetError):
        sheet_names(path)


def test_zip_without_workbook(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(SheetError) as ei:
        read_sheet(path, None)
    assert ei.value.key == "not_xlsx"


def test_encrypted_xlsx_from_corpus(tmp_path: Path) -> None:
    src = CORPUS / "msoffcrypto" / "example_password.xlsx"
    if not src.exists():
        pytest.skip("corpus not available")
    path = Path(shutil.copy(src, tmp_path / "加密.xlsx"))
    with pytest.raises(SheetError) as ei:
        read_sheet(path, None)
    assert ei.value.key == "encrypted"


_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _package(path: Path, sheet_xml: bytes | None = None, *, zeros_mb: int = 0) -> Path:
    """A minimal package; its one sheet is ``sheet_xml`` or ``zeros_mb`` MB of zeros (in chunks)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        if sheet_xml is not None:
            zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        else:
            chunk = b"\x00" * (1 << 20)
            with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
                for _ in range(zeros_mb):
                    fh.write(chunk)
    return path


def _bomb(path: Path, megabytes: int) -> Path:
    return _package(path, zeros_mb=megabytes)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _bomb(tmp_path_factory.mktemp("bomb") / "bomb.xlsx", 300)


def test_zip_bomb_refused_quickly_with_bounded_memory(bomb: Path) -> None:
    assert bomb.stat().st_size < 1_000_000  # 300 MB of zeros deflate to ~300 KB
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(SheetError) as ei:
            read_sheet(bomb, None)
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ei.value.key == "zip_bomb"
    assert elapsed < 1.0
    assert peak < 20 * 1024 * 1024
    with pytest.raises(SheetError) as ei:
        sheet_names(bomb)
    assert ei.value.key == "zip_bomb"


def test_total_uncompressed_limit(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "small.xlsx", 3)
    with pytest.raises(SheetError) as ei:
        read_sheet(path, None, max_unzipped_mb=2)
    assert ei.value.key == "zip_bomb"


def test_sparse_cells_far_apart_refused_before_calamine(tmp_path: Path) -> None:
    """A1 and XFD1048576: 5 KB on disk, a 512 GB dense range for calamine (it would abort)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "x"
    ws["XFD1048576"] = "y"
    path = _save(wb, tmp_path / "sparse.xlsx")
    t0 = time.perf_counter()
    with pytest.raises(SheetError) as ei:
        read_sheet(path, None)
    assert ei.value.key == "memory"
    assert "XFD1048576" in ei.value.detail
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize(
    "far_cell",
    [
        '<foo:c r="XFD1048576"><v>1</v></foo:c>',  # another prefix: calamine reads any <x:c> as a cell
        '<c r="xfd1048576"><v>1</v></c>',  # lower case: calamine reads it as XFD1048576
        '<c r = "XFD1048576"><v>1</v></c>',  # spaces around "="
        '<c\tr="XFD1048576"><v>1</v></c>',
        '<c s="1" r="XFD1048576"><v>1</v></c>',  # r= not first
        '<c r="A99999999"><v>1</v></c>',  # more digits than a row number of Excel has
    ],
)
def test_far_cells_written_oddly_are_refused_before_calamine(tmp_path: Path, far_cell: str) -> None:
    """Every form calamine places a cell by counts for the budget (it would abort the process)."""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1"><c r="A1"><v>1</v></c>{far_cell}</row></sheetData></worksheet>'
    )
    with pytest.raises(SheetError) as ei:
        read_sheet(_package(tmp_path / "far.xlsx", sheet.encode()), None)
    assert ei.value.key == "memory"


@pytest.mark.parametrize(
    "far_cell",
    [
        '<c r="XFD1048576" foo="/>"><v>1</v></c>',  # a quoted "/>" looked self-closing: not counted
        '<c r="XFD1048576" foo="a/"><v>1</v></c>',
        '<c r="A1" r="XFD1048576"><v>1</v></c>',  # calamine places a cell by its last r=
        '<c r="A1"r="XFD1048576"><v>1</v></c>',  # no space between: calamine takes it too
        '<c r="A1" s="1"\n r = "XFD1048576"><v>1</v></c>',
        '<c r="A1" s="/>" r="XFD1048576"><v>1</v></c>',
        '<c r="XFD1048576" z="<" q="/>"><v>1</v></c>',  # calamine takes a '<' in a value too
        # a '<c' in a quoted value that reads, one quote out of phase, as an empty styled cell
        '<c z=\'<c a="\' r="XFD1048576" b="\' x=\'\' />"><v>1</v></c>',
        '<c r="XFD1048576" z="<c r=\'A1\' s=\'1\'/>"><v>1</v></c>',
    ],
)
def test_valued_far_cells_are_not_taken_for_styled_empty_ones(tmp_path: Path, far_cell: str) -> None:
    """The second count (valued cells only) read a tag to its first '>' and its first r=: a '>'
    inside a quoted attribute value, or a second r=, hid a valued XFD1048576 and calamine's 512 GB
    allocation aborted the process. Run in the killable worker: a regression fails, not aborts."""

    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1"><c r="A1"><v>1</v></c>{far_cell}</row></sheetData></worksheet>'
    )
    assert _refusal_in_worker(tmp_path, sheet) == "memory"


def _refusal_in_worker(tmp_path: Path, sheet: str) -> str:
    """The key of read_sheet's refusal of a workbook holding ``sheet``, read in a killable worker
    (a regression that lets calamine allocate fails the test instead of aborting pytest)."""
    from validator.sandbox import Sandbox

    path = _package(tmp_path / "far.xlsx", sheet.encode())
    with Sandbox(memory_mb=1024, mode="fork") as box, pytest.raises(SheetError) as ei:
        box.call(read_sheet, path, None, timeout=60)
    return ei.value.key


def test_a_second_r_in_a_prefixed_sheet_counts(tmp_path: Path) -> None:
    ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = (f'<x:worksheet {ns}><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c>'
             '<x:c r="B1" r="XFD1048576"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    assert _refusal_in_worker(tmp_path, sheet) == "memory"


def test_cells_of_another_prefix_than_the_sheets_count(tmp_path: Path) -> None:
    ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    for far in ('<c r="XFD1048576"><v>1</v></c>', '<y:c r="XFD1048576"><y:v>1</y:v></y:c>'):
        sheet = (f'<x:worksheet {ns}><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c>{far}'
                 "</x:row></x:sheetData></x:worksheet>")
        with pytest.raises(SheetError) as ei:
            read_sheet(_package(tmp_path / "far.xlsx", sheet.encode()), None)
        assert ei.value.key == "memory"


def test_styled_empty_cells_far_away_do_not_count(tmp_path: Path) -> None:
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "姓名"
    ws["A2"] = "张三"
    ws["ZZ900000"].font = Font(bold=True)  # written as a valueless <c>, ignored by calamine
    path = _save(wb, tmp_path / "styled.xlsx")
    d = read_sheet(path, None, max_cells=1000)
    assert d.header == ("姓名",)
    assert [(r, list(values)) for r, values in d.iter_rows()] == [(2, ["张三"])]


def test_cells_without_r_attribute_are_bounded(tmp_path: Path) -> None:
    """Cells may omit r=; calamine then places them after their neighbour.  Still bounded."""
    wide = "".join("<c><v>1</v></c>" for _ in range(300))
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1"><c><v>1</v></c></row><row r="900000">{wide}</row></sheetData></worksheet>'
    )
    d = read_sheet(_package(tmp_path / "ok.xlsx", sheet.replace("900000", "2").encode()), None, header_row=0)
    assert [(r, len(values)) for r, values in d.iter_rows()] == [(1, 300), (2, 300)]
    path = _package(tmp_path / "rless.xlsx", sheet.encode())
    with pytest.raises(SheetError) as ei:
        read_sheet(path, None)  # 900,000 x 300 = 270M cells > 10M
    assert ei.value.key == "memory"


def test_rows_numbered_after_a_quoted_gt_are_bounded(tmp_path: Path) -> None:
    """The row number of cells without r= was read up to the row tag's first '>': a quoted '>'
    before r= hid row 900,000 (270M cells for calamine). Also the scan no longer runs on from
    every <row left open (quadratic)."""
    from validator.sandbox import Sandbox

    wide = "".join("<c><v>1</v></c>" for _ in range(300))
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1"><c><v>1</v></c></row><row z=">" r="900000">{wide}</row></sheetData></worksheet>'
    )
    path = _package(tmp_path / "rless.xlsx", sheet.encode())
    with Sandbox(memory_mb=1024, mode="fork") as box, pytest.raises(SheetError) as ei:
        box.call(read_sheet, path, None, timeout=60)
    assert ei.value.key == "memory"


@needs_alarm
def test_timeout(tmp_path: Path) -> None:
    rows = [[f"姓名{i}", i, f"{i:018d}"] for i in range(20_000)]
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    path = _save(wb, tmp_path / "big.xlsx")
    with pytest.raises(SheetError) as ei:
        read_sheet(path, None, timeout=0.001)
    assert ei.value.key == "timeout"
    assert len(read_sheet(path, None)) == 19_999  # and the next call is unaffected


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (3.40524199001011e17, "3.40524E+17"),
        (1e15, "1E+15"),
        (-1.5e16, "-1.5E+16"),
        (123456789012345, "123456789012345"),
        (42.0, "42"),
        (0.1 + 0.2, "0.3"),
        (1e-10, "1E-10"),
        (10**20, "1E+20"),
    ],
)
def test_number_display(value: float, shown: str) -> None:
    assert number_display(value) == shown


# --------------------------------------------------------------------------------------------
# agreement with openpyxl over the real corpus

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _norm(v: object, *, unescape: bool = False) -> tuple[str, Any] | None:
    """Comparable form.  Principled differences, each documented where it is normalised:

    * openpyxl returns ints for integral numbers, calamine floats (and read_sheet ints below
      1e15): compared as floats.
    * openpyxl gives datetime for every date cell, calamine a date when there is no time part.
    * Leading/trailing whitespace: calamine honours xml:space - a <t> without
      xml:space="preserve" is trimmed (whitespace-only -> empty); openpyxl keeps it.  Excel and
      WPS always write xml:space="preserve" when it matters, so only hand-made files differ.
      Compared stripped.
    * _xHHHH_ escapes: calamine decodes them (as Excel does), openpyxl leaves them: decoded on
      openpyxl's side (``unescape``).
    """
    if v is None:
        return None
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, (int, float)):
        return ("n", float(v))
    if isinstance(v, dt.datetime):
        return ("d", v)
    if isinstance(v, dt.date):
        return ("d", dt.datetime(v.year, v.month, v.day))
    if isinstance(v, str):
        s = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), v) if unescape else str(v)
        s = s.strip()
        return ("s", s) if s else None
    return ("o", v)


def _same(a: tuple[str, Any], b: tuple[str, Any], epoch: dt.datetime) -> bool:
    if a == b:
        return True
    if a[0] == b[0] == "n":
        return math.isclose(a[1], b[1], rel_tol=1e-12)
    # calamine recognises more date formats than openpyxl (escaped "mm\/dd\/yy", "yy/m/d"):
    # Excel shows those cells as dates, so a serial number on openpyxl's side must match.
    if a[0] == "n" and b[0] == "d":
        return bool(from_excel(a[1], epoch) == b[1])
    return False


def _openpyxl_cells(path: Path) -> tuple[str, dict[tuple[int, int], tuple[str, Any]], dt.datetime] | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:
            return None
        try:
            if not wb.worksheets:
                return None
            ws = wb.worksheets[0]
            ws.reset_dimensions()  # ignore a lying <dimension> (A1:XFD1048576)
            out = {}
            for row in ws.iter_rows():
                for cell in row:
                    n = _norm(getattr(cell, "value", None), unescape=True)
                    if n is not None:
                        out[(cell.row, cell.column)] = n
            return ws.title, out, wb.epoch
        except Exception:
            return None
        finally:
            wb.close()


def _corpus_xlsx() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm"))


@pytest.mark.slow
def test_agrees_with_openpyxl_on_the_corpus() -> None:
    files = _corpus_xlsx()
    if not files:
        pytest.skip("corpus not available")
    compared = 0
    disagreements = []
    for path in files:
        reference = _openpyxl_cells(path)
        if reference is None:
            continue  # openpyxl cannot open it (bad CRC, missing parts, encrypted...): nothing to agree with
        title, expected, epoch = reference
        data = read_sheet(path, title, header_row=0)
        got: dict[tuple[int, int], tuple[str, Any]] = {}
        for r, values in data.iter_rows():
            for j, value in enumerate(values):
                n = _norm(str(value) if isinstance(value, ExcelError) else value)
                if n is not None:
                    got[(r, j + 1)] = n
        for key in sorted(set(expected) | set(got)):
            a, b = expected.get(key), got.get(key)
            if a is None or b is None or not _same(a, b, epoch):
                disagreements.append((path.name, key, a, b))
        compared += 1
    assert compared >= 40, compared
    assert disagreements == []


@pytest.mark.slow
def test_every_corpus_file_is_read_or_refused_cleanly() -> None:
    """Any file at all handed to read_sheet: data or SheetError, within the time limit."""
    if not CORPUS.is_dir():
        pytest.skip("corpus not available")
    seen = 0
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or path.name == "MANIFEST.tsv":
            continue
        t0 = time.perf_counter()
        try:
            d = read_sheet(path, None, timeout=5.0)
            outcome = f"ok rows={len(d)}"
        except SheetError as exc:
            outcome = f"{exc.key}: {exc.detail[:80]}"
            assert exc.key in (
                "not_xlsx",
                "damaged",
                "encrypted",
                "zip_bomb",
                "sheet_missing",
                "timeout",
                "memory",
            )
        elapsed = time.perf_counter() - t0
        print(f"{elapsed * 1000:8.1f} ms  {path.relative_to(CORPUS)}  {outcome}")
        assert elapsed < 6.0, path
        seen += 1
    assert seen > 300


# --------------------------------------------------------------------------------------------
# valid workbooks python-calamine refuses: openpyxl reads them (bounded) before "damaged"

_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_MACRO_SHEET = (
    '<xm:macrosheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ' xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData><row r="1">'
    '<c r="A1" t="str"><f>RETURN()</f><v></v></c></row></sheetData></xm:macrosheet>'
)


def _rewrite(src: Path, dest: Path, edits: dict[str, Any], extra: dict[str, str] | None = None) -> Path:
    """A copy of the package ``src`` with some parts edited (name -> function of the text) or added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name in edits:
                data = edits[name](data.decode("utf-8")).encode("utf-8")
            zout.writestr(name, data)
        for name, text in (extra or {}).items():
            zout.writestr(name, text)
    return dest


def _xlm_macro_sheet_first(src: Path, dest: Path) -> Path:
    """An .xlsm whose first sheet is an Excel 4.0 (XLM) macro sheet, hidden, as macro tools write it."""
    return _rewrite(src, dest, {
        "xl/workbook.xml": lambda s: s.replace(
            "<sheets>", f'<sheets><sheet {_R} name="Macro1" sheetId="9" state="hidden" r:id="rId9"/>'),
        "xl/_rels/workbook.xml.rels": lambda s: s.replace("</Relationships>", (
            '<Relationship Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"'
            ' Target="macrosheets/sheet1.xml" Id="rId9"/></Relationships>')),
        "[Content_Types].xml": lambda s: s.replace("</Types>", (
            '<Override PartName="/xl/macrosheets/sheet1.xml"'
            ' ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>')),
    }, {"xl/macrosheets/sheet1.xml": _MACRO_SHEET})


def _very_hidden_without_relationship(src: Path, dest: Path) -> Path:
    """An .xlsm listing a very-hidden sheet whose relationship id is empty."""
    return _rewrite(src, dest, {"xl/workbook.xml": lambda s: s.replace(
        "</sheets>", f'<sheet {_R} name="隐藏" sheetId="9" state="veryHidden" r:id=""/></sheets>')})


_CALAMINE_REFUSES = [_xlm_macro_sheet_first, _very_hidden_without_relationship]


def _roster_xlsx(path: Path, rows: int = 3) -> Path:
    from fixtures.makers import make_roster_rows, make_xlsx

    table = make_roster_rows(rows, "北京示例科技有限公司")
    table[1][2] = int(str(table[1][2]).replace("X", "0"))  # an ID typed as a number
    return make_xlsx(path, {"人员名单": table}, text_columns={7})


@pytest.mark.parametrize("make", _CALAMINE_REFUSES)
def test_valid_xlsm_that_calamine_refuses_is_read_by_openpyxl(tmp_path: Path, make: Any) -> None:
    import python_calamine

    path = make(_roster_xlsx(tmp_path / "src.xlsx"), tmp_path / "人员名单.xlsm")
    with pytest.raises(python_calamine.CalamineError):  # the case this fallback exists for
        python_calamine.CalamineWorkbook.from_path(str(path))
    for sheet in (None, "人员名单"):  # the first *worksheet*, not the macro sheet
        d = read_sheet(path, sheet)
        assert d.sheet == "人员名单"
        assert d.header[:3] == ("序号", "姓名", "身份证号码")
        assert d.row_numbers == (2, 3, 4)
        assert d.value(0, 0) == 1 and type(d.value(0, 0)) is int
        id_as_number = d.value(0, 2)
        assert isinstance(id_as_number, float) and display(id_as_number).endswith("E+17")  # X115 still seen
        assert type(d.value(1, 2)) is str and len(d.value(1, 2)) == 18
        assert isinstance(d.value(0, 8), dt.date) and len(display(d.value(0, 8))) == len("2024-01-02")
    assert "人员名单" in sheet_names(path)


def test_check_reports_cells_of_a_workbook_only_openpyxl_reads(tmp_path: Path) -> None:
    from validator.api import check_folder
    from validator.spec import load_spec

    folder = tmp_path / "pack"
    folder.mkdir()
    _xlm_macro_sheet_first(_roster_xlsx(tmp_path / "src.xlsx"), folder / "09_人员名单_2025.xlsx")
    result = check_folder(str(folder), load_spec("core"), {"company": "北京示例科技有限公司", "year": "2025"})
    codes = {d.code for d in result.defects if d.path == "09_人员名单_2025.xlsx"}
    assert "X101" not in codes and "X115" in codes


def test_broken_sheet_is_still_damaged_after_openpyxl(tmp_path: Path) -> None:
    src = _roster_xlsx(tmp_path / "src.xlsx")
    broken = _rewrite(src, tmp_path / "b.xlsx", {"xl/worksheets/sheet1.xml": lambda s: s[: len(s) // 2]})
    path = _xlm_macro_sheet_first(broken, tmp_path / "broken.xlsm")
    with pytest.raises(SheetError) as ei:
        read_sheet(path, None)
    assert ei.value.key == "damaged"
    assert "openpyxl" in ei.value.detail


def test_openpyxl_fallback_keeps_the_bounds(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "x"
    ws["XFD1048576"] = "y"  # 512 GB for calamine; the same cell budget refuses it for openpyxl
    sparse = _xlm_macro_sheet_first(_save(wb, tmp_path / "s.xlsx"), tmp_path / "sparse.xlsm")
    with pytest.raises(SheetError) as ei:
        read_sheet(sparse, None)
    assert ei.value.key == "memory"


@needs_alarm
def test_openpyxl_fallback_keeps_the_time_limit(tmp_path: Path) -> None:
    big = _xlm_macro_sheet_first(_roster_xlsx(tmp_path / "big.xlsx", rows=3000), tmp_path / "big.xlsm")
    with pytest.raises(SheetError) as ei:
        read_sheet(big, None, timeout=0.05)  # openpyxl is pure Python: the time limit stops it
    assert ei.value.key == "timeout"
    assert len(read_sheet(big, None)) == 3000
