"""HTML: one self-contained page for a clerk or a client's boss, readable on a phone.

Summary first (ready / not ready per folder, counts by severity), then each folder by
document and file with the fix hint under every defect. Inline CSS only: no script, no
font or image is fetched, so the file opens the same offline, in a mail client or a chat
preview. Every piece of text from the folder is escaped.
"""

from __future__ import annotations

from html import escape

from validator.formats.common import (
    SEVERITY_WORD,
    Section,
    clean,
    counts,
    file_label,
    fix,
    join_titles,
    message,
    missing_titles,
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
from validator.vocab import error_text

SHOWN_PER_FILE = 8  # defects shown before the rest fold into <details>

# System fonts only (no web font is fetched); Chinese faces first so 中文 never falls back
# to a Latin font's missing glyphs.
_FONTS = ('"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
          '"Source Han Sans SC", "WenQuanYi Micro Hei", system-ui, -apple-system, "Segoe UI", sans-serif')

STYLE = """
:root{--err:#c62828;--warn:#b26a00;--info:#1565c0;--ok:#2e7d32;--line:#e0e0e0;--muted:#5f6368;--bg:#fafafa}
*{box-sizing:border-box}
body{margin:0;font-family:__FONTS__;font-size:16px;line-height:1.75;color:#202124;background:var(--bg);
 -webkit-text-size-adjust:100%;text-size-adjust:100%}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0}
h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
h3{font-size:1.05rem;margin:0 0 .25rem}
h4{font-size:1rem;margin:.75rem 0 .25rem;overflow-wrap:anywhere;word-break:break-word}
.meta,.sub{color:var(--muted);font-size:.875rem;margin:0}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem;margin:.75rem 0}
.card>h2:first-child{margin-top:0}
.verdict{font-size:1.2rem;font-weight:700;margin:.25rem 0}
.verdict.bad{color:var(--err)}.verdict.good{color:var(--ok)}
.counts{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}
.count{flex:1 1 6rem;border-radius:6px;padding:.5rem;text-align:center;background:#f1f3f4}
.count b{display:block;font-size:1.5rem;line-height:1.2}
.count.error b{color:var(--err)}.count.warning b{color:var(--warn)}.count.info b{color:var(--info)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f3f4;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:999px;padding:0 .6rem;font-size:.85rem;font-weight:600;
 color:#fff;vertical-align:middle}
.badge.good{background:var(--ok)}.badge.bad{background:var(--err)}
.doc{border-left:4px solid var(--ok)}
.doc.error{border-left-color:var(--err)}.doc.warning{border-left-color:var(--warn)}
.doc.info{border-left-color:var(--info)}.doc.absent{border-left-color:var(--line)}
.status{font-weight:600;margin-right:.25rem}
.doc.error .status{color:var(--err)}.doc.warning .status{color:var(--warn)}.doc .status.ok{color:var(--ok)}
ul.defects{list-style:none;margin:0;padding:0}
ul.defects li{padding:.5rem 0;border-top:1px dashed var(--line)}
ul.defects li:first-child{border-top:0}
.sev{display:inline-block;min-width:2.5em;font-size:.8rem;font-weight:700;border-radius:4px;
 padding:0 .3rem;margin-right:.35rem;color:#fff;text-align:center}
li.error .sev{background:var(--err)}li.warning .sev{background:var(--warn)}li.info .sev{background:var(--info)}
code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.85em;
 background:#f1f3f4;border-radius:4px;padding:0 .25rem}
.where{color:var(--muted);font-size:.875rem;margin-left:.25rem}
.msg{margin:.25rem 0 0;overflow-wrap:anywhere}
.fix{margin:.25rem 0 0;padding:.25rem .5rem;background:#e8f5e9;border-radius:4px;font-size:.925rem}
.okfile{color:var(--ok)}
details summary{cursor:pointer;color:var(--info);padding:.25rem 0}
footer{color:var(--muted);font-size:.8rem;text-align:center;padding:1rem}
@media (max-width:40rem){main{padding:.5rem}.card{padding:.75rem}th,td{padding:.3rem}
 h1{font-size:1.3rem}.hide-narrow{display:none}}
@media print{body{background:#fff}.card{break-inside:avoid}details{display:block}}
""".replace("__FONTS__", _FONTS)


def _e(text: object) -> str:
    return escape(clean(str(text)), quote=True)


def render(report: Report) -> str:
    lang = report.lang
    w = words(lang)
    out: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        # Belt and braces: even a viewer that would fetch something is told not to.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{_e(w['report_title'])}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_e(w['report_title'])}</h1>",
        _meta(report),
    ]
    out.extend(_summary(report))
    for i, p in enumerate(report.packages, start=1):
        out.extend(_package(p, i, lang))
    out += ["</main>", f"<footer>validator {_e(report.tool_version)}</footer>", "</body>", "</html>", ""]
    return "\n".join(out)


def _meta(report: Report) -> str:
    w = words(report.lang)
    bits = [f"{_e(w['tool'])}: {_e(report.tool_version or '-')}"]
    if report.generated_at:
        bits.append(f"{_e(w['generated_at'])}: {_e(report.generated_at)}")
    return f'<p class="meta">{" · ".join(bits)}</p>'


