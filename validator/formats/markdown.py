"""Markdown: a summary table and a per-file list, sized for a pull-request comment or a chat
message (GitHub, GitLab, 企业微信/钉钉 markdown). A folder with many defects folds its list
into <details> so the summary stays on screen. Text from the folder is escaped so a file
name cannot inject markup.
"""

from __future__ import annotations

import re

from validator.formats.common import (
    Section,
    counts,
    counts_line,
    file_label,
    fix,
    message,
    overall_line,
    package_name,
    place,
    section_status,
    sections,
    status_word,
    title,
    words,
)
from validator.model import Defect, PackageResult, Report, Severity
from validator.textsafe import safe
from validator.vocab import error_text

FOLD_ABOVE = 15  # a folder with more defects than this folds its list
_ICON = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")  # emphasis, code, links, table cells, strike


def md(text: str) -> str:
    """Plain text made literal in Markdown (and in the HTML that Markdown allows)."""
    text = safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())  # a newline would end a list item or a table row


def render(report: Report) -> str:
    lang = report.lang
    w = words(lang)
    ok = report.ok
    out = [
        f"## {w['report_title']}",
        "",
        f"**{'✅' if ok else '❌'} {md(overall_line(report))}** · {md(counts_line(report.defects, lang))}",
        "",
        f"| {w['folder']} | {w['status']} | {w['spec']} | {w['files']} | {w['error']} | {w['warning']} "
        f"| {w['info']} |",
        "|---|---|---|--:|--:|--:|--:|",
    ]
    for p in report.packages:
        c = counts(p.defects)
        out.append(f"| {md(package_name(p))} | {'✅' if p.ready else '❌'} {md(status_word(p, lang))} "
                   f"| {md(p.spec)} | {p.files} | {c['error']} | {c['warning']} | {c['info']} |")
    for p in report.packages:
        out.extend(_package(p, lang))
    meta = [f"validator {md(report.tool_version)}" if report.tool_version else "validator"]
    if report.generated_at:
        meta.append(f"{w['generated_at']} {md(report.generated_at)}")
    out += ["", f"<sub>{' · '.join(meta)}</sub>", ""]
    return "\n".join(out)


def _package(p: PackageResult, lang: str) -> list[str]:
    w = words(lang)
    out = ["", f"### {md(package_name(p))} — {'✅' if p.ready else '❌'} {md(status_word(p, lang))}", ""]
    if p.error:
        out += [f"> {md(error_text(p.error, lang))}", ""]
    if not p.defects:
        if not p.error:
            out.append(w["no_defects"])
        return out
    body: list[str] = []
    for s in sections(p, lang):
        if s.defects:
            body.extend(_section(s, lang))
    if len(p.defects) > FOLD_ABOVE:
        n = len(p.defects)
        summary = f"{n} 个问题（点击展开）" if lang == "zh" else f"{n} defects (click to expand)"
        out += ["<details>", f"<summary>{md(summary)}</summary>", "", *body, "", "</details>"]
    else:
        out += body
    return out


def _section(s: Section, lang: str) -> list[str]:
    w = words(lang)
    out = [f"**{md(s.title)}** · {md(section_status(s, lang))}", ""]
    for path, found in s.by_file():
        if not found:
            continue
        label = f"`{_code_span(file_label(path))}`" if path else md(w["folder_level"])
        out.append(f"- {label}")
        out.extend(_defect(d, lang) for d in found)
    out.append("")
    return out


def _defect(d: Defect, lang: str) -> str:
    where = place(d.location, lang)
    hint = fix(d, lang)
    line = f"  - {_ICON[d.severity]} **{d.code}** {md(title(d.code, lang))}"
    if where:
        line += f" ({md(where)})"
    line += f": {md(message(d, lang))}"
    if hint:
        line += f" — {md(words(lang)['fix'])}{'：' if lang == 'zh' else ': '}{md(hint)}"
    return line


def _code_span(text: str) -> str:
    """File names go in code spans; a backtick inside one is replaced, since escaping does not
    work there."""
    return " ".join(text.replace("`", "'").split())
