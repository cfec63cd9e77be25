"""A zip checked as the folder it stands for, through the real CLI, on zips written byte by byte
the way real tools write them (Chinese Windows: CP936 names, no UTF-8 flag) and the way hostile
ones are built (bombs, ../ members, links, passwords, overlapping entries)."""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import subprocess
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixtures import makers as mk
from tests.conftest import run_cli
from tests.packs import build_pack


@dataclass
class Member:
    name: str
    data: bytes = b""
    gbk: bool = False  # CP936 bytes, flag bit 11 clear (Windows' built-in zip)
    unicode_extra: bool = False  # plus the Info-ZIP 0x7075 UTF-8 copy (Windows 10+)
    flags: int = 0
    mode: int | None = None  # unix mode in the external attributes (symlinks: 0o120777)
    declared_size: int | None = None  # lie about the uncompressed size
    offset: int | None = None  # point the central entry at another member's local header


def write_zip(path: Path, members: Sequence[Member]) -> Path:
    out, central, offsets = bytearray(), bytearray(), []
    for m in members:
        raw = m.name.encode("gbk") if m.gbk else m.name.encode("utf-8")
        flags = m.flags | (0 if m.gbk or raw.isascii() else 0x800)
        extra = b""
        if m.unicode_extra:
            body = b"\x01" + struct.pack("<L", zlib.crc32(raw)) + m.name.encode("utf-8")
            extra = struct.pack("<HH", 0x7075, len(body)) + body
        comp = zlib.compress(m.data, 9)[2:-4] if m.data else b""
        method = 8 if m.data else 0
        crc = zlib.crc32(m.data)
        size = m.declared_size if m.declared_size is not None else len(m.data)
        offset = len(out)
        offsets.append(offset)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, len(comp), size,
                           len(raw), len(extra)) + raw + extra + comp
        at = offsets[m.offset] if m.offset is not None else offset
        system = 3 if m.mode is not None else 0
        attr = (m.mode << 16) if m.mode is not None else (0x10 if m.name.endswith("/") else 0x20)
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", (system << 8) | 20, 20, flags, method, 0, 0x21, crc,
                               len(comp), size, len(raw), len(extra), 0, 0, 0, attr, at) + raw + extra
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def zip_folder(folder: Path, dest: Path, *, top: str = "", gbk: bool = False, unicode_extra: bool = False,
               extra: Sequence[Member] = ()) -> Path:
    members = [Member(top, gbk=gbk)] if top else []
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            rel = top + p.relative_to(folder).as_posix()
            members.append(Member(rel, p.read_bytes(), gbk=gbk, unicode_extra=unicode_extra))
    return write_zip(dest, [*members, *extra])