def _count_boxes(c: dict[str, int], lang: str, n_waived: int = 0) -> str:
    w = words(lang)
    boxes = [f'<div class="count {s.value}"><b>{c[s.value]}</b>{_e(w[s.value])}</div>' for s in Severity]
    if n_waived:
        boxes.append(f'<div class="count waived"><b>{n_waived}</b>{_e(_WAIVED[lang].strip(" ()（）"))}</div>')
    return f'<div class="counts">{"".join(boxes)}</div>'


def _summary(report: Report) -> list[str]:
    lang = report.lang
    w = words(lang)
    good = report.ok
    out = [
        '<section class="card" id="summary">',
        f"<h2>{_e(w['summary'])}</h2>",
        f'<p class="verdict {"good" if good else "bad"}">{_e(overall_line(report))}</p>',
        _count_boxes(counts(report.defects), lang, report.waived),
        '<div class="scroll"><table>',
        f"<thead><tr><th>{_e(w['folder'])}</th><th>{_e(w['status'])}</th>"
        f"<th class=\"hide-narrow\">{_e(w['spec'])}</th><th class=\"hide-narrow\">{_e(w['files'])}</th>"
        f"<th>{_e(w['error'])}</th><th>{_e(w['warning'])}</th><th>{_e(w['info'])}</th>"
        f"<th>{_e(w['missing_docs'])}</th></tr></thead>",
        "<tbody>",
    ]
    for i, p in enumerate(report.packages, start=1):
        c = counts(p.defects)
        out.append(
            f'<tr><td><a href="#pkg-{i}">{_e(package_name(p))}</a></td>'
            f'<td><span class="badge {"good" if p.ready else "bad"}">{_e(status_word(p, lang))}</span></td>'
            f'<td class="hide-narrow">{_e(p.spec)}</td><td class="num hide-narrow">{p.files}</td>'
            f'<td class="num">{c["error"]}</td><td class="num">{c["warning"]}</td><td class="num">{c["info"]}</td>'
            f"<td>{_e(join_titles(missing_titles(p), lang))}</td></tr>"
        )
    out += ["</tbody></table></div>", "</section>"]
    return out


def _package(p: PackageResult, index: int, lang: str) -> list[str]:
    w = words(lang)
    out = [
        f'<section class="package" id="pkg-{index}">',
        f'<h2>{_e(package_name(p))} <span class="badge {"good" if p.ready else "bad"}">'
        f"{_e(status_word(p, lang))}</span></h2>",
        f'<p class="sub">{_e(p.root)} · {_e(w["spec"])} {_e(p.spec)} · {_e(w["files"])} {p.files}</p>',
        _count_boxes(counts(p.defects), lang, p.waived),
    ]
    if p.error:
        out.append(f'<div class="card doc error"><p class="msg">{_e(error_text(p.error, lang))}</p></div>')
    if not p.defects and not p.error:
        out.append(f'<p class="okfile">✓ {_e(w["no_defects"])}</p>')
    for s in sections(p, lang):
        out.extend(_section(s, lang))
    out.append("</section>")
    return out


def _section(s: Section, lang: str) -> list[str]:
    w = words(lang)
    worst = s.worst
    kind = worst.value if worst else ("absent" if not s.files and s.key[0] != "(" else "ok")
    status = section_status(s, lang)
    note = "" if s.key.startswith("(") else f"{_e(s.key)} · {_e(w['required'] if s.required else w['optional'])}"
    out = [
        f'<article class="card doc {kind}">',
        f'<h3><span class="status{" ok" if worst is None else ""}">{_e(status)}</span>{_e(s.title)}</h3>',
    ]
    if note:
        out.append(f'<p class="sub">{note}</p>')
    for path, found in s.by_file():
        label = file_label(path) if path else w["folder_level"]
        if not found:
            out.append(f'<h4 class="okfile">✓ {_e(label)}</h4>')
            continue
        out.append(f"<h4>{_e(label)}</h4>")
        out.extend(_defect_list(found, lang))
    out.append("</article>")
    return out


def _defect_list(found: tuple[Defect, ...], lang: str) -> list[str]:
    w = words(lang)
    head, rest = found[:SHOWN_PER_FILE], found[SHOWN_PER_FILE:]
    out = ['<ul class="defects">', *(_defect(d, lang) for d in head), "</ul>"]
    if rest:
        out += [f"<details><summary>{_e(w['more'].format(n=len(rest)))}</summary>",
                '<ul class="defects">', *(_defect(d, lang) for d in rest), "</ul>", "</details>"]
    return out


_WAIVED = {"zh": "（已豁免）", "en": " (waived)"}


def _defect(d: Defect, lang: str) -> str:
    where = place(d.location, lang)
    hint = fix(d, lang)
    parts = [
        f'<li class="{d.severity.value}{" waived" if d.waiver else ""}">',
        f'<span class="sev">{_e(SEVERITY_WORD[lang][d.severity])}{_e(_WAIVED[lang]) if d.waiver else ""}</span>',
        f"<code>{_e(d.code)}</code> <strong>{_e(title(d.code, lang))}</strong>",
        f'<span class="where">{_e(where)}</span>' if where else "",
        f'<p class="msg">{_e(message(d, lang))}</p>',
        f'<p class="fix">{_e(words(lang)["fix"])}{"：" if lang == "zh" else ": "}{_e(hint)}</p>' if hint else "",
        "</li>",
    ]
    return "".join(parts)
