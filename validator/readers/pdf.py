"""Facts about one PDF: does it open, is it locked, how many pages - never raises.

Implementation notes (see ``benchmarks/bench_readers.py`` for the numbers behind them):

* pypdf, ``strict=False``, fed from one ``read()`` of the file.  pypdfium2 opens faster, but it
  is native, so the SIGALRM time bound cannot interrupt it, and the gain on real files is small
  next to the cost of losing that bound.
* The page count comes from walking the page tree (``len(reader.pages)``), with pypdf's
  loop and depth guards: /Count alone (one lookup) missed damaged trees in the real-world
  corpus (qpdf's pages-loop, deep-pages, issue-117), and the walk costs about the same.
* Encryption: ``encrypted`` means the trailer has ``/Encrypt``.  ``needs_password`` is True when
  a viewer would ask for a password, i.e. "" is not the *user* password: files that only carry
  owner restrictions (no printing/copying) open with "" and are *not* locked.  Two cases where
  pypdf's own answer differs from what viewers do are corrected (using pypdf internals, with a
  fallback to pypdf's answer): a user password with an *empty owner* password (pypdf opens it
  as owner; Acrobat/pdfium/pdf.js ask for the password -> ``error="password"``, pages still
  counted), and "encrypt only attachments" files (/StmF and /StrF /Identity: pypdf refuses,
  viewers open them -> readable, ``encrypted=True``).
* AES encryption needs the ``cryptography`` package (pypdf's own fallback has RC4 only).
  Without it pypdf raises ``DependencyError`` and we cannot tell whether a password is
  needed; the file gets ``error="unsupported"``, ``encrypted=True`` and
  ``needs_password=False`` - the submitter is not accused of locking a file only because this
  machine lacks a library.  ``cryptography`` is installed here and should be a dependency.
* pypdf's complaints about damaged-but-readable files go to the ``pypdf`` logger and to
  ``warnings``; both are silenced for the duration of the call (the logger by raising its
  level while any call is in flight, refcounted so concurrent calls do not fight).

Error keys (stable, for checks to map to messages): ``not_pdf``, ``damaged``, ``timeout``,
``too_large``, ``memory``, ``password``, ``unsupported``.
"""

from __future__ import annotations

import io
import logging
import os
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError
from pypdf.generic import DictionaryObject

from validator.readers.bounded import ParseLimit, limits

__all__ = ["ERROR_KEYS", "PdfFacts", "pdf_facts"]

ERROR_KEYS = ("not_pdf", "damaged", "timeout", "too_large", "memory", "password", "unsupported")

#: Acrobat accepts the header anywhere in the first 1024 bytes; so do we.
_HEADER_WINDOW = 1024
_HEADER = re.compile(rb"%PDF-(\d\.\d)")


@dataclass(frozen=True)
class PdfFacts:
    pages: int | None  # None when unknown
    encrypted: bool  # has /Encrypt
    needs_password: bool  # cannot be opened without a user password
    error: str | None  # None when it opened; else one of ERROR_KEYS
    detail: str = ""  # exception class + message, at most 200 characters
    version: str | None = None  # header version, e.g. "1.7"


def pdf_facts(
    path: str | os.PathLike[str],
    *,
    timeout: float = 10.0,
    memory_mb: int = 1024,
    max_mb: int = 256,
) -> PdfFacts:
    """Open ``path`` with pypdf within ``timeout`` seconds and ``memory_mb`` MB; never raises.

    ``max_mb``: files larger than this are not parsed (``error="too_large"``).
    """
    seen = _Seen()
    try:
        # _quiet() outside limits(): the alarm must not land in its bookkeeping.
        with _quiet(), limits(timeout, memory_mb):
            data = _read(path, max_mb)
            m = _HEADER.search(data, 0, _HEADER_WINDOW + 8)
            if m is None or m.start() > _HEADER_WINDOW:
                return PdfFacts(None, False, False, "not_pdf", _not_pdf_detail(data))
            seen.version = m.group(1).decode("ascii")
            return _open(data, seen)
    except ParseLimit as exc:
        key = {"time": "timeout", "memory": "memory", "size": "too_large"}[exc.kind]
        return PdfFacts(None, seen.encrypted, False, key, _detail(exc), seen.version)
    except MemoryError as exc:  # limit not armed (worker thread) or hit outside the body
        return PdfFacts(None, seen.encrypted, False, "memory", _detail(exc), seen.version)
    except RecursionError as exc:
        return PdfFacts(None, seen.encrypted, False, "damaged", _detail(exc), seen.version)
    except OSError as exc:  # unreadable file: the caller checked it exists
        return PdfFacts(None, False, False, "damaged", _detail(exc), seen.version)


class _Seen:
    """What was learnt before a limit cut the parse short."""

    __slots__ = ("encrypted", "version")

    def __init__(self) -> None:
        self.version: str | None = None
        self.encrypted = False


def _read(path: str | os.PathLike[str], max_mb: int) -> bytes:
    limit = max_mb * 1024 * 1024
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ParseLimit("size", f"larger than {max_mb} MB")
    return data


