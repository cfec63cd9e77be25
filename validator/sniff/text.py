"""Text kinds: html, xml, svg, json, csv, rtf and plain text, from the decoded head."""

from __future__ import annotations

import re
from typing import Final

from validator.sniff.types import SHORT_TYPES, ContentType

_XML_MIMES: Final = frozenset({"text/xml", "application/xml"})
_PROGID_RE: Final = re.compile(r"""<\?mso-application\s+progid\s*=\s*["']([\w.]+)["']""", re.I)
_ROOT_RE: Final = re.compile(r"<([A-Za-z_][\w.:-]*)")


def _decode_text(head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:].decode("utf-8", "replace")
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return head[4:].decode("utf-32-le" if head[0] == 0xFF else "utf-32-be", "replace")
    if head.startswith(b"\xff\xfe"):
        return head[2:].decode("utf-16-le", "replace")
    if head.startswith(b"\xfe\xff"):
        return head[2:].decode("utf-16-be", "replace")
    return head.decode("utf-8", "replace")  # GBK etc. keep their ASCII, which is all we inspect


def _markup_kind(text: str) -> tuple[str, str] | None:
    """(kind, detail) for text that starts with markup, else None."""
    low = text[:4096].lower()
    if low.startswith("<!doctype html") or low.startswith("<html"):
        return "html", ""
    if low.startswith("<?xml") or low.startswith("<!--") or low.startswith("<!doctype"):
        progid = _PROGID_RE.search(text[:4096])
        pos = 0
        root = ""
        for _ in range(50):  # skip the prolog: declarations, comments, processing instructions
            lt = low.find("<", pos)
            if lt < 0:
                break
            if low.startswith("<?", lt):
                pos = low.find("?>", lt) + 2 if low.find("?>", lt) >= 0 else len(low)
            elif low.startswith("<!--", lt):
                pos = low.find("-->", lt) + 3 if low.find("-->", lt) >= 0 else len(low)
            elif low.startswith("<!", lt):
                pos = low.find(">", lt) + 1 if low.find(">", lt) >= 0 else len(low)
            else:
                m = _ROOT_RE.match(low, lt)
                root = m.group(1) if m else ""
                break
        local = root.rsplit(":", 1)[-1]
        if local == "svg":
            return "svg", "root element svg"
        if local == "html":
            return "html", "XHTML"
        if low.startswith("<?xml"):
            detail = f"root element {root}" if root else ""
            if progid:
                detail = f"Office XML ({progid.group(1)}), {detail}".rstrip(", ")
            return "xml", detail
        return None
    if low.startswith("<svg"):
        return "svg", ""
    return None


def _looks_json(text: str, complete: bool) -> bool:
    s = text.strip()
    if not s or s[0] not in "{[":
        return False
    if complete:
        import json

        try:
            json.loads(s)
        except ValueError:
            return False
        return True
    rest = s[1:].lstrip()
    if not rest:
        return False
    if s[0] == "{":
        return rest[0] in '"}'
    return rest[0] in '{["]-0123456789' or rest.startswith(("true", "false", "null"))


def _count_outside_quotes(line: str, delim: str) -> int:
    n = 0
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delim and not quoted:
            n += 1
    return n


def _csv_delimiter(text: str, complete: bool) -> str | None:
    lines = text.splitlines()
    if not complete and lines:
        lines = lines[:-1]  # the last line may be cut
    lines = [ln for ln in lines if ln.strip()][:50]
    if len(lines) < 2:
        return None
    for delim in (",", "\t", ";"):
        counts = [_count_outside_quotes(ln, delim) for ln in lines]
        first = counts[0]
        if first >= 1 and sum(1 for c in counts if c == first) >= max(2, 0.8 * len(counts)):
            return delim
    return None


def _sniff_text(head: bytes, size: int, lib: str) -> ContentType:
    lib_l = lib.lower()
    complete = len(head) >= size
    text = _decode_text(head)
    s = text.lstrip("\ufeff \t\r\n")
    if s[:6].lower().startswith("{\\rtf") or lib_l in ("text/rtf", "application/rtf"):
        return ContentType("rtf", "text/rtf")
    if s.startswith("<"):
        markup = _markup_kind(s)
        if markup is not None:
            kind, detail = markup
            if kind == "xml":
                return ContentType("xml", lib if lib_l in _XML_MIMES else "application/xml", detail)
            return ContentType(kind, SHORT_TYPES[kind], detail)
    if lib_l == "image/svg+xml":
        return ContentType("svg", lib)
    if lib_l == "text/html":
        return ContentType("html", lib)
    if lib_l in _XML_MIMES:
        return ContentType("xml", lib)
    plain = lib_l in ("text/plain", "application/json", "text/csv")
    if lib_l == "application/json" or (plain and _looks_json(s, complete)):
        return ContentType("json", "application/json")
    if lib_l == "text/csv":
        return ContentType("csv", lib)
    if plain:
        delim = _csv_delimiter(text, complete)
        if delim == "\t":
            return ContentType("csv", "text/tab-separated-values", "tab-separated")
        if delim is not None:
            return ContentType("csv", "text/csv", f"separated by {delim!r}")
    return ContentType("txt", lib if lib_l.startswith("text/") else "text/plain")
