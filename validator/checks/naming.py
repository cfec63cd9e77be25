"""Naming rules for every file name: encoding, Unicode form, platform validity, length,
full-width characters, whitespace, copy markers, extension case.

Also the name normalisation used to recognise documents: whatever a forbid rule
reports on its own is removed before matching, so one sloppy detail gives one
defect, not a cascade (copy marker + pattern mismatch + missing document).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from validator.checks import Context
from validator.messages import has_surrogates, printable
from validator.spec.model import NamingRules

# Markers that copying or re-downloading adds, at the end of the stem (or start, for 复件/Copy of).
_COPY_SUFFIX = (
    # "xxx - 副本", "xxx 副本 (2)", "xxx - Copy", "xxx的副本": a separator before the word, because
    # 营业执照副本 (the duplicate original of a business licence) is a real document name.
    r"(?:(?:\s+-?\s*|\s*-\s*)(?:副本|复件|拷贝|copy)(?:\s*[(（]\s*\d{1,2}\s*[)）])?"
    r"|的副本"
    r"|\s*[(（]\s*\d{1,2}\s*[)）])$"  # "(1)", "（2）"; not "(2025)", a year
)
_COPY_PREFIX = r"^(?:复件\s*|copy of\s+)"


@cache
def _copy_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(suffix, prefix), compiled when a spec forbids copy markers, not at import (~1 ms)."""
    return re.compile(_COPY_SUFFIX, re.IGNORECASE), re.compile(_COPY_PREFIX, re.IGNORECASE)


_WINDOWS_BAD = set('<>:"/\\|?*')
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# Every name goes through these scans: regexes and str.translate run in C, a per-character
# generator costs ~1 µs a character.
_FULLWIDTH_RE = re.compile("[\uff01-\uff60\uffe0-\uffe6]")
_SPACE_RE = re.compile(f"[\\s{_ZERO_WIDTH}]")
_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# A name without any of these (the usual name) gives the forbid rules and the platform screen
# nothing to object to but a copy marker, a reserved stem, its length or a trailing dot: one C
# scan spares the per-rule scans (whitespace, full-width, surrogates, unsafe characters).
_NOTHING_PLAIN = re.compile(
    r'[\s\u200b\u200c\u200d\u2060\ufeff\uff01-\uff60\uffe0-\uffe6\ud800-\udfff<>:"/\\|?*\x00-\x1f\x7f]'
)
# The last character of every copy marker the suffix pattern takes (checked against every code
# point under IGNORECASE); the prefix "copy of " needs a space, so a plain name can only carry 复件.
_COPY_ENDS = (")", "y", "Y", "件", "本", "贝", "）")


def _plain(nfc: str) -> bool:
    """No whitespace, full-width, surrogate, control or unsafe character in the name."""
    return _NOTHING_PLAIN.search(nfc) is None


def _may_have_copy_marker(stem: str) -> bool:
    """False when ``copy_marker`` would surely find none (a plain stem: see _COPY_ENDS)."""
    return stem.endswith(_COPY_ENDS) or stem.startswith("复件")


