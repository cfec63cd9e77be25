"""Terminal text: defects grouped by file, each with how to fix it."""

from __future__ import annotations

import os
from itertools import groupby

from validator import messages
from validator.model import Defect, PackageResult, Report, Severity
from validator.textsafe import safe
from validator.vocab import TEXT_WORDS

_MARK = {Severity.ERROR: "✗", Severity.WARNING: "!", Severity.INFO: "i"}
_COLOR = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}
_WORDS = TEXT_WORDS


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def _location(d: Defect, lang: str) -> str:
    if d.location is None:
        return ""
    loc = d.location
    parts = []
    if loc.sheet:
        parts.append(safe(loc.sheet))
    if loc.cell:
        parts.append(safe(loc.cell))
    elif loc.row:
        parts.append(f"第{loc.row}行" if lang == "zh" else f"row {loc.row}")
    if loc.page:
        parts.append(f"第{loc.page}页" if lang == "zh" else f"p.{loc.page}")
    return "[" + "!".join(parts) + "] " if parts else ""


def render_package(p: PackageResult, lang: str, color: bool) -> list[str]:
    w = _WORDS[lang]
    status = w["ready"] if p.ready else w["not_ready"]
    head = f"{safe(p.root)}  ({safe(p.spec)})  {status}"
    lines = [_paint(head, "1;32" if p.ready else "1;31", color)]
    if not p.defects:
        lines.append("  " + w["clean"])
    for path, group in groupby(p.defects, key=lambda d: d.path):
        lines.append("  " + _paint(safe(path) or w["folder"], "1", color))
        for d in group:
            mark = (_paint("~", "2", color) if d.waiver is not None  # waived: shown, not counted
                    else _paint(_MARK[d.severity], _COLOR[d.severity], color))
            lines.append(f"    {mark} {d.code} {_location(d, lang)}{safe(messages.message(d, lang))}")
            hint = messages.fix(d, lang)
            if hint:
                lines.append(f"        → {safe(hint)}")
    return lines


def render(report: Report, color: bool | None = None) -> str:
    lang = report.lang
    if color is None:
        color = False
    lines: list[str] = []
    for p in report.packages:
        lines.extend(render_package(p, lang, color))
        lines.append("")
    counts = {s.value: report.count(s) for s in Severity}
    files = sum(p.files for p in report.packages)
    summary = _WORDS[lang]["summary"].format(packages=len(report.packages), files=files, **counts)
    if report.waived:
        summary += f"（另有 {report.waived} 个已豁免）" if lang == "zh" else f" ({report.waived} more waived)"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def want_color(stream: object) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ
