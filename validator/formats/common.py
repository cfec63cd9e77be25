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

FOLDER_SECTION = "(folder)"
OTHER_SECTION = "(unexpected)"

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "report_title": "材料检查报告",
        "summary": "检查结论",
        "ready": "可以提交",
        "not_ready": "不能提交",
        "cannot_check": "无法检查",
        "folder": "文件夹",
        "spec": "规范",
        "files": "文件数",
        "error": "错误",
        "warning": "警告",
        "info": "提示",
        "severity": "级别",
        "code": "代码",
        "title": "问题",
        "message": "说明",
        "fix": "如何修改",
        "document": "材料",
        "file": "文件",
        "place": "位置",
        "sheet": "工作表",
        "page": "页",
        "row": "行",
        "column": "列",
        "cell": "单元格",
        "required": "必需",
        "required_head": "是否必需",
        "doc_id": "编号",
        "optional": "可选",
        "status": "状态",
        "ok": "通过",
        "missing": "缺少",
        "missing_docs": "缺少的材料",
        "absent_optional": "未提供（可选）",
        "folder_level": "整个文件夹",
        "other_files": "不属于任何材料的文件",
        "no_defects": "未发现问题",
        "generated_at": "生成时间",
        "tool": "工具版本",
        "total": "合计",
        "count": "数量",
        "packages": "文件夹数",
        "ready_count": "可以提交的文件夹",
        "by_code": "按问题类型统计",
        "defects_sheet": "问题",
        "summary_sheet": "汇总",
        "documents_sheet": "材料清单",
        "more": "另有 {n} 个问题，点击展开",
        "overall_ready": "全部 {n} 个文件夹可以提交",
        "overall_not_ready": "{bad}/{n} 个文件夹不能提交",
        "counts_line": "{error} 个错误，{warning} 个警告，{info} 个提示",
    },
    "en": {
        "report_title": "Materials check report",
        "summary": "Result",
        "ready": "ready to submit",
        "not_ready": "not ready",
        "cannot_check": "could not be checked",
        "folder": "Folder",
        "spec": "Spec",
        "files": "Files",
        "error": "Errors",
        "warning": "Warnings",
        "info": "Info",
        "severity": "Severity",
        "code": "Code",
        "title": "Problem",
        "message": "Message",
        "fix": "How to fix",
        "document": "Document",
        "file": "File",
        "place": "Place",
        "sheet": "Sheet",
        "page": "Page",
        "row": "Row",
        "column": "Column",
        "cell": "Cell",
        "required": "required",
        "required_head": "Required",
        "doc_id": "ID",
        "optional": "optional",
        "status": "Status",
        "ok": "ok",
        "missing": "missing",
        "missing_docs": "Missing documents",
        "absent_optional": "not provided (optional)",
        "folder_level": "The folder as a whole",
        "other_files": "Files that belong to no document",
        "no_defects": "no defects found",
        "generated_at": "Generated at",
        "tool": "Tool version",
        "total": "Total",
        "count": "Count",
        "packages": "Folders",
        "ready_count": "Folders ready to submit",
        "by_code": "Defects by code",
        "defects_sheet": "Defects",
        "summary_sheet": "Summary",
        "documents_sheet": "Documents",
        "more": "{n} more defects: click to expand",
        "overall_ready": "all {n} folder(s) ready to submit",
        "overall_not_ready": "{bad} of {n} folder(s) not ready",
        "counts_line": "{error} error(s), {warning} warning(s), {info} info",
    },
}

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
    out = {s.value: 0 for s in Severity}
    for d in defects:
        out[d.severity.value] += 1
    return out


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
        return min((d.severity for d in self.defects), key=lambda s: s.rank, default=None)

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
