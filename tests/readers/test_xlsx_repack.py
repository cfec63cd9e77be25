"""validator.readers.xlsx_repack: the package copy calamine reads in one pass, and the merged
ranges read from the XML instead."""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
import python_calamine

from validator.readers.xlsx import read_sheet
from validator.readers.xlsx_repack import PREFIX, crc32_combine, merge_first, merged_ranges

SHEET = "xl/worksheets/sheet1.xml"


@pytest.mark.parametrize("len2", [0, 1, 7, 8, 1000, 65_537, 3_000_001])
def test_crc32_combine_equals_the_crc_of_the_concatenation(len2: int) -> None:
    a, b = os.urandom(25), os.urandom(len2)
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len2) == zlib.crc32(a + b)


def _workbook(path: Path, rows: int = 300) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "名单"
    ws.append(["联系人", None, "单位"])
    ws.merge_cells("A1:B1")
    ws.merge_cells("C1:C2")
    for i in range(rows):
        ws.append([f"姓名{i}", i, f"单位{i % 7}"])
    wb.save(path)
    return path


def _calamine(source: bytes) -> python_calamine.CalamineSheet:
    return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(source)).get_sheet_by_name("名单")


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_copy_starts_the_sheet_with_empty_merge_cells_and_keeps_every_cell(tmp_path: Path, method: int) -> None:
    written = _workbook(tmp_path / "a.xlsx")
    path = tmp_path / "b.xlsx"
    with zipfile.ZipFile(written) as zin, zipfile.ZipFile(path, "w", method) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    blob = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        infos, xml = zf.infolist(), zf.read(SHEET)
    copy = merge_first(blob, infos, SHEET, xml[:200])
    assert copy is not None
    with zipfile.ZipFile(io.BytesIO(copy)) as zc:
        assert zc.testzip() is None  # every CRC right, the combined one included
        assert zc.read(SHEET) == PREFIX + xml
        assert zc.namelist() == [i.filename for i in infos]
    original, quick = _calamine(blob), _calamine(copy)
    assert quick.to_python() == original.to_python()
    assert (quick.start, quick.end) == (original.start, original.end)
    # calamine's merge pass stops at the empty prefix; the ranges come from the XML instead
    assert quick.merged_cell_ranges == []
    assert {((r0 - 1, c0 - 1), (r1 - 1, c1 - 1)) for r0, c0, r1, c1 in merged_ranges(xml)} == set(
        original.merged_cell_ranges
    )


def test_read_sheet_keeps_merged_header_ranges(tmp_path: Path) -> None:
    d = read_sheet(_workbook(tmp_path / "a.xlsx"), "名单", 1)
    assert set(d.merged) == {(1, 1, 1, 2), (1, 3, 2, 3)}
    assert d.header == ("联系人", "联系人", "单位")
    assert len(d) == 300 and d.columns[1][:3] == (0, 1, 2)


@pytest.mark.parametrize(
    "head",
    [
        b"\xef\xbb\xbf<?xml version='1.0'?><worksheet>",  # a byte-order mark first
        b'<?xml version="1.0" encoding="UTF-16"?><worksheet>',
        b"  <worksheet>",
    ],
)
def test_unusual_sheet_start_leaves_the_package_as_it_is(tmp_path: Path, head: bytes) -> None:
    path = _workbook(tmp_path / "a.xlsx", rows=3)
    with zipfile.ZipFile(path) as zf:
        assert merge_first(path.read_bytes(), zf.infolist(), SHEET, head) is None
        assert merge_first(path.read_bytes(), zf.infolist(), SHEET, b'<?xml version="1.0" encoding="utf-8"?>')


def test_merged_ranges_forms() -> None:
    xml = (
        b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>mergeCells</t></is></c></row>'
        b'</sheetData><x:mergeCells count="3"><x:mergeCell ref="A1:C1"/><x:mergeCell ref="$D$2"/>'
        b'<x:mergeCell ref="AA10:AB12"></x:mergeCell></x:mergeCells><mergeCell ref="Z1:Z9"/></worksheet>'
    )
    assert merged_ranges(xml) == ((1, 1, 1, 3), (2, 4, 2, 4), (10, 27, 12, 28))
    assert merged_ranges(b"<worksheet><sheetData/></worksheet>") == ()
    assert merged_ranges(b"<worksheet><sheetData></sheetData><mergeCells/></worksheet>") == ()


def test_file_too_big_to_copy_is_read_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the copy limit calamine reads the file itself (merged ranges from calamine): same data."""
    from validator.readers import xlsx

    path = _workbook(tmp_path / "a.xlsx", rows=50)
    quick = read_sheet(path, "名单", 1)
    monkeypatch.setattr(xlsx, "_REPACK_MAX_BYTES", 0)
    with xlsx._Package(path, 200) as pkg:
        assert pkg.blob is None and pkg.merge_first("名单", 10_000_000) is None
    plain = read_sheet(path, "名单", 1)
    assert (plain.header, plain.row_numbers, plain.columns) == (quick.header, quick.row_numbers, quick.columns)
    assert set(plain.merged) == set(quick.merged) == {(1, 1, 1, 2), (1, 3, 2, 3)}
