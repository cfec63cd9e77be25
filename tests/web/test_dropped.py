"""A dropped zip of several clients' folders is written out for `batch` through the engine's zip
reader, or refused with the reader's code, before a byte lands outside its folder: real archives,
built byte for byte (tests.test_zip_packs.write_zip) where zipfile would not write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_zip_packs import Member, write_zip
from validator.web.dropped import RefusedZip, unpack_clients


def refused(tmp_path: Path, *members: Member) -> str:
    dest = tmp_path / "out"
    dest.mkdir(exist_ok=True)
    with pytest.raises(RefusedZip) as caught:
        unpack_clients(str(write_zip(tmp_path / "drop.zip", members)), str(dest))
    assert not (tmp_path / "evil.pdf").exists() and not (tmp_path.parent / "evil.pdf").exists()
    assert not list(dest.iterdir())  # refused before a byte is written
    return str(caught.value)


def test_the_folder_a_zip_holds_is_the_root_and_gbk_names_are_decoded(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "drop.zip", [
        Member("客户材料/甲/client.yaml", b"company: x\n", gbk=True),
        Member("客户材料/乙/营业执照.pdf", b"%PDF-1.4\n", unicode_extra=True),
    ])
    dest = tmp_path / "out"
    dest.mkdir()
    root = Path(unpack_clients(str(archive), str(dest)))
    assert root == dest / "客户材料"
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == [
        "客户材料/乙/营业执照.pdf", "客户材料/甲/client.yaml"]
    assert (root / "乙" / "营业执照.pdf").read_bytes() == b"%PDF-1.4\n"


@pytest.mark.parametrize(("member", "code"), [
    (Member("../evil.pdf", b"x"), "Z106 ../evil.pdf"),
    (Member("/etc/evil.pdf", b"x"), "Z106 /etc/evil.pdf"),
    (Member("a/link.pdf", b"/etc/passwd", mode=0o120777), "Z107 a/link.pdf"),
    (Member("a/locked.pdf", b"x" * 100, flags=0x1), "Z108 a/locked.pdf"),
    (Member("a/bomb.txt", b"0" * (8 << 20)), "Z103 a/bomb.txt"),
])
def test_what_the_zip_reader_flags_refuses_the_zip(tmp_path: Path, member: Member, code: str) -> None:
    assert refused(tmp_path, Member("a/client.yaml", b"company: x\n"), member) == code


def test_duplicate_names_and_overlapping_entries_are_refused(tmp_path: Path) -> None:
    assert refused(tmp_path, Member("a/x.pdf", b"1"), Member("a/X.PDF", b"2")).startswith("Z111")
    kernel = b"A" * 5000
    assert refused(tmp_path, Member("a/1.pdf", kernel), Member("a/2.pdf", kernel, offset=0)).startswith("Z105")


def test_not_a_zip_is_refused(tmp_path: Path) -> None:
    (tmp_path / "drop.zip").write_bytes(b"%PDF-1.4 not a zip")
    (tmp_path / "out").mkdir()
    with pytest.raises(RefusedZip, match="Z101"):
        unpack_clients(str(tmp_path / "drop.zip"), str(tmp_path / "out"))
