"""Render defects in the reader's language (Chinese first, English second)."""

from __future__ import annotations

import locale
import os
import re
from collections.abc import Mapping
from typing import Any

from validator.codes import CODES, FRAGMENTS, GROUPED, REASONS, TYPE_NAMES, Code
from validator.model import Defect

LANGS = ("zh", "en")


def default_lang() -> str:
    """zh unless the locale says otherwise: our readers are Chinese clerks first."""
    for var in ("VALIDATOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            # C / POSIX (and C.UTF-8) state no language: keep Chinese, our first language.
            if value.split(".")[0] in ("C", "POSIX"):
                return "zh"
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "en" if loc and not loc.lower().startswith("zh") else "zh"


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def _pick(text: tuple[str, str], lang: str) -> str:
    return text[0] if lang == "zh" else text[1]


def _format(template: str, params: Mapping[str, Any]) -> str:
    try:
        return template.format_map(_Params(params))
    except (ValueError, IndexError, AttributeError):
        return template


def _prepared(params: Mapping[str, Any], lang: str) -> _Params:
    out = _Params({k: _show(v, lang) for k, v in params.items()})
    kind = params.get("type")
    if isinstance(kind, str) and kind in TYPE_NAMES:
        out["type_name"] = _pick(TYPE_NAMES[kind], lang)
    for name, (pair, needs) in FRAGMENTS.items():
        if all(k in params for k in needs):
            out[name] = _format(_pick(pair, lang), out)
    reason = params.get("reason")
    if isinstance(reason, str) and reason in REASONS:
        out["reason"] = _format(_pick(REASONS[reason], lang), out)
    return out


_SURROGATE = re.compile("[\udc80-\udcff]")


def has_surrogates(text: str) -> bool:
    """A name read from disk holds surrogate escapes where its bytes were not valid UTF-8."""
    return _SURROGATE.search(text) is not None


def printable(text: str) -> str:
    """Undecodable bytes in a file name (held as surrogate escapes) shown as U+FFFD."""
    if has_surrogates(text):
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def escaped(text: str) -> str:
    """A lossless ASCII-safe form of a name with undecodable bytes: \\xNN escapes."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _show(value: Any, lang: str) -> str:
    if isinstance(value, list | tuple):
        sep = "、" if lang == "zh" else ", "
        return sep.join(printable(str(v)) for v in value)
    return printable(str(value))


def entry(code: str) -> Code:
    return CODES[code]


def message(defect: Defect, lang: str) -> str:
    c = CODES.get(defect.code)
    if c is None:
        return f"{defect.code} {dict(defect.params)}"
    # One defect for several rows of a column (checks.cell_defects) has its own sentence.
    template = GROUPED.get(defect.code, c.message) if "row_list" in defect.params else c.message
    return _format(_pick(template, lang), _prepared(defect.params, lang))


def fix(defect: Defect, lang: str) -> str:
    c = CODES.get(defect.code)
    return "" if c is None else _format(_pick(c.fix, lang), _prepared(defect.params, lang))


def title(code: str, lang: str) -> str:
    c = CODES.get(code)
    return code if c is None else _pick(c.title, lang)


def text(pair: tuple[str, str], lang: str) -> str:
    return _pick(pair, lang)
