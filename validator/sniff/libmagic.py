"""libmagic (python-magic), imported lazily on the first call so that importing the package stays cheap."""

from __future__ import annotations

import threading
from typing import Any

from validator.sniff.types import _KIND_BY_MIME, _OCTET, ContentType

_magic_lock = threading.Lock()
_magic_state: dict[str, Any] = {}  # "obj": magic.Magic, or "error": str once loading failed


def _libmagic_mime(head: bytes) -> str:
    """libmagic's MIME type for ``head``; octet-stream if libmagic is unavailable or fails."""
    obj = _magic_state.get("obj")
    if obj is None:
        if "error" in _magic_state:
            return _OCTET
        with _magic_lock:
            obj = _magic_state.get("obj")
            if obj is None and "error" not in _magic_state:
                try:
                    import magic  # lazy: keeps `import validator.sniff` cheap

                    obj = magic.Magic(mime=True)
                    _magic_state["obj"] = obj
                except Exception as exc:  # missing library or libmagic: structural checks still work
                    _magic_state["error"] = f"{type(exc).__name__}: {exc}"
        if obj is None:
            return _OCTET
    try:
        answer = obj.from_buffer(head)
    except Exception:
        return _OCTET
    text = answer.decode("ascii", "replace") if isinstance(answer, bytes) else str(answer)
    return text.split(";", 1)[0].strip() or _OCTET


class _Lib:
    """libmagic's MIME type for ``head``, asked at most once and only when needed."""

    __slots__ = ("_head", "_mime")

    def __init__(self, head: bytes) -> None:
        self._head = head
        self._mime: str | None = None

    def __call__(self) -> str:
        if self._mime is None:
            self._mime = _libmagic_mime(self._head)
        return self._mime


def _fallback(lib: _Lib, detail: str) -> ContentType:
    """The libmagic-level answer, for when a container cannot be inspected."""
    mime = lib()
    return ContentType(_KIND_BY_MIME.get(mime.lower(), "unknown"), mime, detail)

