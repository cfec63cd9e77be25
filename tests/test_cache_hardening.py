"""The cache's own files: only a real directory of this user's, writable by nobody else, is
read or written, also when the directory is swapped for a link between check and use."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from validator import cache
from validator.cache import PackageCache, load_blob, safe_directory, write_blob


def test_safe_directory(tmp_path: Path) -> None:
    assert not safe_directory(tmp_path / "packages", create=False)
    assert safe_directory(tmp_path / "packages", create=True)
    assert (tmp_path / "packages").stat().st_mode & 0o777 == 0o700
    os.chmod(tmp_path / "packages", 0o777)
    assert not safe_directory(tmp_path / "packages", create=False)
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    assert not safe_directory(tmp_path / "link", create=True)


def test_a_directory_swapped_for_a_link_after_the_check_is_not_used(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    materials = tmp_path / "materials"
    materials.mkdir()
    (materials / "k.pickle").write_bytes(pickle.dumps({"planted": True}))
    directory = tmp_path / "cache" / "packages"
    directory.mkdir(parents=True, mode=0o700)
    checked = safe_directory

    def check_then_swap(path: Path, create: bool) -> bool:  # the attacker wins the race
        ok = checked(path, create)
        if path.exists() and not path.is_symlink():
            path.rename(path.with_name("moved"))
            path.symlink_to(materials)
        return ok

    monkeypatch.setattr(cache, "safe_directory", check_then_swap)
    assert write_blob(directory / "new.pickle", {"a": 1}) is False
    assert sorted(p.name for p in materials.iterdir()) == ["k.pickle"]
    directory.unlink()
    directory.with_name("moved").rename(directory)
    assert load_blob(directory / "k.pickle") is None


def test_forged_inner_types_are_a_damaged_entry(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    entry = PackageCache(str(folder), tmp_path / "cache")
    content = cache._Content()
    content.records = {
        "good.pdf": cache.Record(cache.Stamp(1, 2, 3, 4), 5, "digest"),
        "bad.pdf": cache.Record(cache.Stamp("1", 2, 3, 4), 5, "digest"),  # type: ignore[arg-type]
        "worse.pdf": cache.Record(cache.Stamp(1, 2, 3, 4), 5, "digest", outcome="not an outcome"),  # type: ignore[arg-type]
    }
    content.client = cache.ClientRecord(cache.Stamp(1, 2, 3, 4), 5, "d", {"company": 7}, None)  # type: ignore[dict-item]
    assert write_blob(entry.path, content)
    reloaded = PackageCache(str(folder), tmp_path / "cache")
    assert reloaded.get("good.pdf") is not None
    assert reloaded.get("bad.pdf") is None and reloaded.get("worse.pdf") is None and reloaded.client() is None