def split_ext(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return name, ""
    return stem, "." + ext


def to_halfwidth(text: str) -> str:
    return text.translate(_HALFWIDTH)


def copy_marker(stem: str) -> str | None:
    suffix, prefix = _copy_patterns()
    m = suffix.search(stem)
    if m and m.start() > 0:
        return m.group(0).strip() or m.group(0)
    p = prefix.match(stem)
    return p.group(0).strip() if p and p.end() < len(stem) else None


def without_copy_marker(stem: str) -> str:
    """The stem with its copy marker (and the spaces that came with it) cut out."""
    suffix, prefix = _copy_patterns()
    m = suffix.search(stem)
    if m and m.start() > 0:
        return stem[: m.start()]
    p = prefix.match(stem)
    return stem[p.end() :] if p and p.end() < len(stem) else stem


def display_name(name: str) -> str:
    """A printable form of a name that may hold undecodable bytes."""
    return printable(name)


def matching_form(name: str, rules: NamingRules) -> str:
    """The name as documents are matched: NFC, lower-case extension, minus what the rules report."""
    nfc = unicodedata.normalize("NFC", name)
    if _plain(nfc):  # nothing to make half-width or strip; at most a copy marker to cut
        stem, ext = split_ext(nfc)
        if "copy_suffix" in rules.forbid and _may_have_copy_marker(stem):
            while (shorter := without_copy_marker(stem)) != stem:
                stem = shorter
        return stem + ext.lower()
    name = unicodedata.normalize("NFC", display_name(name))
    stem, ext = split_ext(name)
    if "fullwidth" in rules.forbid:
        stem, ext = to_halfwidth(stem), to_halfwidth(ext)
    if "copy_suffix" in rules.forbid:
        while (shorter := without_copy_marker(stem)) != stem:  # "x - 副本 (2)(1)": all of them
            stem = shorter
    if "whitespace" in rules.forbid:
        stem = _SPACE_RE.sub("", stem)
        ext = ext.strip()
    return stem + ext.lower()


def check_name(ctx: Context, rel: str, document: str | None) -> None:
    rules = ctx.spec.naming
    name = rel.rsplit("/", 1)[-1]
    nfc = unicodedata.normalize("NFC", name)
    if _plain(nfc):
        _check_plain_name(ctx, rel, name, nfc, rules, document)
        return
    if has_surrogates(name):
        ctx.emit("N108", rel, _encoding_guess(name), document=document)
    shown = display_name(name)
    nfc = unicodedata.normalize("NFC", shown)
    if nfc != shown:
        ctx.emit("N109", rel, document=document)
    name_too_long = rules.max_length is not None and len(nfc) > rules.max_length
    if rules.platform:
        check_platform_name(ctx, rel, nfc, rules.platform, document, length_reported=name_too_long)
    _check_lengths(ctx, rel, nfc, rules, document, name_too_long)
    stem, ext = split_ext(nfc)
    marker = copy_marker(stem) if "copy_suffix" in rules.forbid else None
    if "fullwidth" in rules.forbid:
        chars = sorted(set(_FULLWIDTH_RE.findall(nfc)))
        if chars:
            ctx.emit("N105", rel, {"chars": " ".join(chars)}, document=document)
    # The spaces of a copy marker ("xxx - 副本") belong to that one defect.
    rest = without_copy_marker(stem) + ext if marker else nfc
    if "whitespace" in rules.forbid and _SPACE_RE.search(rest):
        params = {"ideographic": "U+3000"} if "\u3000" in rest else {}
        ctx.emit("N106", rel, params, document=document)
    if marker:
        ctx.emit("N107", rel, {"suffix": marker}, document=document)
    if rules.extension_case == "lower" and ext and ext != ext.lower():
        ctx.emit("N110", rel, {"found": ext, "expected": ext.lower()}, document=document)


def _check_plain_name(ctx: Context, rel: str, name: str, nfc: str, rules: NamingRules, document: str | None) -> None:
    """check_name for a plain name (see _plain): the same defects, without the scans that
    cannot find anything in it (no surrogates, full-width characters or whitespace)."""
    if nfc != name:
        ctx.emit("N109", rel, document=document)
    name_too_long = rules.max_length is not None and len(nfc) > rules.max_length
    if rules.platform and not _surely_valid_plain(nfc):
        check_platform_name(ctx, rel, nfc, rules.platform, document, length_reported=name_too_long)
    _check_lengths(ctx, rel, nfc, rules, document, name_too_long)
    stem, ext = split_ext(nfc)
    if "copy_suffix" in rules.forbid and _may_have_copy_marker(stem):
        marker = copy_marker(stem)
        if marker:
            ctx.emit("N107", rel, {"suffix": marker}, document=document)
    if rules.extension_case == "lower" and ext and ext != ext.lower():
        ctx.emit("N110", rel, {"found": ext, "expected": ext.lower()}, document=document)


def _check_lengths(ctx: Context, rel: str, nfc: str, rules: NamingRules, document: str | None,
                   name_too_long: bool) -> None:
    """N104 and N111. One mistake, one defect: a name too long for the spec is not also called too
    long for the file system (N103), nor its path too long when shortening the name fixes that too."""
    if name_too_long:
        ctx.emit("N104", rel, {"length": len(nfc), "max": rules.max_length}, document=document)
    if rules.max_path_length is not None and len(rel) > rules.max_path_length:
        shortest = len(rel) - len(nfc) + rules.max_length if name_too_long and rules.max_length else len(rel)
        if shortest > rules.max_path_length:
            ctx.emit("N111", rel, {"length": len(rel), "max": rules.max_path_length}, document=document)


_RESERVED_STEMS = ("CON", "PRN", "AUX", "NUL", "COM", "LPT", "CLOCK")
_UNSAFE_RE = re.compile('[<>:"/\\\\|?*\x00-\x1f\x7f]')


def _surely_valid(name: str) -> bool:
    """A cheap screen: names it passes are valid on every platform pathvalidate knows.

    pathvalidate costs ~150 µs a name; most names are fine, so only the suspicious ones
    (odd characters, trailing dot/space, a stem like CON/COM1, too many bytes) go to it.
    """
    if not name.strip() or name[-1] in ". " or name[0] == " " or len(name.encode("utf-8", "surrogateescape")) > 255:
        return False
    if _UNSAFE_RE.search(name):
        return False
    return not name.split(".", 1)[0].strip().upper().startswith(_RESERVED_STEMS)


def _surely_valid_plain(name: str) -> bool:
    """``_surely_valid`` for a plain name (see _plain: no space, nothing unsafe): only a trailing
    dot, more than 255 bytes (at most 4 a character) or a reserved stem can be wrong with it.
    A reserved stem is the start of the name in upper case (a stem holds no dot)."""
    return (
        name[-1:] not in (".", "")
        and (len(name) <= 63 or len(name.encode("utf-8", "surrogateescape")) <= 255)
        and not name[:8].upper().startswith(_RESERVED_STEMS)
    )


def check_platform_name(ctx: Context, rel: str, name: str, platform: str, document: str | None, *,
                        length_reported: bool) -> None:
    if _surely_valid(name):
        return
    from pathvalidate import ValidationError, validate_filename
    from pathvalidate.error import ErrorReason

    try:
        validate_filename(name, platform=platform, max_len=255)
    except ValidationError as exc:
        params: dict[str, str]
        if exc.reason is ErrorReason.RESERVED_NAME:
            params = {"reason": "reserved", "name": split_ext(name)[0].split(".")[0]}
        elif exc.reason is ErrorReason.INVALID_CHARACTER:
            bad = sorted({ch for ch in name if ch in _WINDOWS_BAD or ord(ch) < 32 or ord(ch) == 127})
            if any(ord(ch) < 32 or ord(ch) == 127 for ch in bad):
                params = {"reason": "control"}
            elif bad:
                params = {"reason": "invalid_char", "chars": " ".join(bad)}
            else:
                params = {"reason": "trailing"}
        elif exc.reason is ErrorReason.INVALID_LENGTH:
            if length_reported:
                return
            params = {"reason": "too_long_bytes", "bytes": str(len(name.encode("utf-8", "surrogateescape")))}
        else:
            params = {"reason": "invalid", "detail": str(exc.description or exc.reason.description)}
        if params["reason"] in _ADVICE_FOR_REASON:  # a fix for this reason, not the code's list of all
            params["advice"] = _ADVICE_FOR_REASON[params["reason"]]
        ctx.emit("N103", rel, params, document=document)


_ADVICE_FOR_REASON = {"reserved": "name_reserved", "invalid_char": "name_invalid_char", "trailing": "name_trailing",
                      "control": "name_control", "too_long_bytes": "name_too_long"}


def _encoding_guess(name: str) -> dict[str, str]:
    """Names from Chinese Windows zips are usually GBK: say what it would read as."""
    raw = name.encode("utf-8", "surrogateescape")
    for codec in ("gb18030", "big5"):
        try:
            return {"codec": codec.upper(), "decoded": raw.decode(codec)}
        except UnicodeDecodeError:
            continue
    return {}
