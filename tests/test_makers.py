"""Tests for fixtures/makers.py and fixtures/cfb.py: every maker's output is read back with
the library that really reads that format (pypdf, openpyxl, python-docx, olefile, Pillow,
zipfile, libmagic), checked for determinism and kept fast."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
import struct
import time
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from pathlib import Path

import magic
import olefile
import pytest

from fixtures import makers as m
from fixtures.cfb import SIGNATURE, build_cfb

MiB = 1 << 20
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def mime(path: Path) -> str:
    return magic.from_file(str(path), mime=True)


# --------------------------------------------------------------------------- identifiers

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # DOMAIN.md, literally
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def uscc_ok(code: str) -> bool:
    if len(code) != 18 or any(ch not in USCC_ALPHABET for ch in code):
        return False
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    return code[17] == USCC_ALPHABET[(31 - total % 31) % 31]


def cn_id_ok(code: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", code):
        return False
    dt.datetime.strptime(code[6:14], "%Y%m%d")
    total = sum(int(d) * w for d, w in zip(code[:17], ID_WEIGHTS, strict=True))
    return code[17] == "10X98765432"[total % 11]


def test_check_chars_match_domain_examples() -> None:
    for code in ("91110108551385082Q", "91110000600037341L"):
        assert m.uscc_check_char(code[:17]) == code[17]
    for code in ("110101199003074477", "34052419800101001X"):
        assert m.cn_id_check_char(code[:17]) == code[17]


def test_valid_uscc() -> None:
    codes = {m.valid_uscc(seed) for seed in range(300)}
    assert len(codes) == 300
    for code in codes:
        assert uscc_ok(code), code
        assert code[:2] == "91" and code[2:8].isdigit()
        # positions 9-17: a GB 11714 organisation code with its own check digit
        body, check = code[8:16], code[16]
        value = 11 - sum(int(d) * w for d, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        assert check == {10: "X", 11: "0"}.get(value, str(value))
    assert m.valid_uscc(7) == m.valid_uscc(7)


def test_valid_cn_id() -> None:
    ids = {m.valid_cn_id(seed) for seed in range(300)}
    assert len(ids) > 290  # 16 areas x 1000 sequence numbers: a rare collision is fine
    for code in ids:
        assert cn_id_ok(code), code
        assert code[6:14] == "19900307"
    assert m.valid_cn_id(3, birth="20000229")[6:14] == "20000229"
    with pytest.raises(ValueError):
        m.valid_cn_id(1, birth="19900230")
    with pytest.raises(ValueError):
        m.valid_cn_id(1, birth="1990037")


def test_valid_mobile() -> None:
    numbers = {m.valid_mobile(seed) for seed in range(200)}
    assert len(numbers) == 200
    assert all(re.fullmatch(r"1[3-9]\d{9}", n) for n in numbers)


def test_roster_rows() -> None:
    company = "北京某某信息技术有限公司"
    rows = m.make_roster_rows(40, company, seed=5)
    assert rows[0] == m.ROSTER_HEADERS == [
        "序号", "姓名", "身份证号码", "岗位类别", "职务", "学历", "专业", "手机号码",
        "入职日期", "社保缴纳单位", "社保最近缴费月份", "网络安全责任人",
    ]  # fmt: skip
    data = rows[1:]
    assert len(data) == 40
    assert [r[0] for r in data] == list(range(1, 41))
    assert len({r[1] for r in data}) == 40
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", r[1]) for r in data)
    assert len({r[2] for r in data}) == 40 and all(cn_id_ok(r[2]) for r in data)
    assert {r[3] for r in data} <= {"管理", "技术", "客服", "安全", "其他"}
    assert all(re.fullmatch(r"1[3-9]\d{9}", r[7]) for r in data)
    assert all(isinstance(r[8], dt.date) for r in data)
    assert {r[9] for r in data} == {company}
    assert {r[10] for r in data} == {"2024-12"}
    assert {r[11] for r in data} == {"是", "否"} and sum(r[11] == "是" for r in data) == 1
    assert m.make_roster_rows(40, company, seed=5) == rows
    assert m.make_roster_rows(40, company, seed=6) != rows


# --------------------------------------------------------------------------- PDF


def test_pdf_plain_with_chinese_text(tmp_path: Path) -> None:
    from pypdf import PdfReader

    p = m.make_pdf(tmp_path / "sub" / "01_年报承诺书.pdf", pages=3, text="增值电信业务经营许可证\n年报承诺书")
    assert p.exists() and mime(p) == "application/pdf"
    reader = PdfReader(p)
    assert not reader.is_encrypted
    assert len(reader.pages) == 3
    for page in reader.pages:
        text = page.extract_text()
        assert "增值电信业务经营许可证" in text and "年报承诺书" in text
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_pdf_text_per_page_and_letter(tmp_path: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(m.make_pdf(tmp_path / "a.pdf", pages=1, text=["第一页", "第二页"], a4=False))
    assert len(reader.pages) == 2
    assert "第一页" in reader.pages[0].extract_text() and "第二页" in reader.pages[1].extract_text()
    assert (round(float(reader.pages[0].mediabox.width)), round(float(reader.pages[0].mediabox.height))) == (
        612,
        792,
    )
    long_text = "本公司承诺所报材料真实有效。" * 40
    text = PdfReader(m.make_pdf(tmp_path / "b.pdf", text=long_text)).pages[0].extract_text()
    assert text.replace("\n", "").startswith(long_text[:100])


def test_pdf_owner_password_only(tmp_path: Path) -> None:
    from pypdf import PdfReader

    p = m.make_pdf(tmp_path / "locked.pdf", text="限制编辑的文件", owner_password="owner")
    reader = PdfReader(p)
    assert reader.is_encrypted
    assert "/Encrypt" in reader.trailer
    assert len(reader.pages) == 1  # opens without any password
    assert "限制编辑的文件" in reader.pages[0].extract_text()
    perms = int(reader.trailer["/Encrypt"]["/P"])
    assert perms & 8 == 0  # "modify contents" withheld
    assert perms & 4 and perms & 16  # printing and copying allowed
    assert mime(p) == "application/pdf"


def test_pdf_user_password(tmp_path: Path) -> None:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    p = m.make_pdf(tmp_path / "secret.pdf", pages=2, text="需要密码", user_password="u", owner_password="o")
    reader = PdfReader(p)
    assert reader.is_encrypted
    with pytest.raises(FileNotDecryptedError):
        reader.pages[0].extract_text()
    assert not PdfReader(p).decrypt("wrong")
    assert reader.decrypt("u")
    assert len(reader.pages) == 2 and "需要密码" in reader.pages[1].extract_text()
    assert PdfReader(m.make_pdf(tmp_path / "u.pdf", user_password="u")).is_encrypted


def test_scanned_pdf_has_images_and_no_text(tmp_path: Path) -> None:
    from pypdf import PdfReader

    p = m.make_scanned_pdf(tmp_path / "scan.pdf", pages=2)
    assert mime(p) == "application/pdf"
    reader = PdfReader(p)
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert page.extract_text().strip() == ""
        assert len(page.images) == 1


def test_truncated_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    p = m.make_truncated_pdf(tmp_path / "cut.pdf")
    data = p.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" not in data and b"startxref" not in data
    assert mime(p) == "application/pdf"
    for strict in (True, False):
        with pytest.raises(PdfReadError):
            PdfReader(p, strict=strict)


def test_pdf_with_bad_xref(tmp_path: Path) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    p = m.make_pdf_with_bad_xref(tmp_path / "bad.pdf")
    assert p.read_bytes().rstrip().endswith(b"%%EOF")
    with pytest.raises(PdfReadError):
        PdfReader(p, strict=True)
    reader = PdfReader(p, strict=False)
    assert "交叉引用表损坏的文件" in reader.pages[0].extract_text()


# --------------------------------------------------------------------------- xlsx / docx


def test_xlsx_values_and_cell_types(tmp_path: Path) -> None:
    import openpyxl

    rows: list[list[object]] = [
        ["姓名", "身份证号码", "人数", "比例", "入职日期", "更新时间", "备注"],
        ["张三", "110101199003074477", 3, 0.5, dt.date(2020, 5, 1), dt.datetime(2024, 1, 2, 3, 4, 5), None],
        ["李四", 34052419800101001, 12, 1.25, dt.date(2021, 6, 30), dt.datetime(2024, 2, 3, 4, 5, 6), "无"],
    ]
    p = m.make_xlsx(
        tmp_path / "人员名单.xlsx", {"人员名单": rows, "Sheet2": [[110101199003074477]]}, text_columns={1}
    )
    assert mime(p) == XLSX_MIME
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == ["人员名单", "Sheet2"]
    ws = wb["人员名单"]
    id_cell = ws["B2"]
    assert id_cell.value == "110101199003074477" and id_cell.data_type == "s" and id_cell.number_format == "@"
    assert ws["B3"].value == "34052419800101001" and ws["B3"].data_type == "s"
    assert ws["C2"].value == 3 and ws["C2"].data_type == "n"
    assert ws["D3"].value == 1.25
    assert ws["E2"].value == dt.datetime(2020, 5, 1) and ws["E2"].is_date
    assert ws["F3"].value == dt.datetime(2024, 2, 3, 4, 5, 6)
    assert ws["G2"].value is None and ws["G3"].value == "无"
    number_id = wb["Sheet2"]["A1"]
    assert number_id.data_type == "n"
    assert number_id.value == 1.10101199003074e17  # Excel's 15 significant digits
    assert number_id.value != 110101199003074477
    assert wb.properties.created == m.FIXED_DATETIME


def test_xlsx_roster_round_trip(tmp_path: Path) -> None:
    import openpyxl

    rows = m.make_roster_rows(25, "上海某某网络科技有限公司")
    p = m.make_xlsx(tmp_path / "roster.xlsx", {"人员名单": rows}, text_columns={2, 7})
    ws = openpyxl.load_workbook(p)["人员名单"]
    back = [[c.value for c in r] for r in ws.iter_rows()]
    assert back[0] == m.ROSTER_HEADERS
    assert [r[2] for r in back[1:]] == [r[2] for r in rows[1:]]
    assert all(isinstance(r[7], str) for r in back[1:])
    assert [r[8].date() for r in back[1:]] == [r[8] for r in rows[1:]]


def test_docx(tmp_path: Path) -> None:
    import docx

    p = m.make_docx(tmp_path / "承诺书.docx", ["年报承诺书", "本公司承诺所报材料真实、准确、完整。"])
    assert mime(p) == DOCX_MIME
    document = docx.Document(str(p))
    texts = [para.text for para in document.paragraphs]
    assert texts[-2:] == ["年报承诺书", "本公司承诺所报材料真实、准确、完整。"]
    assert document.core_properties.created.replace(tzinfo=None) == m.FIXED_DATETIME
    with zipfile.ZipFile(p) as zf:
        assert {info.date_time for info in zf.infolist()} == {(2024, 3, 1, 9, 30, 0)}


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_office_zip_dates_are_fixed(tmp_path: Path, kind: str) -> None:
    """openpyxl stamps the save time into core.xml; the maker must pin it (a same-second
    byte comparison alone would not notice)."""
    if kind == "xlsx":
        p = m.make_xlsx(tmp_path / "a.xlsx", {"S": [["x"]]})
    else:
        p = m.make_docx(tmp_path / "a.docx", ["x"])
    with zipfile.ZipFile(p) as zf:
        core = zf.read("docProps/core.xml").decode()
        assert {info.date_time for info in zf.infolist()} == {(2024, 3, 1, 9, 30, 0)}
    stamps = re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core)
    assert dict(stamps) == {"created": "2024-03-01T09:30:00Z", "modified": "2024-03-01T09:30:00Z"}


# --------------------------------------------------------------------------- OLE2


def open_ole(path: Path) -> olefile.OleFileIO:
    assert olefile.isOleFile(str(path))
    return olefile.OleFileIO(str(path), raise_defects=olefile.DEFECT_INCORRECT)


def streams_of(ole: olefile.OleFileIO) -> set[str]:
    return {"/".join(parts) for parts in ole.listdir(streams=True, storages=False)}


def doc_text(ole: olefile.OleFileIO) -> str:
    """Read the text through the FIB and the piece table ([MS-DOC] 2.4.1)."""
    word = ole.openstream("WordDocument").read()
    flags = struct.unpack_from("<H", word, 0x0A)[0]
    table = ole.openstream("1Table" if flags & 0x0200 else "0Table").read()
    ccp_text = struct.unpack_from("<I", word, 0x4C)[0]
    fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x1A2)
    clx = table[fc_clx : fc_clx + lcb_clx]
    assert clx[0] == 0x02
    plc = clx[5:]
    cp_start, cp_end = struct.unpack_from("<II", plc, 0)
    fc = struct.unpack_from("<I", plc, 10)[0]
    assert (cp_start, cp_end) == (0, ccp_text) and not fc & 0x40000000
    return word[fc : fc + 2 * ccp_text].decode("utf-16-le")


def user_defined_properties(data: bytes) -> dict[str, str]:
    """Parse the second (user-defined) section of a DocumentSummaryInformation stream."""
    (count,) = struct.unpack_from("<I", data, 24)
    assert count == 2
    fmtid = data[28 + 20 : 28 + 36]
    assert uuid.UUID(bytes_le=fmtid) == uuid.UUID("D5CDD505-2E9C-101B-9397-08002B2CF9AE")
    (start,) = struct.unpack_from("<I", data, 28 + 36)
    _, n_props = struct.unpack_from("<II", data, start)
    offsets = dict(struct.unpack_from("<II", data, start + 8 + 8 * i) for i in range(n_props))
    codepage = struct.unpack_from("<HHh", data, start + offsets[1])
    assert codepage[0] == 0x02 and codepage[2] == 936
    pos = start + offsets[0]
    names: dict[int, str] = {}
    (entries,) = struct.unpack_from("<I", data, pos)
    pos += 4
    for _ in range(entries):
        pid, length = struct.unpack_from("<II", data, pos)
        names[pid] = data[pos + 8 : pos + 8 + length - 1].decode("gbk")
        pos += 8 + length
    values = {}
    for pid, name in names.items():
        vt, _, size = struct.unpack_from("<HHI", data, start + offsets[pid])
        assert vt == 0x1E
        values[name] = data[start + offsets[pid] + 8 : start + offsets[pid] + 8 + size - 1].decode("gbk")
    return values


def test_doc(tmp_path: Path) -> None:
    p = m.make_doc(tmp_path / "a.doc", text="本文件与原件一致\n第二段")
    assert mime(p) == "application/msword"
    with open_ole(p) as ole:
        assert streams_of(ole) == {
            "WordDocument", "1Table", "\x05SummaryInformation", "\x05DocumentSummaryInformation",
        }  # fmt: skip
        word = ole.openstream("WordDocument").read()
        assert struct.unpack_from("<HH", word, 0) == (0xA5EC, 0x00C1)
        assert doc_text(ole) == "本文件与原件一致\r第二段\r"
        assert ole.get_metadata().creating_application == b"Microsoft Office Word"
        assert str(ole.root.clsid) == "00020906-0000-0000-C000-000000000046"


def test_xls(tmp_path: Path) -> None:
    p = m.make_xls(tmp_path / "a.xls", sheet_name="人员名单")
    assert mime(p) == "application/vnd.ms-excel"
    with open_ole(p) as ole:
        assert "Workbook" in streams_of(ole)
        book = ole.openstream("Workbook").read()
    rtype, size, vers, kind = struct.unpack_from("<HHHH", book, 0)
    assert (rtype, size, vers, kind) == (0x0809, 16, 0x0600, 0x0005)
    pos, sheet_offset, sheet_name = 0, None, None
    while True:  # walk the globals substream
        rtype, size = struct.unpack_from("<HH", book, pos)
        if rtype == 0x0085:
            sheet_offset = struct.unpack_from("<I", book, pos + 4)[0]
            cch, high = book[pos + 10], book[pos + 11]
            assert high == 1
            sheet_name = book[pos + 12 : pos + 12 + 2 * cch].decode("utf-16-le")
        pos += 4 + size
        if rtype == 0x000A:
            break
    assert sheet_name == "人员名单" and sheet_offset == pos
    assert struct.unpack_from("<HHHH", book, sheet_offset) == (0x0809, 16, 0x0600, 0x0010)


def test_ppt(tmp_path: Path) -> None:
    p = m.make_ppt(tmp_path / "a.ppt")
    assert mime(p) == "application/vnd.ms-powerpoint"
    with open_ole(p) as ole:
        assert {"PowerPoint Document", "Current User"} <= streams_of(ole)
        document = ole.openstream("PowerPoint Document").read()
        current = ole.openstream("Current User").read()
    assert struct.unpack_from("<HH", document, 0) == (0x000F, 0x03E8)
    _, rec_type, _, size, token, edit_offset = struct.unpack_from("<HHIIII", current, 0)
    assert (rec_type, size, token) == (0x0FF6, 0x14, 0xE391C05F)
    assert struct.unpack_from("<H", document, edit_offset + 2)[0] == 0x0FF5  # a UserEditAtom


@pytest.mark.parametrize(
    ("maker", "stream", "expected_mime"),
    [
        (m.make_wps, "WordDocument", "application/msword"),
        (m.make_et, "Workbook", "application/vnd.ms-excel"),
        (m.make_dps, "PowerPoint Document", "application/vnd.ms-powerpoint"),
    ],
)
def test_kingsoft_files(tmp_path: Path, maker: Callable[..., Path], stream: str, expected_mime: str) -> None:
    p = maker(tmp_path / "kingsoft.bin")
    assert mime(p) == expected_mime  # libmagic cannot tell Kingsoft from Microsoft
    with open_ole(p) as ole:
        names = streams_of(ole)
        assert stream in names and "WpsCustomData" not in names
        assert ole.get_metadata().creating_application == m.KINGSOFT_APP_NAME.encode()
        dsi = ole.openstream("\x05DocumentSummaryInformation").read()
    assert user_defined_properties(dsi) == {"KSOProductBuildVer": m.KINGSOFT_BUILD_VER}
    with open_ole(maker(tmp_path / "custom.bin", wps_custom_data=True)) as ole:
        assert "WpsCustomData" in streams_of(ole)


def test_wps_uses_0table(tmp_path: Path) -> None:
    with open_ole(m.make_wps(tmp_path / "a.wps", text="金山文字")) as ole:
        assert "0Table" in streams_of(ole)
        assert doc_text(ole) == "金山文字\r"


def test_encrypted_xlsx_structure(tmp_path: Path) -> None:
    p = m.make_encrypted_xlsx(tmp_path / "加密.xlsx", password="secret")
    assert p.read_bytes().startswith(SIGNATURE)  # OLE2, not a zip
    assert not zipfile.is_zipfile(p)
    assert mime(p) == "application/encrypted"
    with open_ole(p) as ole:
        assert streams_of(ole) == {
            "EncryptionInfo",
            "EncryptedPackage",
            "\x06DataSpaces/Version",
            "\x06DataSpaces/DataSpaceMap",
            "\x06DataSpaces/DataSpaceInfo/StrongEncryptionDataSpace",
            "\x06DataSpaces/TransformInfo/StrongEncryptionTransform/\x06Primary",
        }
        info = ole.openstream("EncryptionInfo").read()
        package = ole.openstream("EncryptedPackage").read()
        version = ole.openstream("\x06DataSpaces/Version").read()
    assert struct.unpack_from("<HHI", info, 0) == (4, 4, 0x40)
    root = ET.fromstring(info[8:])
    assert root.tag == "{http://schemas.microsoft.com/office/2006/encryption}encryption"
    key_data = root.find("{http://schemas.microsoft.com/office/2006/encryption}keyData")
    assert key_data is not None and key_data.get("cipherAlgorithm") == "AES"
    assert len(base64.b64decode(key_data.get("saltValue", ""))) == 16
    (plain_size,) = struct.unpack_from("<Q", package, 0)
    assert plain_size > 1000 and len(package) - 8 == -(-plain_size // 16) * 16
    assert b"[Content_Types]" not in package
    assert "Microsoft.Container.DataSpaces".encode("utf-16-le") in version


def test_encrypted_xlsx_decrypts_with_msoffcrypto(tmp_path: Path) -> None:
    pytest.importorskip("cryptography")  # without it the payload is only a stand-in
    msoffcrypto = pytest.importorskip("msoffcrypto")
    import openpyxl

    p = m.make_encrypted_xlsx(
        tmp_path / "e.xlsx", "口令123", {"表": [["身份证号码"], ["110101199003074477"]]}
    )
    with p.open("rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        office.load_key(password="口令123", verify_password=True)
        out = io.BytesIO()
        office.decrypt(out, verify_integrity=True)
    ws = openpyxl.load_workbook(out)["表"]
    assert ws["A2"].value == "110101199003074477"
    with p.open("rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        with pytest.raises(Exception, match=r"(?i)verif|password|key"):
            office.load_key(password="wrong", verify_password=True)


# --------------------------------------------------------------------------- the CFB writer itself


def check_red_black(ole: olefile.OleFileIO) -> None:
    """Every storage's children form a binary search tree ordered as [MS-CFB] 2.6.4 says,
    with a black top, no red node under a red one and equal black heights."""
    entries = ole.direntries
    for storage in entries:
        if storage is None or storage.entry_type not in (1, 5):
            continue

        def walk(sid: int, parent_red: bool) -> tuple[int, list[tuple[int, str]]]:
            if sid == olefile.NOSTREAM:
                return 1, []
            node = entries[sid]
            red = node.color == 0
            assert not (red and parent_red), "red node under a red node"
            left_black, left_keys = walk(node.sid_left, red)
            right_black, right_keys = walk(node.sid_right, red)
            assert left_black == right_black, "unequal black heights"
            key = (len(node.name), node.name.upper())
            return left_black + (0 if red else 1), [*left_keys, key, *right_keys]

        if storage.sid_child != olefile.NOSTREAM:
            assert entries[storage.sid_child].color == 1
        _, keys = walk(storage.sid_child, True)
        assert keys == sorted(keys) and len(keys) == len(set(keys))


def test_cfb_streams_of_every_size(tmp_path: Path) -> None:
    import random

    rnd = random.Random(1)
    streams = {
        "empty": b"",
        "one": b"1",
        "mini_max": rnd.randbytes(4095),
        "cutoff": rnd.randbytes(4096),
        "regular": rnd.randbytes(4097),
        "Storage/Inner/deep": rnd.randbytes(100),
        "Storage/big": rnd.randbytes(70_000),
        **{f"s{i:02d}": rnd.randbytes(rnd.randrange(0, 6000)) for i in range(40)},
    }
    p = m.make_ole(tmp_path / "x.ole", streams)
    assert p.stat().st_size % 512 == 0
    assert mime(p) == "application/x-ole-storage"
    with open_ole(p) as ole:
        assert streams_of(ole) == set(streams)
        for name, data in streams.items():
            assert ole.openstream(name).read() == data, name
            assert ole.get_size(name) == len(data)
        assert ole.get_type("Storage") == olefile.STGTY_STORAGE
        check_red_black(ole)


def test_cfb_large_file_uses_difat(tmp_path: Path) -> None:
    big = bytes(range(256)) * (8 * 4096)  # 8 MiB: more than the header's 109 FAT sectors can map
    p = tmp_path / "big.ole"
    p.write_bytes(build_cfb({"Big": big, "small": b"abc"}))
    num_difat = struct.unpack_from("<I", p.read_bytes(), 0x48)[0]
    assert num_difat >= 1
    with open_ole(p) as ole:
        assert ole.openstream("Big").read() == big and ole.openstream("small").read() == b"abc"


def test_cfb_rejects_bad_names() -> None:
    with pytest.raises(ValueError):
        build_cfb({"x" * 32: b""})
    with pytest.raises(ValueError):
        build_cfb({"a/": b""})
    with pytest.raises(ValueError):
        build_cfb({"a": b"", "a/b": b""})


# --------------------------------------------------------------------------- images


def test_jpeg(tmp_path: Path) -> None:
    from PIL import Image

    p = m.make_jpeg(tmp_path / "营业执照.jpg", text="营业执照 副本")
    assert mime(p) == "image/jpeg"
    assert 100_000 < p.stat().st_size < 2_000_000
    with Image.open(p) as im:
        assert im.format == "JPEG" and im.size == (1240, 1754)
        assert tuple(round(v) for v in im.info["dpi"]) == (300, 300)
    small = m.make_jpeg(tmp_path / "small.jpg", 400, 300, quality=60, dpi=72)
    assert small.stat().st_size < 100_000
    big = m.make_jpeg(tmp_path / "big.jpg", 2480, 3508, quality=95)
    assert big.stat().st_size > 2_000_000


def test_png(tmp_path: Path) -> None:
    from PIL import Image

    p = m.make_png(tmp_path / "截图.png", 800, 600, dpi=96)
    assert mime(p) == "image/png"
    with Image.open(p) as im:
        assert im.format == "PNG" and im.size == (800, 600)
        assert tuple(round(v) for v in im.info["dpi"]) == (96, 96)


def test_heic_header(tmp_path: Path) -> None:
    p = m.make_heic_header(tmp_path / "IMG_0001.HEIC")
    data = p.read_bytes()
    assert data[4:12] == b"ftypheic" and b"mif1" in data[:32]
    assert mime(p) == "image/heic"


# --------------------------------------------------------------------------- zip family


def test_ofd(tmp_path: Path) -> None:
    p = m.make_ofd(tmp_path / "电子营业执照.ofd", text="电子营业执照")
    ns = {"ofd": "http://www.ofdspec.org/2016"}
    with zipfile.ZipFile(p) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        assert names[0] == "OFD.xml" and "Doc_0/Document.xml" in names
        root = ET.fromstring(zf.read("OFD.xml"))
        doc_root = root.findtext("ofd:DocBody/ofd:DocRoot", namespaces=ns)
        assert doc_root == "Doc_0/Document.xml"
        page = ET.fromstring(zf.read("Doc_0/Pages/Page_0/Content.xml"))
        assert page.findtext(".//ofd:TextCode", namespaces=ns) == "电子营业执照"
    assert mime(p) == "application/zip"


def test_zip_utf8_and_gbk_names(tmp_path: Path) -> None:
    entries = {"材料/": b"", "材料/01_营业执照.pdf": b"%PDF-1.4 fake", "readme.txt": b"hello " * 100}
    utf8 = m.make_zip(tmp_path / "utf8.zip", entries)
    with zipfile.ZipFile(utf8) as zf:
        assert zf.namelist() == list(entries)
        info = zf.getinfo("材料/01_营业执照.pdf")
        assert info.flag_bits & 0x800
        assert zf.read(info) == b"%PDF-1.4 fake"
        assert zf.getinfo("材料/").is_dir()
        assert zf.getinfo("readme.txt").compress_type == zipfile.ZIP_DEFLATED
        assert zf.testzip() is None

    gbk = m.make_zip(tmp_path / "gbk.zip", entries, gbk_names=True)
    assert "材料/01_营业执照.pdf".encode("gbk") in gbk.read_bytes()
    with zipfile.ZipFile(gbk) as zf:  # the default reading shows mojibake
        assert "材料/01_营业执照.pdf" not in zf.namelist()
        assert all(not info.flag_bits & 0x800 for info in zf.infolist())
    with zipfile.ZipFile(gbk, metadata_encoding="gbk") as zf:
        assert zf.namelist() == list(entries)
        assert zf.read("readme.txt") == b"hello " * 100
        assert zf.testzip() is None
    assert mime(gbk) == "application/zip"


def test_zip_bomb(tmp_path: Path) -> None:
    start = time.perf_counter()
    p = m.make_zip_bomb(tmp_path / "bomb.xlsx")
    elapsed = time.perf_counter() - start
    assert elapsed < 3
    assert p.stat().st_size < 2 * MiB
    assert mime(p) == XLSX_MIME
    with zipfile.ZipFile(p) as zf:
        names = zf.namelist()
        assert names[0] == "[Content_Types].xml" and "xl/workbook.xml" in names
        sheet = zf.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.file_size >= 500 * MiB
        assert sum(i.file_size for i in zf.infolist()) / p.stat().st_size > 500
        with zf.open(sheet) as fh:  # the stream is valid deflate: read the start only
            assert fh.read(4096).startswith(b"<?xml")


def test_zip_bomb_inflates_completely(tmp_path: Path) -> None:
    p = m.make_zip_bomb(tmp_path / "small.xlsx", unzipped_mb=3)
    with zipfile.ZipFile(p) as zf:
        data = zf.read("xl/worksheets/sheet1.xml")  # checks the CRC too
        ET.fromstring(zf.read("[Content_Types].xml"))
    assert len(data) >= 3 * MiB
    root = ET.fromstring(data)
    assert root.tag.endswith("worksheet") and len(root[0]) > 50
    plain = m.make_zip_bomb(tmp_path / "plain.zip", unzipped_mb=2, as_xlsx=False)
    with zipfile.ZipFile(plain) as zf:
        assert zf.namelist() == ["data.txt"] and len(zf.read("data.txt")) >= 2 * MiB
    with pytest.raises(ValueError):
        m.make_zip_bomb(tmp_path / "too_big.zip", unzipped_mb=5000)


# --------------------------------------------------------------------------- plain files


def test_html_csv_empty(tmp_path: Path) -> None:
    html = m.make_html(tmp_path / "名单.xls", rows=[["姓名", "身份证号码"], ["张三", "110101199003074477"]])
    assert mime(html) == "text/html"
    assert "110101199003074477" in html.read_text(encoding="utf-8")

    rows = [["姓名", "入职日期", "人数"], ["张三", dt.date(2020, 1, 2), 3], ["李四", None, 4]]
    p = m.make_csv(tmp_path / "a.csv", rows)
    with p.open(encoding="utf-8", newline="") as fh:
        assert list(csv.reader(fh)) == [
            ["姓名", "入职日期", "人数"],
            ["张三", "2020-01-02", "3"],
            ["李四", "", "4"],
        ]
    assert p.read_bytes().count(b"\r\n") == 3
    gbk = m.make_csv(tmp_path / "gbk.csv", rows, encoding="gbk")
    assert gbk.read_bytes().decode("gbk").startswith("姓名")

    empty = m.make_empty(tmp_path / "empty.pdf")
    assert empty.stat().st_size == 0 and mime(empty) == "inode/x-empty"


# --------------------------------------------------------------------------- determinism

DETERMINISTIC: dict[str, Callable[[Path], Path]] = {
    "pdf": lambda p: m.make_pdf(p, 2, "确定性"),
    "pdf_owner": lambda p: m.make_pdf(p, text="限制编辑", owner_password="o"),
    "pdf_user": lambda p: m.make_pdf(p, text="加密", user_password="u"),
    "scanned_pdf": m.make_scanned_pdf,
    "truncated_pdf": m.make_truncated_pdf,
    "bad_xref_pdf": m.make_pdf_with_bad_xref,
    "xlsx": lambda p: m.make_xlsx(p, {"人员名单": m.make_roster_rows(10, "某公司")}, text_columns={2, 7}),
    "docx": lambda p: m.make_docx(p, ["一", "二"]),
    "xls": m.make_xls,
    "doc": m.make_doc,
    "ppt": m.make_ppt,
    "wps": m.make_wps,
    "et": m.make_et,
    "dps": m.make_dps,
    "ole": lambda p: m.make_ole(p, {"A": b"a" * 5000, "B/C": b"c"}),
    "encrypted_xlsx": m.make_encrypted_xlsx,
    "jpeg": lambda p: m.make_jpeg(p, 300, 400),
    "png": lambda p: m.make_png(p, 300, 400),
    "heic": m.make_heic_header,
    "ofd": m.make_ofd,
    "zip": lambda p: m.make_zip(p, {"中文.txt": b"x"}, gbk_names=True),
    "zip_bomb": lambda p: m.make_zip_bomb(p, 5),
    "html": m.make_html,
    "csv": lambda p: m.make_csv(p, [["a", 1]]),
}


@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_deterministic(tmp_path: Path, name: str) -> None:
    first = DETERMINISTIC[name](tmp_path / "one" / f"{name}.bin").read_bytes()
    second = DETERMINISTIC[name](tmp_path / "two" / f"{name}.bin").read_bytes()
    assert first == second
    assert first  # every one of these writes something


def test_encrypted_xlsx_without_cryptography(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the optional cryptography package the same structure is written (stand-in payload)."""
    import sys

    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.ciphers", None)
    p = m.make_encrypted_xlsx(tmp_path / "a.xlsx")
    assert p.read_bytes() == m.make_encrypted_xlsx(tmp_path / "b.xlsx").read_bytes()
    assert mime(p) == "application/encrypted"
    with open_ole(p) as ole:
        assert {"EncryptionInfo", "EncryptedPackage"} <= streams_of(ole)
        package = ole.openstream("EncryptedPackage").read()
    (plain_size,) = struct.unpack_from("<Q", package, 0)
    assert len(package) - 8 == -(-plain_size // 16) * 16
