"""Leakage: another company's name or credit code inside a client's files (a check family).

A pack assembled by copying another client's carries that client's identity: in file names
(L101), spreadsheet cells (L102) or the text of PDF pages (L103). Two sources of "another
company", in every mode:

* **by shape**, in file names: a full company name (…有限公司, …股份有限公司, …有限责任公司) or a
  valid 统一社会信用代码 that is not the client's own. Cells and PDF text are not searched by shape:
  a roster's or a contract's counterparties (an IDC's landlord, an access provider) are named there
  legitimately;
* **known identities** (batch: every client's company and code, the :class:`LeakIndex`), in file
  names, cells and the first pages' text.

A hit is never reported when the value is also the client's own (two folders of one company, for
two licences) or lies inside the client's own name (``北京示例科技有限公司`` holds ``示例科技有限公司``).

Cost matters (thousands of files): the scanner never loops over identities. Credit codes are
found with one regex and a set lookup; company names by their last character (a handful of
distinct ones: 司, 团, 院…) and a set lookup for each length ending there. Spreadsheets are
scanned through their shared-strings part (every distinct text once, without parsing cells);
only a hit pays for reading the sheets to say which cell. PDFs: the first pages' text, bounded.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from validator.checks import Context
from validator.model import Defect, Location

if TYPE_CHECKING:
    from validator.facts import FileFacts

_USCC_CHAR = "[0-9A-HJ-NP-RTUW-Y]"  # what a credit code is made of (GB 32100: no I, O, S, V, Z)
_USCC = re.compile(rf"(?<![0-9A-Z]){_USCC_CHAR}{{18}}(?![0-9A-Z])")
_RUN = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")  # [0-9A-Z]: what a code must not touch
_MIN_NAME = 4  # shorter "company names" would match ordinary words
_TITLES = {"company": "公司名称", "uscc": "统一社会信用代码"}


def normalize(text: str) -> str:
    """NFKC (full-width letters, digits, brackets and the ideographic space become ASCII), upper
    case: the form both sides are compared in. (str.translate would do the width part ~15x slower.)"""
    return unicodedata.normalize("NFKC", text).upper()


@dataclass(frozen=True)
class Identity:
    """One client's identity, looked for in the other clients' files."""

    client: str  # folder name
    company: str = ""
    uscc: str = ""


@dataclass(frozen=True)
class Hit:
    """Another client's identity found in a file."""

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
        # The credit-code shape, narrowed to the first two characters of the codes we know (an
        # 18-digit ID number has that shape too, and a roster holds thousands of them), and
        # without the look-behind that keeps the regex engine from searching for that literal
        # prefix (15x slower on a roster): ``find`` checks the character before instead. A code
        # is a whole [0-9A-Z] run, so this finds exactly the runs _USCC finds that can hit.
        prefixes = sorted({key[:2] for kind, key in self._hits if kind == "uscc"})
        self._uscc = (
            re.compile(rf"(?:{'|'.join(map(re.escape, prefixes))}){_USCC_CHAR}{{16}}(?![0-9A-Z])") if prefixes else None
        )

    def __bool__(self) -> bool:
        return bool(self._hits)

    def find(self, text: str, own: Own) -> Iterator[tuple[Hit, int]]:
        """(hit, offset in the normalized text) for every other client's identifier in ``text``."""
        norm = normalize(text)
        mine = own.normalized
        if "uscc" in own.kinds and self._uscc is not None:
            for m in self._uscc.finditer(norm):
                if m.start() and norm[m.start() - 1] in _RUN:
                    continue  # the tail of a longer run of letters and digits
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


# --- by shape: a company name or credit code that is not the client's own -------------------------

# A full company name: CJK (and brackets, for 北京某某（集团）有限公司) ending in a legal form. The
# lazy run starts at the first CJK character after a separator, so `附页_杭州星河通讯有限公司`
# yields `杭州星河通讯有限公司`.
_COMPANY_SHAPE = r"[\u4e00-\u9fff()（）]{2,40}?(?:股份有限公司|有限责任公司|有限公司)"


@cache
def _company_shape() -> re.Pattern[str]:
    """Compiled for the first path that names a 公司, not at import (~1–2 ms)."""
    return re.compile(_COMPANY_SHAPE)


def _shaped(rel: str, own: Own) -> Iterator[Hit]:
    """Company names and valid credit codes in a file's path that are not the client's own."""
    if not own.kinds:  # the client's own identity unknown: nothing is looked for (see Own)
        return
    norm = normalize(rel)
    mine = own.normalized
    if "uscc" in own.kinds and len(norm) >= 18:  # a code is 18 characters: most names are out at once
        from validator.identifiers import check_uscc

        for m in _USCC.finditer(norm):
            if m.group() not in mine and check_uscc(m.group()) is None:
                yield Hit("uscc", m.group(), ())
    if "company" in own.kinds and "公司" in norm:  # every company shape ends so: most names skip the regex
        for m in _company_shape().finditer(norm):
            name = m.group()
            if len(name) >= 6 and not any(name in n or n in name for n in own.names):
                yield Hit("company", name, ())


