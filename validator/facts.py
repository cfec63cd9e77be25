"""Per-file facts, gathered once and memoised: the head bytes, the type sniffed from content, the
PDF's facts and page text, the parsed sheets and the workbook's text.

Checks ask a :class:`FileFacts` for what they need and never import a reader: whichever checks
ask (layout, cell rules, cross-field rules, the leak scan), a PDF is opened once and a sheet is
parsed once.

Opening never blocks and never follows a link: a file swapped for a FIFO or a link between the
walk and the open is caught by :func:`validator.safeio.open_regular` (O_NOFOLLOW/O_NONBLOCK and
fstat, or its portable lstat + fstat comparison).

The file's bytes are read once and held (``data``): a file in a zip is inflated once, with a
cap (``validator.packsource``); a file on disk is read whole only when a reader needs more than
its head, and then handed to the PDF reader, the sheet reader and the workbook text as bytes.
"""

from __future__ import annotations

import errno
import os
from typing import TYPE_CHECKING, Any

from validator.discovery import Entry
from validator.safeio import UnsafeFile, open_regular
from validator.sniff import HEAD_SIZE, ContentType, sniff

if TYPE_CHECKING:
    from validator.readers.pdf import PdfFacts
    from validator.table import SheetData


class FileFacts:
    """What is known about one regular file; the expensive parts are computed on first use."""

    __slots__ = ("_data", "_failed", "_pdf", "_sheets", "_workbook_text", "content", "entry", "head", "size",
                 "text_pages")

    def __init__(self, entry: Entry, size: int, head: bytes, content: ContentType, text_pages: int = 0,
                 data: bytes | None = None):
        self.entry, self.size, self.head, self.content = entry, size, head, content
        self.text_pages = text_pages  # PDF pages whose text the checks of this run need
        self._data = data if data is not None else (head if len(head) >= size else None)
        self._pdf: PdfFacts | None = None
        self._sheets: dict[tuple[str | None, int, int | None], Any] = {}
        self._workbook_text: str | None = None
        self._failed: SheetProblem | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled once per parse call to the worker: without the head, which only the sniffer
        reads (it has run) - rebuilt from the bytes when they are held, else left empty."""
        fresh = self._pdf is None and not self._sheets and self._workbook_text is None and self._failed is None
        parsed = None if fresh else (self._pdf, self._sheets, self._workbook_text, self._failed)
        return _unpickled, (self.entry, self.size, self.content, self.text_pages, self._data, parsed)

    def fail(self, key: str, detail: str) -> None:
        """The content could not be parsed (the worker parsing it timed out, ran out of memory or
        crashed): from now on every parse answers with this failure instead of trying again.
        ``key`` is one of the readers' error keys shared by PDFs and sheets (timeout, memory, damaged)."""
        from validator.readers.pdf import PdfFacts

        self._pdf = PdfFacts(None, False, False, key, detail)
        self._failed = SheetProblem(key, detail)
        self._sheets.clear()
        self._workbook_text = ""

    @property
    def rel(self) -> str:
        return self.entry.rel

    @property
    def path(self) -> str:
        return self.entry.path

    def source(self) -> bytes | str:
        """The file's bytes, read once (a file on disk larger than the readers' cap: its path,
        and each reader applies its own limit)."""
        if self._data is None and self.entry.member is None and self.size <= _READ_CAP:
            self._data = _read_whole(self.entry.path)
        return self._data if self._data is not None else self.entry.path

    def pdf(self) -> PdfFacts:
        """Does it open, is it locked, how many pages, and the text of the first ``text_pages``
        pages: one read, one parse."""
        if self._pdf is None:
            from validator.readers.pdf import read_pdf

            self._pdf = read_pdf(self.source(), text_pages=self.text_pages)
        return self._pdf

    def pdf_texts(self) -> tuple[str, ...]:
        """The text of the first ``text_pages`` pages (as many as could be read)."""
        return self.pdf().texts if self.text_pages > 0 else ()

    def sheet(self, name: str | None, header_row: int, max_rows: int | None = None) -> SheetData:
        """The named sheet (None: the first) read below ``header_row``; raises :class:`SheetProblem`.
        ``max_rows``: only that many sheet rows below the header (the reader's default: None).
        A failure is memoised too: the next asker gets the same error without a re-read.
        A bounded read is memoised apart from a whole one: it must not answer for the rows it left."""
        if self._failed is not None:
            raise self._failed
        key = (name, header_row, max_rows)
        found = self._sheets.get(key)
        if found is None:
            from validator.readers.xlsx import SheetError, read_sheet

            bound = {} if max_rows is None else {"max_rows": max_rows}
            try:
                found = read_sheet(self.source(), name, header_row, **bound)
            except SheetError as exc:
                found = SheetProblem(exc.key, exc.detail)
            self._sheets[key] = found
            if name is None and not isinstance(found, SheetProblem):
                # the first sheet asked for by its name (the leak scan does) is the same read
                self._sheets.setdefault((found.sheet, header_row, max_rows), found)
        if isinstance(found, SheetProblem):
            raise found
        return found

    def workbook_text(self) -> str:
        """Every text the workbook stores (shared strings, else inline strings), markup and all."""
        if self._workbook_text is None:
            from validator.readers.ooxml_text import workbook_text

            self._workbook_text = workbook_text(self.source())
        return self._workbook_text


