"""The second opinion on a PDF: pypdf (pure Python, so the SIGALRM bound of
:mod:`validator.readers.bounded` can interrupt it), used where PDFium fails or is not installed.

Importing this module imports pypdf (~80 ms, half of it ``cryptography``); the PDFium path never
does.

Encryption: ``encrypted`` means the trailer has ``/Encrypt``.  ``needs_password`` is True when
a viewer would ask for a password, i.e. "" is not the *user* password: files that only carry
owner restrictions (no printing/copying) open with "" and are *not* locked.  Two cases where
pypdf's own answer differs from what viewers do are corrected (using pypdf internals, with a
fallback to pypdf's answer): a user password with an *empty owner* password (pypdf opens it as
owner; Acrobat/PDFium/pdf.js ask for the password -> ``error="password"``, pages still
counted), and "encrypt only attachments" files (/StmF and /StrF /Identity: pypdf refuses,
viewers open them -> readable, ``encrypted=True``).

AES encryption needs the ``cryptography`` package (pypdf's own fallback has RC4 only).  Without
it pypdf raises ``DependencyError`` and we cannot tell whether a password is needed; the file
gets ``error="unsupported"``, ``encrypted=True`` and ``needs_password=False``.

The page count comes from walking the page tree (``len(reader.pages)``, with pypdf's loop and
depth guards), not /Count alone, which missed damaged trees in the real-world corpus.

pypdf's complaints about damaged-but-readable files go to the ``pypdf`` logger and to
``warnings``; both are silenced for the duration of the call (the logger refcounted across
threads).
"""

from __future__ import annotations

import io
import logging
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError
from pypdf.generic import DictionaryObject

from validator.readers.bounded import ParseLimit, limits
from validator.readers.pdf import PdfFacts, detail_of

__all__ = ["read_with_pypdf"]


def read_with_pypdf(
    data: bytes, version: str | None, *, text_pages: int, timeout: float, memory_mb: int | None
) -> PdfFacts:
    """Facts (and the text of the first ``text_pages`` pages) of ``data``; never raises."""
    seen = _Seen(version)
    try:
        # _quiet() outside limits(): the alarm must not land in its bookkeeping.
        with _quiet(), limits(timeout, memory_mb):
            facts = _open(data, seen)
            if facts.error is None and text_pages > 0 and facts.pages:
                seen.facts = facts
                texts = _texts(seen, min(text_pages, facts.pages), time.monotonic() + timeout)
                return _with_texts(facts, texts)
            return facts
    except ParseLimit as exc:
        if seen.facts is not None:  # facts known, the text ran out of time or memory
            return _with_texts(seen.facts, tuple(seen.texts))
        key = {"time": "timeout", "memory": "memory", "size": "too_large"}[exc.kind]
        return PdfFacts(None, seen.encrypted, False, key, detail_of(exc), version)
    except MemoryError as exc:  # limit not armed (worker thread) or hit outside the body
        return PdfFacts(None, seen.encrypted, False, "memory", detail_of(exc), version)
    except RecursionError as exc:
        return PdfFacts(None, seen.encrypted, False, "damaged", detail_of(exc), version)


def _with_texts(facts: PdfFacts, texts: tuple[str, ...]) -> PdfFacts:
    return PdfFacts(facts.pages, facts.encrypted, facts.needs_password, facts.error, facts.detail,
                    facts.version, texts)  # fmt: skip


class _Seen:
    """What was learnt before a limit cut the parse short."""

    __slots__ = ("encrypted", "facts", "reader", "texts", "version")

    def __init__(self, version: str | None) -> None:
        self.version = version
        self.encrypted = False
        self.reader: PdfReader | None = None
        self.facts: PdfFacts | None = None
        self.texts: list[str] = []


def _texts(seen: _Seen, n: int, deadline: float) -> tuple[str, ...]:
    reader = seen.reader
    assert reader is not None
    for i in range(n):
        if time.monotonic() > deadline:  # the only time bound outside a main thread
            break
        try:
            seen.texts.append(reader.pages[i].extract_text() or "")
        except (ParseLimit, MemoryError):
            raise
        except Exception:  # a damaged page: the pages read so far still count
            break
    return tuple(seen.texts)


def _open(data: bytes, seen: _Seen) -> PdfFacts:
    """Parse; ParseLimit, MemoryError and RecursionError propagate to read_with_pypdf."""
    version = seen.version
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except DependencyError as exc:
        # Raised while checking the empty password of an AES-encrypted file.
        return PdfFacts(None, True, False, "unsupported", detail_of(exc), version)
    except (ParseLimit, MemoryError, RecursionError):
        raise
    except Exception as exc:
        return PdfFacts(None, False, False, "damaged", detail_of(exc), version)
    seen.reader = reader
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
        return PdfFacts(None, True, True, "password", detail_of(exc), version)
    except DependencyError as exc:
        return PdfFacts(None, True, False, "unsupported", detail_of(exc), version)
    except (ParseLimit, MemoryError, RecursionError):
        raise
    except Exception as exc:
        return PdfFacts(None, seen.encrypted, False, "damaged", detail_of(exc), version)


def _page_count(reader: PdfReader) -> int:
    """The pages a viewer shows: the page tree walked (pypdf guards against loops and runaway
    depth), not /Count alone."""
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
    is the owner password, but viewers (Acrobat, PDFium, pdf.js) only try "" as the user
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
