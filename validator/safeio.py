"""One way to open a file the tool reads as input (client.yaml, the registry, specs, cache
entries): never blocks, never follows a link unless asked, never reads more than it allows.

A FIFO, socket or device named like an input would hang a plain ``open()`` (a FIFO blocks
until a writer comes) or feed it without end; a symlink could make the tool read a file
outside the folder it was given. So the file is opened non-blocking and without following a
final symlink, and ``fstat`` on the open descriptor must show a regular file of bounded size
before a byte is read. Where the OS has no O_NOFOLLOW (Windows, or forced by
``VALIDATOR_PORTABLE``: see :mod:`validator.portable`), the ``lstat`` taken first must show a
regular file and name the same file (st_dev, st_ino) as the descriptor.
"""

from __future__ import annotations

import os
import stat

from validator.portable import native

REASONS = ("missing", "not_regular", "symlink", "too_large", "unreadable")


class UnsafeFile(Exception):
    """An input file that was not read; ``reason`` is one of REASONS (stable, for messages)."""

    def __init__(self, path: str, reason: str, detail: str = "", kind: str = "", size: int | None = None):
        self.path, self.reason, self.detail = path, reason, detail
        self.kind = kind  # not_regular: fifo, socket, device, directory or special
        self.size = size  # too_large: the size fstat gave
        super().__init__(f"{reason}: {detail}" if detail else reason)


def reason_params(exc: UnsafeFile, max_bytes: int) -> dict[str, str]:
    """Defect params for a refused file: `reason` is a key of codes.REASONS (file_fifo, …)."""
    if exc.reason == "not_regular":
        return {"reason": f"file_{exc.kind or 'special'}"}
    if exc.reason == "too_large":
        return {"reason": "file_too_large", "limit": _size(max_bytes), "size": _size(exc.size) or exc.detail}
    if exc.reason == "symlink":
        return {"reason": "file_symlink"}
    return {"reason": "file_unreadable", "detail": exc.detail or exc.reason}


def describe(exc: UnsafeFile, max_bytes: int | None = None) -> str:
    """A short English phrase for a report's detail field."""
    if exc.reason == "missing":
        return "the file does not exist"
    if exc.reason == "not_regular":
        return f"not a regular file ({exc.detail})" if exc.detail else "not a regular file"
    if exc.reason == "symlink":
        return "a symbolic link (links are not followed)"
    if exc.reason == "too_large":
        limit = f" than {_size(max_bytes)}" if max_bytes is not None else ""
        return f"larger{limit} ({exc.detail})" if exc.detail else f"larger{limit}"
    return f"cannot be read ({exc.detail})" if exc.detail else "cannot be read"


def read_regular(path: str | os.PathLike[str], max_bytes: int, *, follow: bool = False) -> bytes:
    """The content of a regular file of at most `max_bytes`; raises UnsafeFile otherwise."""
    name = os.fspath(path)
    fd, st = open_regular(name, follow=follow)
    try:
        if st.st_size > max_bytes:
            raise UnsafeFile(name, "too_large", _size(st.st_size), size=st.st_size)
        chunks: list[bytes] = []
        left = max_bytes + 1  # one byte more tells a file that grew since fstat
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            raise UnsafeFile(name, "too_large", "grew while being read")
        return data
    except OSError as exc:
        raise UnsafeFile(name, "unreadable", exc.strerror or str(exc)) from None
    finally:
        os.close(fd)


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)


def open_regular(path: str | os.PathLike[str], *, follow: bool = False) -> tuple[int, os.stat_result]:
    """A read-only descriptor of a regular file and its ``fstat``; raises UnsafeFile otherwise.
    The caller closes the descriptor.

    POSIX: one ``open`` with O_NOFOLLOW (a final symlink fails with ELOOP) and O_NONBLOCK (a
    FIFO opens at once), then ``fstat``. Portable branch (no O_NOFOLLOW/O_NONBLOCK: Windows, or
    ``VALIDATOR_PORTABLE``): ``lstat`` first refuses a link, FIFO, socket or device without
    opening it; after ``open``, ``fstat`` must show the same file (st_dev, st_ino) - a swap
    between the two calls is refused as a link. (A FIFO swapped in inside that window would
    block the open on POSIX; Windows keeps named pipes out of the file system.)"""
    name = os.fspath(path)
    posix = native("nofollow")
    flags = _READ_FLAGS
    if posix:
        flags |= os.O_NONBLOCK | (0 if follow else os.O_NOFOLLOW)
    before = None
    if not posix:
        try:
            before = os.stat(name) if follow else os.lstat(name)
        except FileNotFoundError:
            raise UnsafeFile(name, "missing") from None
        except OSError as exc:
            raise UnsafeFile(name, "unreadable", exc.strerror or str(exc)) from None
        if stat.S_ISLNK(before.st_mode):
            raise UnsafeFile(name, "symlink")
        if not stat.S_ISREG(before.st_mode):
            kind, text = _kind(before.st_mode)
            raise UnsafeFile(name, "not_regular", text, kind=kind)
    try:
        fd = os.open(name, flags)
    except FileNotFoundError:
        raise UnsafeFile(name, "missing") from None
    except OSError as exc:
        if not follow and _is_link(name):  # ELOOP from O_NOFOLLOW
            raise UnsafeFile(name, "symlink") from None
        raise UnsafeFile(name, "unreadable", exc.strerror or str(exc)) from None
    try:
        st = os.fstat(fd)
        if before is not None and (st.st_dev, st.st_ino) != (before.st_dev, before.st_ino):
            raise UnsafeFile(name, "symlink", "replaced while opening")
        if not stat.S_ISREG(st.st_mode):
            kind, text = _kind(st.st_mode)
            raise UnsafeFile(name, "not_regular", text, kind=kind)
    except OSError as exc:
        os.close(fd)
        raise UnsafeFile(name, "unreadable", exc.strerror or str(exc)) from None
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def _is_link(path: str) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def _kind(mode: int) -> tuple[str, str]:
    for test, key, name in (
        (stat.S_ISDIR, "directory", "a directory"),
        (stat.S_ISFIFO, "fifo", "a named pipe"),
        (stat.S_ISSOCK, "socket", "a socket"),
        (stat.S_ISCHR, "device", "a character device"),
        (stat.S_ISBLK, "device", "a block device"),
    ):
        if test(mode):
            return key, name
    return "special", "a special file"


def _size(n: int | None) -> str:
    if n is None:
        return ""
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MiB".replace(".0 MiB", " MiB")
    if n >= 1 << 10:
        return f"{n / 1024:.1f} KiB".replace(".0 KiB", " KiB")
    return f"{n} bytes"
