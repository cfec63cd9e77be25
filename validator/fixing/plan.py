"""A rename plan computed from the defects the check reports, never from checks of its own.

Each fixable defect says what to change in one file's name:

* N107 copy marker (`(1)`, ` - 副本`, ` - Copy`): cut out;
* N105 full-width characters: their half-width twins;
* N106 whitespace: removed (the matching the check does ignores it too);
* N109 decomposed Unicode: NFC; N110 upper-case extension: lower case;
* T102 with the advice "rename" (the content is a valid allowed format under another
  extension): the extension of the content;
* N101 for a file recognised as a document that takes exactly one file, and is the only file
  taken as it: the spec's name with the client's values filled in (`*` left empty, `.*`
  keeping the file's extension).

A proposed name is checked again with the check's own name rules before it is offered: it must
be recognised as the same document and carry none of the defects it was meant to fix.
Targets that exist, or that several files would get, are clashes: reported, never resolved.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from validator.checks import Context
from validator.checks.documents import assign
from validator.checks.naming import check_name, split_ext, to_halfwidth, without_copy_marker
from validator.messages import has_surrogates
from validator.model import Defect, PackageResult
from validator.spec.model import DocumentSpec, Spec

# Codes this tool can fix by renaming.
FIXABLE = ("N101", "N105", "N106", "N107", "N109", "N110", "T102")
_SPACE_RE = re.compile("[\\s\u200b\u200c\u200d\u2060\ufeff]")  # what N106 reports
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Rename:
    source: str  # path relative to the folder, POSIX separators
    target: str
    codes: tuple[str, ...]  # the defects the new name fixes


@dataclass(frozen=True)
class Clash:
    source: str
    target: str
    reason: str  # "exists" | "shared" (several files would get it) | "cycle"
    other: str = ""  # the file in the way, or the other source


@dataclass(frozen=True)
class Plan:
    root: str
    spec: str
    renames: tuple[Rename, ...] = ()
    clashes: tuple[Clash, ...] = ()
    unfixed: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())  # (file, codes) with no safe name

    def as_dict(self) -> dict[str, Any]:
        return {
            "root": self.root, "spec": self.spec,
            "renames": [{"from": r.source, "to": r.target, "codes": list(r.codes)} for r in self.renames],
            "clashes": [{"from": c.source, "to": c.target, "reason": c.reason, "other": c.other}
                        for c in self.clashes],
            "unfixed": [{"file": f, "codes": list(codes)} for f, codes in self.unfixed],
        }


def plan_renames(result: PackageResult, spec: Spec) -> Plan:
    """The renames that fix the name defects of a checked folder (``result`` from the engine)."""
    values = Context(spec, dict(result.client)).values  # with the spec's defaults (year)
    per_file: dict[str, list[Defect]] = {}
    for d in result.defects:
        if d.path and d.code in FIXABLE and d.waiver is None:  # accepted on purpose: leave it
            per_file.setdefault(d.path, []).append(d)
    files_of = {status.id: status.files for status in result.documents}
    documents = {doc.id: doc for doc in spec.documents}
    proposals: list[Rename] = []
    unfixed: list[tuple[str, tuple[str, ...]]] = []
    for rel, defects in sorted(per_file.items()):
        proposal = _propose(rel, defects, spec, values, documents, files_of)
        if proposal is None:
            unfixed.append((rel, tuple(sorted({d.code for d in defects}))))
        else:
            proposals.append(proposal)
    renames, clashes = _clashes(result.root, proposals)
    return Plan(result.root, spec.id, tuple(renames), tuple(clashes), tuple(unfixed))


def _propose(rel: str, defects: Sequence[Defect], spec: Spec, values: Mapping[str, str],
             documents: Mapping[str, DocumentSpec], files_of: Mapping[str, Sequence[str]]) -> Rename | None:
    folder, _, name = rel.rpartition("/")
    if has_surrogates(name):
        return None  # an undecodable name (N108): which characters were meant is a guess
    codes = {d.code for d in defects}
    stem, ext = split_ext(unicodedata.normalize("NFC", name))
    if "N107" in codes:
        while (shorter := without_copy_marker(stem)) != stem:
            stem = shorter
    if "N105" in codes:
        stem, ext = to_halfwidth(stem), to_halfwidth(ext)
    if "N106" in codes:
        stem, ext = _SPACE_RE.sub("", stem), _SPACE_RE.sub("", ext)
    if "N110" in codes:
        ext = ext.lower()
    for d in defects:
        if d.code == "T102" and d.params.get("advice") == "rename" and d.params.get("real_ext"):
            ext = str(d.params["real_ext"])
    new = stem + ext
    doc_id = next((d.document for d in defects if d.document), None)
    if "N101" in codes:
        doc = documents.get(doc_id or "")
        filled = _filled_name(doc, values, ext) if doc and len(files_of.get(doc.id, ())) == 1 else None
        if filled is None:
            codes.discard("N101")  # the rest can still be fixed
        else:
            new = filled
    if not codes or new == name or not _fixes(spec, values, folder, new, doc_id, codes, defects):
        return None
    target = f"{folder}/{new}" if folder else new
    return Rename(rel, target, tuple(sorted(codes)))


def _filled_name(doc: DocumentSpec, values: Mapping[str, str], ext: str) -> str | None:
    """The document's name with the client's values in its slots, when the spec fixes it:
    one file at most, no regex, every value known; `*` in the stem left empty, `.*` keeps ``ext``."""
    pattern = doc.pattern
    if pattern.is_regex or doc.count.max != 1 or pattern.missing(values):
        return None
    stem, pext = split_ext(unicodedata.normalize("NFC", pattern.source))
    if pext == ".*":
        if not ext:
            return None
        pext = ext.lower()
    elif "*" in pext:
        return None
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1).strip()) or ""), stem.replace("*", "")) + pext


def _fixes(spec: Spec, values: Mapping[str, str], folder: str, new: str, doc_id: str | None,
           codes: set[str], defects: Sequence[Defect]) -> bool:
    """Would the new name be taken as the same document, free of the defects it is meant to fix?"""
    if not new or new in (".", "..") or "/" in new:
        return False
    a = assign(spec, new, dict(values))
    if doc_id is not None and (a.document is None or a.document.id != doc_id):
        return False
    if "N101" in codes and a.match is None:
        return False
    ctx = Context(spec, dict(values))
    check_name(ctx, f"{folder}/{new}" if folder else new, doc_id)
    if codes & {d.code for d in ctx.defects}:
        return False
    if "T102" in codes:
        from validator.sniff import extension_agrees

        kind = next((str(d.params.get("kind")) for d in defects if d.code == "T102"), "")
        if not extension_agrees(split_ext(new)[1].lower(), kind):
            return False
    return True


def _key(rel: str) -> str:
    """Names that are the same file on Windows and macOS (case, Unicode form)."""
    return unicodedata.normalize("NFC", rel).casefold()


def _clashes(root: str, proposals: Iterable[Rename]) -> tuple[list[Rename], list[Clash]]:
    proposals = list(proposals)
    by_target: dict[str, list[Rename]] = {}
    for r in proposals:
        by_target.setdefault(_key(r.target), []).append(r)
    moving = {_key(r.source) for r in proposals}
    renames: list[Rename] = []
    clashes: list[Clash] = []
    listings: dict[str, dict[str, str]] = {}
    for r in proposals:
        shared = by_target[_key(r.target)]
        if len(shared) > 1:
            others = ", ".join(o.source for o in shared if o is not r)
            clashes.append(Clash(r.source, r.target, "shared", others))
            continue
        in_way = _existing(root, r.target, listings)
        if in_way is not None and _key(in_way) != _key(r.source) and _key(in_way) not in moving:
            clashes.append(Clash(r.source, r.target, "exists", in_way))
            continue
        renames.append(r)
    return renames, clashes


def _existing(root: str, rel: str, listings: dict[str, dict[str, str]]) -> str | None:
    """A file already in the folder under ``rel`` or a name equal to it but for case/Unicode form."""
    folder, _, _ = rel.rpartition("/")
    if folder not in listings:
        try:
            names = os.listdir(os.path.join(root, folder) if folder else root)
        except OSError:
            names = []
        listings[folder] = {_key(f"{folder}/{n}" if folder else n): (f"{folder}/{n}" if folder else n)
                            for n in names if not has_surrogates(n)}
    return listings[folder].get(_key(rel))
