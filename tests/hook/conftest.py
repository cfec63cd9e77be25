"""Shared by the hook and cache tests: a realistic materials pack made of real files
(fixtures.makers), a cache directory outside it, and helpers to compare runs."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

import pytest

from fixtures import makers as mk

COMPANY = "北京示例科技有限公司"
USCC = "91110108551385082Q"
CLIENT = f"company: {COMPANY}\nuscc: {USCC}\nlicence_no: 京B2-20202418\nyear: '2025'\n"

# A spec that extends another through a relative path: editing the parent must reach the cache.
PARENT_SPEC = "extends: core\nid: parent\ntitle: 上级规范\n"
CHILD_SPEC = "extends: ./parent.yaml\nid: child\ntitle: 本地规范\n"


def build_pack(folder: Path) -> Path:
    """Every core document, correctly named, as real PDFs, a docx, an xlsx roster and image scans."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "client.yaml").write_text(CLIENT, encoding="utf-8")
    mk.make_pdf(folder / "01_年报承诺书.pdf", 1, "年报承诺书 法定代表人签字 公司盖章")
    mk.make_pdf(folder / f"02_营业执照_{COMPANY}.pdf", 1, f"营业执照 {COMPANY} {USCC}")
    mk.make_pdf(folder / "03_经营许可证_正文.pdf", 1, "增值电信业务经营许可证 京B2-20202418")
    mk.make_pdf(folder / "04_审计报告_2025.pdf", 3, "审计报告")
    mk.make_docx(folder / "05_经营情况报告_2025.docx", ["年度经营情况报告", "本年度业务正常开展。"])
    mk.make_pdf(folder / "06_网络与信息安全保障措施.pdf", 2, "网络与信息安全保障措施及执行情况")
    mk.make_pdf(folder / "07_服务质量及投诉处理.pdf", 1, "服务质量及投诉处理情况")
    mk.make_pdf(folder / "08_股权结构.pdf", 1, "股权结构及股东情况")
    mk.make_xlsx(folder / "09_人员名单_2025.xlsx", {"人员名单": mk.make_roster_rows(5, COMPANY)}, text_columns={2, 7})
    mk.make_jpeg(folder / "10_社保缴纳证明.jpg", 600, 800, seed=1)
    mk.make_png(folder / "10_社保缴纳证明_2.png", 300, 400)
    return folder


@pytest.fixture(scope="session")
def pack_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pack(tmp_path_factory.mktemp("template") / "acme")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user cache directory for this test, outside every materials folder."""
    path = tmp_path / "user-cache"
    monkeypatch.setenv("VALIDATOR_CACHE_DIR", str(path))
    return path


def copy_pack(template: Path, dest: Path) -> Path:
    shutil.copytree(template, dest)
    return dest


def settle(*folders: Path) -> None:
    """Wait until every file has stopped changing for longer than the cache's racy window,
    so that the cache may believe stamps (as it would for a real, older folder)."""
    from validator.cache import RACY_NS

    newest = max(max(os.lstat(p).st_ctime_ns, os.lstat(p).st_mtime_ns) for f in folders for p in [f, *f.rglob("*")])
    wait = (newest + RACY_NS) / 1e9 - time.time() + 0.2
    if wait > 0:
        time.sleep(wait)


def fingerprint_tree(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file's size, mtime and content hash: the tool must leave all three alone."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            st = p.stat()
            out[p.relative_to(folder).as_posix()] = (
                st.st_size,
                st.st_mtime_ns,
                hashlib.sha256(p.read_bytes()).hexdigest(),
            )
    return out


def padded(data: bytes, size: int) -> bytes:
    """Bytes after a PDF's %%EOF or a JPEG's end marker are ignored by every reader: two
    different files of exactly the same size."""
    assert len(data) <= size
    return data + b"\0" * (size - len(data))
