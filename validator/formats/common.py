"""What the human-facing formats share: words in both languages, how a place inside a file
reads, and one grouping of a package's defects by document (so HTML, Markdown and JUnit
agree on which defect belongs where).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from validator import messages
from validator.model import Defect, Location, PackageResult, Report, Severity
from validator.textsafe import safe
from validator.vocab import REPORT_WORDS

FOLDER_SECTION = "(folder)"
OTHER_SECTION = "(unexpected)"

WORDS = REPORT_WORDS  # the vocabulary lives in validator.vocab

SEVERITY_WORD = {
    "zh": {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"},
    "en": {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"},
}

def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


def clean(text: str) -> str:
    """Text safe for XML, HTML, Markdown and spreadsheet cells: undecodable bytes as U+FFFD,
    control, bidi and line-breaking characters as visible escapes (see validator.textsafe)."""
    return safe(text)


def message(d: Defect, lang: str) -> str:
    return clean(messages.message(d, lang))


def fix(d: Defect, lang: str) -> str:
    return clean(messages.fix(d, lang))


def title(code: str, lang: str) -> str:
    return clean(messages.title(code, lang))


def place(loc: Location | None, lang: str) -> str:
    """Where inside the file, as a clerk reads it: 工作表“人员名单” C3 / sheet “Staff” C3, 第 2 页 / p. 2."""
    if loc is None:
        return ""
    zh = lang == "zh"
    parts: list[str] = []
    if loc.sheet:
        parts.append(f"工作表“{clean(loc.sheet)}”" if zh else f"sheet “{clean(loc.sheet)}”")
    if loc.page:
        parts.append(f"第 {loc.page} 页" if zh else f"page {loc.page}")
    if loc.cell:
        parts.append(f"{loc.cell} 单元格" if zh else f"cell {loc.cell}")
    else:
        if loc.row:
            parts.append(f"第 {loc.row} 行" if zh else f"row {loc.row}")
        if loc.column:
            parts.append(f"“{clean(loc.column)}”列" if zh else f"column “{clean(loc.column)}”")
    return ("，" if zh else ", ").join(parts)


def file_label(path: str) -> str:
    return clean(path)


def package_name(p: PackageResult) -> str:
    """The folder's own name (its last path component), for headings and sheet names."""
    root = clean(p.root).rstrip("/\\") or clean(p.root)
    return posixpath.basename(root.replace("\\", "/")) or root


def status_word(p: PackageResult, lang: str) -> str:
    w = words(lang)
    if p.error is not None:
        return w["cannot_check"]
    return w["ready"] if p.ready else w["not_ready"]


def missing_titles(p: PackageResult) -> tuple[str, ...]:
    """Titles of the required documents not found (one per D101, in report order), as the
    spec names them: the batch roll-up, HTML and XLSX all take them from here."""
    return tuple(str(d.params.get("title") or d.document or "") for d in p.defects if d.code == "D101")


def join_titles(titles: Iterable[str], lang: str) -> str:
    """Several titles in one cell or line: 甲、乙 / A, B."""
    return ("、" if lang == "zh" else ", ").join(titles)


def counts(defects: Iterable[Defect]) -> dict[str, int]:
    """Defects by severity; waived ones are not counted there (see :func:`waived`)."""
    out = {s.value: 0 for s in Severity}
    for d in defects:
        if d.waiver is None:
            out[d.severity.value] += 1
    return out


def waived(defects: Iterable[Defect]) -> int:
    return sum(1 for d in defects if d.waiver is not None)


def overall_line(report: Report) -> str:
    w = words(report.lang)
    n = len(report.packages)
    bad = sum(1 for p in report.packages if not p.ready)
    return w["overall_ready"].format(n=n) if bad == 0 else w["overall_not_ready"].format(bad=bad, n=n)


def counts_line(defects: Iterable[Defect], lang: str) -> str:
    return words(lang)["counts_line"].format(**counts(defects))


@dataclass(frozen=True)
class Section:
    """A spec document (or the folder itself, or the stray files) with its files and defects."""

    key: str  # document id, FOLDER_SECTION or OTHER_SECTION
    title: str
    required: bool
    files: tuple[str, ...]  # files taken as this document
    defects: tuple[Defect, ...]

    @property
    def worst(self) -> Severity | None:
        return min((d.severity for d in self.defects if d.waiver is None), key=lambda s: s.rank, default=None)

    def by_file(self) -> list[tuple[str, tuple[Defect, ...]]]:
        """(path, defects) for every file of the section, folder-level ("") first, in report order."""
        paths: list[str] = []
        for d in self.defects:
            if d.path not in paths:
                paths.append(d.path)
        for f in self.files:
            if f not in paths:
                paths.append(f)
        paths.sort(key=lambda p: (p != "", p))
        return [(p, tuple(d for d in self.defects if d.path == p)) for p in paths]


def sections(p: PackageResult, lang: str) -> list[Section]:
    """Every defect exactly once: folder-level first, then each spec document in spec order,
    then files that belong to no document."""
    w = words(lang)
    known = {s.id for s in p.documents}
    folder = tuple(d for d in p.defects if d.document not in known and d.path == "")
    other = tuple(d for d in p.defects if d.document not in known and d.path != "")
    out: list[Section] = []
    if folder:
        out.append(Section(FOLDER_SECTION, w["folder_level"], True, (), folder))
    for s in p.documents:
        own = tuple(d for d in p.defects if d.document == s.id)
        out.append(Section(s.id, clean(s.title), s.required, s.files, own))
    if other:
        out.append(Section(OTHER_SECTION, w["other_files"], False, (), other))
    return out


def section_status(s: Section, lang: str) -> str:
    w = words(lang)
    if s.key in (FOLDER_SECTION, OTHER_SECTION):
        return w["ok"] if not s.defects else SEVERITY_WORD[lang][s.worst or Severity.INFO]
    if not s.files and not s.defects:
        return w["absent_optional"]
    if any(d.code == "D101" for d in s.defects):
        return w["missing"]
    worst = s.worst
    return w["ok"] if worst is None else SEVERITY_WORD[lang][worst]


def sheet_columns(lang: str, with_package: bool) -> Sequence[str]:
    """Column headings of the flat defect table (XLSX and CSV)."""
    w = words(lang)
    head = [w["folder"]] if with_package else []
    return [*head, w["severity"], w["code"], w["title"], w["document"], w["file"], w["sheet"], w["page"],
            w["row"], w["column"], w["cell"], w["message"], w["fix"]]


def defect_row(p: PackageResult, d: Defect, lang: str, with_package: bool) -> list[str | int | None]:
    """One defect as a flat row matching :func:`sheet_columns`."""
    loc = d.location or Location()
    doc_titles = {s.id: s.title for s in p.documents}
    document = clean(doc_titles.get(d.document or "", d.document or ""))
    head: list[str | int | None] = [package_name(p)] if with_package else []
    return [*head, SEVERITY_WORD[lang][d.severity], d.code, title(d.code, lang), document, file_label(d.path),
            clean(loc.sheet) if loc.sheet else None, loc.page, loc.row,
            clean(loc.column) if loc.column else None, loc.cell, message(d, lang), fix(d, lang)]
