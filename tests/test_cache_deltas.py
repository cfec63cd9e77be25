"""A folder's cache file grows by appended deltas between whole writes (validator.cache): a delta
is applied only under the binding it was made with, only to the file it was appended to, and a
torn or forged one is never trusted; what a run reads back is what it would have read from a
whole write."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

from tests.hook.conftest import copy_pack, settle
from validator import cache
from validator.api import FileOutcome, check_folder
from validator.cache import PackageCache, Record, Stamp, load_blobs
from validator.incremental import check_folder_cached
from validator.spec import load_spec


def _outcome(rel: str) -> FileOutcome:
    return FileOutcome(rel, None, (), 1, True, f"/x/{rel}")


def _store(root: Path, directory: Path, binding: str, records: dict[str, Record],
           present: set[str] | None = None) -> None:
    """One run of a folder's cache: open, bind, put, save."""
    c = PackageCache(str(root), directory)
    c.bind(binding, {"company": "甲"})
    for rel, record in records.items():
        c.put(rel, record)
    c.save(present)


def _reopened(root: Path, directory: Path, binding: str) -> PackageCache:
    c = PackageCache(str(root), directory)
    c.bind(binding, {"company": "甲"})
    return c


def _record(n: int, rel: str = "a.pdf") -> Record:
    return Record(Stamp(n, n, n, n), 10, f"digest-{n}", _outcome(rel))


def test_a_run_that_changed_a_few_entries_appends_them_and_the_next_run_reads_them(tmp_path: Path) -> None:
    root, directory = tmp_path / "acme", tmp_path / "cache"
    root.mkdir()
    _store(root, directory, "spec-1", {"a.pdf": _record(1), "b.pdf": _record(1, "b.pdf")})
    path = PackageCache(str(root), directory).path
    inode = path.stat().st_ino
    _store(root, directory, "spec-1", {"a.pdf": _record(2)}, present={"a.pdf"})  # b.pdf deleted
    assert path.stat().st_ino == inode, "appended to, not replaced"
    blobs = load_blobs(path)
    assert blobs is not None and len(blobs[0]) == 2 and blobs[2]
    again = _reopened(root, directory, "spec-1")
    a = again.get("a.pdf")
    assert a is not None and a.stamp == Stamp(2, 2, 2, 2) and a.outcome is not None
    assert again.get("b.pdf") is None


def test_after_max_deltas_the_file_is_written_whole(tmp_path: Path) -> None:
    root, directory = tmp_path / "acme", tmp_path / "cache"
    root.mkdir()
    _store(root, directory, "spec-1", {"a.pdf": _record(0)})
    path = PackageCache(str(root), directory).path
    for n in range(1, cache.MAX_DELTAS + 2):
        _store(root, directory, "spec-1", {"a.pdf": _record(n)})
        blobs = load_blobs(path)
        assert blobs is not None and len(blobs[0]) <= cache.MAX_DELTAS + 1
    blobs = load_blobs(path)
    assert blobs is not None and len(blobs[0]) == 1, "the deltas were folded into one whole write"
    got = _reopened(root, directory, "spec-1").get("a.pdf")
    assert got is not None and got.stamp == Stamp(cache.MAX_DELTAS + 1, *(3 * [cache.MAX_DELTAS + 1]))


def test_a_delta_of_another_binding_is_never_applied(tmp_path: Path) -> None:
    """A run of spec-2 appends its outcomes to a file written under spec-1 (as a run that read
    the file before another rewrote it could): the spec-1 reader must not take them."""
    root, directory = tmp_path / "acme", tmp_path / "cache"
    root.mkdir()
    _store(root, directory, "spec-1", {"a.pdf": _record(1)})
    path = PackageCache(str(root), directory).path
    blobs = load_blobs(path)
    assert blobs is not None
    other = PackageCache(str(root), directory)
    other.bind("spec-2", {"company": "甲"})
    delta = cache._Delta(other._content.binding, {"a.pdf": _record(2)}, (), None, None)
    assert cache.append_blob(path, delta, blobs[1])
    got = _reopened(root, directory, "spec-1").get("a.pdf")
    assert got is not None and got.stamp == Stamp(1, 1, 1, 1), "the spec-2 outcome was not taken"
    _store(root, directory, "spec-1", {"b.pdf": _record(3, "b.pdf")})
    reread = load_blobs(path)
    assert reread is not None and len(reread[0]) == 1, "a file holding a foreign delta is written whole next"


def test_a_delta_is_only_appended_to_the_file_it_read(tmp_path: Path) -> None:
    """Another run replaced the file meanwhile (a whole write under another spec): this run's
    delta would extend content it never read, so it writes its own whole content instead."""
    root, directory = tmp_path / "acme", tmp_path / "cache"
    root.mkdir()
    _store(root, directory, "spec-1", {"a.pdf": _record(1)})
    first = PackageCache(str(root), directory)
    first.bind("spec-1", {"company": "甲"})
    _store(root, directory, "spec-2", {"a.pdf": _record(5)})  # rewrites the file whole
    first.put("a.pdf", _record(2))
    first.save()
    blobs = load_blobs(first.path)
    assert blobs is not None and len(blobs[0]) == 1
    got = _reopened(root, directory, "spec-1").get("a.pdf")
    assert got is not None and got.stamp == Stamp(2, 2, 2, 2) and got.outcome is not None
    assert _reopened(root, directory, "spec-2").get("a.pdf").outcome is None  # type: ignore[union-attr]


