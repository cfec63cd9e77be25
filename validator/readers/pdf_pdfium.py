"""The first opinion on a PDF: PDFium (Chrome's PDF engine) through pypdfium2's raw bindings.

Only ``pypdfium2_raw`` (the ctypes bindings, ~15 ms to import) is loaded, not the ``pypdfium2``
helper package (another ~15 ms of Python wrappers this module does not need).

PDFium is native code: SIGALRM cannot stop it and RLIMIT_AS makes it abort rather than fail, so
it must run in a killable worker process to be bounded (``validator/sandbox.py``).  It is not
thread-safe either: every call into it holds :data:`_LOCK` for the whole life of a document.

Never raises for a bad file; :func:`available` is False when pypdfium2 is not installed (then
the caller falls back on pypdf).
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any, NamedTuple

__all__ = ["Opened", "available", "open_pdf"]

#: Held for every PDFium call: the library keeps global state and is not thread-safe.
_LOCK = threading.Lock()
_state: dict[str, Any] = {}  # "lib": the initialised pypdfium2_raw module, or "error": why not

#: Characters of text kept per page: the leak scan looks for names and codes, not whole books.
MAX_PAGE_CHARS = 200_000

# FPDF_GetLastError() codes (fpdfview.h)
_ERR_PASSWORD = 4
_ERR_SECURITY = 5
_ERR_NAMES = {1: "unknown error", 2: "file not found or unreadable", 3: "not a PDF or damaged",
              4: "password required", 5: "unsupported security handler", 6: "page not found"}  # fmt: skip


class Opened(NamedTuple):
    """What PDFium made of the bytes."""

    status: str  # "ok", "password", "unsupported" (security handler) or "failed"
    pages: int | None = None  # FPDF_GetPageCount when opened
    encrypted: bool = False
    first_page_loads: bool = False  # page 1's dictionary was found (the page tree reaches a real page)
    texts: tuple[str, ...] = ()
    detail: str = ""


def _lib() -> Any:
    lib = _state.get("lib")
    if lib is not None:
        return lib
    if "error" in _state:
        return None
    with _LOCK:
        if "lib" not in _state and "error" not in _state:
            try:
                import pypdfium2_raw as raw

                # A no-op when the pypdfium2 helper package (or we) initialised it already.
                raw.FPDF_InitLibraryWithConfig(
                    raw.FPDF_LIBRARY_CONFIG(version=2, m_pUserFontPaths=None, m_pIsolate=None, m_v8EmbedderSlot=0)
                )
                # No system fonts: we never render, and looking a non-embedded font (a CJK
                # STSong-Light, say) up among the system's fonts made loading page 1 for its
                # text 3-4x slower. The text comes from the PDF's encodings and CMaps, not from
                # the substitute font: identical over the real-world corpus (112 PDFs, 3 pages).
                raw.FPDF_SetSystemFontInfo(None)
                _state["lib"] = raw
            except Exception as exc:  # not installed, or no binary for this platform
                _state["error"] = f"{type(exc).__name__}: {exc}"
    return _state.get("lib")


def available() -> bool:
    return _lib() is not None


def open_pdf(data: bytes, text_pages: int = 0) -> Opened:
    """Open ``data`` (the whole file) with the empty password; the text of the first
    ``text_pages`` pages when asked.  Call only when :func:`available`."""
    raw = _lib()
    if raw is None:
        return Opened("failed", detail=f"PDFium unavailable: {_state.get('error', '')}"[:200])
    with _LOCK:
        doc = raw.FPDF_LoadMemDocument64(data, len(data), None)
        if not doc:
            err = int(raw.FPDF_GetLastError())
            detail = f"PDFium: {_ERR_NAMES.get(err, f'error {err}')}"
            if err == _ERR_PASSWORD:
                return Opened("password", encrypted=True, detail=detail)
            if err == _ERR_SECURITY:
                return Opened("unsupported", encrypted=True, detail=detail)
            return Opened("failed", detail=detail)
        try:
            pages = int(raw.FPDF_GetPageCount(doc))
            encrypted = int(raw.FPDF_GetSecurityHandlerRevision(doc)) != -1
            # The page tree must reach a real page: its size is read from the page dictionary
            # without parsing the content (25x cheaper than FPDF_LoadPage, which we need only for text).
            size = raw.FS_SIZEF()
            first_loads = pages > 0 and bool(raw.FPDF_GetPageSizeByIndexF(doc, 0, ctypes.byref(size)))
            texts: list[str] = []
            for i in range(min(text_pages, pages) if first_loads else 0):
                page = raw.FPDF_LoadPage(doc, i)
                if not page:
                    texts.append("")
                    continue
                try:
                    texts.append(_page_text(raw, page))
                finally:
                    raw.FPDF_ClosePage(page)
            return Opened("ok", pages, encrypted, first_loads, tuple(texts))
        finally:
            raw.FPDF_CloseDocument(doc)


def _page_text(raw: Any, page: Any) -> str:
    textpage = raw.FPDFText_LoadPage(page)
    if not textpage:
        return ""
    try:
        count = min(int(raw.FPDFText_CountChars(textpage)), MAX_PAGE_CHARS)
        if count <= 0:
            return ""
        buf = (ctypes.c_ushort * (count + 1))()
        got = int(raw.FPDFText_GetText(textpage, 0, count, buf))  # UTF-16LE, with a terminating NUL
        text = bytes(buf)[: max(got - 1, 0) * 2].decode("utf-16-le", "replace")
        return text.replace("\r\n", "\n")
    finally:
        raw.FPDFText_ClosePage(textpage)
