"""The roll-up as a terminal table: one line per client, then the totals.

Chinese characters take two columns on a terminal; padding counts display width, not characters.
"""

from __future__ import annotations

import unicodedata

from validator.batch.json_report import summary
from validator.batch.rollup import RollupRow
from validator.batch.runner import BatchOutcome
from validator.formats.common import join_titles
from validator.textsafe import safe
from validator.vocab import ROLLUP_WORDS, error_text

_LABELS = ROLLUP_WORDS
_WAIVED = {"zh": "已豁免", "en": "waived"}


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int, right: bool = False) -> str:
    gap = " " * max(size - width(text), 0)
    return gap + text if right else text + gap


def render_rollup(outcome: BatchOutcome, color: bool = False) -> str:
    lang = outcome.options.lang
    t = _LABELS[lang]
    since = outcome.options.since is not None
    name_w = max([width(t["client"]), *(width(safe(r.client)) for r in outcome.rows)]) + 2
    state_w = max(width(t[k]) for k in ("state", "ready", "not_ready", "unchecked")) + 2
    numbers = ["error", "warning", "info", "files"] + (["new", "fixed", "open"] if since else [])
    if any(r.counts.get("waived") for r in outcome.rows):  # a column only when some client has waivers
        numbers.insert(3, "waived")
        t = {**t, "waived": _WAIVED[lang]}
    num_w = {k: max(width(t[k]), 5) + 2 for k in numbers}
    lines = [
        pad(t["client"], name_w)
        + pad(t["state"], state_w)
        + "".join(pad(t[k], num_w[k], right=True) for k in numbers)
        + "  "
        + t["missing"]
    ]
    for row in outcome.rows:
        state = t["ready"] if row.ready else t["unchecked"] if row.error else t["not_ready"]
        shown = pad(state, state_w)
        if color:
            import click

            shown = click.style(shown, fg="green" if row.ready else "red", bold=not row.ready)
        cells = _numbers(row)
        lines.append(
            pad(safe(row.client), name_w)
            + shown
            + "".join(pad(str(cells[k]), num_w[k], right=True) for k in numbers)
            + "  "
            + _problem(row, lang)
        )
    lines.append("")
    lines.append(_totals(outcome))
    return "\n".join(lines) + "\n"


def _numbers(row: RollupRow) -> dict[str, int]:
    out = {"waived": 0, **row.counts, "files": row.files}
    if row.changes is not None:
        out.update(new=row.changes.new, fixed=len(row.changes.fixed), open=row.changes.open)
    return out


def _problem(row: RollupRow, lang: str) -> str:
    parts = list(row.missing)
    if row.error and not parts:
        parts.append(error_text(row.error, lang))
    return safe(join_titles(parts, lang))


def _totals(outcome: BatchOutcome) -> str:
    s = summary(outcome)
    n, ready = s["packages"], s["ready"]
    rate = outcome.files / outcome.seconds if outcome.seconds > 0 else 0.0
    if outcome.options.lang == "zh":
        text = (
            f"共 {n} 个客户：就绪 {ready}，未就绪 {n - ready}；检查文件 {s['files']} 个"
            f"（{outcome.seconds:.1f} 秒，{rate:,.0f} 个/秒）；"
            f"错误 {s['error']}，警告 {s['warning']}，提示 {s['info']}"
            + (f"，已豁免 {s['waived']}。" if s.get("waived") else "。")
        )
        if "since" in s:
            c = s["since"]
            text += f"\n与上次相比：新增 {c['new']}，已修复 {c['fixed']}，未修复 {c['open']}。"
    else:
        text = (
            f"{n} clients: {ready} ready, {n - ready} not ready; {s['files']} files checked "
            f"({outcome.seconds:.1f} s, {rate:,.0f} files/s); {s['error']} errors, {s['warning']} warnings, "
            f"{s['info']} info" + (f", {s['waived']} waived." if s.get("waived") else ".")
        )
        if "since" in s:
            c = s["since"]
            text += f"\nSince the previous report: {c['new']} new, {c['fixed']} fixed, {c['open']} still open."
    return text
