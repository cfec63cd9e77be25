"""Facts about one PDF - does it open, is it locked, how many pages - and the text of its first
pages, from ONE read and ONE open of the file; never raises.

    read_pdf(path_or_bytes, text_pages=2) -> PdfFacts(pages, encrypted, needs_password, error,
                                                     detail, version, texts, repaired)

Verdicts follow what a viewer does (tests/readers/test_pdf_vs_poppler.py compares them with
poppler's ``pdfinfo`` over the real-world corpus):

* The first opinion is PDFium (:mod:`validator.readers.pdf_pdfium`; Chrome's engine): 11-32x
  faster than pypdf for the facts and 2-4x for page-1 text (``benchmarks/bench_readers.py``).
  It repairs a broken cross-reference table the way viewers do, so a file it opens and whose
  first page it loads is readable - at most ``repaired=True`` (the ``startxref`` pointer at the
  end of the file does not lead to a cross-reference section; viewers fix this silently).
* pypdf (:mod:`validator.readers.pdf_pypdf`, imported only then) is the second opinion, asked
  when PDFium cannot open the file, finds no page or cannot load page 1, or is not installed.
  Its answer stands when it opens the file with at least one page.
* A file with no page, or an impossible page count, is damaged (``error="no_pages"`` or
  ``"damaged"``): nothing in it can be reviewed.
* ``needs_password``: "" is not the *user* password (Acrobat, PDFium and pdf.js ask for one);
  files that only restrict printing or copying open and are *not* locked (``encrypted=True``).

PDFium is native code that SIGALRM cannot stop: bound it by running ``read_pdf`` in the killable
worker process (``validator/sandbox.py``); ``timeout`` and ``memory_mb`` bound the pypdf path
only.  The function is module-level and its result is picklable for that reason.

Error keys (stable, for checks to map to messages): ``not_pdf``, ``damaged``, ``no_pages``,
``timeout``, ``too_large``, ``memory``, ``password``, ``unsupported``.
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple

__all__ = ["ERROR_KEYS", "PdfFacts", "pdf_facts", "read_pdf"]

ERROR_KEYS = ("not_pdf", "damaged", "no_pages", "timeout", "too_large", "memory", "password", "unsupported")

#: Acrobat accepts the header anywhere in the first 1024 bytes; so do we.
_HEADER_WINDOW = 1024
_HEADER = re.compile(rb"%PDF-(\d\.\d)")
#: The end of the file a reader searches for ``startxref`` (PDFium and poppler: about 1 KB).
_TAIL = 2048
_STARTXREF = re.compile(rb"startxref\s*(\d{1,15})")
_XREF_AT = re.compile(rb"\s*(?:xref|\d+\s+\d+\s+obj)")


class PdfFacts(NamedTuple):
    """Immutable. A NamedTuple rather than a frozen dataclass: the class is built in every parse
    worker before its first PDF (~0.2 ms, the dataclass ~0.7-1.2 ms), and once per file read."""

    pages: int | None  # None when unknown
    encrypted: bool  # has /Encrypt
    needs_password: bool  # cannot be opened without a user password
    error: str | None  # None when it opened; else one of ERROR_KEYS
    detail: str = ""  # what went wrong, at most 200 characters
    version: str | None = None  # header version, e.g. "1.7"
    texts: tuple[str, ...] = ()  # text of the first ``text_pages`` pages (as many as were read)
    repaired: bool = False  # opens, but only after rebuilding its cross-reference table


def read_pdf(
    source: str | os.PathLike[str] | bytes,
    *,
    text_pages: int = 0,
    timeout: float = 10.0,
    memory_mb: int | None = 1024,
    max_mb: int = 256,
) -> PdfFacts:
    """Facts about the PDF at ``source`` (a path, or the file's bytes) and the text of its first
    ``text_pages`` pages; never raises.

    ``max_mb``: files larger than this are not parsed (``error="too_large"``).  ``timeout`` and
    ``memory_mb`` bound the pypdf fallback (see the module docstring for PDFium).
    """
    try:
        data = _read(source, max_mb)
    except OSError as exc:  # unreadable file: the caller checked it exists
        return PdfFacts(None, False, False, "damaged", detail_of(exc))
    if data is None:
        # Imported here: the bounds of the pypdf path are not loaded for a file PDFium reads.
        from validator.readers.bounded import ParseLimit

        return PdfFacts(None, False, False, "too_large", detail_of(ParseLimit("size", f"larger than {max_mb} MB")))
    m = _HEADER.search(data, 0, _HEADER_WINDOW + 8)
    if m is None or m.start() > _HEADER_WINDOW:
        return PdfFacts(None, False, False, "not_pdf", _not_pdf_detail(data))
    version = m.group(1).decode("ascii")
    text_pages = max(text_pages, 0)

    from validator.readers import pdf_pdfium

    first = None
    if pdf_pdfium.available():
        first = pdf_pdfium.open_pdf(data, text_pages)
        if first.status == "password":
            return PdfFacts(None, True, True, "password", "the empty user password is rejected", version)
        if first.status == "unsupported":
            return PdfFacts(None, True, False, "unsupported", first.detail, version)
        if first.status == "ok" and first.first_page_loads and _possible(first.pages, len(data)):
            return PdfFacts(first.pages, first.encrypted, False, None, "", version, first.texts,
                            _xref_repaired(data, m.start()))  # fmt: skip

    from validator.readers.pdf_pypdf import read_with_pypdf

    second = read_with_pypdf(data, version, text_pages=text_pages, timeout=timeout, memory_mb=memory_mb)
    if second.error is None and second.pages is not None and _possible(second.pages, len(data)):
        return _replace(second, repaired=_xref_repaired(data, m.start()))
    if second.error is not None and second.error != "damaged":
        return second  # locked, unsupported, out of time or memory: pypdf knows more than "failed"
    # Neither reader can show a page.
    pages = first.pages if first is not None and first.status == "ok" else second.pages
    if pages == 0:
        return PdfFacts(0, second.encrypted, False, "no_pages", "the PDF has no pages", version)
    if pages is not None and not _possible(pages, len(data)):
        return PdfFacts(None, second.encrypted, False, "damaged", f"impossible page count {pages}", version)
    if first is not None and first.status == "ok":
        detail = f"page 1 cannot be loaded ({pages} pages declared); pypdf: {second.detail}"
    else:
        detail = "; ".join(x for x in ((first.detail if first else ""), f"pypdf: {second.detail}") if x)
    return PdfFacts(None, second.encrypted, False, "damaged", detail[:200], version)


def pdf_facts(
    path: str | os.PathLike[str],
    *,
    timeout: float = 10.0,
    memory_mb: int | None = 1024,
    max_mb: int = 256,
) -> PdfFacts:
    """:func:`read_pdf` without text."""
    return read_pdf(path, timeout=timeout, memory_mb=memory_mb, max_mb=max_mb)


def _possible(pages: int | None, size: int) -> bool:
    """At least one page, and no more pages than bytes (PDFium reports /Count as it is written:
    a negative or absurd one means a damaged page tree)."""
    return pages is not None and 0 < pages <= size


def _xref_repaired(data: bytes, header_at: int) -> bool:
    """True when the last ``startxref`` is missing or does not point at a cross-reference table
    or stream - viewers then rebuild the table by scanning the file."""
    tail_from = max(len(data) - _TAIL, 0)
    i = data.rfind(b"startxref", tail_from)
    if i < 0:
        return True
    m = _STARTXREF.match(data, i)
    if m is None:
        return True
    offset = int(m.group(1))
    # Offsets count from the start of the file; Acrobat also accepts them from the header.
    return not any(0 <= at < len(data) and _XREF_AT.match(data, at) for at in {offset, offset + header_at})


def _replace(f: PdfFacts, *, repaired: bool) -> PdfFacts:
    return PdfFacts(f.pages, f.encrypted, f.needs_password, f.error, f.detail, f.version, f.texts, repaired)


def _read(source: str | os.PathLike[str] | bytes, max_mb: int) -> bytes | None:
    """The bytes; None when there are more than ``max_mb`` MB."""
    limit = max_mb * 1024 * 1024
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        with open(source, "rb") as fh:
            data = fh.read(limit + 1)
    return None if len(data) > limit else data


def _not_pdf_detail(data: bytes) -> str:
    if not data:
        return "empty file"
    head = data[:16]
    return f"no %PDF- header in the first {_HEADER_WINDOW} bytes; starts with {head!r}"[:200]


def detail_of(exc: BaseException) -> str:
    """Exception class + message, at most 200 characters."""
    msg = str(exc).replace("\n", " ").strip()
    text = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
    return text[:200]
