"""Regular expressions written in a spec (document `regex:`, variable and column `pattern:`,
rules' `matches:`), compiled so that none can run unbounded.

Python's `re` backtracks: `^(a+)+$` against 41 characters, or `(a|aa)+$` against a cell, runs
for hours. A static look at the parsed pattern finds the shapes that can backtrack without
bound (a repetition inside a repetition, alternatives inside a repetition, more than two
open-ended repetitions); those run in RE2 (google-re2, linear time), everything
else in `re`, which is ~14x cheaper per match (0.28 vs 3.9 µs) and is what almost every spec
needs. A hazardous pattern RE2 cannot run (look-around, back-references) is refused as a spec
error, so it never reaches a file name or a cell.
"""

from __future__ import annotations

import functools
import re
from typing import Any, cast

_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
_LONG_REPEAT = 64  # `\d{3,6}` cannot blow up; `.*` or `x{1,1000}` can
_MAX_OPEN_ENDED = 2  # `.*x.*` is fine; `.*a.*b.*c.*d` is n^4 backtracking on a long cell


class UnsafeRegex(ValueError):
    """A pattern that is invalid, or could run unbounded and cannot be run in linear time."""


def hazard(source: str, flags: int = 0) -> str | None:
    """Why `source` could backtrack without bound under `re`, or None if it cannot.
    Raises re.error for an invalid pattern."""
    from re import _parser  # type: ignore[attr-defined]

    tree = _parser.parse(source, flags)
    open_ended = 0
    stack: list[tuple[Any, bool]] = [(tree, False)]  # (sub-pattern, inside a repetition)
    while stack:
        items, repeated = stack.pop()
        for op, av in items:
            name = str(op)
            if name in _REPEATS:
                _lo, hi, sub = av
                many = hi > 1
                if many and repeated:
                    return "a repetition inside a repetition"
                if hi > _LONG_REPEAT:
                    open_ended += 1
                stack.append((sub, repeated or many))
            elif name == "BRANCH":
                if repeated:
                    return "alternatives inside a repetition"
                stack.extend((branch, repeated) for branch in av[1])
            elif name == "SUBPATTERN":
                stack.append((av[3], repeated))
            elif name == "ATOMIC_GROUP":
                stack.append((av, repeated))
            elif name in ("ASSERT", "ASSERT_NOT"):
                stack.append((av[1], repeated))
    if open_ended > _MAX_OPEN_ENDED:
        return f"{open_ended} open-ended repetitions"
    return None


@functools.lru_cache(maxsize=512)
def compile_user_regex(source: str, flags: int = 0) -> re.Pattern[str]:
    """The pattern, compiled by `re` when it cannot backtrack without bound, else by RE2.
    Raises UnsafeRegex when it is invalid or hazardous and RE2 cannot run it.

    RE2's pattern object has the same search/match/fullmatch/groupindex and match objects with
    group/groupdict, which is all the checks use; it is typed as re.Pattern for them."""
    try:
        why = hazard(source, flags)
    except re.error as exc:
        raise UnsafeRegex(f"not a valid regular expression ({exc})") from None
    except RecursionError:
        raise UnsafeRegex("not a valid regular expression (nested too deeply)") from None
    if why is None:
        return re.compile(source, flags)
    linear = _re2(source, flags)
    if linear is None:
        raise UnsafeRegex(
            f"could take unbounded time ({why}) and the linear-time engine cannot run it (it uses look-around "
            "or a back-reference, or is too large); rewrite it without nesting repetitions"
        )
    return cast("re.Pattern[str]", linear)


def bounded_reason(source: str, flags: int = 0) -> str | None:
    """Why `source` runs in the linear-time engine (for `specs check` warnings), or None."""
    try:
        return hazard(source, flags)
    except (re.error, RecursionError):
        return None


def problem(source: str, flags: int = 0) -> str | None:
    """The spec problem with `source` (invalid or refused), or None when it can be used."""
    try:
        compile_user_regex(source, flags)
    except UnsafeRegex as exc:
        return str(exc)
    return None


def _re2(source: str, flags: int) -> Any:
    try:
        import re2
    except ImportError:  # pragma: no cover - a runtime dependency; without it, refuse
        return None
    if flags & ~(re.DOTALL | re.IGNORECASE | re.MULTILINE):
        return None
    options = re2.Options()
    options.log_errors = False  # an error is reported by us, not printed by RE2
    options.max_mem = 32 << 20
    options.dot_nl = bool(flags & re.DOTALL)
    options.case_sensitive = not flags & re.IGNORECASE
    options.never_nl = False
    if flags & re.MULTILINE:
        source = f"(?m){source}"
    try:
        return re2.compile(_unicode_classes(source), options)
    except Exception:  # re2.error: a feature RE2 does not have
        return None


# Python's \w, \d, \s match any script (Chinese names, full-width digits); RE2's match ASCII.
_OUTSIDE = {"w": r"[\p{L}\p{N}_]", "W": r"[^\p{L}\p{N}_]", "d": r"\p{Nd}", "D": r"\P{Nd}",
            "s": r"[\s\p{Z}]", "S": r"[^\s\p{Z}]"}
_INSIDE = {"w": r"\p{L}\p{N}_", "d": r"\p{Nd}", "D": r"\P{Nd}", "s": r"\s\p{Z}"}  # \W, \S: kept


def _unicode_classes(source: str) -> str:
    r"""`source` with \w, \d, \s (and negations) spelled as Unicode classes RE2 understands."""
    out: list[str] = []
    i, n, in_class = 0, len(source), False
    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n:
            esc = source[i + 1]
            out.append((_INSIDE if in_class else _OUTSIDE).get(esc, source[i : i + 2]))
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and source[i] == "^":
                out.append("^")
                i += 1
            if i < n and source[i] == "]":  # a literal ] first in a class
                out.append("]")
                i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


# --- `specs check`: where a pattern runs bounded ---------------------------------------------

_REGEX_KEYS = ("regex", "pattern", "matches")


def bounded_patterns(raw: Any) -> list[tuple[Any, str]]:
    """(mark, message) for every spec pattern that runs in the linear-time engine."""
    from validator.spec.yamlmarks import mark_of

    out: list[tuple[Any, str]] = []
    stack: list[Any] = [raw]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                texts = value if isinstance(value, list) else [value]
                if key in _REGEX_KEYS:
                    for text in texts:
                        if isinstance(text, str) and (why := bounded_reason(text)):
                            out.append((mark_of(node, key), f"{key}: '{text}' could backtrack without bound "
                                        f"({why}); it runs in the linear-time engine (RE2)"))
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(out, key=lambda p: (p[0].line, p[0].column) if p[0] is not None else (0, 0))
