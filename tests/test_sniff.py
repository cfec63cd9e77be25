"""Tests for validator.sniff: content-based type detection.

Files are generated in tmp_path (openpyxl, python-docx, Pillow, zipfile and the small OLE2
writer in tests/ole_writer.py); the shared real-world corpus is swept when it is present.
"""

from __future__ import annotations

import csv
import hashlib
import io
import statistics
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validator.sniff import (
    HEAD_SIZE,
    KINDS,
    SHORT_TYPES,
    ContentType,
    extension_agrees,
    kind_matches,
    kinds_for_extension,
    sniff,
)

try:
    from tests import ole_writer
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    import ole_writer  # type: ignore[no-redef]

from tests.conftest import CORPUS

REPO = Path(__file__).resolve().parents[1]


def sniff_file(path: Path) -> ContentType:
    """What the validator does: read the head, then sniff."""
    with open(path, "rb") as f:
        head = f.read(HEAD_SIZE)
    return sniff(path, head, path.stat().st_size)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def make_zip(entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and i == 0 else zipfile.ZIP_DEFLATED
            zf.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def content_types(main_part: str, main_type: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    ).encode()


def root_rels(target: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'officeDocument" Target="{target}"/></Relationships>'
    ).encode()


def ooxml(main_part: str, main_type: str, *, rels: bool = True, extra: tuple[str, ...] = ()) -> bytes:
    entries = [("[Content_Types].xml", content_types(main_part, main_type))]
    if rels:
        entries.append(("_rels/.rels", root_rels(main_part)))
    entries.append((main_part, b"<x/>"))
    entries += [(name, b"<x/>") for name in extra]
    return make_zip(entries)


SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


# --------------------------------------------------------------------------- zip containers


def test_openpyxl_xlsx(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "统一社会信用代码"
    p = tmp_path / "01_人员名单.xlsx"
    wb.save(p)
    ct = sniff_file(p)
    assert (ct.kind, ct.mime, ct.encrypted) == ("xlsx", SHORT_TYPES["xlsx"], False)
    assert "/xl/workbook.xml" in ct.detail


def test_python_docx_docx(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("年报承诺书")
    p = tmp_path / "承诺书.docx"
    d.save(str(p))
    ct = sniff_file(p)
    assert (ct.kind, ct.mime) == ("docx", SHORT_TYPES["docx"])


@pytest.mark.parametrize(
    ("main_part", "main_type", "kind"),
    [
        ("xl/workbook.xml", SHEET_MAIN, "xlsx"),
        ("xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml", "xlsm"),
        (
            "xl/workbook.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
            "xlsx",
        ),
        (
            "word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            "docx",
        ),
        ("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml", "docm"),
        (
            "ppt/presentation.xml",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            "pptx",
        ),
        ("workbook.xml", SHEET_MAIN, "xlsx"),  # main part outside xl/ (calamine minimal_package)
    ],
)
def test_ooxml_main_part_decides(tmp_path: Path, main_part: str, main_type: str, kind: str) -> None:
    ct = sniff_file(write(tmp_path, "x.bin", ooxml(main_part, main_type)))
    assert ct.kind == kind
    assert kind_matches(ct.kind, ct.mime, kind)


def test_xlsm_is_not_an_xlsx(tmp_path: Path) -> None:
    ct = sniff_file(
        write(
            tmp_path,
            "宏.xlsx",
            ooxml("xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
        )
    )
    assert ct.kind == "xlsm"
    assert not kind_matches(ct.kind, ct.mime, "xlsx")
    assert not extension_agrees(".xlsx", ct.kind)  # Excel refuses a macro workbook named .xlsx


def test_xlsb_main_type_given_by_default_extension(tmp_path: Path) -> None:
    types = (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="bin" '
        b'ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>'
    )
    data = make_zip(
        [
            ("[Content_Types].xml", types),
            ("_rels/.rels", root_rels("xl/workbook.bin")),
            ("xl/workbook.bin", b"\x83\x01\x00"),
        ]
    )
    ct = sniff_file(write(tmp_path, "a.xlsb", data))
    assert ct.kind == "xlsb"
    assert not kind_matches(ct.kind, ct.mime, "xlsx")


def test_ooxml_without_rels_uses_overrides(tmp_path: Path) -> None:
    ct = sniff_file(write(tmp_path, "a.xlsx", ooxml("xl/workbook.xml", SHEET_MAIN, rels=False)))
    assert ct.kind == "xlsx"


def test_ooxml_with_missing_main_part(tmp_path: Path) -> None:
    data = make_zip([("[Content_Types].xml", content_types("xl/workbook.xml", SHEET_MAIN))])
    ct = sniff_file(write(tmp_path, "skeleton.xlsx", data))
    assert ct.kind == "ooxml"
    assert "missing" in ct.detail
    assert extension_agrees(".xlsx", ct.kind)  # not proof of a wrong name; the reader reports it
    assert not kind_matches(ct.kind, ct.mime, "xlsx")


def test_ooxml_by_part_names_when_content_types_is_junk(tmp_path: Path) -> None:
    data = make_zip([("[Content_Types].xml", b"\x00garbage"), ("word/document.xml", b"<w/>")])
    assert sniff_file(write(tmp_path, "a.docx", data)).kind == "docx"


def test_unknown_opc_package(tmp_path: Path) -> None:
    data = ooxml("visio/document.xml", "application/vnd.ms-visio.drawing.main+xml")
    assert sniff_file(write(tmp_path, "a.vsdx", data)).kind == "ooxml"


def test_backslash_entry_names(tmp_path: Path) -> None:
    data = make_zip(
        [
            ("[Content_Types].xml", content_types("xl/workbook.xml", SHEET_MAIN)),
            ("_rels\\.rels", root_rels("xl/workbook.xml")),
            ("xl\\workbook.xml", b"<w/>"),
        ]
    )
    ct = sniff_file(write(tmp_path, "a.xlsx", data))
    assert ct.kind == "xlsx"
    assert "backslash" in ct.detail


def test_plain_zip(tmp_path: Path) -> None:
    ct = sniff_file(write(tmp_path, "材料.xlsx", make_zip([("readme.txt", b"hello")])))
    assert (ct.kind, ct.mime, ct.encrypted) == ("zip", "application/zip", False)
    assert not extension_agrees(".xlsx", "zip")
    assert extension_agrees(".zip", "zip")


def test_xlsx_renamed_zip_agrees_with_zip_extension(tmp_path: Path) -> None:
    ct = sniff_file(write(tmp_path, "demo1的副本.xlsx.zip", ooxml("xl/workbook.xml", SHEET_MAIN)))
    assert ct.kind == "xlsx"
    assert extension_agrees(".zip", ct.kind)


def test_ofd(tmp_path: Path) -> None:
    data = make_zip(
        [
            ("OFD.xml", b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>'),
            ("Doc_0/Document.xml", b"<ofd:Document/>"),
        ]
    )
    ct = sniff_file(write(tmp_path, "电子营业执照.ofd", data))
    assert (ct.kind, ct.mime) == ("ofd", "application/ofd")
    assert kind_matches(ct.kind, ct.mime, "ofd")
    assert extension_agrees(".ofd", ct.kind)
    assert not extension_agrees(".pdf", ct.kind)


@pytest.mark.parametrize(
    ("mimetype", "kind"),
    [
        ("application/vnd.oasis.opendocument.text", "odt"),
        ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
        ("application/vnd.oasis.opendocument.presentation", "odp"),
    ],
)
def test_odf_mimetype_entry(tmp_path: Path, mimetype: str, kind: str) -> None:
    data = make_zip(
        [("mimetype", mimetype.encode()), ("content.xml", b"<office:document-content/>")], stored_first=True
    )
    ct = sniff_file(write(tmp_path, "a.zip", data))
    assert (ct.kind, ct.mime, ct.encrypted) == (kind, mimetype, False)


def test_odf_encrypted_by_manifest(tmp_path: Path) -> None:
    manifest = b"<manifest:manifest><manifest:file-entry><manifest:encryption-data/></manifest:file-entry>"
    data = make_zip(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("META-INF/manifest.xml", manifest + b"</manifest:manifest>"),
        ],
        stored_first=True,
    )
    ct = sniff_file(write(tmp_path, "a.ods", data))
    assert (ct.kind, ct.encrypted) == ("ods", True)


def test_epub_like_mimetype(tmp_path: Path) -> None:
    data = make_zip([("mimetype", b"application/epub+zip"), ("OEBPS/x.html", b"<html/>")], stored_first=True)
    ct = sniff_file(write(tmp_path, "a.epub", data))
    assert (ct.kind, ct.mime) == ("zip", "application/epub+zip")


def set_zip_flag(data: bytes, bit: int) -> bytes:
    """Set a general-purpose flag bit in every local and central header (data left as it is)."""
    out = bytearray(data)
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = out.find(sig)
        while i >= 0:
            (flags,) = struct.unpack_from("<H", out, i + flag_at)
            struct.pack_into("<H", out, i + flag_at, flags | bit)
            i = out.find(sig, i + 4)
    return bytes(out)


def test_encrypted_zip_entries(tmp_path: Path) -> None:
    data = set_zip_flag(make_zip([("a.txt", b"secret"), ("b.txt", b"x")]), 0x1)
    ct = sniff_file(write(tmp_path, "a.zip", data))
    assert (ct.kind, ct.encrypted) == ("zip", True)
    assert "encrypted entries: 2" in ct.detail


def test_encrypted_ooxml_zip_entry_still_classified(tmp_path: Path) -> None:
    data = set_zip_flag(ooxml("xl/workbook.xml", SHEET_MAIN), 0x1)  # can't read members: fall back on names
    ct = sniff_file(write(tmp_path, "a.xlsx", data))
    assert (ct.kind, ct.encrypted) == ("xlsx", True)


def test_gbk_names_without_utf8_flag(tmp_path: Path) -> None:
    gbk = "营业执照.pdf".encode("gbk")
    placeholder = "X" * len(gbk)
    data = make_zip([(placeholder, b"%PDF-1.4"), ("OFD.xml", b"<ofd/>")])
    assert data.count(placeholder.encode()) == 2
    data = data.replace(placeholder.encode(), gbk)
    ct = sniff_file(write(tmp_path, "a.zip", data))
    assert ct.kind == "ofd"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # the flag really is clear: names come back as cp437
        assert not zf.infolist()[0].flag_bits & 0x800


def test_truncated_zip_is_damaged_not_an_error(tmp_path: Path) -> None:
    """An xlsx cut short (a download or sync interrupted) is a damaged xlsx, never "extension
    does not match": its kind is guessed from the local headers that are left."""
    data = ooxml("xl/workbook.xml", SHEET_MAIN, extra=tuple(f"xl/worksheets/sheet{i}.xml" for i in range(40)))
    for cut in (len(data) // 2, len(data) - 10, 300):
        ct = sniff_file(write(tmp_path, f"cut{cut}.xlsx", data[:cut]))
        assert (ct.kind, ct.damaged) == ("xlsx", True), (cut, ct)
        assert ct.detail.startswith("damaged xlsx"), ct.detail
        assert extension_agrees(".xlsx", ct.kind)
    for cut in (30, 4):  # not even one member name left: a damaged zip
        ct = sniff_file(write(tmp_path, f"cut{cut}.xlsx", data[:cut]))
        assert (ct.kind, ct.damaged) == ("zip", True), (cut, ct)
        assert ct.detail.startswith("damaged zip"), ct.detail
    whole = sniff_file(write(tmp_path, "whole.xlsx", data))
    assert (whole.kind, whole.damaged) == ("xlsx", False)


def test_truncated_docx_and_odt_keep_their_kind(tmp_path: Path) -> None:
    from fixtures import makers as m

    docx = m.make_docx(tmp_path / "a.docx", ["第一段"] * 50).read_bytes()
    ct = sniff_file(write(tmp_path, "cut.docx", docx[: len(docx) * 2 // 3]))
    assert (ct.kind, ct.damaged) == ("docx", True), ct
    odt = make_zip([("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>" * 500)],
                   stored_first=True)
    ct = sniff_file(write(tmp_path, "cut.odt", odt[: len(odt) // 2]))
    assert (ct.kind, ct.damaged) == ("odt", True), ct


def eocd(entries: int, cd_size: int, cd_offset: int) -> bytes:
    return b"PK\x05\x06" + struct.pack("<4H2LH", 0, 0, entries, entries, cd_size, cd_offset, 0)


def test_absurd_central_directory_is_not_parsed(tmp_path: Path) -> None:
    body = b"PK\x03\x04" + b"\x00" * 1000
    ct = sniff_file(write(tmp_path, "bomb.zip", body + eocd(0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)))
    assert ct.kind == "zip" and "damaged" in ct.detail
    ct = sniff_file(write(tmp_path, "many.zip", body + eocd(60_000, 600, 10)))
    assert ct.kind == "zip" and "not inspected" in ct.detail


def test_large_central_directory_is_not_parsed(tmp_path: Path) -> None:
    n = 7000  # ~ 7000 * 80 bytes of central directory > the 512 KiB cap
    data = make_zip([(f"folder/{i:05d}-{'x' * 30}.txt", b"") for i in range(n)])
    start = time.perf_counter()
    ct = sniff_file(write(tmp_path, "many.zip", data))
    assert ct.kind == "zip"
    assert "not inspected" in ct.detail
    assert time.perf_counter() - start < 0.5


def test_zip_behind_leading_junk(tmp_path: Path) -> None:
    data = b"Leading junk.\n" + make_zip([("a.txt", b"hi")])
    assert sniff_file(write(tmp_path, "a.zip", data)).kind == "zip"


def test_vanished_zip_falls_back_to_libmagic(tmp_path: Path) -> None:
    data = ooxml("xl/workbook.xml", SHEET_MAIN) + b"\x00" * HEAD_SIZE  # head does not cover the file
    ct = sniff(tmp_path / "gone.xlsx", data[:HEAD_SIZE], len(data))
    assert "could not reopen" in ct.detail
    assert ct.kind == "xlsx"  # libmagic's answer from the first entries


def test_zip_never_written(tmp_path: Path) -> None:
    p = write(tmp_path, "a.xlsx", ooxml("xl/workbook.xml", SHEET_MAIN))
    before = (p.read_bytes(), p.stat().st_mtime_ns)
    sniff_file(p)
    assert (p.read_bytes(), p.stat().st_mtime_ns) == before


# --------------------------------------------------------------------------------- OLE2


def ole(tmp_path: Path, name: str, streams: dict[str, bytes], **kw: int) -> Path:
    return write(tmp_path, name, ole_writer.build_cfb(streams, **kw).data)


DSI = "\x05DocumentSummaryInformation"
SI = "\x05SummaryInformation"


@pytest.mark.parametrize(
    ("streams", "kind", "mime"),
    [
        ({"WordDocument": ole_writer.word_document(), "1Table": b"t" * 300}, "doc", "application/msword"),
        ({"Workbook": ole_writer.workbook()}, "xls", "application/vnd.ms-excel"),
        (
            {"Book": ole_writer.workbook(size=900)},
            "xls",
            "application/vnd.ms-excel",
        ),  # BIFF5, in the mini stream
        (
            {"WORKBOOK": ole_writer.workbook()},
            "xls",
            "application/vnd.ms-excel",
        ),  # names are case-insensitive
        (
            {"PowerPoint Document": b"p" * 5000, "Current User": ole_writer.current_user()},
            "ppt",
            "application/vnd.ms-powerpoint",
        ),
        (
            {"Catalog": b"c" * 100, "256_7595cc78bce83689": b"\xff\xd8" * 10},
            "ole",
            "application/x-ole-storage",
        ),
    ],
)
def test_ole_kinds(tmp_path: Path, streams: dict[str, bytes], kind: str, mime: str) -> None:
    ct = sniff_file(ole(tmp_path, "f.bin", streams))
    assert (ct.kind, ct.mime, ct.encrypted) == (kind, mime, False)
    assert ct.detail.startswith("OLE2 streams:")


def test_encrypted_ooxml_in_ole(tmp_path: Path) -> None:
    ct = sniff_file(
        ole(
            tmp_path,
            "年报.xlsx",
            {"EncryptionInfo": b"\x04\x00\x04\x00" + b"\x00" * 200, "EncryptedPackage": b"\x00" * 5000},
        )
    )
    assert (ct.kind, ct.encrypted) == ("ooxml-encrypted", True)
    assert extension_agrees(".xlsx", ct.kind) and extension_agrees(".docx", ct.kind)
    assert not extension_agrees(".pdf", ct.kind)
    assert not kind_matches(ct.kind, ct.mime, "xlsx")


@pytest.mark.parametrize(
    ("streams", "kind"),
    [
        ({"WordDocument": ole_writer.word_document(encrypted=True)}, "doc"),
        ({"WordDocument": ole_writer.word_document(encrypted=True, size=600)}, "doc"),  # mini stream
        ({"Workbook": ole_writer.workbook(encrypted=True)}, "xls"),
        ({"Workbook": ole_writer.workbook(encrypted=True, size=700)}, "xls"),
        (
            {"PowerPoint Document": b"p" * 5000, "Current User": ole_writer.current_user(encrypted=True)},
            "ppt",
        ),
    ],
)
def test_legacy_password_protection(tmp_path: Path, streams: dict[str, bytes], kind: str) -> None:
    ct = sniff_file(ole(tmp_path, "f.bin", streams))
    assert (ct.kind, ct.encrypted) == (kind, True)
    assert "password-protected" in ct.detail


@pytest.mark.parametrize(
    ("streams", "kind", "marker"),
    [
        ({"WordDocument": ole_writer.word_document(), "WpsCustomData": b"\x00" * 28}, "wps", "WpsCustomData"),
        ({"Workbook": ole_writer.workbook(), "ETExtData": b"\x00" * 600}, "et", "ETExtData"),
        (
            {"PowerPoint Document": b"p" * 5000, DSI: ole_writer.property_set("KSOProductBuildVer")},
            "dps",
            "KSOProductBuildVer",
        ),
        (
            {
                "WordDocument": ole_writer.word_document(),
                SI: ole_writer.property_set("WPS Office_11.8.2.10229", utf16=True),
            },
            "wps",
            "WPS Office",
        ),
        (
            {
                "Workbook": ole_writer.workbook(),
                DSI: ole_writer.property_set("KSOProductBuildVer", utf16=True),
            },
            "et",
            "KSOProductBuildVer",
        ),
    ],
)
def test_kingsoft_wps_markers(tmp_path: Path, streams: dict[str, bytes], kind: str, marker: str) -> None:
    ct = sniff_file(ole(tmp_path, "f.bin", streams))
    assert ct.kind == kind
    assert marker in ct.detail
    assert ct.mime == SHORT_TYPES[kind]


def test_wps_in_a_title_is_not_a_marker(tmp_path: Path) -> None:
    title = ole_writer.property_set("WPS Office guide", pid=2)  # PIDSI_TITLE, not the application
    streams = {"WordDocument": ole_writer.word_document(), SI: title}
    assert sniff_file(ole(tmp_path, "f.doc", streams)).kind == "doc"


def test_doc_without_markers_stays_doc(tmp_path: Path) -> None:
    streams = {
        "WordDocument": ole_writer.word_document(),
        SI: ole_writer.property_set("Microsoft Office Word"),
        DSI: ole_writer.property_set("Title"),
    }
    assert sniff_file(ole(tmp_path, "f.doc", streams)).kind == "doc"


def test_wps_and_doc_are_interchangeable() -> None:
    # WPS Office writes the Word binary format and stamps its markers into .doc files it saves.
    assert extension_agrees(".doc", "wps") and extension_agrees(".wps", "doc")
    assert extension_agrees(".xls", "et") and extension_agrees(".et", "xls")
    assert extension_agrees(".ppt", "dps") and extension_agrees(".dps", "ppt")
    assert kind_matches("wps", "application/kswps", "doc")
    assert kind_matches("doc", "application/msword", "wps")
    assert kind_matches("et", "application/kset", "application/vnd.ms-excel")
    assert kind_matches("et", "application/kset", "application/wps-office.et")
    assert not kind_matches("wps", "application/kswps", "xls")


def test_ole_with_difat_sectors(tmp_path: Path) -> None:
    layout = ole_writer.build_cfb({"Workbook": ole_writer.workbook()}, pad_sectors=14_500)
    assert layout.difat_sectors and layout.dir_start >= 109 * 128  # the directory's FAT entry needs the DIFAT
    ct = sniff_file(write(tmp_path, "big.xls", layout.data))
    assert ct.kind == "xls"


def test_ole_looping_directory_chain(tmp_path: Path) -> None:
    layout = ole_writer.build_cfb({"WordDocument": ole_writer.word_document()})
    data = bytearray(layout.data)
    struct.pack_into(
        "<I", data, layout.fat_entry_offset(layout.dir_start), layout.dir_start
    )  # points to itself
    start = time.perf_counter()
    ct = sniff_file(write(tmp_path, "loop.doc", bytes(data)))
    assert time.perf_counter() - start < 0.5
    assert ct.kind == "doc"  # the first directory sector was read before the loop was noticed
    assert "looping" in ct.detail


def test_ole_directory_beyond_end_of_file(tmp_path: Path) -> None:
    layout = ole_writer.build_cfb({"WordDocument": ole_writer.word_document()})
    data = bytearray(layout.data)
    struct.pack_into("<I", data, 0x30, 10_000)  # first directory sector far past the end
    ct = sniff_file(write(tmp_path, "bad.doc", bytes(data)))
    assert "damaged OLE2" in ct.detail
    assert ct.kind == "ole"


def test_ole_header_only(tmp_path: Path) -> None:
    data = ole_writer.build_cfb({"WordDocument": ole_writer.word_document()}).data[:512]
    ct = sniff_file(write(tmp_path, "stub.doc", data))
    assert "damaged OLE2" in ct.detail


def test_vanished_ole_falls_back(tmp_path: Path) -> None:
    data = ole_writer.build_cfb({"Workbook": ole_writer.workbook(size=20_000)}).data
    ct = sniff(tmp_path / "gone.xls", data[:HEAD_SIZE], len(data))
    assert "could not reopen" in ct.detail
    assert ct.kind == "ole"  # libmagic cannot see the directory in the head either


def test_ole_reader_agrees_with_olefile(tmp_path: Path) -> None:
    olefile = pytest.importorskip("olefile")
    streams = {
        "WordDocument": ole_writer.word_document(),
        "1Table": b"t" * 5000,
        SI: ole_writer.property_set("x"),
    }
    p = ole(tmp_path, "f.doc", streams)
    with olefile.OleFileIO(str(p)) as of:
        assert sorted("/".join(e) for e in of.listdir()) == sorted(streams)
        assert of.openstream("WordDocument").read() == streams["WordDocument"]
    assert sniff_file(p).kind == "doc"


# ----------------------------------------------------------------------------- images etc.


def pil_image(fmt: str) -> bytes:
    image = pytest.importorskip("PIL.Image")
    buf = io.BytesIO()
    image.new("RGB", (64, 48), (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("fmt", "kind"),
    [("JPEG", "jpg"), ("PNG", "png"), ("GIF", "gif"), ("BMP", "bmp"), ("TIFF", "tiff"), ("WEBP", "webp")],
)
def test_pillow_images(tmp_path: Path, fmt: str, kind: str) -> None:
    ct = sniff_file(write(tmp_path, "img", pil_image(fmt)))
    assert ct.kind == kind
    assert kind_matches(ct.kind, ct.mime, "image/*")
    assert kind_matches(ct.kind, ct.mime, kind)


def test_jpeg_named_pdf(tmp_path: Path) -> None:
    ct = sniff_file(write(tmp_path, "营业执照.pdf", pil_image("JPEG")))
    assert ct.kind == "jpg"
    assert not extension_agrees(".pdf", ct.kind)
    assert kind_matches(ct.kind, ct.mime, "jpeg") and kind_matches(ct.kind, ct.mime, "image/jpg")
    assert not kind_matches(ct.kind, ct.mime, "pdf")


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + b"\x00\x00\x00\x08mdat"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (ftyp(b"heic", b"mif1", b"heic"), "heic"),
        (ftyp(b"mif1", b"mif1", b"heic", b"miaf"), "heic"),
        (ftyp(b"heix", b"mif1"), "heic"),
        (ftyp(b"msf1", b"msf1", b"hevc"), "heic"),
        (ftyp(b"avif", b"mif1", b"miaf"), "avif"),
        (ftyp(b"mif1", b"avif", b"miaf"), "avif"),
    ],
)
def test_iso_bmff_brands(tmp_path: Path, data: bytes, kind: str) -> None:
    ct = sniff_file(write(tmp_path, "IMG_0001.HEIC", data))
    assert ct.kind == kind
    assert kind_matches(ct.kind, ct.mime, "image/*")
    assert extension_agrees(".heic" if kind == "heic" else ".avif", ct.kind)


def test_mp4_is_not_heic(tmp_path: Path) -> None:
    ct = sniff_file(write(tmp_path, "v.mp4", ftyp(b"isom", b"isom", b"iso2", b"mp41") + b"\x00" * 64))
    assert ct.kind == "unknown"
    assert ct.mime.startswith("video/")


# --------------------------------------------------------------------------------- PDF


def test_reportlab_pdf(tmp_path: Path) -> None:
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    p = tmp_path / "审计报告.pdf"
    c = canvas.Canvas(str(p))
    c.drawString(100, 750, "audit")
    c.save()
    ct = sniff_file(p)
    assert (ct.kind, ct.mime) == ("pdf", "application/pdf")


def test_pdf_with_leading_junk(tmp_path: Path) -> None:
    ct = sniff_file(
        write(tmp_path, "a.pdf", b"\x00\x01junk\n%PDF-1.7\n1 0 obj\n<<>>\nendobj\n" + b"\x00" * 200)
    )
    assert ct.kind == "pdf"
    assert "before the %PDF-" in ct.detail


def test_pdf_header_too_late_is_not_pdf(tmp_path: Path) -> None:
    ct = sniff_file(write(tmp_path, "a.pdf", b"x" * 2000 + b"%PDF-1.4\n"))
    assert ct.kind != "pdf"


# -------------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"<!DOCTYPE html>\n<html><head><title>login</title></head><body></body></html>", "html"),
        (b"\xef\xbb\xbf  \n<HTML><body>x</body></HTML>", "html"),
        (
            b"<?xml version='1.0'?>\n<!-- c -->\n<html xmlns='http://www.w3.org/1999/xhtml'><body/></html>",
            "html",
        ),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', "svg"),
        (b'<?xml version="1.0" encoding="UTF-8"?>\n<root><a>1</a></root>\n', "xml"),
        (b'{"licence": "B2-20080207", "items": [1, 2, 3]}\n', "json"),
        (b'[\n  {"a": 1},\n  {"a": 2}\n]\n', "json"),
        ("序号,姓名,身份证号码\n1,张三,110101199003074477\n2,李四,34052419800101001X\n".encode(), "csv"),
        ("序号\t姓名\n1\t张三\n2\t李四\n".encode("gbk"), "csv"),
        ("这是一个普通的文本文件。\n第二行，没有分隔符\n".encode(), "txt"),
        (b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} hello}", "rtf"),
        ("\ufeff序号,姓名\n1,张三\n2,李四\n".encode("utf-16"), "csv"),
    ],
)
def test_text_kinds(tmp_path: Path, data: bytes, kind: str) -> None:
    ct = sniff_file(write(tmp_path, "t.txt", data))
    assert ct.kind == kind, ct


def test_html_named_pdf(tmp_path: Path) -> None:
    ct = sniff_file(
        write(tmp_path, "营业执照.pdf", b"<!doctype html><html><body>Session expired</body></html>")
    )
    assert ct.kind == "html"
    assert not extension_agrees(".pdf", ct.kind)
    assert not kind_matches(ct.kind, ct.mime, "pdf")


def test_office_xml_spreadsheet_named_xls(tmp_path: Path) -> None:
    data = (
        b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>'
    )
    ct = sniff_file(write(tmp_path, "人员名单.xls", data))
    assert ct.kind == "xml"
    assert "Excel.Sheet" in ct.detail
    assert not extension_agrees(".xls", ct.kind)


def test_truncated_json_head(tmp_path: Path) -> None:
    data = b'{"rows": [' + b'{"a": 1, "b": "x"},\n' * 2000 + b"{}]}"
    ct = sniff_file(write(tmp_path, "big.json", data))
    assert ct.kind == "json"


def test_long_csv_cut_mid_line(tmp_path: Path) -> None:
    data = "".join(f"{i},名称{i},91110108551385082Q\n" for i in range(3000)).encode()
    assert len(data) > HEAD_SIZE
    assert sniff_file(write(tmp_path, "big.csv", data)).kind == "csv"


def test_empty_file(tmp_path: Path) -> None:
    ct = sniff_file(write(tmp_path, "null_file.xlsx", b""))
    assert ct.kind == "empty"
    assert extension_agrees(".xlsx", ct.kind)  # emptiness is reported by another check
    assert not kind_matches(ct.kind, ct.mime, "xlsx")


def test_unreadable_head() -> None:
    assert sniff("/nonexistent/x.pdf", b"", 100).kind == "unknown"


# ------------------------------------------------------------------- extension and type tables


def test_kinds_for_extension() -> None:
    assert kinds_for_extension(".pdf") == {"pdf"}
    assert kinds_for_extension("PDF") == {"pdf"}
    assert kinds_for_extension(".wps") == {"wps", "doc", "works"}  # Kingsoft Writer or Microsoft Works
    assert kinds_for_extension(".jpeg") == kinds_for_extension(".jpg") == {"jpg"}
    assert "ooxml-encrypted" in kinds_for_extension(".xlsx")
    assert kinds_for_extension(".weird") == frozenset()
    assert kinds_for_extension("") == frozenset()
    for ext in (".pdf", ".xlsx", ".doc", ".ofd", ".heic", ".csv", ".zip"):
        assert kinds_for_extension(ext) <= KINDS


def test_extension_agrees() -> None:
    assert extension_agrees(".pdf", "pdf")
    assert not extension_agrees(".pdf", "jpg")
    assert not extension_agrees(".xls", "html")  # the classic "xls" exported as an HTML table
    assert not extension_agrees(".docx", "doc")
    assert extension_agrees(".weird", "pdf")  # unknown extension
    assert extension_agrees(".pdf", "unknown")  # unknown kind
    assert extension_agrees(".pdf", "no-such-kind")
    assert extension_agrees(".csv", "txt") and extension_agrees(".txt", "csv")


def test_kind_matches() -> None:
    xlsx = SHORT_TYPES["xlsx"]
    assert kind_matches("xlsx", xlsx, "xlsx")
    assert kind_matches("xlsx", xlsx, ".XLSX")
    assert kind_matches("xlsx", xlsx, xlsx)
    assert kind_matches("xlsx", "application/zip", xlsx)  # the kind's canonical MIME counts
    assert kind_matches("xlsx", xlsx, "application/*")
    assert kind_matches("xlsx", xlsx, "*/*")
    assert not kind_matches("xlsx", xlsx, "image/*")
    assert not kind_matches("xlsx", xlsx, "")
    assert kind_matches("heic", "application/octet-stream", "image/*")
    assert kind_matches("heic", "image/heif", "heif")
    assert kind_matches("tiff", "image/tiff", "tif")
    assert kind_matches("xml", "text/xml", "application/xml")
    assert kind_matches("unknown", "video/mp4", "mp4")
    assert not kind_matches("unknown", "application/octet-stream", "mp4")
    assert kind_matches("txt", "text/plain", "csv")  # a one-column CSV is plain text
    assert not kind_matches("zip", "application/zip", "xlsx")
    assert not kind_matches("ooxml", "application/zip", "docx")


def test_short_types_are_mime_types() -> None:
    for short in (
        "pdf",
        "xlsx",
        "xls",
        "docx",
        "doc",
        "wps",
        "et",
        "dps",
        "pptx",
        "ppt",
        "jpg",
        "png",
        "gif",
        "bmp",
        "tiff",
        "webp",
        "heic",
        "ofd",
        "zip",
        "rar",
        "7z",
        "txt",
        "csv",
        "html",
        "xml",
        "json",
        "odt",
        "ods",
        "mp4",
    ):
        mime = SHORT_TYPES[short]
        assert mime.count("/") == 1 and mime == mime.strip()
        kind = {"jpeg": "jpg"}.get(short, short)
        if kind in KINDS:
            assert kind_matches(kind, mime, short)
            assert kind_matches(kind, mime, mime)


# ------------------------------------------------------------------------------ robustness


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(
        [
            b"",
            ole_writer.MAGIC,
            b"PK\x03\x04",
            b"PK\x05\x06",
            b"%PDF-1.7\n",
            b"<html>",
            b"\x00\x00\x00\x18ftypheic",
            b"\xef\xbb\xbf",
        ]
    ),
    body=st.binary(max_size=3000),
)
def test_never_raises_on_arbitrary_bytes(prefix: bytes, body: bytes) -> None:
    data = prefix + body
    ct = sniff("/nonexistent/fuzz.bin", data[:HEAD_SIZE], len(data))
    assert isinstance(ct, ContentType)
    assert ct.kind in KINDS
    assert ct.mime.count("/") == 1


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_never_raises_on_mutated_containers(data: st.DataObject) -> None:
    base = data.draw(st.sampled_from(MUTATION_BASES))
    raw = bytearray(base)
    for _ in range(data.draw(st.integers(1, 12))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(raw)))
    blob = bytes(raw[:cut])
    ct = sniff("/nonexistent/mutated.bin", blob, len(blob))
    assert ct.kind in KINDS


MUTATION_BASES = [
    ole_writer.build_cfb(
        {
            "WordDocument": ole_writer.word_document(),
            "WpsCustomData": b"\x00" * 28,
            SI: ole_writer.property_set("WPS Office"),
        }
    ).data,
    ole_writer.build_cfb({"EncryptedPackage": b"\x00" * 4200, "EncryptionInfo": b"\x00" * 100}).data,
    ooxml("xl/workbook.xml", SHEET_MAIN),
    make_zip([("mimetype", b"application/vnd.oasis.opendocument.text")], stored_first=True),
]


# --------------------------------------------------------------------------- import cost


def test_import_does_not_load_libmagic() -> None:
    code = (
        "import sys, time; t = time.perf_counter(); import validator.sniff; "
        "print(round((time.perf_counter() - t) * 1000, 2)); "
        "print(sorted(m for m in ('magic', 'json', 'urllib.parse', 'olefile') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    ms, loaded = out.stdout.splitlines()
    assert "magic" not in loaded and "olefile" not in loaded, loaded
    assert float(ms) < 200  # generous: cold caches on CI; typically a few ms


# ------------------------------------------------------------------------ real-world corpus

_X = "application/vnd.openxmlformats-officedocument."
_OLE_KINDS = {"ole", "doc", "xls", "ppt", "wps", "et", "dps", "ooxml-encrypted"}
# libmagic's MIME in MANIFEST.tsv -> the kinds that agree with it.  libmagic reads only the first zip
# entries, so it calls xlsb/xlsm "xlsx"; WPS-written Office files are "doc"/"xls" to libmagic.
AGREES: dict[str, set[str]] = {
    "application/pdf": {"pdf"},
    _X + "spreadsheetml.sheet": {"xlsx", "xlsm", "xlsb"},
    _X + "wordprocessingml.document": {"docx", "docm"},
    _X + "presentationml.presentation": {"pptx", "pptm"},
    "application/vnd.ms-excel": {"xls", "et"},
    "application/msword": {"doc", "wps"},
    "application/vnd.ms-powerpoint": {"ppt", "dps"},
    "application/x-ole-storage": _OLE_KINDS,
    "application/encrypted": {"ooxml-encrypted"},
    "application/vnd.oasis.opendocument.text": {"odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {"ods"},
}
# Where we knowingly disagree with libmagic, and why we are right.
KNOWN_DISAGREEMENTS = {
    # First entry is "mimetype: ...opendocument.text" (all libmagic reads), but the only other member is
    # test.txt and its central directory has a corrupt extra field: not an ODT, and damaged.
    "zip2/extended_timestamp_bad.zip": "zip",
}


def corpus_rows() -> list[dict[str, str]]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        pytest.skip(f"corpus not found at {CORPUS}")
    with open(manifest, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.mark.slow
def test_corpus_sweep(capsys: pytest.CaptureFixture[str]) -> None:
    rows = corpus_rows()
    times: list[float] = []
    disagreements: list[str] = []
    for row in rows:
        path = CORPUS / row["path"]
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(HEAD_SIZE)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        start = time.perf_counter()
        ct = sniff(path, head, size)
        times.append(time.perf_counter() - start)
        assert ct.kind in KINDS, (row["path"], ct)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest == row["sha256"]
        expected = AGREES.get(row["magic_mime"])
        if expected is not None and ct.kind not in expected:
            if KNOWN_DISAGREEMENTS.get(row["path"]) == ct.kind:
                continue
            disagreements.append(f"{row['path']}: libmagic {row['magic_mime']}, sniff {ct}")
    with capsys.disabled():
        print(
            f"\nsniff over {len(rows)} corpus files: total {sum(times) * 1000:.1f} ms, "
            f"median {statistics.median(times) * 1e6:.0f} µs, max {max(times) * 1000:.1f} ms"
        )
    assert not disagreements, "\n".join(disagreements)


def _corpus_expectations() -> list[tuple[str, Callable[[ContentType], bool]]]:
    return [
        ("msoffcrypto/example_password.xlsx", lambda c: c.kind == "ooxml-encrypted" and c.encrypted),
        ("calamine/pass_protected.xlsb", lambda c: c.kind == "ooxml-encrypted" and c.encrypted),
        ("msoffcrypto/rc4cryptoapi_password.doc", lambda c: c.kind == "doc" and c.encrypted),
        ("msoffcrypto/rc4cryptoapi_password.xls", lambda c: c.kind == "xls" and c.encrypted),
        ("msoffcrypto/rc4cryptoapi_password.ppt", lambda c: c.kind == "ppt" and c.encrypted),
        ("msoffcrypto/xor_password_123456789012345.xls", lambda c: c.kind == "xls" and c.encrypted),
        ("msoffcrypto/plain.xls", lambda c: c.kind == "xls" and not c.encrypted),
        ("calamine/pass_protected.ods", lambda c: c.kind == "ods" and c.encrypted),
        ("calamine/issue221.xlsm", lambda c: c.kind == "xlsm"),
        ("xlrd/sample.xlsb", lambda c: c.kind == "xlsb"),
        ("calamine/minimal_package.xlsx", lambda c: c.kind == "xlsx"),
        ("python-docx/default.docx", lambda c: c.kind == "docx"),  # libmagic: octet-stream
        ("easyexcel/t01.xls", lambda c: c.kind == "et"),  # ETExtData stream, KSOProductBuildVer
        ("xlrd/invalid_formula.xls", lambda c: c.kind == "et"),
        ("calamine/capitalized_wbook_stream.xls", lambda c: c.kind == "xls"),
        ("openpyxl/Thumbs.db", lambda c: c.kind == "ole"),
        ("openpyxl/null_file.xlsx", lambda c: c.kind == "empty"),
        ("openpyxl/null_archive.xlsx", lambda c: c.kind == "zip"),
        ("zip2/aes_archive.zip", lambda c: c.kind == "zip" and c.encrypted),
        ("zip2/non_utf8.zip", lambda c: c.kind == "zip"),
        ("zip2/mimetype.zip", lambda c: c.kind == "odt"),
        ("siegfried/x-fmt-263-signature-id-2311.zip", lambda c: c.detail.startswith("damaged zip")),
        ("calamine/too_small.xls", lambda c: c.kind == "txt"),
        ("easyexcel/office_bom.csv", lambda c: c.kind == "csv"),
    ]


@pytest.mark.parametrize(
    ("rel", "check"), _corpus_expectations(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_corpus_specific_files(rel: str, check: Callable[[ContentType], bool]) -> None:
    corpus_rows()
    path = CORPUS / rel
    if not path.exists():
        pytest.skip(f"{rel} not in corpus")
    ct = sniff_file(path)
    assert check(ct), ct


def test_corpus_wps_written_docs_are_wps() -> None:
    rows = corpus_rows()
    wps = [
        r["path"] for r in rows if r["path"].endswith(".doc") and sniff_file(CORPUS / r["path"]).kind == "wps"
    ]
    for rel in wps:  # WPS Office leaves a WpsCustomData stream or a KSOProductBuildVer property
        assert extension_agrees(".doc", "wps"), rel
    assert any("第12部分：设计）.doc" in p for p in wps)


def test_image_signature_shortcut_agrees_with_libmagic_on_the_corpus() -> None:
    """JPEG/PNG/GIF/WebP are recognised from their first bytes without libmagic; on every real
    image in the corpus the shortcut must give libmagic's answer (or defer to it)."""
    import magic

    from validator.sniff import _image_signature

    if not CORPUS.is_dir():
        pytest.skip("corpus not available")
    lib = magic.Magic(mime=True)
    seen = 0
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
        head = path.read_bytes()[:HEAD_SIZE]
        shortcut = _image_signature(head)
        if shortcut is not None:
            seen += 1
            assert shortcut.mime == lib.from_buffer(head), path
    assert seen >= 20


# ------------------------------------------------------- old Excel, Works, Write, default password

XLS_CORPUS = CORPUS  # real files: the VelvetSweatshop workbook and two with known passwords


def _biff_stream(bof_type: int, bof_len: int, version: int, dt: int) -> bytes:
    """A bare BIFF record stream as Excel 2.x-4.0 wrote it: BOF, a LABEL "序号" cell, EOF."""
    bof = struct.pack("<HHHH", bof_type, bof_len, version, dt) + b"\x00" * (bof_len - 4)
    label = struct.pack("<HHHHH", 0x0004, 10, 0, 0, 0) + b"\x03\x00\x02" + b"abc"[:2]  # row 0, col 0
    return bof + label + struct.pack("<HH", 0x000A, 0)


@pytest.mark.parametrize(
    ("bof_type", "bof_len", "version", "what"),
    [(0x0009, 4, 0x0002, "Excel 2.x worksheet (BIFF2)"), (0x0209, 6, 0x0000, "Excel 3.0 worksheet (BIFF3)"),
     (0x0409, 6, 0x0000, "Excel 4.0 worksheet (BIFF4)")],
)
def test_excel_2_to_4_worksheets_are_xls(tmp_path: Path, bof_type: int, bof_len: int, version: int, what: str) -> None:
    ct = sniff_file(write(tmp_path, "old.xls", _biff_stream(bof_type, bof_len, version, 0x0010)))
    assert (ct.kind, ct.detail, ct.damaged) == ("xls", what, False)
    assert extension_agrees(".xls", ct.kind)


def test_bare_biff8_stream_is_a_damaged_xls(tmp_path: Path) -> None:
    ct = sniff_file(write(tmp_path, "cut.xls", ole_writer.workbook(size=600)))  # a Workbook stream, no OLE2
    assert (ct.kind, ct.damaged) == ("xls", True) and "fragment" in ct.detail


def test_text_that_starts_like_a_bof_is_not_excel(tmp_path: Path) -> None:
    ct = sniff_file(write(tmp_path, "a.txt", b"\x09\x00\x04\x00" + b"hello world " * 20))
    assert ct.kind != "xls"


def test_real_biff4_and_biff_fragment() -> None:
    if not (CORPUS / "xlrd" / "biff4_no_format_no_window2.xls").is_file():
        pytest.skip("corpus not available")
    ct = sniff_file(CORPUS / "xlrd" / "biff4_no_format_no_window2.xls")
    assert (ct.kind, ct.damaged) == ("xls", False) and "BIFF4" in ct.detail
    frag = sniff_file(CORPUS / "siegfried" / "fmt-61-signature-id-78.xls")  # 512 zero bytes + a BOF
    assert (frag.kind, frag.damaged) == ("xls", True)


def test_write_and_works_documents(tmp_path: Path) -> None:
    wri = sniff_file(write(tmp_path, "memo.wri", b"\x31\xbe\x00\x00\x00\xab" + b"\x00" * 122 + b"Hello"))
    assert wri.kind == "write" and extension_agrees(".wri", wri.kind)
    works = sniff_file(ole(tmp_path, "letter.wps", {"CONTENTS": b"c" * 700, "MatOST": b"m" * 100}))
    assert works.kind == "works" and extension_agrees(".wps", works.kind)
    assert not extension_agrees(".doc", works.kind)


def _rc4(key: bytes, data: bytes) -> bytes:
    """RC4 from the cryptography package: independent of validator.sniff.xls_password's own."""
    from cryptography.hazmat.primitives.ciphers import Cipher

    try:
        from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4
    except ImportError:  # older cryptography
        from cryptography.hazmat.primitives.ciphers.algorithms import ARC4  # type: ignore[no-redef]
    enc = Cipher(ARC4(key), mode=None).encryptor()
    return enc.update(data) + enc.finalize()


def _filepass_rc4(password: str, salt: bytes = bytes(range(16)), verifier: bytes = b"0123456789abcdef") -> bytes:
    """An RC4 (MD5) FILEPASS record as Excel 97-2003 writes it ([MS-OFFCRYPTO] 2.3.6)."""
    h0 = hashlib.md5(password.encode("utf-16-le")).digest()[:5]
    h1 = hashlib.md5((h0 + salt) * 16).digest()[:5]
    key = hashlib.md5(h1 + b"\x00\x00\x00\x00").digest()
    blob = _rc4(key, verifier + hashlib.md5(verifier).digest())
    return struct.pack("<HHH", 1, 1, 1) + salt + blob


def _workbook_with(filepass: bytes) -> bytes:
    bof = struct.pack("<HH", 0x0809, 16) + struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0)
    return (bof + struct.pack("<HH", 0x002F, len(filepass)) + filepass + struct.pack("<HH", 0x000A, 0)).ljust(
        4200, b"\x00")


def test_excel_default_password_is_not_a_locked_file(tmp_path: Path) -> None:
    """Excel encrypts a protected workbook with "VelvetSweatshop" and opens it without asking."""
    velvet = sniff_file(ole(tmp_path, "protected.xls", {"Workbook": _workbook_with(_filepass_rc4("VelvetSweatshop"))}))
    assert (velvet.kind, velvet.encrypted, velvet.default_password) == ("xls", True, True)
    locked = sniff_file(ole(tmp_path, "locked.xls", {"Workbook": _workbook_with(_filepass_rc4("secret"))}))
    assert (locked.kind, locked.encrypted, locked.default_password) == ("xls", True, False)


def test_filepass_verifiers_on_real_files() -> None:
    """The three FILEPASS schemes, checked with the passwords the real files were made with."""
    from validator.sniff.ole import _Cfb, _Source
    from validator.sniff.xls_password import filepass_accepts

    cases = {
        "calamine/issue_385.xls": "VelvetSweatshop",  # RC4: Excel's default password
        "msoffcrypto/rc4cryptoapi_password.xls": "Password1234_",  # RC4 CryptoAPI
        "msoffcrypto/xor_password_123456789012345.xls": "123456789012345",  # XOR obfuscation
    }
    if not all((CORPUS / rel).is_file() for rel in cases):
        pytest.skip("corpus not available")
    for rel, password in cases.items():
        data = (CORPUS / rel).read_bytes()
        src = _Source(CORPUS / rel, data[:HEAD_SIZE], len(data), 1 << 22)
        try:
            cfb = _Cfb(src)
            top = {e.name.lower(): e for e in cfb.top_level(cfb.directory()[0]) or []}
            stream = cfb.read_stream(top["workbook"], 2048)
        finally:
            src.close()
        pos = 0
        while struct.unpack_from("<H", stream, pos)[0] != 0x002F:
            pos += 4 + struct.unpack_from("<H", stream, pos + 2)[0]
        body = stream[pos + 4 : pos + 4 + struct.unpack_from("<H", stream, pos + 2)[0]]
        assert filepass_accepts(body, password), rel
        assert not filepass_accepts(body, password[:-1] + "#"), rel
    ct = sniff_file(CORPUS / "calamine/issue_385.xls")
    assert ct.default_password and ct.encrypted
    assert not sniff_file(CORPUS / "msoffcrypto/rc4cryptoapi_password.xls").default_password