def _open(data: bytes, seen: _Seen) -> PdfFacts:
    """Parse; ParseLimit, MemoryError and RecursionError propagate to pdf_facts."""
    version = seen.version
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except DependencyError as exc:
        # Raised while checking the empty password of an AES-encrypted file.
        return PdfFacts(None, True, False, "unsupported", _detail(exc), version)
    except (ParseLimit, MemoryError, RecursionError):
        raise
    except Exception as exc:
        return PdfFacts(None, False, False, "damaged", _detail(exc), version)

    try:
        seen.encrypted = encrypted = reader.is_encrypted
        if encrypted:
            opened_as = reader.decrypt("")
            if opened_as == PasswordType.NOT_DECRYPTED:
                if _only_attachments_encrypted(reader):
                    return PdfFacts(_page_count_unencrypted(reader), True, False, None, "", version)
                return PdfFacts(None, True, True, "password", "the empty user password is rejected", version)
            if opened_as == PasswordType.OWNER_PASSWORD and _empty_is_user_password(reader) is False:
                return PdfFacts(
                    _page_count_or_none(reader), True, True, "password",
                    "only the owner password is empty; viewers ask for the user password", version,
                )  # fmt: skip
        return PdfFacts(_page_count(reader), encrypted, False, None, "", version)
    except FileNotDecryptedError as exc:
        return PdfFacts(None, True, True, "password", _detail(exc), version)
    except DependencyError as exc:
        return PdfFacts(None, True, False, "unsupported", _detail(exc), version)
    except (ParseLimit, MemoryError, RecursionError):
        raise
    except Exception as exc:
        return PdfFacts(None, seen.encrypted, False, "damaged", _detail(exc), version)


def _page_count(reader: PdfReader) -> int:
    """The pages a viewer shows: the page tree walked (pypdf guards against loops and runaway
    depth), not /Count alone, because a damaged tree behind a valid /Count (cyclic Kids,
    100 levels deep, a self-referencing node) is exactly what a reviewer's viewer chokes on."""
    return len(reader.pages)


def _page_count_or_none(reader: PdfReader) -> int | None:
    try:
        return _page_count(reader)
    except (ParseLimit, MemoryError, RecursionError):
        raise
    except Exception:
        return None


def _empty_is_user_password(reader: PdfReader) -> bool | None:
    """Is "" the *user* password?  pypdf checks the owner password first and says OWNER when ""
    is the owner password, but viewers (Acrobat, pdfium, pdf.js) only try "" as the user
    password, so a file with a user password and an empty owner password asks for a password.
    Uses pypdf internals; None when they are not there (then pypdf's answer stands)."""
    try:
        from pypdf._encryption import AlgV4, AlgV5

        e: Any = reader._encryption
        if e.V <= 4:
            key = AlgV4.verify_user_password(
                b"", e.R, e.Length, e.values.O, e.values.U, e.P, e.id1_entry, e.EncryptMetadata
            )
        else:
            key = AlgV5.verify_user_password(e.R, b"", e.values.U, e.values.UE)
        return bool(key)
    except (ParseLimit, MemoryError):
        raise
    except Exception:
        return None


def _only_attachments_encrypted(reader: PdfReader) -> bool:
    """V4/V5 encryption whose string and stream filters are /Identity (e.g. Acrobat's "encrypt
    only file attachments", /EFF + /AuthEvent /EFOpen): the document opens without a password."""
    try:
        with _unencrypted_view(reader):
            enc = reader.trailer["/Encrypt"].get_object()
            if not isinstance(enc, DictionaryObject) or int(enc.get("/V", 0)) < 4:
                return False
            return bool(enc.get("/StmF", "/Identity") == "/Identity" and enc.get("/StrF", "/Identity") == "/Identity")
    except (ParseLimit, MemoryError):
        raise
    except Exception:
        return False


def _page_count_unencrypted(reader: PdfReader) -> int:
    with _unencrypted_view(reader):
        return _page_count(reader)


@contextmanager
def _unencrypted_view(reader: PdfReader) -> Iterator[None]:
    """Let pypdf resolve objects of an encrypted file as they are (pypdf's own switch for it)."""
    saved = getattr(reader, "_override_encryption", False)
    reader._override_encryption = True
    try:
        yield
    finally:
        reader._override_encryption = saved


def _not_pdf_detail(data: bytes) -> str:
    if not data:
        return "empty file"
    head = data[:16]
    return f"no %PDF- header in the first {_HEADER_WINDOW} bytes; starts with {head!r}"[:200]


def _detail(exc: BaseException) -> str:
    msg = str(exc).replace("\n", " ").strip()
    text = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
    return text[:200]


# --- silencing pypdf ----------------------------------------------------------------------

_quiet_lock = threading.Lock()
_quiet_depth = 0
_quiet_saved = logging.NOTSET


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence pypdf's logger and all warnings for the duration (refcounted across threads)."""
    global _quiet_depth, _quiet_saved
    logger = logging.getLogger("pypdf")
    with _quiet_lock:
        if _quiet_depth == 0:
            _quiet_saved = logger.level
            logger.setLevel(logging.CRITICAL + 1)
        _quiet_depth += 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0:
                logger.setLevel(_quiet_saved)