def check(target: Path, *args: str) -> tuple[int, dict]:
    proc = run_cli("check", str(target), "--format", "json", "--lang", "en", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def defects(report: dict) -> set[tuple[str, str, str]]:
    return {(d["code"], d["path"], json.dumps(d.get("location"), ensure_ascii=False))
            for p in report["packages"] for d in p["defects"]}


def codes_at(report: dict, path: str) -> list[str]:
    return sorted(d["code"] for p in report["packages"] for d in p["defects"] if d["path"] == path)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The core pack with a clerk's mistakes: a copy marker, a JPEG named .pdf, a missing
    document, an ID typed as a number, a stray file."""
    folder = build_pack(tmp_path_factory.mktemp("messy") / "材料")
    (folder / "03_经营许可证_正文.pdf").rename(folder / "03_经营许可证_正文(1).pdf")
    (folder / "08_股权结构.pdf").unlink()
    (folder / "06_网络与信息安全保障措施.pdf").unlink()
    mk.make_jpeg(folder / "06_网络与信息安全保障措施.pdf", 300, 300, seed=3)
    (folder / "说明.txt").write_text("备注", encoding="utf-8")
    return folder


@pytest.mark.parametrize("style", ["windows-gbk", "windows-gbk-unicode-extra", "utf8-flag"])
def test_a_zip_gives_the_folders_defects_and_is_left_untouched(messy: Path, tmp_path: Path, style: str) -> None:
    _, folder_report = check(messy, "--spec", "core")
    archive = zip_folder(messy, tmp_path / "材料.zip", top="材料/", gbk=style.startswith("windows"),
                         unicode_extra=style.endswith("extra"))
    before, stamp = sha(archive), archive.stat().st_mtime_ns
    code, zip_report = check(archive, "--spec", "core")
    assert code == 1
    got = defects(zip_report)
    gbk_note = {d for d in got if d[0] == "Z112"}
    assert gbk_note == ({("Z112", "", "null")} if style == "windows-gbk" else set())
    assert got - gbk_note == defects(folder_report)
    assert {"N107", "T102", "D101", "D104"} <= {d[0] for d in got}
    assert zip_report["packages"][0]["files"] == folder_report["packages"][0]["files"]
    assert sha(archive) == before and archive.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in tmp_path.iterdir()) == ["材料.zip"]  # nothing extracted beside it


def test_client_yaml_inside_the_zip_gives_the_values(tmp_path: Path) -> None:
    folder = build_pack(tmp_path / "clean")
    _, with_yaml = check(zip_folder(folder, tmp_path / "with.zip", top="材料/"), "--spec", "core")
    assert codes_of_all(with_yaml) == [], with_yaml
    (folder / "client.yaml").unlink()
    _, without = check(zip_folder(folder, tmp_path / "without.zip"), "--spec", "core")
    assert "V101" in codes_at(without, "")


def codes_of_all(report: dict) -> list[str]:
    return sorted(d["code"] for p in report["packages"] for d in p["defects"])


def _pack_with(tmp_path: Path, *extra: Member) -> Path:
    folder = build_pack(tmp_path / "clean")
    return zip_folder(folder, tmp_path / "pack.zip", extra=extra)


def test_bomb_traversal_link_and_password_members_are_defects_and_not_read(tmp_path: Path) -> None:
    bomb = b"0" * (8 << 20)
    archive = _pack_with(
        tmp_path,
        Member("说明.txt", bomb),
        Member("../../evil.pdf", b"%PDF-1.4 x"),
        Member("/etc/cron.d/x", b"x"),
        Member("10_社保缴纳证明_3.jpg", b"/etc/passwd", mode=0o120777),
        Member("10_社保缴纳证明_4.jpg", b"\xff\xd8\xff" + b"x" * 100, flags=0x1),
    )
    _, report = check(archive, "--spec", "core")
    assert "Z103" in codes_at(report, "说明.txt")
    unsafe = [d["params"]["member"] for p in report["packages"] for d in p["defects"] if d["code"] == "Z106"]
    assert sorted(unsafe) == ["../../evil.pdf", "/etc/cron.d/x"]
    assert not [d for p in report["packages"] for d in p["defects"] if "evil" in d["path"] or "cron" in d["path"]]
    assert codes_at(report, "10_社保缴纳证明_3.jpg") == ["Z107"]
    assert codes_at(report, "10_社保缴纳证明_4.jpg") == ["Z108"]


def test_a_member_name_with_a_nul_is_a_defect_and_not_read(tmp_path: Path) -> None:
    # Python's zipfile, like some unpackers, cuts the name at the NUL ("10_社保缴纳证明_9.pdf"), others keep it.
    archive = _pack_with(tmp_path, Member("10_社保缴纳证明_9.pdf\x00.exe", b"MZ" + b"\x00" * 200))
    code, report = check(archive, "--spec", "core")
    found = [d for p in report["packages"] for d in p["defects"] if d["code"] == "Z117"]
    assert [d["params"]["member"] for d in found] == ["10_社保缴纳证明_9.pdf\x00.exe"]
    assert not [d for p in report["packages"] for d in p["defects"] if d["path"].startswith("10_社保缴纳证明_9")]
    text = run_cli("check", str(archive), "--spec", "core", "--lang", "zh").stdout
    assert "名称里有空字符" in text and "\x00" not in text
    assert code == 1


@pytest.mark.skipif(shutil.which("zip") is None, reason="Info-ZIP zip not installed")
def test_a_password_protected_zip_made_by_info_zip(tmp_path: Path) -> None:
    folder = build_pack(tmp_path / "clean")
    archive = tmp_path / "locked.zip"
    subprocess.run(["zip", "-q", "-r", "-P", "secret", str(archive), "."], cwd=folder, check=True)
    code, report = check(archive, "--spec", "core")
    assert code == 1
    assert codes_at(report, "01_年报承诺书.pdf") == ["Z108"]


def test_declared_sizes_bound_the_whole_archive(tmp_path: Path) -> None:
    archive = _pack_with(tmp_path, Member("a.txt", b"x", declared_size=1_500 << 20),
                         Member("b.txt", b"y", declared_size=1_500 << 20))
    code, report = check(archive, "--spec", "core")
    assert code == 1 and codes_at(report, "")[:1] and "Z104" in codes_at(report, "")
    assert report["packages"][0]["files"] == 0


def test_overlapping_entries_are_refused(tmp_path: Path) -> None:
    kernel = b"A" * 5000
    archive = write_zip(tmp_path / "overlap.zip",
                        [Member("01_年报承诺书.pdf", kernel), Member("02.pdf", kernel, offset=0)])
    _, report = check(archive, "--spec", "core")
    assert "Z105" in codes_at(report, "")


def test_a_cut_short_zip_is_damaged_not_a_crash(tmp_path: Path) -> None:
    whole = _pack_with(tmp_path).read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole[: len(whole) // 2])
    code, report = check(cut, "--spec", "core")
    assert code == 1 and "Z101" in codes_at(report, "")


def test_duplicate_and_case_duplicate_names(tmp_path: Path) -> None:
    archive = _pack_with(tmp_path, Member("说明.txt", b"one"), Member("说明.txt", b"two"),
                         Member("Readme.TXT", b"a"), Member("readme.txt", b"b"))
    _, report = check(archive, "--spec", "core")
    assert {"Z110", "Z111"} <= set(codes_at(report, ""))
    assert codes_at(report, "说明.txt") == ["D104"]  # listed once: the last copy, as unzipping leaves it


def _jpeg(seed: int) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.jpg"
        mk.make_jpeg(p, 900, 700, seed=seed + 10)
        return p.read_bytes()


def test_a_zip_of_screenshots_in_a_folder_is_opened_one_level(tmp_path: Path) -> None:
    folder = tmp_path / "cc"
    shutil.copytree(Path(__file__).parent.parent / "fixtures/examples/call-center-clean", folder)
    shots = sorted(folder.glob("13_系统截图_*"))
    inner = write_zip(tmp_path / "deeper.zip", [Member("x.txt", b"x")]).read_bytes()
    write_zip(folder / "截图.zip",
              [*(Member(p.name, p.read_bytes()) for p in shots), Member("更多.zip", inner)])
    for p in shots:
        p.unlink()
    _, report = check(folder, "--spec", "call-center")
    assert "D102" not in codes_at(report, "")  # the four screenshots are counted where they are
    assert codes_at(report, "截图.zip") == ["Z116"]
    assert "Z109" in codes_at(report, "截图.zip/更多.zip")
    docs = {d["id"]: d["files"] for d in report["packages"][0]["documents"]}
    assert docs["system_screenshots"] == sorted(f"截图.zip/{p.name}" for p in shots)


def test_a_document_that_allows_zip_with_unpack_keeps_the_zip(tmp_path: Path, write_spec) -> None:
    spec = write_spec(
        "id: z\ntitle: z\ndocuments:\n"
        "  - {id: shots, title: 截图包, name: '截图.zip', types: [zip], unpack: true}\n"
        "  - {id: shot, title: 截图, name: '13_系统截图_*.jpg', types: [jpg], count: 1+}\n"
    )
    folder = tmp_path / "p"
    folder.mkdir()
    write_zip(folder / "截图.zip", [Member("13_系统截图_IVR.jpg", _jpeg(1)), Member("13_系统截图_坏.jpg", b"%PDF-1.4")])
    _, report = check(folder, "--spec", str(spec))
    assert codes_at(report, "截图.zip") == []
    assert codes_at(report, "截图.zip/13_系统截图_坏.jpg") == ["T102"]
    docs = {d["id"]: d["files"] for d in report["packages"][0]["documents"]}
    assert docs == {"shots": ["截图.zip"], "shot": ["截图.zip/13_系统截图_IVR.jpg", "截图.zip/13_系统截图_坏.jpg"]}


def test_a_file_that_is_no_zip_is_a_usage_error(tmp_path: Path) -> None:
    f = tmp_path / "x.pdf"
    mk.make_pdf(f, 1, "x")
    proc = run_cli("check", str(f), "--spec", "core")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_batch_takes_zipped_packs_beside_folders(tmp_path: Path) -> None:
    root = tmp_path / "clients"
    root.mkdir()
    a = build_pack(root / "甲公司")
    zip_folder(a, root / "乙公司.zip", gbk=True)
    proc = run_cli("batch", str(root), "--executor", "serial", "--quiet", "-f", "json", "--lang", "en")
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    rows = {r["client"]: r for r in report["rollup"]}
    assert set(rows) == {"甲公司", "乙公司"}
    by_client = {p["client"]: p for p in report["packages"]}
    plain = {(d["code"], d["path"]) for d in by_client["甲公司"]["defects"]}
    zipped = {(d["code"], d["path"]) for d in by_client["乙公司"]["defects"] if d["code"] != "Z112"}
    assert plain == zipped and by_client["乙公司"]["files"] == by_client["甲公司"]["files"]


def test_the_cache_gives_a_zip_the_same_report(messy: Path, tmp_path: Path) -> None:
    archive = zip_folder(messy, tmp_path / "pack.zip")
    env = {"VALIDATOR_CACHE_DIR": str(tmp_path / "cache")}
    plain = run_cli("check", str(archive), "--spec", "core", "-f", "json", "--lang", "en")
    runs = [run_cli("check", str(archive), "--spec", "core", "--cache", "-f", "json", "--lang", "en", env=env)
            for _ in range(2)]
    assert all(json.loads(r.stdout)["packages"][0]["defects"] == json.loads(plain.stdout)["packages"][0]["defects"]
               for r in runs)


def test_a_zip_inside_a_zipped_pack_is_opened_one_level(tmp_path: Path) -> None:
    folder = tmp_path / "cc"
    shutil.copytree(Path(__file__).parent.parent / "fixtures/examples/call-center-clean", folder)
    shots = sorted(folder.glob("13_系统截图_*"))
    write_zip(folder / "截图.zip", [Member(p.name, p.read_bytes(), gbk=True) for p in shots])
    for p in shots:
        p.unlink()
    archive = zip_folder(folder, tmp_path / "pack.zip", top="cc/", gbk=True)
    _, report = check(archive, "--spec", "call-center")
    assert codes_at(report, "截图.zip") == ["Z112", "Z116"]
    docs = {d["id"]: d["files"] for d in report["packages"][0]["documents"]}
    assert docs["system_screenshots"] == sorted(f"截图.zip/{p.name}" for p in shots)
    assert "D102" not in codes_at(report, "")


def test_the_cache_keeps_what_a_zip_in_the_folder_holds_until_the_zip_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.hook.conftest import settle
    from validator.api import check_folder
    from validator.cache import PackageCache, ZipRecord
    from validator.formats.json import to_dict
    from validator.incremental import check_folder_cached
    from validator.model import Report
    from validator.packsource import NestedZip
    from validator.spec import load_spec

    monkeypatch.setenv("VALIDATOR_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "cc"
    shutil.copytree(Path(__file__).parent.parent / "fixtures/examples/call-center-clean", folder)
    shots = sorted(folder.glob("13_系统截图_*"))
    members = [Member(p.name, p.read_bytes()) for p in shots]
    write_zip(folder / "截图.zip", members)
    for p in shots:
        p.unlink()
    spec = load_spec("call-center")
    settle(folder)

    def reports() -> tuple[dict, dict]:
        cached = to_dict(Report((check_folder_cached(str(folder), spec),), lang="en"))["packages"]
        return cached, to_dict(Report((check_folder(str(folder), spec),), lang="en"))["packages"]

    def shots_found(packages: list[dict]) -> list[str]:
        return next(d["files"] for d in packages[0]["documents"] if d["id"] == "system_screenshots")

    def stored() -> ZipRecord | None:
        cache = PackageCache.open(str(folder))
        assert cache is not None
        return cache.zip_record("截图.zip")

    cached, plain = reports()
    assert cached == plain
    record = stored()  # what the zip holds is kept, under the zip's stamp
    assert record is not None and not record.nested.keep
    assert [e.rel for e in record.nested.entries] == [f"截图.zip/{p.name}" for p in shots]
    assert reports()[0] == plain  # ...and the second run, from the record, gives the same report

    # The record is what a run believes while the zip's stamp vouches for it (the archive is not
    # opened): one that says "a kept zip, nothing in it" shows in the report.
    cache = PackageCache.open(str(folder))
    assert cache is not None
    cache.keep_zip("截图.zip", record._replace(nested=NestedZip(record.nested.path, True)))
    cache.save()
    believed = to_dict(Report((check_folder_cached(str(folder), spec),), lang="en"))["packages"]
    assert shots_found(believed) == [] and shots_found(plain) == [f"截图.zip/{p.name}" for p in shots]

    # A changed zip (one screenshot fewer) is opened again: the report follows it.
    write_zip(folder / "截图.zip", members[1:])
    cached, plain = reports()
    assert cached == plain and shots_found(cached) == [f"截图.zip/{p.name}" for p in shots[1:]]
    record = stored()
    assert record is not None and len(record.nested.entries) == len(shots) - 1

    # A damaged record (an entry that is not an Entry) counts as absent, never as the listing.
    cache = PackageCache.open(str(folder))
    assert cache is not None
    cache.keep_zip("截图.zip", record._replace(nested=NestedZip(record.nested.path, False, ("x",))))  # type: ignore[arg-type]
    cache.save()
    assert stored() is None
    assert reports()[0] == plain
