"""The risk assessment as one self-contained HTML page or as Markdown.

Items the tool cannot judge are shown as empty boxes to tick and fill (待人工填写), and
collected again at the end as a checklist, so nothing is mistaken for a finding.
"""

from __future__ import annotations

from html import escape

from validator.formats.common import clean
from validator.formats.html import STYLE
from validator.formats.markdown import md
from validator.risk.assess import ACTION, MANUAL, OK, PROBLEM, Assessment, Item

_MARK = {OK: "✅", PROBLEM: "❌", MANUAL: "☐", ACTION: "→"}  # Markdown: chat apps and GitHub show emoji
_HTML_MARK = {OK: "✓", PROBLEM: "✗", MANUAL: "☐", ACTION: "→"}  # HTML: marks that any CJK font has

_WORDS = {
    "zh": {
        "title": "风险评估报告（自查）",
        "company": "公司",
        "folder": "材料文件夹",
        "spec": "规范",
        "generated_at": "生成时间",
        "item": "项目",
        "status": "状态",
        "detail": "情况",
        OK: "符合",
        PROBLEM: "问题",
        MANUAL: "待人工填写",
        ACTION: "改进",
        "ready": "材料可以提交",
        "not_ready": "材料不能提交",
        "tally": "{problems} 项问题，涵盖检查发现的全部 {error} 个错误、{warning} 个警告；{manual} 项待人工填写",
        "note": "本报告由工具根据提交材料自动生成，只判断材料本身（文件是否齐全、格式、表格内容）；"
        "标“待人工填写”的项目工具无法判断，须由企业负责人核实后填写。",
        "checklist": "待人工填写清单",
        "signature": "填写人 / 日期：________________",
    },
    "en": {
        "title": "Risk assessment report (self-check)",
        "company": "Company",
        "folder": "Materials folder",
        "spec": "Spec",
        "generated_at": "Generated at",
        "item": "Item",
        "status": "Status",
        "detail": "Finding",
        OK: "ok",
        PROBLEM: "problem",
        MANUAL: "to fill in",
        ACTION: "next step",
        "ready": "materials ready to submit",
        "not_ready": "materials not ready",
        "tally": "{problems} problem(s), covering all {error} error(s) and {warning} warning(s) the check found; "
        "{manual} item(s) to fill in",
        "note": "Generated from the materials only (documents present, formats, spreadsheet contents). Items "
        "marked “to fill in” cannot be judged by the tool and must be completed by the company.",
        "checklist": "To fill in by hand",
        "signature": "Filled in by / date: ________________",
    },
}

_EXTRA_CSS = """
table.items td.st{white-space:nowrap;font-weight:600}
tr.ok td.st{color:var(--ok)}tr.problem td.st{color:var(--err)}tr.action td.st{color:var(--info)}
tr.manual td.st{color:var(--muted)}
tr.manual td.tx{color:var(--muted);border-bottom:1px dashed var(--muted)}
ul.todo{list-style:none;padding:0}ul.todo li{padding:.35rem 0;border-bottom:1px dashed var(--line)}
ul.todo li:before{content:"☐ ";color:var(--muted)}
"""


def _w(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["en"])


def _e(text: object) -> str:
    return escape(clean(str(text)), quote=True)


def render_html(a: Assessment) -> str:
    w = _w(a.lang)
    good = a.ready
    stamp = f" · {_e(w['generated_at'])}: {_e(a.generated_at)}" if a.generated_at else ""
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if a.lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{_e(w['title'])}</title>",
        f"<style>{STYLE}{_EXTRA_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_e(w['title'])}</h1>",
        f'<p class="meta">{_e(w["company"])}: {_e(a.company or "-")} · {_e(w["spec"])}: '
        f"{_e(a.spec_title or a.spec)}{stamp}</p>",
        '<section class="card" id="summary">',
        f'<p class="verdict {"good" if good else "bad"}">{_e(w["ready"] if good else w["not_ready"])}</p>',
        f"<p>{_e(_tally(a))}</p>",
        f'<p class="sub">{_e(w["note"])}</p>',
        "</section>",
    ]
    for s in a.sections:
        out += [
            f'<section class="card" id="{_e(s.key)}">',
            f"<h2>{_e(s.title)}</h2>",
            '<div class="scroll"><table class="items">',
            f"<thead><tr><th>{_e(w['item'])}</th><th>{_e(w['status'])}</th><th>{_e(w['detail'])}</th></tr></thead>",
            "<tbody>",
        ]
        out += [_row(i, a.lang) for i in s.items]
        out += ["</tbody></table></div>", "</section>"]
    todo = [i for s in a.sections for i in s.items if i.status == MANUAL]
    out += [f'<section class="card" id="checklist"><h2>{_e(w["checklist"])}</h2>', '<ul class="todo">']
    out += [f"<li>{_e(i.label)}: {_e(i.text)}</li>" for i in todo]
    out += ["</ul>", f"<p>{_e(w['signature'])}</p>", "</section>", "</main>", "</body>", "</html>", ""]
    return "\n".join(out)


def _tally(a: Assessment) -> str:
    return _w(a.lang)["tally"].format(
        problems=a.problems, manual=a.manual_items, error=a.counts.get("error", 0), warning=a.counts.get("warning", 0)
    )


def _row(i: Item, lang: str) -> str:
    w = _w(lang)
    codes = f" <code>{_e(' '.join(i.codes))}</code>" if i.codes else ""
    return (
        f'<tr class="{i.status}"><td>{_e(i.label)}</td><td class="st">{_HTML_MARK[i.status]} {_e(w[i.status])}</td>'
        f'<td class="tx">{_e(i.text)}{codes}</td></tr>'
    )


def render_markdown(a: Assessment) -> str:
    w = _w(a.lang)
    out = [f"## {md(w['title'])}", ""]
    meta = [f"**{w['company']}**: {md(a.company or '-')}", f"**{w['spec']}**: {md(a.spec_title or a.spec)}"]
    if a.generated_at:
        meta.append(f"**{w['generated_at']}**: {md(a.generated_at)}")
    out += [
        " · ".join(meta),
        "",
        f"**{'✅' if a.ready else '❌'} {md(w['ready'] if a.ready else w['not_ready'])}** · {md(_tally(a))}",
        "",
        f"> {md(w['note'])}",
    ]
    for s in a.sections:
        out += ["", f"### {md(s.title)}", "", f"| {w['item']} | {w['status']} | {w['detail']} |", "|---|---|---|"]
        for i in s.items:
            codes = f" `{' '.join(i.codes)}`" if i.codes else ""
            out.append(f"| {md(i.label)} | {_MARK[i.status]} {md(w[i.status])} | {md(i.text)}{codes} |")
    out += ["", f"### {md(w['checklist'])}", ""]
    out += [f"- [ ] {md(i.label)}: {md(i.text)}" for s in a.sections for i in s.items if i.status == MANUAL]
    out += ["", md(w["signature"]), ""]
    return "\n".join(out)