def test_a_torn_delta_ends_the_file_and_the_next_save_writes_it_whole(tmp_path: Path) -> None:
    root, directory = tmp_path / "acme", tmp_path / "cache"
    root.mkdir()
    _store(root, directory, "spec-1", {"a.pdf": _record(1)})
    path = PackageCache(str(root), directory).path
    whole = path.stat().st_size
    _store(root, directory, "spec-1", {"a.pdf": _record(2)})
    data = path.read_bytes()
    path.write_bytes(data[: whole + (len(data) - whole) // 2])  # the append was cut short
    got = _reopened(root, directory, "spec-1").get("a.pdf")
    assert got is not None and got.stamp == Stamp(1, 1, 1, 1)
    _store(root, directory, "spec-1", {"b.pdf": _record(3, "b.pdf")})
    blobs = load_blobs(path)
    assert blobs is not None and blobs[2] and len(blobs[0]) == 1


@pytest.mark.parametrize("forged", [
    "not a delta",
    {"binding": "x"},
    "records-not-a-dict",
    "removed-not-strings",
    "record-inner-types",
])
def test_a_forged_delta_is_not_trusted(forged: str, tmp_path: Path) -> None:
    root, directory = tmp_path / "acme", tmp_path / "cache"
    root.mkdir()
    _store(root, directory, "spec-1", {"a.pdf": _record(1)})
    reader = _reopened(root, directory, "spec-1")
    binding = reader._content.binding
    blob: object = forged
    if forged == "records-not-a-dict":
        blob = cache._Delta(binding, ["a.pdf"], (), None, None)  # type: ignore[arg-type]
    elif forged == "removed-not-strings":
        blob = cache._Delta(binding, {}, (1,), None, None)  # type: ignore[arg-type]
    elif forged == "record-inner-types":
        forged_record = Record(Stamp("2", 2, 2, 2), 10, "d", _outcome("a.pdf"))  # type: ignore[arg-type]
        blob = cache._Delta(binding, {"a.pdf": forged_record}, (), None, None)
    with open(reader.path, "ab") as f:
        f.write(pickle.dumps(blob))
    got = _reopened(root, directory, "spec-1").get("a.pdf")
    if forged == "record-inner-types":  # the delta applies, the record it carries counts as absent
        assert got is None
    else:  # the delta is not applied: the whole content's record stands
        assert got is not None and got.stamp == Stamp(1, 1, 1, 1)


def test_an_edited_file_never_reuses_an_outcome_through_deltas(pack_template: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Edits between runs, each run appending to the folder's file: every cached report equals
    the uncached one, also for an edit that restores size and mtime (ctime still moves)."""
    cache_dir = tmp_path / "user-cache"
    monkeypatch.setenv("VALIDATOR_CACHE_DIR", str(cache_dir))
    pack = copy_pack(pack_template, tmp_path / "acme")
    spec = load_spec("core")
    settle(pack)
    check_folder_cached(str(pack), spec)
    pdf = next(p for p in sorted(pack.iterdir()) if p.suffix == ".pdf")
    original = pdf.read_bytes()
    st = pdf.stat()
    for content in (b"not a pdf at all", original[:-1] + b"X", original):
        pdf.write_bytes(content)
        if len(content) == len(original):
            os.utime(pdf, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert check_folder_cached(str(pack), spec) == check_folder(str(pack), spec)
        time.sleep(0.01)
    path = next((cache_dir / "packages").glob("*.pickle"))
    blobs = load_blobs(path)
    assert blobs is not None and len(blobs[0]) > 1, "the runs appended deltas"
    settle(pack)
    assert check_folder_cached(str(pack), spec) == check_folder(str(pack), spec)


def test_two_runs_that_read_the_same_file_both_append_and_a_reader_takes_both(tmp_path: Path) -> None:
    """Two runs of the same spec on the same folder (two terminals): each appends its own delta to
    the file both read; the next reader applies them in order, and nothing is lost or torn."""
    root, directory = tmp_path / "acme", tmp_path / "cache"
    root.mkdir()
    _store(root, directory, "spec-1", {"a.pdf": _record(1), "b.pdf": _record(1, "b.pdf")})
    first, second = _reopened(root, directory, "spec-1"), _reopened(root, directory, "spec-1")
    first.put("a.pdf", _record(2))
    second.put("b.pdf", _record(3, "b.pdf"))
    first.save()
    second.save()
    blobs = load_blobs(first.path)
    assert blobs is not None and len(blobs[0]) == 3 and blobs[2]
    reader = _reopened(root, directory, "spec-1")
    a, b = reader.get("a.pdf"), reader.get("b.pdf")
    assert a is not None and a.stamp == Stamp(2, 2, 2, 2)
    assert b is not None and b.stamp == Stamp(3, 3, 3, 3)
