"""Walk a materials folder into entries, without following links or opening anything."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from validator.packsource import MemberRef

CLIENT_FILE = "client.yaml"
WAIVERS_FILE = "waivers.yaml"  # defects accepted on purpose (validator.waivers): not material either
ALWAYS_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "__MACOSX"})


@dataclass(frozen=True)
class Entry:
    """One thing found in a package (a file, a link, an unreadable folder…) and its stat facts."""

    rel: str  # POSIX path relative to the package root (may hold surrogate escapes)
    path: str  # absolute path
    kind: str  # file | symlink | fifo | socket | device | unreadable-dir
    size: int = 0
    mtime_ns: int = 0
    target: str | None = None  # symlink target
    error: str | None = None
    vanished: bool = False  # listed, then gone before it could be looked at
    member: MemberRef | None = None  # a file inside a zip: where its bytes are (validator.packsource)

    @property
    def name(self) -> str:
        return self.rel.rsplit("/", 1)[-1]


def kind_of(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISDIR(mode):
        return "dir"
    return "other"


class Ignore:
    """Glob patterns (fnmatch, case-insensitive, compared in NFC) for names never checked."""

    def __init__(self, patterns: Iterable[str]):
        self.patterns = tuple(unicodedata.normalize("NFC", p).lower() for p in patterns)
        self._match = _matcher(self.patterns) if self.patterns else None

    def __call__(self, name: str) -> bool:
        if self._match is None:  # the usual spec: nothing to ignore, nothing to normalise
            return False
        return self._match(unicodedata.normalize("NFC", name).lower()) is not None


@functools.lru_cache(maxsize=64)
def _matcher(patterns: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """One regex for them all (what fnmatchcase compiles each pattern to, joined): one match per
    name instead of one per pattern and name; built once per spec, not per folder."""
    return re.compile("|".join(fnmatch.translate(p) for p in patterns)).match


def walk(root: str, ignore: Ignore) -> Iterator[Entry]:
    """Every non-ignored entry under root, sorted, depth first; errors become entries.

    Iterative (a stack of open listings, not recursion): a chain of folders thousands deep
    must not end in RecursionError."""
    top = os.path.abspath(root)
    stack: list[tuple[str, Iterator[os.DirEntry[str]]]] = [("", iter(_listing(top)))]  # the top's error raises
    ignored = ignore if ignore.patterns else None  # the usual spec ignores nothing: no call per entry
    while stack:
        prefix, items = stack[-1]
        at_top = len(stack) == 1
        # The listing's entries in one loop; a sub-folder is descended into at once (depth first),
        # and this listing resumes where it stopped once that one is done.
        for item in items:
            name = item.name
            if (ignored is not None and ignored(name)) or (at_top and name in (CLIENT_FILE, WAIVERS_FILE)):
                continue
            rel = prefix + name
            try:
                st = item.stat(follow_symlinks=False)
            except OSError as exc:  # vanished between listing and stat, or not allowed
                yield Entry(rel, item.path, "file", error=exc.strerror or str(exc),
                            vanished=isinstance(exc, FileNotFoundError))
                continue
            if stat.S_ISREG(st.st_mode):  # most entries
                yield _plain_file(rel, item.path, st.st_size, st.st_mtime_ns)
                continue
            kind = kind_of(st.st_mode)
            if kind == "dir":
                if name not in ALWAYS_SKIPPED_DIRS:
                    try:
                        listing = _listing(item.path)
                    except OSError as exc:
                        yield Entry(rel, item.path, "unreadable-dir", error=exc.strerror or str(exc))
                        continue
                    stack.append((rel + "/", iter(listing)))
                    break  # into the sub-folder now
                continue
            target = None
            if kind == "symlink":
                try:
                    target = os.readlink(item.path)
                except OSError:
                    target = "?"
            yield Entry(rel, item.path, kind, st.st_size, st.st_mtime_ns, target)
        else:  # this listing is done
            stack.pop()


_ENTRY_SETATTR = object.__setattr__


def _plain_file(rel: str, path: str, size: int, mtime_ns: int) -> Entry:
    """``Entry(rel, path, "file", size, mtime_ns)``, at half the cost of the frozen dataclass's
    ``__init__`` (one dict instead of nine frozen-attribute calls): walks build one per file."""
    entry = Entry.__new__(Entry)
    _ENTRY_SETATTR(entry, "__dict__", {"rel": rel, "path": path, "kind": "file", "size": size, "mtime_ns": mtime_ns,
                                       "target": None, "error": None, "vanished": False, "member": None})
    return entry


def _listing(directory: str) -> list[os.DirEntry[str]]:
    with os.scandir(directory) as it:
        return sorted(it, key=lambda e: e.name)
