"""Cross-client leakage: another client's company name or credit code inside a client's files.

A pack assembled by copying another client's carries that client's identity: in file names
(L101), spreadsheet cells (L102) or the text of PDF pages (L103). Every task gets the identities
of all clients; a hit is reported unless the value is also the client's own (two folders of one
company, for two licences) or lies inside the client's own name (``北京示例科技有限公司`` holds
``示例科技有限公司``).

Cost matters (thousands of files): the scanner never loops over identities. Credit codes are
found with one regex and a set lookup; company names by their last character (a handful of
distinct ones: 司, 团, 院…) and a set lookup for each length ending there. Spreadsheets are
scanned through their shared-strings part (every distinct text once, without parsing cells);
only a hit pays for reading the sheets to say which cell. PDFs: the first pages' text, bounded.
"""

from __future__ import annotations

import html
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from validator.checks import Context
from validator.model import Location

_USCC = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NP-RTUW-Y]{18}(?![0-9A-Z])")
_MIN_NAME = 4  # shorter "company names" would match ordinary words
_MAX_XML_BYTES = 64 * 1024 * 1024  # inflated shared strings / sheet parts read for the scan
_TITLES = {"company": "公司名称", "uscc": "统一社会信用代码"}


def normalize(text: str) -> str:
    """NFKC (full-width letters, digits, brackets and the ideographic space become ASCII), upper
    case: the form both sides are compared in. (str.translate would do the width part ~15x slower.)"""
    return unicodedata.normalize("NFKC", text).upper()


@dataclass(frozen=True)
class Identity:
    client: str  # folder name
    company: str = ""
    uscc: str = ""


@dataclass(frozen=True)
class Hit:
    kind: str  # company | uscc
    value: str  # as the owners wrote it
    owners: tuple[str, ...]  # client folders it belongs to


class LeakIndex:
    """Every client's identifiers, built once per worker and shared by all its tasks."""

    def __init__(self, identities: Iterable[Identity]):
        owners: dict[tuple[str, str], list[str]] = defaultdict(list)
        shown: dict[tuple[str, str], str] = {}
        for ident in identities:
            for kind, raw in (("company", ident.company), ("uscc", ident.uscc)):
                key = normalize(raw.strip())
                if (kind == "uscc" and not _USCC.fullmatch(key)) or (kind == "company" and len(key) < _MIN_NAME):
                    continue
                owners[(kind, key)].append(ident.client)
                shown.setdefault((kind, key), raw.strip())
        self._hits = {key: Hit(key[0], shown[key], tuple(sorted(set(names)))) for key, names in owners.items()}
        self._lengths: dict[str, set[int]] = defaultdict(set)  # last character -> company name lengths
        for kind, key in self._hits:
            if kind == "company":
                self._lengths[key[-1]].add(len(key))
        self._tail = (
            re.compile("[" + "".join(re.escape(c) for c in sorted(self._lengths)) + "]") if self._lengths else None
        )

    def __bool__(self) -> bool:
        return bool(self._hits)

    def find(self, text: str, own: Own) -> Iterator[tuple[Hit, int]]:
        """(hit, offset in the normalized text) for every other client's identifier in ``text``."""
        norm = normalize(text)
        mine = own.normalized
        if "uscc" in own.kinds:
            for m in _USCC.finditer(norm):
                hit = self._hits.get(("uscc", m.group()))
                if hit is not None and m.group() not in mine:
                    yield hit, m.start()
        if self._tail is None or "company" not in own.kinds:
            return
        covered: list[tuple[int, int]] | None = None
        for m in self._tail.finditer(norm):
            end = m.end()
            for length in self._lengths[m.group()]:
                start = end - length
                if start < 0:
                    continue
                key = norm[start:end]
                hit = self._hits.get(("company", key))
                if hit is None or key in mine:
                    continue
                if covered is None:
                    covered = _spans(norm, own.names)
                if any(a <= start and end <= b for a, b in covered):
                    continue
                yield hit, start


class Own:
    """A client's own identifiers: never reported, nor anything inside them.

    ``kinds`` says what to look for at all: with its own company unknown (V101 says so) or its
    own credit code invalid (V102), a client's files carry its real name or code, which may be
    another folder's (the same company's other licence, or the folder the typo was made from);
    reporting those would bury the one real defect under a cascade.
    """

    def __init__(self, values: Iterable[str], kinds: Iterable[str] = ("company", "uscc")):
        self.normalized = frozenset(normalize(v.strip()) for v in values if v and v.strip())
        self.names = [v for v in self.normalized if len(v) >= _MIN_NAME]
        self.kinds = frozenset(kinds)


