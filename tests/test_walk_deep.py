"""discovery.walk is iterative: a chain of folders 1,500 deep is walked (issue 10.4), and the
entries and their order are those of the recursive walk it replaced."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT, run_cli
from validator.discovery import ALWAYS_SKIPPED_DIRS, CLIENT_FILE, Entry, Ignore, kind_of, walk


def recursive_walk(directory: str, prefix: str, ignore: Ignore, top: bool = False) -> Iterator[Entry]:
    """The recursive walk as it was before (the reference for order and content)."""
    try:
        with os.scandir(directory) as it:
            items = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        if top:
            raise
        yield Entry(prefix.rstrip("/"), directory, "unreadable-dir", error=exc.strerror or str(exc))
        return
    for item in items:
        rel = prefix + item.name
        if ignore(item.name) or (top and item.name == CLIENT_FILE):
            continue
        st = item.stat(follow_symlinks=False)
        kind = kind_of(st.st_mode)
        if kind == "dir":
            if item.name not in ALWAYS_SKIPPED_DIRS:
                yield from recursive_walk(item.path, rel + "/", ignore)
            continue
        target = os.readlink(item.path) if kind == "symlink" else None
        yield Entry(rel, item.path, kind, st.st_size, st.st_mtime_ns, target)


def test_same_entries_in_the_same_order_as_the_recursive_walk(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    shutil.copytree(ROOT / "fixtures/examples/core-messy", root)
    for rel in ("a/b/c/1.pdf", "a/b/2.pdf", "a/3.pdf", "a/b/c/d/e/4.pdf", "z/.git/x", "z/Thumbs.db", "z/y.txt",
                "a/client.yaml", "b-/x.pdf", "b/x.pdf", "b.pdf"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"x")
    (root / "empty").mkdir()
    (root / "link.pdf").symlink_to("a/3.pdf")
    os.mkfifo(root / "a/b/pipe.pdf")
    (root / "locked").mkdir()
    (root / "locked/x.pdf").write_bytes(b"x")
    os.chmod(root / "locked", 0)
    try:
        ignore = Ignore(["Thumbs.db"])
        got = list(walk(str(root), ignore))
        assert got == list(recursive_walk(str(root), "", ignore, top=True))
        assert [e.rel for e in got if e.rel.startswith("a/")] == [
            "a/3.pdf", "a/b/2.pdf", "a/b/c/1.pdf", "a/b/c/d/e/4.pdf", "a/b/pipe.pdf", "a/client.yaml"]
    finally:
        os.chmod(root / "locked", 0o700)


def test_a_chain_1500_folders_deep_is_walked_and_checked(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    shutil.copytree(ROOT / "fixtures/examples/core-clean", root)
    deep = str(root)
    for _ in range(1500):  # one level at a time: os.makedirs and Path.mkdir recurse themselves
        deep = os.path.join(deep, "d")
        os.mkdir(deep)
    with open(os.path.join(deep, "x.pdf"), "wb") as f:
        f.write(b"%PDF-1.4\n")
    try:
        entries = list(walk(str(root), Ignore([])))
        assert entries[-1].rel == "d/" * 1500 + "x.pdf"
        proc = run_cli("check", str(root), "--spec", "core", "--lang", "en")
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert "N111" in proc.stdout  # the path is too long for a reviewer's Windows
    finally:  # bottom up: shutil.rmtree (pytest's clean-up) recurses per level too
        os.unlink(os.path.join(deep, "x.pdf"))
        while deep != str(root):
            os.rmdir(deep)
            deep = os.path.dirname(deep)
