"""Which OS primitives this process may use: the one place that decides POSIX or portable.

Windows has no ``O_NOFOLLOW``/``O_NONBLOCK``, no SIGALRM, no ``resource`` (``RLIMIT_AS``), no
``fork`` and usually no libmagic. Every module that needs one of these asks here, and takes its
portable branch when the answer is no:

==============  =====================================  ==========================================
primitive       POSIX branch                           portable branch (Windows)
==============  =====================================  ==========================================
``nofollow``    ``open(O_NOFOLLOW | O_NONBLOCK)``       ``lstat``, then ``open``, then ``fstat``:
                                                       same (st_dev, st_ino), a regular file
                                                       (:mod:`validator.safeio`)
``alarm``       SIGALRM deadline in the main thread    none in-process; the sandbox child's
                (:mod:`validator.readers.bounded`)     deadline (kill) bounds parsing
``rlimit``      ``RLIMIT_AS`` in the sandbox child     Job Object (Windows) or the parent polls
                                                       the child's RSS with psutil
                                                       (:mod:`validator.sandbox`)
``fork``        sandbox child by fork / forkserver     ``spawn`` (a fresh interpreter)
``poll``        ``select.poll`` on the reply pipe      the pipe's own ``poll``
``libmagic``    python-magic + libmagic                the built-in signature and text sniffers
                                                       (:mod:`validator.sniff.libmagic`), noted
                                                       once per folder as U101
==============  =====================================  ==========================================

``VALIDATOR_PORTABLE=1`` forces every portable branch on any OS, so Linux CI runs the code
paths a Windows user gets; a comma list (``VALIDATOR_PORTABLE=nofollow,libmagic``) forces only
those. The variable is read on every call (a few hundred ns), so a test can set it in-process.
"""

from __future__ import annotations

import os
import signal
import sys

ENV = "VALIDATOR_PORTABLE"
PRIMITIVES = ("nofollow", "alarm", "rlimit", "fork", "poll", "libmagic")

__all__ = ["ENV", "PRIMITIVES", "console_safe", "forced", "long_path", "native"]


_HAS_NOFOLLOW = hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_NONBLOCK")


def forced(primitive: str) -> bool:
    """Is the portable branch of ``primitive`` forced by ``VALIDATOR_PORTABLE``?"""
    value = os.environ.get(ENV)
    if not value:  # the usual case, asked for every file opened: no string work
        return False
    value = value.strip().lower()
    if not value or value in ("0", "no", "false", "off"):
        return False
    if value in ("1", "yes", "true", "on", "all"):
        return True
    return primitive in {part.strip() for part in value.split(",")}


def native(primitive: str) -> bool:
    """May the POSIX branch of ``primitive`` be used here and now (the OS has it, not forced)?"""
    if primitive == "nofollow":  # asked for every file opened: the OS part is known at import
        return _HAS_NOFOLLOW and not forced(primitive)
    if primitive not in PRIMITIVES:
        raise ValueError(f"unknown primitive {primitive!r}: expected one of {', '.join(PRIMITIVES)}")
    if forced(primitive):
        return False
    if primitive == "alarm":
        return hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")
    if primitive == "rlimit":
        try:
            import resource  # noqa: F401 - only whether it exists
        except ImportError:
            return False
        return sys.platform.startswith("linux")  # macOS does not enforce RLIMIT_AS
    if primitive == "fork":
        return hasattr(os, "fork") and sys.platform != "win32"
    if primitive == "poll":
        import select

        return hasattr(select, "poll")
    return True  # libmagic: whether it loads is found out when it is first needed


def long_path(path: str) -> str:
    """Windows: an absolute path of 260 characters or more gets the ``\\\\?\\`` prefix, which lifts
    the MAX_PATH limit for the file APIs without the LongPathsEnabled registry switch. Anything
    else (other OSes, short or already prefixed paths) is returned unchanged."""
    if sys.platform != "win32" or len(path) < 260 or path.startswith("\\\\"):
        return path
    full = os.path.abspath(path)
    if full.startswith("\\\\"):  # a UNC share \\server\share\... -> \\?\UNC\server\share\...
        return "\\\\?\\UNC\\" + full[2:]
    return "\\\\?\\" + full


def console_safe() -> None:
    """Make stdout and stderr unable to fail on a character their encoding lacks.

    A Chinese Windows console piped to a file encodes as GBK (cp936), a misconfigured one as
    ASCII: a report holding ✗ or → would end in UnicodeEncodeError. Characters the encoding
    cannot take are written as ``\\uXXXX`` instead (in JSON that is the same string)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None or getattr(stream, "errors", "strict") not in ("strict", None):
            continue
        try:
            encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
            if encoding in ("utf-8", "utf8", "utf-16", "utf-32", "gb18030"):
                continue  # every character fits
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError, LookupError):
            continue
