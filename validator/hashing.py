"""Content hashes of the materials (duplicate check, incremental cache)."""

from __future__ import annotations

import hashlib
import os
import stat

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_CHUNK = 1 << 20


def file_digest(path: str) -> str | None:
    """sha256 of a regular file's content; None when it is gone, unreadable or no longer a
    regular file (opened without following a link or blocking on a FIFO swapped in since the walk)."""
    h = hashlib.sha256()
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        while chunk := os.read(fd, _CHUNK):
            h.update(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return h.hexdigest()
