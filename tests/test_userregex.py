"""userregex: spec regexes run in `re` unless they could backtrack without bound, then in RE2."""

from __future__ import annotations

import re
import time

import pytest

from validator.userregex import UnsafeRegex, bounded_patterns, compile_user_regex, hazard


@pytest.mark.parametrize(
    "pattern",
    [r"^20\d{2}$", r"(?:[48]00-?\d{3}-?\d{4}|9[56]\d{3,6}|1\d{4,6}|0\d{2,3}-?\d{7,8})",
     r"(北京|天津|河北)(省|市|自治区)?", r"(?i).*\.pdf", r"106[2369]\d{1,17}", r"(?P<company>.+?)_报告\.pdf",
     r"(?=x)x+", r"(a)\1"],
)
def test_patterns_that_cannot_blow_up_stay_in_re(pattern: str) -> None:
    assert hazard(pattern) is None
    assert isinstance(compile_user_regex(pattern), re.Pattern)


@pytest.mark.parametrize(
    ("pattern", "subject"),
    [(r"^(a+)+$", "a" * 41 + "!"), (r"(a|aa)+$", "a" * 5000 + "b"), (r"(x+x+)+y", "x" * 5000),
     (r"(.*a){20}", "a" * 5000), (r".*a.*b.*c.*d", "abc" * 5000), (r"^(\w+\s?)*$", "a" * 5000 + "!")],
)
def test_backtracking_patterns_run_in_linear_time(pattern: str, subject: str) -> None:
    assert hazard(pattern) is not None
    rx = compile_user_regex(pattern)
    start = time.perf_counter()
    rx.search(subject)
    rx.fullmatch(subject)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("subject", ["aaa", "aab", "", "a", "ba", "aaaa"])
def test_the_linear_engine_agrees_with_re_where_re_is_fast(subject: str) -> None:
    for pattern in (r"^(a+)+$", r"(a|aa)+$", r"(a|b)*a(a|b)"):
        assert bool(compile_user_regex(pattern).search(subject)) == bool(re.search(pattern, subject)), pattern


def test_named_groups_work_in_the_linear_engine() -> None:
    rx = compile_user_regex(r"(?P<company>(\w+)+)_营业执照\.pdf", re.DOTALL)
    m = rx.fullmatch("北京示例_营业执照.pdf")
    assert m is not None and m.groupdict()["company"] == "北京示例" and "company" in rx.groupindex


def test_invalid_or_unrunnable_patterns_are_refused() -> None:
    with pytest.raises(UnsafeRegex, match="not a valid regular expression"):
        compile_user_regex("([")
    with pytest.raises(UnsafeRegex, match="unbounded"):
        compile_user_regex(r"(?=a)(a+)+$")  # hazardous, and RE2 has no look-ahead


def test_bounded_patterns_lists_the_spec_places() -> None:
    raw = {"variables": {"company": {"pattern": "^(a+)+$"}}, "documents": [{"regex": r"\d+"}],
           "rules": [{"when": {"matches": ["ok", "(a|aa)+"]}}]}
    found = bounded_patterns(raw)
    assert sorted(m.split(":")[0] for _, m in found) == ["matches", "pattern"]


@pytest.mark.parametrize(
    ("pattern", "subject"),
    [(r"(\w+)+", "北京示例"), (r"(\d+)+", "２０２５"), (r"(\s+x)+", "\u3000x"), (r"([\w-]+)+", "北京-示例"),
     (r"([^\d]+)+", "年度"), (r"(\D+)+", "年度"), (r"([]\w]+)+", "]北"), (r"(\W+)+", "，。")],
)
def test_the_linear_engine_keeps_pythons_unicode_classes(pattern: str, subject: str) -> None:
    assert hazard(pattern) is not None
    assert compile_user_regex(pattern).fullmatch(subject) is not None
    assert re.fullmatch(pattern, subject) is not None
