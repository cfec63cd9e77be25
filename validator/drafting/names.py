"""File names into name patterns: the client's values become `{slots}`, files that share a number
(`13_系统截图_IVR.jpg`, `13_系统截图_ACD.jpg`) or differ only by a counter (`截图01`, `截图02`)
become one document whose pattern is their common beginning plus `*`.

A template is the name as a string in which a slot is ``\\x00`` + a letter and the wildcard is
``\\x01``: file names never hold NUL, and a plain string lets the common prefix of a family be
``os.path.commonprefix``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from validator.checks.naming import split_ext

SLOT = "\x00"
WILD = "\x01"
_ORDINAL = re.compile(r"^(\d{1,3})(?=[_\-.\s、])")
_COUNTER = re.compile(r"[_\-\s]*[(（]?\d{1,4}[)）]?$")
_SEPARATORS = "_- 、"
_YEARLIKE = re.compile(r"^(?:19|20)\d{2}$")
_PATTERN_SYNTAX = re.compile(r"[{}*]")


@dataclass(frozen=True)
class Slot:
    var: str
    value: str


def name_slots(values: Mapping[str, object]) -> list[Slot]:
    """The client values that may stand in a name, longest first. A number would replace the
    digits of ordinals and counters (a seat count of 12 in `12_职场证明`), so of the numbers
    only years count, and only as a whole number; other values need at least 4 characters."""
    out = []
    for var, raw in values.items():
        value = str(raw).strip()
        if not value or _PATTERN_SYNTAX.search(value) or SLOT in value or WILD in value:
            continue
        if value.isdigit() and not _YEARLIKE.match(value):
            continue
        if not value.isdigit() and len(value) < 4:
            continue
        out.append(Slot(var, value))
    return sorted(out, key=lambda s: -len(s.value))[:26]  # a slot's mark is a letter A-Z


def generalise(stem: str, slots: Sequence[Slot]) -> tuple[str, list[Slot]]:
    """The stem as a template with the client's values as slots; and the slots used.
    A number-only value (a year) is replaced only where no digit touches it."""
    used: list[Slot] = []
    template = stem
    for i, slot in enumerate(slots):
        mark = SLOT + chr(65 + i)
        if slot.value.isdigit():
            rx = re.compile(rf"(?<![0-9]){re.escape(slot.value)}(?![0-9])")
        else:
            rx = re.compile(re.escape(slot.value), re.IGNORECASE)
        # the ordinal in front is never a value
        m = _ORDINAL.match(template)
        head, rest = (template[: m.end()], template[m.end() :]) if m else ("", template)
        new_rest = rx.sub(mark, rest)
        if new_rest != rest:
            used.append(slot)
            template = head + new_rest
    return template, used


def family_key(template: str) -> str:
    """Files with the same key are one document: the leading number, else the stem without a
    trailing counter."""
    m = _ORDINAL.match(template)
    if m:
        return "#" + str(int(m.group(1)))
    base = _COUNTER.sub("", template)
    return "=" + (base or template)


def family_template(stems: Sequence[str]) -> str:
    """One template for a family's stem templates: the stem itself when they are all the same;
    else their common beginning + wildcard, cut back to a separator (or a whole stem) so no
    word of one example is copied into the pattern."""
    distinct = sorted(set(stems))
    if len(distinct) == 1:
        return distinct[0]
    prefix = os.path.commonprefix(distinct)  # noqa: RUF071 - characters, not path parts
    if prefix.endswith(SLOT):
        prefix = prefix[:-1]
    if prefix not in distinct:
        prefix = prefix.rstrip("0123456789")
        if prefix and prefix[-1] not in _SEPARATORS:
            cut = max(prefix.rfind(c) for c in _SEPARATORS)
            if cut >= 0:
                prefix = prefix[: cut + 1]
        if prefix.endswith(SLOT):
            prefix = prefix[:-1]
    return prefix + WILD


def extension_template(exts: Sequence[str]) -> str:
    lowered = {e.lower() for e in exts}
    if len(lowered) == 1:
        return lowered.pop()
    return "." + WILD if all(lowered) else WILD


def needs_regex(template: str) -> bool:
    return bool(_PATTERN_SYNTAX.search(template))


def render_name(template: str, slots: Sequence[Slot], all_slots: Sequence[Slot]) -> tuple[str, bool]:
    """(pattern, is_regex): `name:` syntax, or a regular expression when the literal text holds
    `{`, `}` or `*`, which `name:` would read as syntax."""
    var_of = {SLOT + chr(65 + i): s.var for i, s in enumerate(all_slots)}
    pieces = re.split(f"({SLOT}.|{WILD})", template)
    if not needs_regex(template):
        out = []
        for p in pieces:
            out.append("{" + var_of[p] + "}" if p in var_of else "*" if p == WILD else p)
        return "".join(out), False
    seen: set[str] = set()
    out = []
    for p in pieces:
        if p in var_of:
            var = var_of[p]
            out.append(f"(?P={var})" if var in seen else f"(?P<{var}>.+?)")
            seen.add(var)
        elif p == WILD:
            out.append(".*")
        else:
            out.append(re.escape(p))
    return "".join(out), True


def title_of(template: str) -> str:
    """The words of a name: no number in front, no slots, no wildcard, no separators at the ends."""
    text = _ORDINAL.sub("", template)
    text = re.sub(f"{SLOT}.|{WILD}", " ", text)
    text = re.sub(r"[_\-\s、.]+", " ", text).strip()
    return text


def split(name: str) -> tuple[str, str]:
    return split_ext(name)
