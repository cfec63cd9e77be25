"""One sanitiser for text from the folder (file names, cell values, registry rows) before it
reaches a terminal or a line-based format.

A file name may legally hold CR, LF, ESC or a right-to-left override on Linux. Printed raw,
`ESC[2J` clears the screen, an OSC-8 sequence plants a link, a CR or LF starts a forged line
(`validator: 0 errors`), and U+202E reverses what the reader sees. Every such character is
shown as a visible escape instead (`\\x1b`, `\\r`, `\\u202e`), the same in every output mode:
nothing is dropped, so two different names never print the same.
"""

from __future__ import annotations

import re

# C0 controls (incl. TAB, CR, LF, ESC), DEL, C1 controls (incl. CSI U+009B and OSC U+009D),
# bidi embeddings/overrides (U+202A-202E) and isolates (U+2066-2069), the implicit marks that
# steer them (U+200E/200F, U+061C), the line/paragraph separators some terminals honour, and
# the two XML 1.0 non-characters.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_SURROGATE = re.compile("[\udc80-\udcff]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _SHORT:
        return _SHORT[ch]
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def safe(text: object) -> str:
    """`text` as one printable line: undecodable bytes (surrogate escapes) as U+FFFD, every
    control, bidi or line-breaking character as a visible escape."""
    s = str(text)
    if _SURROGATE.search(s):
        s = s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _UNSAFE.sub(_escape, s)


def is_safe(text: str) -> bool:
    """True when :func:`safe` would leave `text` as it is."""
    return not _UNSAFE.search(text) and not _SURROGATE.search(text)


# A spreadsheet runs a cell that starts with one of these as a formula (or DDE command).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_cell(text: str) -> str:
    """A cell value a spreadsheet will show, never run: a leading apostrophe before a formula
    start (and before an apostrophe, so the guard can be undone by taking one off)."""
    return "'" + text if text.startswith((*FORMULA_START, "'")) else text


# Raw in JSON text only inside strings (the encoder escapes C0 itself, but with
# ensure_ascii=False it lets DEL, C1, bidi and U+2028/2029 through as they are).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(serialized: str) -> str:
    """Serialized JSON with those characters as \\uXXXX escapes: the same data for a parser,
    harmless when the JSON is read on a terminal (and line-safe for `textwrap`)."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", serialized)
