"""A folder's cache files are named by its real path, resolved once per process: a link to the
folder retargeted meanwhile leads to the old target's files, whose records the new content's
stamps and hashes never match, so nothing stale is believed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.hook.conftest import copy_pack, settle
from validator.api import check_folder
from validator.cache import PackageCache
from validator.incremental import check_folder_cached
from validator.spec import load_spec


def test_a_retargeted_link_to_the_folder_never_reuses_the_old_targets_outcomes(
    pack_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VALIDATOR_CACHE_DIR", str(tmp_path / "user-cache"))
    first = copy_pack(pack_template, tmp_path / "first" / "acme")
    second = copy_pack(pack_template, tmp_path / "second" / "acme")
    pdf = next(p for p in sorted(second.iterdir()) if p.suffix == ".pdf")
    pdf.write_bytes(b"not a pdf, same name")  # the second target differs in one file
    extra = next(p for p in sorted(second.iterdir()) if p.suffix == ".xlsx")
    shutil.copyfile(extra, second / "多余的文件.xlsx")
    settle(first, second)
    link = tmp_path / "current"
    link.symlink_to(first)
    spec = load_spec("core")
    assert check_folder_cached(str(link), spec) == check_folder(str(link), spec)
    path_before = PackageCache(str(link), tmp_path / "user-cache").path
    link.unlink()
    link.symlink_to(second)
    assert PackageCache(str(link), tmp_path / "user-cache").path == path_before, "resolved once per process"
    assert check_folder_cached(str(link), spec) == check_folder(str(link), spec)
    assert check_folder_cached(str(link), spec) == check_folder(str(link), spec)
