"""libmagic (python-magic), imported lazily on the first call so that importing the package stays cheap.

libmagic is optional at run time: a stock Windows Python has none, and ``VALIDATOR_PORTABLE``
(:mod:`validator.portable`) switches it off on purpose. Without it :func:`builtin_mime` answers
from a few signatures and a text test - enough for every kind the dispatch in
:func:`validator.sniff.sniff` does not already recognise by itself (archives, BMP/TIFF, RTF and
the text kinds, which :mod:`validator.sniff.text` then tells apart); anything else stays
``application/octet-stream`` ("unknown"). A file whose type needed that stand-in says so
(``ContentType.without_libmagic``), and the folder gets one U101 note.
"""

from __future__ import annotations

import threading
from typing import Any, Final

from validator.portable import forced
from validator.sniff.types import _KIND_BY_MIME, _OCTET, _OLE_GENERIC, ContentType

_magic_lock = threading.Lock()
_magic_state: dict[str, Any] = {}  # "obj": magic.Magic, or "error": str once loading failed


def _load() -> Any:
    """The libmagic object, or None when it cannot load (or is switched off)."""
    obj = _magic_state.get("obj")
    if obj is not None or "error" in _magic_state:
        return obj
    with _magic_lock:
        obj = _magic_state.get("obj")
        if obj is None and "error" not in _magic_state:
            try:
                import magic  # lazy: keeps `import validator.sniff` cheap

                obj = magic.Magic(mime=True)
                _magic_state["obj"] = obj
            except Exception as exc:  # missing library or libmagic: structural checks still work
                _magic_state["error"] = f"{type(exc).__name__}: {exc}"
    return obj


def unavailable() -> str | None:
    """Why libmagic is not used in this process (None: it is)."""
    if forced("libmagic"):
        return "switched off (VALIDATOR_PORTABLE)"
    if _load() is None:
        return str(_magic_state.get("error", "not loaded"))
    return None


def _libmagic_mime(head: bytes) -> str | None:
    """libmagic's MIME type for ``head`` (octet-stream if it fails); None if it is unavailable."""
    obj = None if forced("libmagic") else _load()
    if obj is None:
        return None
    try:
        answer = obj.from_buffer(head)
    except Exception:
        return _OCTET
    text = answer.decode("ascii", "replace") if isinstance(answer, bytes) else str(answer)
    return text.split(";", 1)[0].strip() or _OCTET


_SIGNATURES: Final = (
    (b"Rar!\x1a\x07", "application/x-rar"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\x1f\x8b\x08", "application/gzip"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"{\\rtf", "text/rtf"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", _OLE_GENERIC),
)
_DIB_SIZES: Final = frozenset({12, 40, 52, 56, 64, 108, 124})
_BOMS: Final = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# Bytes that never occur in text (NUL and the C0 controls but tab, LF, FF, CR, ESC).
_BINARY: Final = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"


def builtin_mime(head: bytes) -> str:
    """What libmagic would most likely say about ``head``, for the kinds :func:`validator.sniff.sniff`
    relies on it for: archives, BMP/TIFF, RTF and text (``text/plain``; the text sniffer tells
    html, xml, svg, json and csv apart). Anything else: ``application/octet-stream``."""
    for magic_bytes, mime in _SIGNATURES:
        if head.startswith(magic_bytes):
            return mime
    # BMP: reserved words zero and a known DIB header size, so a text starting "BM" is not one.
    if head[:2] == b"BM" and len(head) >= 26 and head[6:10] == b"\0\0\0\0" and head[14] in _DIB_SIZES:
        return "image/bmp"
    if head.startswith(_BOMS):
        return "text/plain"
    if not head or head.translate(None, _BINARY) != head:
        return _OCTET
    for codec in ("utf-8", "gb18030"):  # the last character may be cut at the end of head
        for cut in range(4):
            try:
                head[: len(head) - cut].decode(codec)
                return "text/plain"
            except UnicodeDecodeError:
                continue
    return _OCTET


class _Lib:
    """libmagic's MIME type for ``head``, asked at most once and only when needed; the built-in
    stand-in's when libmagic is unavailable (then ``without`` is True)."""

    __slots__ = ("_head", "_mime", "without")

    def __init__(self, head: bytes) -> None:
        self._head = head
        self._mime: str | None = None
        self.without = False

    def __call__(self) -> str:
        if self._mime is None:
            mime = _libmagic_mime(self._head)
            if mime is None:
                mime, self.without = builtin_mime(self._head), True
            self._mime = mime
        return self._mime


def _fallback(lib: _Lib, detail: str) -> ContentType:
    """The libmagic-level answer, for when a container cannot be inspected."""
    mime = lib()
    return ContentType(_KIND_BY_MIME.get(mime.lower(), "unknown"), mime, detail)

