"""The first opinion on a PDF: PDFium (Chrome's PDF engine), the library pypdfium2 ships.

The few PDFium functions used here are bound with ctypes by this module (:class:`_Pdfium`), from
the library file inside the ``pypdfium2_raw`` package: ~0.6 ms, where importing
``pypdfium2_raw`` (ctypes bindings of the whole API, and ``ctypes.util`` with shutil and
tempfile) takes ~9 ms, paid by every parse worker before its first PDF (the pre-commit hook
waits for it).  Where that file is not found (a build against a system PDFium) or a symbol is
missing, ``pypdfium2_raw`` itself is imported; tests hold our prototypes equal to its.

PDFium is native code: SIGALRM cannot stop it and RLIMIT_AS makes it abort rather than fail, so
it must run in a killable worker process to be bounded (``validator/sandbox.py``).  It is not
thread-safe either: every call into it holds :data:`_LOCK` for the whole life of a document.

Never raises for a bad file; :func:`available` is False when pypdfium2 is not installed (then
the caller falls back on pypdf).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from typing import Any, NamedTuple

__all__ = ["Opened", "available", "open_pdf"]

#: Held for every PDFium call: the library keeps global state and is not thread-safe.
_LOCK = threading.Lock()
_state: dict[str, Any] = {}  # "lib": the initialised bindings (ours or pypdfium2_raw), or "error": why not

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


class _LibraryConfig(ctypes.Structure):
    """FPDF_LIBRARY_CONFIG (fpdfview.h). We pass version 2: PDFium reads the first four fields
    only; the later ones (versions 3 and 4) stay zero, as pypdfium2's do."""

    _fields_ = (
        ("version", ctypes.c_int), ("m_pUserFontPaths", ctypes.c_void_p), ("m_pIsolate", ctypes.c_void_p),
        ("m_v8EmbedderSlot", ctypes.c_uint), ("m_pPlatform", ctypes.c_void_p), ("m_RendererType", ctypes.c_int),
        ("m_FontLibraryType", ctypes.c_int), ("m_BrotliEnabled", ctypes.c_int),
        ("m_IsolatePerDocument", ctypes.c_int),
    )  # fmt: skip


class _SizeF(ctypes.Structure):
    """FS_SIZEF (fpdfview.h)."""

    _fields_ = (("width", ctypes.c_float), ("height", ctypes.c_float))


_VOID, _HANDLE, _INT = None, ctypes.c_void_p, ctypes.c_int  # a handle (document, page, text page): void*
#: name -> (restype, argtypes), as fpdfview.h and fpdf_text.h declare them (and pypdfium2_raw binds them).
PROTOTYPES: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "FPDF_InitLibraryWithConfig": (_VOID, (ctypes.POINTER(_LibraryConfig),)),
    "FPDF_SetSystemFontInfo": (_VOID, (ctypes.c_void_p,)),
    "FPDF_LoadMemDocument64": (_HANDLE, (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p)),
    "FPDF_GetLastError": (ctypes.c_ulong, ()),
    "FPDF_GetPageCount": (_INT, (_HANDLE,)),
    "FPDF_GetSecurityHandlerRevision": (_INT, (_HANDLE,)),
    "FPDF_GetPageSizeByIndexF": (_INT, (_HANDLE, _INT, ctypes.POINTER(_SizeF))),
    "FPDF_LoadPage": (_HANDLE, (_HANDLE, _INT)),
    "FPDF_ClosePage": (_VOID, (_HANDLE,)),
    "FPDF_CloseDocument": (_VOID, (_HANDLE,)),
    "FPDFText_LoadPage": (_HANDLE, (_HANDLE,)),
    "FPDFText_CountChars": (_INT, (_HANDLE,)),
    "FPDFText_GetText": (_INT, (_HANDLE, _INT, _INT, ctypes.POINTER(ctypes.c_ushort))),
    "FPDFText_ClosePage": (_VOID, (_HANDLE,)),
}


class _Pdfium:
    """The functions of :data:`PROTOTYPES`, bound from one PDFium library file, with the two
    structures the calls below build (the names pypdfium2_raw gives them)."""

    FPDF_LIBRARY_CONFIG = _LibraryConfig
    FS_SIZEF = _SizeF

    def __init__(self, path: str) -> None:
        lib = ctypes.CDLL(path)
        for name, (restype, argtypes) in PROTOTYPES.items():
            fn = getattr(lib, name)  # AttributeError: a PDFium without it
            fn.restype, fn.argtypes = restype, argtypes
            setattr(self, name, fn)
        self.path = path


def library_file() -> str | None:
    """The PDFium library inside the installed pypdfium2_raw package (where its bindings load it
    from), found without importing the package; None when there is none."""
    from importlib.machinery import PathFinder

    found = PathFinder.find_spec("pypdfium2_raw")
    if found is None or not found.submodule_search_locations:
        return None
    if sys.platform.startswith(("win32", "cygwin", "msys")):
        name = "pdfium.dll"
    elif sys.platform.startswith(("darwin", "ios")):
        name = "libpdfium.dylib"
    else:
        name = "libpdfium.so"
    for folder in found.submodule_search_locations:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


def _bind() -> Any:
    """Our bindings, or (no library file where pypdfium2_raw keeps it, a symbol missing)
    pypdfium2_raw's; raises ImportError / OSError when PDFium cannot be had."""
    path = library_file()
    if path is not None:
        try:
            return _Pdfium(path)
        except (OSError, AttributeError):
            pass
    import pypdfium2_raw

    return pypdfium2_raw


def _lib() -> Any:
    lib = _state.get("lib")
    if lib is not None:
        return lib
    if "error" in _state:
        return None
    with _LOCK:
        if "lib" not in _state and "error" not in _state:
            try:
                raw = _bind()
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
    return _open(raw, data, text_pages)


def _open(raw: Any, data: bytes, text_pages: int) -> Opened:
    """:func:`open_pdf` through the bindings ``raw`` (ours, or pypdfium2_raw's)."""
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
