"""`validator explain CODE`: one catalogue entry as a clerk reads it.

What it means (the message as it would appear, filled with sample values), why it matters
for the submission, how to fix it, and an example. The sample values below are the
parameters the checks emit for that code; codes whose catalogue entry already carries an
``example`` need none, but a sample makes the meaning concrete, so most codes have one.
"""

from __future__ import annotations

import re
from typing import Any

from validator.codes import Code
from validator.messages import text
from validator.vocab import EXPLAIN_WORDS, severity_word

_COMPANY = "北京示例科技有限公司"

# code -> params a real check emits for it (see validator/checks/*).
SAMPLES: dict[str, dict[str, Any]] = {
    "F101": {"detail": "Permission denied"},
    "F102": {"detail": "No such file or directory"},
    "F103": {"target": "/home/other/营业执照.pdf"},
    "F104": {"kind": "fifo"},
    "F105": {"detail": "Permission denied"},
    "V101": {"name": "company", "title": "公司全称"},
    "V102": {
        "name": "uscc",
        "title": "统一社会信用代码",
        "value": "91110108551385082X",
        "reason": "check_digit",
        "expected": "Q",
        "found": "X",
    },
    "V103": {"detail": "not a mapping of names to values"},
    "V104": {"name": "compnay"},
    "V105": {"reason": "file_symlink"},
    "V106": {"name": "year", "title": "报告年度", "value": "2025"},
    "D101": {"title": "营业执照副本", "pattern": f"02_营业执照_{_COMPANY}.pdf"},
    "D102": {"title": "社保缴纳证明", "expected": "2+", "found": 1},
    "D103": {
        "title": "营业执照副本",
        "expected": 1,
        "found": 2,
        "files": [f"02_营业执照_{_COMPANY}.pdf", f"02_营业执照_{_COMPANY}_旧.pdf"],
    },
    "D104": {},
    "D105": {"other": f"02_营业执照_{_COMPANY}.pdf"},
    "N101": {"title": "营业执照副本", "pattern": f"02_营业执照_{_COMPANY}.pdf"},
    "N102": {"title": "公司全称", "found": "上海别家科技有限公司", "expected": _COMPANY},
    "N103": {"reason": "invalid_char", "chars": ":"},
    "N104": {"length": 72, "max": 60},
    "N105": {"chars": "（ ）"},
    "N106": {"ideographic": "U+3000"},
    "N107": {"suffix": "(1)"},
    "N108": {"codec": "GBK", "decoded": "营业执照.pdf"},
    "N109": {},
    "N110": {"found": ".PDF", "expected": ".pdf"},
    "N111": {"length": 214, "max": 200},
    "N112": {"variable": "year", "title": "报告年度", "found": "2019"},
    "T101": {"kind": "wps", "mime": "application/kswps", "allowed": ["docx", "pdf"]},
    "T102": {"ext": ".pdf", "kind": "jpg", "mime": "image/jpeg", "allowed": ["pdf"], "advice": "convert"},
    "T103": {"kind": "xlsx"},
    "S101": {},
    "S102": {"size": "12.4 MB", "max": "10 MB"},
    "S103": {"size": "38 KB", "min": "100 KB"},
    "P101": {"reason": "damaged", "detail": "startxref not found"},
    "P102": {},
    "P103": {},
    "P104": {"pages": 7, "expected": "1-5"},
    "P105": {},
    "T104": {"kind": "xls"},
    "T105": {"kind": "xlsx"},
    "X101": {"reason": "zip_bomb"},
    "X102": {"sheet": "人员名单", "available": ["Sheet1"]},
    "X103": {"column": "身份证号码"},
    "X104": {"column": "备注"},
    "X105": {"position": 3, "found": "身份证号", "expected": "身份证号码"},
    "X106": {"column": "姓名", "found": 3, "expected": 2},
    "X107": {"rows": 2, "min": 3},
    "X108": {"rows": 5200, "max": 5000},
    "X110": {"column": "姓名"},
    "X111": {"column": "身份证号码", "value": "110101199003074477", "first_row": 4},
    "X112": {"column": "岗位类别", "value": "销售", "allowed": ["管理", "技术", "客服", "安全", "其他"]},
    "X113": {"column": "社保最近缴费月份", "value": "2024/12", "pattern": "^\\d{4}-\\d{2}$"},
    "X114": {"column": "入职日期", "type": "date", "value": "去年三月"},
    "X115": {"column": "身份证号码", "display": "1.10101E+17"},
    "X116": {
        "column": "身份证号码",
        "value": "110101199003074478",
        "reason": "check_digit",
        "expected": "7",
        "found": "8",
    },
    "X117": {"column": "中继数量", "value": "-2", "range": "0–1000"},
    "L203": {},
    "L206": {"registry": "clients.xlsx", "row": 7, "first_row": 3, "folder": "北京示例"},
    "L207": {},
    "L208": {"source": "client.yaml", "spec": "/etc/passwd"},
    "W101": {"at": "waivers.yaml:6:14", "problem_zh": "expires 应为日期，如 2026-06-30，实际是 明年",
             "problem_en": "expires must be a date such as 2026-06-30, not 明年"},
    "W102": {"at": "waivers.yaml:2:5", "waived_code": "P103", "expires": "2025-12-31"},
    "W103": {"at": "waivers.yaml:8:5", "waived_code": "P103"},
}

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")

_LABELS = EXPLAIN_WORDS


def sample_message(entry: Code, lang: str) -> tuple[str, str]:
    """(meaning, fix) as a clerk would see them, filled with the sample values when known,
    else with an ellipsis where a value goes."""
    from validator.messages import fix, message
    from validator.model import Defect

    params = SAMPLES.get(entry.code)
    if params is None:
        return _generic(text(entry.message, lang)), _generic(text(entry.fix, lang))
    d = Defect(entry.code, entry.severity, "", params)
    return message(d, lang), fix(d, lang)


def _generic(template: str) -> str:
    return _PLACEHOLDER.sub("…", template)


def explain_text(entry: Code, lang: str) -> str:
    """The explain output: one labelled line per part, in the reader's language."""
    labels = _LABELS.get(lang, _LABELS["en"])
    means, hint = sample_message(entry, lang)
    lines = [
        f"{entry.code} {entry.name}: {text(entry.title, lang)}",
        f"{labels['severity']}: {severity_word(entry.severity.value, lang)}",
        f"{labels['means']}: {means}",
        f"{labels['why']}: {text(entry.why, lang)}",
        f"{labels['fix']}: {hint}",
    ]
    if entry.example:
        lines.append(f"{labels['example']}: {entry.example}")
    if entry.retired:
        lines.append("（已停用）" if lang == "zh" else "(retired)")
    return "\n".join(lines) + "\n"
