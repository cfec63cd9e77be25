"""Per-file facts gathered once: the head bytes and the type sniffed from content.

Opening never blocks and never follows a link: a file swapped for a FIFO or a link
between the walk and the open is caught by O_NOFOLLOW/O_NONBLOCK and fstat.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass

from validator.discovery import Entry
from validator.sniff import HEAD_SIZE, ContentType, sniff

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


@dataclass(frozen=True)
class FileFacts:
    entry: Entry
    size: int
    head: bytes
    content: ContentType

    @property
    def rel(self) -> str:
        return self.entry.rel

    @property
    def path(self) -> str:
        return self.entry.path


class ReadProblem(Exception):
    def __init__(self, code: str, detail: str, kind: str = ""):
        super().__init__(detail)
        self.code, self.detail, self.kind = code, detail, kind


def read_facts(entry: Entry) -> FileFacts:
    """Read the head of a regular file once and sniff its type; ReadProblem otherwise."""
    try:
        fd = os.open(entry.path, _OPEN_FLAGS)
    except FileNotFoundError as exc:
        raise ReadProblem("F102", exc.strerror or "not found") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ReadProblem("F103", "link", "symlink") from None
        raise ReadProblem("F101", exc.strerror or str(exc)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadProblem("F104", "not a regular file", _special_kind(st.st_mode))
        try:
            head = os.read(fd, HEAD_SIZE)
        except OSError as exc:
            raise ReadProblem("F101", exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    content = sniff(entry.path, head, st.st_size)
    return FileFacts(entry, st.st_size, head, content)


def _special_kind(mode: int) -> str:
    from validator.discovery import kind_of

    return kind_of(mode)
