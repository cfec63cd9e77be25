"""An uploaded zip is unpacked into a private temporary folder, or refused before anything lands
outside it: real archives, built here byte for byte where zipfile would not write them."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from validator.web import unzip
from validator.web.unzip import UnsafeZip, decode_name, unpack


def make_zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def refused(data: bytes, tmp_path: Path) -> str:
    with pytest.raises(UnsafeZip) as caught:
        unpack(io.BytesIO(data), parent=str(tmp_path))
    assert list(tmp_path.iterdir()) == []  # nothing left behind
    return caught.value.reason


def test_a_folder_zip_unpacks_to_that_folder(tmp_path: Path) -> None:
    data = make_zip({"北京示例/01_年报承诺书.pdf": b"%PDF-1.4\n", "北京示例/sub/表.xlsx": b"PK", "北京示例/": b""})
    got = unpack(io.BytesIO(data), parent=str(tmp_path))
    assert Path(got.root).name == "北京示例" and Path(got.root).parent == Path(got.temp)
    assert (Path(got.root) / "01_年报承诺书.pdf").read_bytes() == b"%PDF-1.4\n"
    assert got.members == 2
    assert Path(got.temp).parent == tmp_path


def test_loose_files_unpack_to_the_temp_folder_itself(tmp_path: Path) -> None:
    got = unpack(io.BytesIO(make_zip({"a.pdf": b"1", "b.pdf": b"2"})), parent=str(tmp_path))
    assert got.root == got.temp and sorted(os.listdir(got.root)) == ["a.pdf", "b.pdf"]


@pytest.mark.parametrize("name,reason", [
    ("../evil.txt", "path leaves the folder (..)"),
    ("a/../../evil.txt", "path leaves the folder (..)"),
    ("/etc/evil", "absolute path"),
    ("C:/evil.txt", "absolute path"),
    ("a\\..\\evil.txt", "unsafe name"),
    ("CON.txt", "name not allowed on Windows"),
    ("trailing. ", "name not allowed on Windows"),
])  # fmt: skip
def test_names_that_could_escape_are_refused(name: str, reason: str, tmp_path: Path) -> None:
    assert refused(make_zip({"ok.txt": b"x", name: b"x"}), tmp_path) == reason
    assert not (tmp_path.parent / "evil.txt").exists()


def test_case_and_unicode_form_duplicates_are_refused(tmp_path: Path) -> None:
    assert refused(make_zip({"A.pdf": b"1", "a.PDF": b"2"}), tmp_path) == "duplicate name"
    assert refused(make_zip({"e\u0301.pdf": b"1", "\u00e9.pdf": b"2"}), tmp_path) == "duplicate name"


def test_a_symlink_member_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    assert refused(buf.getvalue(), tmp_path) == "symbolic link"


def test_a_high_ratio_member_is_refused_before_inflating(tmp_path: Path) -> None:
    data = make_zip({"zeros.bin": bytes(8 * 1024 * 1024)})  # ~8 KiB compressed: ratio ~1000
    assert refused(data, tmp_path).startswith("inflation ratio")
    # small members may compress as well as they like
    assert unpack(io.BytesIO(make_zip({"z.txt": bytes(100_000)})), parent=str(tmp_path)).members == 1


def test_limits_on_count_and_total(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    members = {f"f{i}.txt": b"x" for i in range(30)}
    monkeypatch.setattr(unzip, "MAX_MEMBERS", 20)
    assert refused(make_zip(members), tmp_path) == "too many members"
    monkeypatch.setattr(unzip, "MAX_MEMBERS", 5000)
    monkeypatch.setattr(unzip, "MAX_TOTAL_BYTES", 10)
    assert refused(make_zip(members), tmp_path) == "too large when unpacked"


def test_overlapping_members_are_refused(tmp_path: Path) -> None:
    """Two central-directory entries pointing at one local entry (the overlap zip bomb)."""
    data = bytearray(make_zip({"a.txt": b"hello" * 100, "b.txt": b"world" * 100}))
    eocd = data.rfind(b"PK\x05\x06")
    (cd_offset,) = struct.unpack_from("<I", data, eocd + 16)
    first_local = struct.unpack_from("<I", data, cd_offset + 42)[0]
    name_len = struct.unpack_from("<H", data, cd_offset + 28)[0]
    second = cd_offset + 46 + name_len + struct.unpack_from("<HH", data, cd_offset + 30)[0]
    struct.pack_into("<I", data, second + 42, first_local)  # b.txt now points at a.txt's data
    assert refused(bytes(data), tmp_path) == "overlapping members (zip bomb?)"


def test_not_a_zip(tmp_path: Path) -> None:
    assert refused(b"%PDF-1.4 not a zip", tmp_path) == "not a zip file"


def _raw_name_zip(raw: bytes, extra: bytes = b"") -> bytes:
    """One stored member whose name bytes are written as given, without the UTF-8 flag."""
    body = b"data"
    crc = zlib.crc32(body)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, len(body), len(body), len(raw),
                        len(extra)) + raw + extra + body
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, crc, len(body), len(body),
                          len(raw), len(extra), 0, 0, 0, 0, 0) + raw + extra
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local), 0)
    return local + central + end


def test_names_decode_as_their_writers_meant() -> None:
    gbk = "营业执照.pdf".encode("gbk")
    assert _decoded(_raw_name_zip(gbk)) == "营业执照.pdf"  # 7-Zip / Explorer on a Chinese Windows
    assert _decoded(_raw_name_zip("营业执照.pdf".encode())) == "营业执照.pdf"  # Info-ZIP on Linux: no flag
    unicode_path = b"\x01" + struct.pack("<I", zlib.crc32(b"????.pdf")) + "审计报告.pdf".encode()
    extra = struct.pack("<HH", 0x7075, len(unicode_path)) + unicode_path
    assert _decoded(_raw_name_zip(b"????.pdf", extra)) == "审计报告.pdf"  # Explorer's 0x7075 copy
    stale = b"\x01" + struct.pack("<I", 0) + "别的.pdf".encode()
    extra = struct.pack("<HH", 0x7075, len(stale)) + stale
    assert _decoded(_raw_name_zip(b"plain.pdf", extra)) == "plain.pdf"  # CRC mismatch: ignored


def _decoded(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return decode_name(zf.infolist()[0])


def test_gbk_names_land_on_disk_decoded(tmp_path: Path) -> None:
    got = unpack(io.BytesIO(_raw_name_zip("营业执照.pdf".encode("gbk"))), parent=str(tmp_path))
    assert os.listdir(got.root) == ["营业执照.pdf"]
