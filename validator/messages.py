"""Render defects in the reader's language (Chinese first, English second)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from validator.codes import ADVICE, CODES, FRAGMENTS, GROUPED, KIND_NAMES, REASONS, TYPE_NAMES, Code
from validator.lang import default_lang  # noqa: F401  (re-exported: callers import it from here)
from validator.model import Defect
from validator.table import ERROR_KEYS

LANGS = ("zh", "en")
_READER_KEYS = frozenset(ERROR_KEYS)  # a workbook reader's reasons (the registry's detail starts with one)


@cache
def _english_only() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(no Chinese character and at least two English words: a reason no table put into Chinese,
    names quoted in a reason: not its language). Compiled when first needed, not at import."""
    return (re.compile(r"(?=[^\u3000-\u9fff\uff00-\uffef]*$)(?=.*[A-Za-z]{2,}[^A-Za-z]+[A-Za-z]{2,})"),
            re.compile(r"'[^']*'|\"[^\"]*\""))


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


_COUNT = re.compile(r"(\d+)(?:\+|-(\d+))")


def _prepared(params: Mapping[str, Any], lang: str) -> _Params:
    out = _Params({k: _show(v, lang) for k, v in params.items()})
    kind = params.get("type")
    if isinstance(kind, str) and kind in TYPE_NAMES:
        out["type_name"] = _pick(TYPE_NAMES[kind], lang)
    content = params.get("kind")
    if isinstance(content, str):
        out["kind_name"] = kind_name(content, lang)
    allowed = params.get("allowed")
    if isinstance(allowed, list | tuple):
        out["allowed_names"] = _alternatives([kind_name(str(a), lang) for a in allowed], lang)
    for name, (pair, needs) in FRAGMENTS.items():
        if all(k in params for k in needs):
            out[name] = _format(_pick(pair, lang), out)
    expected = params.get("expected")
    if isinstance(expected, str) and (count := _COUNT.fullmatch(expected)):  # a spec count: 4+, 2-3
        low, high = count.groups()
        if high is None:
            out["expected"] = f"至少 {low}" if lang == "zh" else f"at least {low}"
        else:
            out["expected"] = f"{low} 至 {high}" if lang == "zh" else f"{low} to {high}"
    detail = params.get("detail")
    if lang == "zh" and isinstance(detail, str):  # a spec's, client.yaml's or registry's problem
        key, colon, _ = detail.partition(": ")
        if colon and key in _READER_KEYS:  # a workbook reader's `key: parser words` (the registry)
            out["detail"] = _pick(REASONS[key], lang)
        else:
            from validator.vocab import spec_text

            out["detail"] = spec_text(out["detail"], lang)
            english_only, quoted = _english_only()
            if english_only.match(quoted.sub("", out["detail"])):  # a parser's or the OS's own words
                out["detail"] = "原因（英文）见 JSON 报告中的 params.detail"
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
    text = _format(_pick(template, lang), _prepared(defect.params, lang))
    return text + waiver_note(defect, lang) if defect.waiver is not None else text


def waiver_note(defect: Defect, lang: str) -> str:
    """What every format says after a waived defect's message: who accepted it, why, until when."""
    w = defect.waiver
    if w is None:
        return ""
    if lang == "zh":
        return f"〔已豁免：{w.reason}；批准人 {w.approved_by}，有效期至 {w.expires}（{w.source}）〕"
    return f" [waived: {w.reason}; approved by {w.approved_by} until {w.expires} ({w.source})]"


def fix(defect: Defect, lang: str) -> str:
    """The code's fix, or the fix for the defect's situation when its params name an ``advice``."""
    c = CODES.get(defect.code)
    if c is None:
        return ""
    advice = defect.params.get("advice")
    template = ADVICE[advice] if isinstance(advice, str) and advice in ADVICE else c.fix
    return _format(_pick(template, lang), _prepared(defect.params, lang))


def _alternatives(names: list[str], lang: str) -> str:
    """"A、B或C" / "A, B or C"."""
    if len(names) < 2:
        return "".join(names)
    head, last = "、".join(names[:-1]), names[-1]
    if lang != "zh":
        return ", ".join(names[:-1]) + " or " + last
    # a space between Chinese and Latin text, as everywhere in our messages
    before = " " if head[-1].isascii() and head[-1] not in "、" else ""
    after = " " if last[0].isascii() else ""
    return f"{head}{before}或{after}{last}"


# Spellings a spec may use for a kind (`types: [jpeg, image/jpeg]`).
_KIND_ALIASES = {"jpeg": "jpg", "jpe": "jpg", "tif": "tiff", "htm": "html", "heif": "heic", "text": "txt",
                 "tsv": "csv"}


def kind_name(kind: str, lang: str) -> str:
    """A sniffed kind or a spec's type (short name or MIME type) as a reader names it."""
    key = kind.strip().lower().lstrip(".")
    key = _KIND_ALIASES.get(key, key)
    if key not in KIND_NAMES and "/" in key:
        from validator.sniff.types import _KIND_BY_MIME

        key = _KIND_BY_MIME.get(key, key)
    if key in KIND_NAMES:
        return _pick(KIND_NAMES[key], lang)
    return kind  # a type the catalogue does not know: the spec author's own word


def title(code: str, lang: str) -> str:
    c = CODES.get(code)
    return code if c is None else _pick(c.title, lang)


def text(pair: tuple[str, str], lang: str) -> str:
    return _pick(pair, lang)