def _unpickled(entry: Entry, size: int, content: ContentType, text_pages: int, data: bytes | None,
               parsed: tuple[Any, ...] | None) -> FileFacts:
    facts = FileFacts(entry, size, data[:HEAD_SIZE] if data is not None else b"", content, text_pages, data)
    if parsed is not None:
        facts._pdf, facts._sheets, facts._workbook_text, facts._failed = parsed
    return facts


class SheetProblem(Exception):
    """A sheet that could not be read: ``key`` says why (see validator.readers.xlsx.ERROR_KEYS)."""

    def __init__(self, key: str, detail: str = ""):
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key, self.detail = key, detail


class ReadProblem(Exception):
    def __init__(self, code: str, detail: str, kind: str = "", params: dict[str, Any] | None = None):
        super().__init__(detail)
        self.code, self.detail, self.kind = code, detail, kind
        self.params = params  # the defect's parameters, when they are more than a detail


def read_facts(entry: Entry, *, text_pages: int = 0) -> FileFacts:
    """Read the head of a regular file once and sniff its type; ReadProblem otherwise."""
    if entry.member is not None:
        return _member_facts(entry, text_pages)
    try:
        fd, st = open_regular(entry.path)
    except UnsafeFile as exc:
        if exc.reason == "missing":
            raise ReadProblem("F102", os.strerror(errno.ENOENT)) from None
        if exc.reason == "symlink":
            raise ReadProblem("F103", "link", "symlink") from None
        if exc.reason == "not_regular":
            raise ReadProblem("F104", "not a regular file", _KINDS.get(exc.kind, exc.kind)) from None
        raise ReadProblem("F101", exc.detail or exc.reason) from None
    try:
        try:
            head = os.read(fd, HEAD_SIZE)
        except OSError as exc:
            raise ReadProblem("F101", exc.strerror or str(exc)) from None
        content = sniff(entry.path, head, st.st_size, fd)  # a zip's directory: through the same descriptor
    finally:
        os.close(fd)
    return FileFacts(entry, st.st_size, head, content, text_pages)


def _member_facts(entry: Entry, text_pages: int) -> FileFacts:
    """A file inside a zip: inflated once (bounded), sniffed from its bytes."""
    from validator.packsource import member_bytes
    from validator.ziparchive import MemberProblem

    assert entry.member is not None
    try:
        data = member_bytes(entry.member)
    except MemberProblem as exc:
        raise ReadProblem(exc.code, str(exc.params.get("detail", "")), params=exc.params) from None
    except OSError as exc:
        raise ReadProblem("F102" if isinstance(exc, FileNotFoundError) else "F101", exc.strerror or str(exc)) from None
    content = sniff(entry.path, data, len(data))  # all the bytes are at hand: the sniffer reopens nothing
    return FileFacts(entry, len(data), data[:HEAD_SIZE], content, text_pages, data)


_READ_CAP = 256 << 20  # the PDF reader's own limit


def _read_whole(path: str) -> bytes | None:
    """A regular file's bytes (not following a link, at most the cap); None when it cannot be
    read now (the readers then open the path and report what they find)."""
    from validator.safeio import read_regular

    try:
        return read_regular(path, _READ_CAP)
    except UnsafeFile:
        return None


def preload_readers(kind: str | None = None) -> None:
    """Import the readers (and their native libraries) that the memoised parses use, and the
    checks that call them: a parse worker does this before its first file of a kind ("pdf" or
    "sheet"; None: both), so that no file's deadline pays for it. A native library that is not
    installed is skipped: the readers fall back to pypdf / openpyxl."""
    import contextlib

    if kind in (None, "pdf"):
        import validator.readers.pdf
        from validator.readers import pdf_pdfium

        pdf_pdfium.available()  # binds and initialises PDFium (False without it: pypdf then)
    if kind in (None, "sheet"):
        import validator.checks.sheet
        import validator.readers.ooxml_text
        import validator.readers.xlsx  # noqa: F401

        with contextlib.suppress(ImportError):
            import python_calamine  # noqa: F401


_KINDS = {"directory": "dir", "special": "other"}  # safeio's kind names -> discovery's
