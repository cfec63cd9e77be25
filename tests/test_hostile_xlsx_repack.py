"""Hostile packages for the merge-first copy (validator.readers.xlsx_repack): what calamine reads
from the copy must be what it reads from the file itself, and the copy must cost no more than the
file."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from validator.readers import xlsx
from validator.readers.xlsx import read_sheet
from validator.readers.xlsx_repack import merge_first

SHEET = "xl/worksheets/sheet1.xml"


def _workbook(rows: int = 3) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "名单"
    ws.append(["联系人", None, "单位"])
    for i in range(rows):
        ws.append([f"姓名{i}", i, f"单位{i % 7}"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _with_overlapping_entries(blob: bytes, copies: int, pad: int) -> bytes:
    """``blob`` plus one stored entry of ``pad`` random bytes and ``copies`` more central directory
    entries that all point at it, each claiming its bytes inflate to 1 byte (the guard's total of
    inflated sizes stays small)."""
    buf = io.BytesIO(blob)
    with zipfile.ZipFile(buf, "a") as z:
        z.writestr("pad.bin", os.urandom(pad), compress_type=zipfile.ZIP_STORED)
    data = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        count, at = len(z.infolist()), z.getinfo("pad.bin").header_offset
    end = data.rfind(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack_from("<II", data, end + 12)
    extra = b"".join(
        struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, 0, pad, 1, len(name), 0, 0, 0, 0, 0, at)
        + name
        for name in (f"p{k}".encode() for k in range(copies))
    )
    directory = data[cd_offset : cd_offset + cd_size] + extra
    total = count + copies
    return data[:cd_offset] + directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, total, total,
                                                      len(directory), cd_offset, 0)


def test_entries_overlapping_one_big_entry_are_not_copied_once_each(tmp_path: Path) -> None:
    # 300 such entries over a 15 MB file had the copy grow to 4.5 GB: 3 GB of memory, then the
    # reader's timeout, for a workbook calamine reads at once as it is
    blob = _with_overlapping_entries(_workbook(), copies=40, pad=1 << 20)
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        assert merge_first(blob, z.infolist(), SHEET, z.read(SHEET)[:200]) is None
    path = tmp_path / "overlap.xlsx"
    path.write_bytes(blob)
    assert read_sheet(path, "名单", 1).header[0] == "联系人"


@pytest.mark.parametrize(("old", "new"), [
    # a generator that writes ref="a1:b1": calamine takes it; the copy's own reader dropped it, and
    # the merged header lost its second column's name
    (b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="a1:b1"/></mergeCells>'),
    # out of the schema's order, but calamine (reading from the start) takes them; the copy's
    # reader looked after </sheetData> only and lost the merged header
    (b"<sheetData>", b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells><sheetData>'),
], ids=["lower-case", "before-sheet-data"])
def test_odd_merged_ranges_are_read_as_calamine_reads_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           old: bytes, new: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(_workbook())) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts[SHEET] = parts[SHEET].replace(old, new)
    path = tmp_path / "merged.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    quick = read_sheet(path, "名单", 1)
    monkeypatch.setattr(xlsx, "_REPACK_MAX_BYTES", 0)  # calamine reads the file itself
    plain = read_sheet(path, "名单", 1)
    assert plain.merged == ((1, 1, 1, 2),) and plain.header == ("联系人", "联系人", "单位")
    assert (quick.merged, quick.header) == (plain.merged, plain.header)


def test_a_header_merged_across_every_column_many_times_over_is_read(tmp_path: Path) -> None:
    # 39,000 copies of A1:XFD1 (7 KB zipped, under the bomb guard): each range walked all 16,384
    # columns to copy the header's text, and the reader's 10-second limit called the file unreadable
    with zipfile.ZipFile(io.BytesIO(_workbook())) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    ranges = b'<mergeCell ref="A1:XFD1"/>' * 39_000
    parts[SHEET] = parts[SHEET].replace(b"</sheetData>", b"</sheetData><mergeCells>" + ranges + b"</mergeCells>")
    path = tmp_path / "merged.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    sheet = read_sheet(path, "名单", 1)
    assert len(sheet.merged) == 39_000
    assert sheet.header[:4] == ("联系人", "联系人", "单位", "联系人") and len(sheet.header) == 16_384