def _spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    out = []
    for needle in needles:
        i = text.find(needle)
        while i >= 0:
            out.append((i, i + len(needle)))
            i = text.find(needle, i + 1)
    return out


# --- the three places a leak shows ---------------------------------------------------------------


def _params(ctx: Context, hit: Hit) -> dict[str, object]:
    var = ctx.spec.variables.get(hit.kind)
    others = list(hit.owners)
    shown = "、".join(others[:3]) + (f" …(+{len(others) - 3})" if len(others) > 3 else "")
    return {
        "other": shown,
        "clients": others,
        "name": hit.kind,
        "title": var.title if var else _TITLES[hit.kind],
        "value": hit.value,
    }


def scan_name(ctx: Context, index: LeakIndex, rel: str, own: Own, document: str | None) -> list[Hit]:
    """L101 for every other client's identifier in the file's path inside the folder."""
    found: dict[Hit, None] = {}
    for hit, _ in index.find(rel, own):
        found.setdefault(hit)
    for hit in found:
        ctx.emit("L101", rel, _params(ctx, hit), document=document)
    return list(found)


def scan_xlsx(ctx: Context, index: LeakIndex, path: str, rel: str, own: Own, document: str | None) -> None:
    """L102, one per leaked value and file, located at its first cell."""
    text = _workbook_text(path)
    if not text:
        return
    hits = {hit: None for hit, _ in index.find(text, own)}
    if not hits:
        return
    cells = _locate_cells(path, index, own)
    for hit in hits:
        where = cells.get(hit, [])
        params = {**_params(ctx, hit), "cells": max(len(where), 1)}
        ctx.emit("L102", rel, params, document=document, location=where[0] if where else None)


def scan_pdf(
    ctx: Context,
    index: LeakIndex,
    path: str,
    rel: str,
    own: Own,
    document: str | None,
    pages: int,
    seconds: float,
) -> None:
    """L103, one per leaked value and file, at the first page carrying it."""
    from validator.readers.pdf_text import first_pages_text

    result = first_pages_text(path, pages=pages, seconds=seconds)
    first_page: dict[Hit, int] = {}
    for number, page_text in enumerate(result.pages, start=1):
        for hit, _ in index.find(page_text, own):
            first_page.setdefault(hit, number)
    for hit, number in first_page.items():
        ctx.emit("L103", rel, {**_params(ctx, hit), "page": number}, document=document, location=Location(page=number))


def _workbook_text(path: str) -> str:
    """Every text the workbook stores: the shared strings, else the sheets' inline strings."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            shared = [i for i in infos if i.filename.lower().endswith("sharedstrings.xml")]
            parts = shared or [
                i
                for i in infos
                if i.filename.lower().startswith("xl/worksheets/") and i.filename.lower().endswith(".xml")
            ]
            chunks = []
            budget = _MAX_XML_BYTES
            for info in parts:
                if info.flag_bits & 0x1 or budget <= 0:
                    continue  # encrypted entry, or enough read
                with zf.open(info) as f:
                    data = f.read(budget)
                budget -= len(data)
                chunks.append(data.decode("utf-8", "replace"))
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError, EOFError):
        return ""  # the type and sheet checks report a damaged workbook
    # The XML as it is, markup included: tags hold no names or 18-character codes, and a string
    # is one <t> element. Entities (openpyxl writes every CJK character as &#NNNNN;) are resolved.
    text = "\n".join(chunks)
    return html.unescape(text) if "&" in text else text


def _locate_cells(path: str, index: LeakIndex, own: Own) -> dict[Hit, list[Location]]:
    """Where the leaked values sit: every sheet read in full (only files that do leak get here)."""
    from validator.readers.xlsx import SheetError, col_letter, read_sheet, sheet_names

    out: dict[Hit, list[Location]] = defaultdict(list)
    try:
        names = sheet_names(path)
    except SheetError:
        return out
    for name in names:
        try:
            data = read_sheet(path, name, header_row=0)
        except SheetError:
            continue
        found: dict[Hit, list[tuple[int, int]]] = defaultdict(list)
        for j in range(len(data.columns)):
            for text in data.distinct(j).values():  # each distinct text searched once
                if text.__class__ is not str:
                    continue  # only text cells carry names and codes
                for hit, _ in index.find(text, own):
                    found[hit].extend((data.row_numbers[i], j) for i in data.rows_with(j, {text}))
        for hit, cells in found.items():
            cells.sort()  # reading order: the first cell is the one a defect points at
            out[hit].extend(Location(sheet=name, row=r, cell=f"{col_letter(j)}{r}") for r, j in cells)
    return out
