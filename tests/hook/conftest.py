"""Shared by the hook and cache tests: a realistic materials pack made of real files
(fixtures.makers), a cache directory outside it, and helpers to compare runs."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.packs import CLIENT, COMPANY, USCC, build_pack  # noqa: F401 - re-exported for the hook tests

# A spec that extends another through a relative path: editing the parent must reach the cache.
PARENT_SPEC = "extends: core\nid: parent\ntitle: 上级规范\n"
CHILD_SPEC = "extends: ./parent.yaml\nid: child\ntitle: 本地规范\n"


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