# --- the three places a leak shows ---------------------------------------------------------------


def _params(ctx: Context, hit: Hit) -> dict[str, object]:
    var = ctx.spec.variables.get(hit.kind)
    others = list(hit.owners)
    params: dict[str, object] = {
        "clients": others,
        "name": hit.kind,
        "title": var.title if var else _TITLES[hit.kind],
        "value": hit.value,
    }
    if others:
        params["other"] = "、".join(others[:3]) + (f" …(+{len(others) - 3})" if len(others) > 3 else "")
    return params


def check_name_leaks(ctx: Context, index: LeakIndex | None, rel: str, own: Own, document: str | None) -> list[str]:
    """L101 for every other company's identifier in the file's path inside the folder; returns
    the leaked values (normalized)."""
    found: dict[tuple[str, str], Hit] = {}
    if index:
        for hit, _ in index.find(rel, own):
            found.setdefault((hit.kind, normalize(hit.value)), hit)
    for hit in _shaped(rel, own):
        if hit.kind == "company" and document and _counterparty(ctx, document):
            continue  # the contract's other party (landlord, access provider), named on purpose
        key = (hit.kind, hit.value)
        if key not in found and not any(k == hit.kind and hit.value in v for k, v in found):
            found[key] = hit
    if not found:  # the usual name: nothing to emit
        return []
    for hit in found.values():
        ctx.emit("L101", rel, _params(ctx, hit), document=document)
    return [value for _, value in found]


def _counterparty(ctx: Context, document: str) -> bool:
    doc = ctx.spec.document(document)
    return doc is not None and doc.counterparty


def drop_superseded(defects: Sequence[Defect], leaked: Sequence[str]) -> list[Defect]:
    """The defects without the N102s ("the name carries another value") that an L101 names better."""

    def superseded(d: Defect) -> bool:
        found = normalize(str(d.params.get("found", "")))
        return d.code == "N102" and bool(found) and any(found in v or v in found for v in leaked)

    return [d for d in defects if not superseded(d)]


def check_content_leaks(
    ctx: Context, index: LeakIndex | None, facts: FileFacts, own: Own, document: str | None, pages: int
) -> None:
    """L102 (workbook cells) and L103 (PDF text): known identities only."""
    if not index:
        return
    kind = facts.content.kind
    if kind in ("xlsx", "xlsm"):
        _scan_workbook(ctx, index, facts, own, document)
    elif kind == "pdf" and pages > 0:
        _scan_pdf(ctx, index, facts, own, document)


def _scan_workbook(ctx: Context, index: LeakIndex, facts: FileFacts, own: Own, document: str | None) -> None:
    """L102, one per leaked value and file, located at its first cell."""
    text = facts.workbook_text()
    if not text:
        return
    hits = {hit: None for hit, _ in index.find(text, own)}
    if not hits:
        return
    cells = _locate_cells(facts, index, own)
    for hit in hits:
        where = cells.get(hit, [])
        params = {**_params(ctx, hit), "cells": max(len(where), 1)}
        ctx.emit("L102", facts.rel, params, document=document, location=where[0] if where else None)


def _scan_pdf(ctx: Context, index: LeakIndex, facts: FileFacts, own: Own, document: str | None) -> None:
    """L103, one per leaked value and file, at the first page carrying it."""
    first_page: dict[Hit, int] = {}
    for number, page_text in enumerate(facts.pdf_texts(), start=1):
        for hit, _ in index.find(page_text, own):
            first_page.setdefault(hit, number)
    for hit, number in first_page.items():
        ctx.emit("L103", facts.rel, {**_params(ctx, hit), "page": number}, document=document,
                 location=Location(page=number))


def _locate_cells(facts: FileFacts, index: LeakIndex, own: Own) -> dict[Hit, list[Location]]:
    """Where the leaked values sit: every sheet read in full (only files that do leak get here)."""
    from validator.checks.sheet import column_letter
    from validator.facts import SheetProblem

    out: dict[Hit, list[Location]] = defaultdict(list)
    try:
        names = facts.sheet(None, 0).sheet_names
    except SheetProblem:
        return out
    for name in names:
        try:
            data = facts.sheet(name, 0)
        except SheetProblem:
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
            out[hit].extend(Location(sheet=name, row=r, cell=f"{column_letter(j)}{r}") for r, j in cells)
    return out


def own_identifiers(values: Mapping[str, Any], sources: Sequence[Mapping[str, Any]] = ()) -> Own:
    """The client's own company names and credit codes (from its values and any other source of
    them: client.yaml, the registry), and which kinds to search at all (see :class:`Own`)."""
    from validator.identifiers import check_uscc

    kinds = ["company"] if values.get("company") else []
    uscc = str(values.get("uscc") or "")
    if uscc and check_uscc(uscc) is None:
        kinds.append("uscc")
    found = (str(v) for src in (values, *sources) for k in ("company", "uscc") if (v := src.get(k)))
    return Own(found, kinds)
