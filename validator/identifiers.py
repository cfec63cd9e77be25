"""Format and check-digit rules for the identifiers found in licence materials.

Every ``check_*`` function takes any ``str`` and returns ``None`` when the value is valid,
otherwise one :class:`IdProblem`: the single most useful reason (a stable key from
:data:`REASONS`) plus string parameters for the message. They never raise.

Rules (from the project domain notes, "Identifiers and their check rules"):

* 统一社会信用代码 (USCC), GB 32100-2015: 18 characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY``
  (no I, O, S, V, Z; a character's value is its index). Positions 3-8 are the area code (digits).
  The first character may be any alphabet character (digits, A, N, Y ... are all in use).
  Check character = alphabet[(31 - sum(value_i * 3^(i-1) mod 31)) mod 31] over the first 17.
* 居民身份证号, GB 11643-1999: 17 digits + check character "10X98765432"[sum(d_i * w_i) mod 11]
  with w = 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2; digits 7-14 are a real birth date YYYYMMDD
  (from 1900-01-01 up to today). The old 15-digit ids are rejected as "length".
* Mobile numbers: ``(+?86)?1[3-9]\\d{9}`` with no separators (no prefix list: they go stale).
* 经营许可证编号: ``[合字][province][A1.|A2.|A1.A2.](B1|B2|B1.B2)-YYYYNNNN``
  or the older ``<province>ICP证NNNNNN号``.
* ICP备案号: ``<province>ICP备`` + 8 or 10 digits + ``号``, optionally ``-N``.

Order of checks, so that the reported reason is the one to fix first:
empty -> whitespace -> fullwidth -> length -> charset/area -> birth_date -> check_digit, with
"lowercase" reported only when upper-casing alone makes the value valid (so its
``normalized`` parameter is a correct suggestion); otherwise the remaining problem wins.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from operator import itemgetter, mul
from typing import Any

REASONS: frozenset[str] = frozenset(
    {
        "empty",  # nothing but (possibly) whitespace
        "whitespace",  # {"normalized"}: any space incl. U+3000, NBSP, zero-width characters
        "fullwidth",  # {"normalized"}: full-width ASCII forms such as ９１ or Ｑ
        "length",  # {"expected", "found"}
        "charset",  # {"char", "position"} (+ {"hint"} for USCC O->0 / I->1)
        "area",  # {"char", "position"}: non-digit in the area code
        "check_digit",  # {"expected", "found"}
        "birth_date",  # {"date"}: not a real date, before 1900 or in the future
        "lowercase",  # {"normalized"}: valid once upper-cased
        "format",  # {"expected"}: does not match the pattern (licence, ICP, mobile)
    }
)


@dataclass(frozen=True)
class IdProblem:
    """Why a value is not a valid identifier, as a stable reason and its message values."""

    reason: str  # stable key, one of REASONS
    params: dict[str, str] = field(default_factory=dict)  # values for the rendered message


# --- shared pre-checks ------------------------------------------------------------------------

# Invisible characters that str.isspace() does not cover but that arrive with copy-paste.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_DIGITS = frozenset("0123456789")


def _is_space(ch: str) -> bool:
    return ch.isspace() or ch in _INVISIBLE  # isspace() covers U+3000, NBSP, tabs, newlines


def _halfwidth(value: str) -> str:
    """Map full-width ASCII forms (U+FF01..U+FF5E) to ASCII; leave everything else alone."""
    return "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in value)


def _ascii_upper(value: str) -> str:
    return "".join(c.upper() if "a" <= c <= "z" else c for c in value)


def _precheck(value: str) -> IdProblem | None:
    """empty, whitespace and full-width checks common to every identifier."""
    if all(_is_space(c) for c in value):
        return IdProblem("empty", {})
    if any(_is_space(c) for c in value):
        return IdProblem("whitespace", {"normalized": "".join(c for c in value if not _is_space(c))})
    half = _halfwidth(value)
    if half != value:
        return IdProblem("fullwidth", {"normalized": half})
    return None


def _length(value: str, expected: int) -> IdProblem | None:
    if len(value) != expected:
        return IdProblem("length", {"expected": str(expected), "found": str(len(value))})
    return None


# --- 统一社会信用代码 (GB 32100-2015) --------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, ...
_USCC_HINTS = {"O": "0", "I": "1"}  # common typos; S, V, Z get no hint


def uscc_check_char(first17: str) -> str:
    """Check character for the first 17 USCC characters; ValueError on bad input."""
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise ValueError(f"need 17 characters from {USCC_ALPHABET}, got {first17!r}")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


_USCC_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def check_uscc(value: str) -> IdProblem | None:
    # Fast path for the common, well-formed value: one regex and the check character.
    if _USCC_SHAPE.fullmatch(value):
        total = sum(map(mul, map(_USCC_VALUE.__getitem__, value[:17]), _USCC_WEIGHTS))
        if USCC_ALPHABET[(31 - total % 31) % 31] == value[17]:
            return None
    problem = _precheck(value) or _length(value, 18)
    if problem:
        return problem
    upper = _ascii_upper(value)
    for pos, (orig, c) in enumerate(zip(value, upper, strict=True), start=1):
        if c not in _USCC_VALUE:
            params = {"char": orig, "position": str(pos)}
            if c in _USCC_HINTS:
                params["hint"] = _USCC_HINTS[c]
            return IdProblem("charset", params)
    for pos in range(3, 9):
        if upper[pos - 1] not in _DIGITS:
            return IdProblem("area", {"char": value[pos - 1], "position": str(pos)})
    expected = uscc_check_char(upper[:17])
    if upper[17] != expected:
        return IdProblem("check_digit", {"expected": expected, "found": value[17]})
    if upper != value:
        return IdProblem("lowercase", {"normalized": upper})
    return None


# --- 居民身份证号 (GB 11643-1999) ----------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def cn_id_check_char(first17: str) -> str:
    """Check character for the first 17 ID digits; ValueError on bad input."""
    if len(first17) != 17 or any(c not in _DIGITS for c in first17):
        raise ValueError(f"need 17 ASCII digits, got {first17!r}")
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _birth_date_ok(ymd: str) -> bool:
    try:
        born = date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:]))
    except ValueError:
        return False
    return _EARLIEST_BIRTH <= born <= _today()


_EARLIEST_BIRTH = date(1900, 1, 1)
_today_cache: list[Any] = [None, None]  # [whole second of time.time(), that second's local date]


def _today() -> date:
    """``date.today()``, computed once per second of the clock (ids are checked by thousands)."""
    second = int(time.time())
    if _today_cache[0] != second:
        _today_cache[1] = date.fromtimestamp(second)
        _today_cache[0] = second
    return _today_cache[1]


# The weights are 2**(18 - i) mod 11 and 13 = 2 (mod 11), so sum(d_i * w_i) = 2 * (the 17 digits
# read in base 13) (mod 11): one int() instead of 17 multiplications.
assert all(w == 2 ** (18 - i) % 11 for i, w in enumerate(_ID_WEIGHTS, start=1))


def check_cn_id(value: str) -> IdProblem | None:
    if (
        _ID_SHAPE.fullmatch(value)
        and _ID_CHECK[2 * int(value[:17], 13) % 11] == value[17]  # ASCII digits: the shape says so
    ):
        # Fast path (a valid id): 18 ASCII characters with the right check digit; the birth date.
        try:
            born: date | None = date.fromisoformat(value[6:14])  # YYYYMMDD: ASCII digits by the shape
        except ValueError:
            born = None
        if born is not None and _EARLIEST_BIRTH <= born <= _today():
            return None
    problem = _precheck(value) or _length(value, 18)
    if problem:
        return problem
    for pos, c in enumerate(value, start=1):
        if pos <= 6 and c not in _DIGITS:  # address code (GB/T 2260)
            return IdProblem("area", {"char": c, "position": str(pos)})
        if c not in _DIGITS and not (pos == 18 and c in "Xx"):
            return IdProblem("charset", {"char": c, "position": str(pos)})
    if not _birth_date_ok(value[6:14]):
        return IdProblem("birth_date", {"date": value[6:14]})
    expected = cn_id_check_char(value[:17])
    if value[17].upper() != expected:
        return IdProblem("check_digit", {"expected": expected, "found": value[17]})
    if value[17] == "x":
        return IdProblem("lowercase", {"normalized": value.upper()})
    return None


# --- mobile, licence and ICP numbers (patterns) -------------------------------------------------

# The 31 provincial abbreviations, plus the alternates used on ICP filings and some licences
# (黔 = 贵, 滇 = 云, 蜀 = 川, 陇 = 甘; e.g. 陇ICP备2021003158号-1).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼" + "黔滇蜀陇"

# [0-9], not \d: \d also matches Arabic-Indic and other Unicode digits.
_MOBILE_RE = re.compile(r"(?:\+?86)?1[3-9][0-9]{9}")
_LICENCE_RE = re.compile(
    rf"(?:合字)?[{PROVINCES}]?(?:A1\.)?(?:A2\.)?(?:B1|B2|B1\.B2)-[0-9]{{8}}"  # year + serial
    rf"|[{PROVINCES}]ICP证[0-9]{{6}}号"
)
_ICP_RE = re.compile(rf"[{PROVINCES}]ICP备(?:[0-9]{{8}}|[0-9]{{10}})号(?:-[1-9][0-9]*)?")


def shape_of(type_name: str) -> str:
    """The regex (unanchored text) a value of a pattern-checked identifier type has, for a
    file-name slot of that type."""
    return {"licence_no": _LICENCE_RE, "icp_record": _ICP_RE, "cn_mobile": _MOBILE_RE}[type_name].pattern


def _check_pattern(value: str, pattern: re.Pattern[str], expected: str) -> IdProblem | None:
    if pattern.fullmatch(value):
        return None
    problem = _precheck(value)
    if problem:
        return problem
    if pattern.fullmatch(value):
        return None
    upper = _ascii_upper(value)
    if upper != value and pattern.fullmatch(upper):
        return IdProblem("lowercase", {"normalized": upper})
    return IdProblem("format", {"expected": expected})


def check_cn_mobile(value: str) -> IdProblem | None:
    return _check_pattern(value, _MOBILE_RE, "13812345678")


def check_licence_no(value: str) -> IdProblem | None:
    expected = "京ICP证090015号" if "ICP证" in _ascii_upper(value) else "B2-20201234"
    return _check_pattern(value, _LICENCE_RE, expected)


def check_icp_record(value: str) -> IdProblem | None:
    return _check_pattern(value, _ICP_RE, "京ICP备12345678号-1")


CHECKERS: dict[str, Callable[[str], IdProblem | None]] = {
    "uscc": check_uscc,
    "cn_id": check_cn_id,
    "cn_mobile": check_cn_mobile,
    "licence_no": check_licence_no,
    "icp_record": check_icp_record,
}


# --- many values at once ---------------------------------------------------------------------
# A column of a 5,000-row roster holds thousands of distinct ids. These give, at C speed where
# they can, the values that certainly pass; only the others go through the checker one by one
# (which names the reason). Values are joined with NUL, which no pattern below can match: the
# block matches and the NUL count equals the number of values exactly when every value does.
_SEP = "\x00"
_ID_BLOCK = re.compile(r"(?:[0-9]{17}[0-9X]\x00)*")
_BIRTH = itemgetter(slice(6, 14))  # YYYYMMDD of an id


def _all_match(block: re.Pattern[str], values: Sequence[str]) -> bool:
    joined = _SEP.join(values) + _SEP
    return block.fullmatch(joined) is not None and joined.count(_SEP) == len(values)


def _sure_cn_ids(values: Sequence[str]) -> set[str]:
    """The values that :func:`check_cn_id` passes, found column-wise (same rules as its fast path)."""
    shaped = values if _all_match(_ID_BLOCK, values) else [v for v in values if _ID_SHAPE.fullmatch(v)]
    good = _right_check_chars(shaped)
    earliest, today = _EARLIEST_BIRTH.strftime("%Y%m%d"), _today().strftime("%Y%m%d")
    bad_births = set()
    for ymd in set(map(_BIRTH, good)):  # fewer birth dates than ids
        try:
            date.fromisoformat(ymd)
        except ValueError:
            bad_births.add(ymd)
            continue
        if not earliest <= ymd <= today:  # YYYYMMDD strings order as the dates do
            bad_births.add(ymd)
    return {v for v in good if v[6:14] not in bad_births} if bad_births else set(good)


# The check characters of many ids at once, in big-integer arithmetic: position k of every id
# (``joined[k::18]``) read as one integer of 16-bit lanes, one id per lane, and the 17 such
# integers summed with their weights; a lane holds sum(w_k * ord(digit_k)) = 48 * 100 + the
# id's weighted digit sum (at most 57 * 100 < 2**16: no lane spills into the next). The lanes,
# read back as characters, are mapped to the check character their sum calls for.
_LANE_BASE = ord("0") * sum(_ID_WEIGHTS)
_LANE_CHECK = "\x00" * _LANE_BASE + "".join(_ID_CHECK[s % 11] for s in range(9 * sum(_ID_WEIGHTS) + 1))


def _right_check_chars(shaped: Sequence[str]) -> list[str]:
    """The ids among ``shaped`` (each 17 ASCII digits and a digit or X) whose 18th character is
    the check character of the first 17 (``value[17] == _ID_CHECK[sum(d_i * w_i) % 11]``)."""
    if len(shaped) < 8:  # not worth the set-up
        return [v for v in shaped if _ID_CHECK[2 * int(v[:17], 13) % 11] == v[17]]
    joined = "".join(shaped)
    total = 0
    for k, weight in enumerate(_ID_WEIGHTS):
        total += weight * int.from_bytes(joined[k::18].encode("utf-16-le"), "little")
    expected = total.to_bytes(2 * len(shaped), "little").decode("utf-16-le").translate(_LANE_CHECK)
    found = joined[17::18]
    if expected == found:
        return list(shaped)
    return [v for v, want, got in zip(shaped, expected, found, strict=True) if want == got]


def _sure_pattern(pattern: re.Pattern[str]) -> Callable[[Sequence[str]], set[str]]:
    @cache
    def block() -> re.Pattern[str]:  # compiled with the first column, not at import (~1 ms each)
        return re.compile(f"(?:(?:{pattern.pattern}){_SEP})*")

    def sure(values: Sequence[str]) -> set[str]:
        """The values matching the pattern as they are (what the checker passes at its first line)."""
        if _all_match(block(), values):
            return set(values)
        return {v for v in values if pattern.fullmatch(v)}

    return sure


#: type -> the values (among many texts) that its checker certainly passes
SURE_PASS: dict[str, Callable[[Sequence[str]], set[str]]] = {
    "cn_id": _sure_cn_ids,
    "cn_mobile": _sure_pattern(_MOBILE_RE),
    "licence_no": _sure_pattern(_LICENCE_RE),
    "icp_record": _sure_pattern(_ICP_RE),
}
