"""The cache store: where it lives, what it refuses to read, what it never writes, how it
stays bounded. A bad cache is only a slower run: never a crash, never another result."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from tests.hook.conftest import copy_pack, fingerprint_tree
from validator import cache as cache_module
from validator.api import check_folder
from validator.cache import PackageCache, Record, Stamp, cache_dir, load_blob, prune, write_blob
from validator.incremental import check_folder_cached
from validator.spec import load_spec
from validator.spec_cache import cached_spec, load_spec_cached


def test_cache_dir_follows_env_then_xdg_then_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("VALIDATOR_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache_dir() == tmp_path / "home" / ".cache" / "validator"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "validator"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG spec says: ignore relative paths
    assert cache_dir() == tmp_path / "home" / ".cache" / "validator"
    monkeypatch.setenv("VALIDATOR_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"


@pytest.mark.parametrize(
    "blob",
    [b"", b"not a pickle", pickle.dumps(42), pickle.dumps({"records": "x"}), b"\x80\x05\x95\x00\x00"],
    ids=["empty", "garbage", "wrong-type", "dict", "truncated"],
)
def test_a_damaged_cache_file_is_ignored(blob: bytes, pack_template: Path, tmp_path: Path, cache_dir: Path) -> None:
    pack = copy_pack(pack_template, tmp_path / "acme")
    spec = load_spec("core")
    check_folder_cached(str(pack), spec)
    files = list((cache_dir / "packages").glob("*.pickle"))
    assert len(files) == 1
    files[0].write_bytes(blob)
    assert check_folder_cached(str(pack), spec) == check_folder(str(pack), spec)
    assert isinstance(load_blob(files[0]), cache_module._Content), "the damaged file is replaced by a good one"


def test_a_cache_file_others_can_write_is_not_unpickled(tmp_path: Path) -> None:
    path = tmp_path / "c.pickle"
    assert write_blob(path, {"a": 1})
    assert load_blob(path) == {"a": 1}
    os.chmod(path, 0o666)  # a pickle runs code when loaded: never read one another user could have written
    assert load_blob(path) is None


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_a_cache_file_owned_by_someone_else_is_not_unpickled(tmp_path: Path) -> None:
    path = tmp_path / "c.pickle"
    write_blob(path, {"a": 1})
    os.chown(path, 65534, 65534)
    assert load_blob(path) is None


def test_a_cache_file_over_the_size_limit_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.pickle"
    write_blob(path, list(range(1000)))
    monkeypatch.setattr(cache_module, "MAX_FILE_BYTES", 100)
    assert load_blob(path) is None
    assert not write_blob(tmp_path / "d.pickle", list(range(1000)))
    assert not (tmp_path / "d.pickle").exists()


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "c.pickle"
    for i in range(5):
        assert write_blob(path, {"i": i})
    assert load_blob(path) == {"i": 4}
    assert sorted(p.name for p in path.parent.iterdir()) == ["c.pickle"]


def test_an_unwritable_cache_location_is_skipped(
    pack_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("VALIDATOR_CACHE_DIR", str(blocker / "validator"))
    pack = copy_pack(pack_template, tmp_path / "acme")
    spec = load_spec("core")
    assert check_folder_cached(str(pack), spec) == check_folder(str(pack), spec)
    assert load_spec_cached("core") == spec


def test_a_cache_dir_inside_the_materials_is_never_used(
    pack_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = copy_pack(pack_template, tmp_path / "acme")
    monkeypatch.setenv("VALIDATOR_CACHE_DIR", str(pack / ".cache"))
    before = fingerprint_tree(pack)
    spec = load_spec("core")
    assert PackageCache.open(str(pack)) is None
    assert check_folder_cached(str(pack), spec) == check_folder(str(pack), spec)
    assert fingerprint_tree(pack) == before
    assert not (pack / ".cache").exists()


def test_the_cache_stays_bounded(tmp_path: Path) -> None:
    for i in range(40):
        (tmp_path / f"{i:03d}.pickle").write_bytes(b"x")
        os.utime(tmp_path / f"{i:03d}.pickle", ns=(i * 10**9, i * 10**9))
    prune(tmp_path, keep=30)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(left) <= 30 and "039.pickle" in left and "000.pickle" not in left  # the oldest went first


def test_binding_drops_outcomes_of_another_spec_values_or_build_but_keeps_hashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from validator.api import FileOutcome

    root = tmp_path / "acme"
    root.mkdir()

    def store() -> None:
        c = PackageCache(str(root), tmp_path / "cache")
        c.bind("spec-1", {"company": "甲"})
        c.put("a.pdf", Record(Stamp(3, 1, 1, 1), 10, "digest", FileOutcome("a.pdf", None, ())))
        c.save()

    def reopened(spec: str, values: dict[str, str]) -> Record:
        c = PackageCache(str(root), tmp_path / "cache")
        c.bind(spec, values)
        record = c.get("a.pdf")
        assert record is not None and record.digest == "digest"  # content hashes always survive
        return record

    store()
    assert reopened("spec-1", {"company": "甲"}).outcome is not None
    store()
    assert reopened("spec-2", {"company": "甲"}).outcome is None
    store()
    assert reopened("spec-1", {"company": "乙"}).outcome is None
    store()
    monkeypatch.setattr("validator.__version__", "99.0")
    monkeypatch.setattr(cache_module, "_fingerprint", None)
    assert reopened("spec-1", {"company": "甲"}).outcome is None


def test_the_cached_spec_follows_its_parent_file(tmp_path: Path, cache_dir: Path) -> None:
    (tmp_path / "parent.yaml").write_text("extends: core\nid: parent\ntitle: 上级\n", encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: ./parent.yaml\nid: child\ntitle: 本地\n", encoding="utf-8")
    first = load_spec_cached(str(child))
    assert cached_spec(str(child), cache_dir) == first
    (tmp_path / "parent.yaml").write_text(
        "extends: core\nid: parent\ntitle: 上级\nunexpected_files: warning\n", encoding="utf-8"
    )
    assert cached_spec(str(child), cache_dir) is None, "an edited parent spec must not be served from the cache"
    second = load_spec_cached(str(child))
    assert second.unexpected_files == "warning" and first.unexpected_files == "error"
    assert cached_spec(str(child), cache_dir) == second
