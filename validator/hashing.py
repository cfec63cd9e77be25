"""Content hashes of the materials (duplicate check, incremental cache)."""

from __future__ import annotations

import hashlib
import os

_CHUNK = 1 << 20


def file_digest(path: str) -> str | None:
    """sha256 of a regular file's content; None when it is gone, unreadable or no longer a
    regular file (opened without following a link or blocking on a FIFO swapped in since the walk)."""
    from validator.safeio import UnsafeFile, open_regular

    h = hashlib.sha256()
    try:
        fd, _ = open_regular(path)
    except UnsafeFile:
        return None
    try:
        while chunk := os.read(fd, _CHUNK):
            h.update(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return h.hexdigest()
