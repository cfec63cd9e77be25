"""Tests for validator.identifiers: known examples, one input per reason, and properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from validator.identifiers import (
    CHECKERS,
    REASONS,
    SURE_PASS,
    USCC_ALPHABET,
    IdProblem,
    check_cn_id,
    check_cn_mobile,
    check_icp_record,
    check_licence_no,
    check_uscc,
    cn_id_check_char,
    uscc_check_char,
)

VALID = [
    (check_uscc, "91110108551385082Q"),
    (check_uscc, "91110000600037341L"),
    (check_cn_id, "110101199003074477"),
    (check_cn_id, "34052419800101001X"),
    (check_cn_mobile, "13812345678"),
    (check_cn_mobile, "8613812345678"),
    (check_cn_mobile, "+8619912345678"),
    (check_licence_no, "B2-20080207"),
    (check_licence_no, "京B2-20202418"),
    (check_licence_no, "A2.B1.B2-20090001"),
    (check_licence_no, "合字B1.B2-20130004"),
    (check_licence_no, "京ICP证090015号"),
    (check_icp_record, "陇ICP备2021003158号-1"),
    (check_icp_record, "京ICP备05002571号"),
    (check_icp_record, "粤ICP备2021003158号"),
]


@pytest.mark.parametrize(("check", "value"), VALID)
def test_valid_examples(check: object, value: str) -> None:
    assert callable(check)
    assert check(value) is None


def test_uscc_first_char_not_required_to_be_digit() -> None:
    for first in "ANY":
        body = first + "1110108551385082"
        assert check_uscc(body + uscc_check_char(body)) is None


def test_helpers_match_known_examples() -> None:
    assert uscc_check_char("91110108551385082") == "Q"
    assert uscc_check_char("91110000600037341") == "L"
    assert cn_id_check_char("11010119900307447") == "7"
    assert cn_id_check_char("34052419800101001") == "X"


@pytest.mark.parametrize("bad", ["", "123", "9111010855138508O", "9111010855138508q", "1" * 18])
def test_uscc_check_char_rejects_bad_bodies(bad: str) -> None:
    with pytest.raises(ValueError):
        uscc_check_char(bad)


@pytest.mark.parametrize("bad", ["", "123", "1101011990030744X", "1101011990030744a", "1" * 18])
def test_cn_id_check_char_rejects_bad_bodies(bad: str) -> None:
    with pytest.raises(ValueError):
        cn_id_check_char(bad)


FUTURE = (date.today() + timedelta(days=30)).strftime("%Y%m%d")  # still ahead if the run crosses midnight
_FUTURE_BODY = "110101" + FUTURE + "447"
FUTURE_ID = _FUTURE_BODY + cn_id_check_char(_FUTURE_BODY)

# (checker, input, reason, params) -- at least one concrete input for every reason.
CASES = [
    (check_uscc, "", "empty", {}),
    (check_uscc, " \u3000 ", "empty", {}),
    (check_uscc, " 91110108551385082Q", "whitespace", {"normalized": "91110108551385082Q"}),
    (check_uscc, "911101085513\u30005082Q", "whitespace", {"normalized": "9111010855135082Q"}),
    (check_uscc, "91110108551385082Q\u200b", "whitespace", {"normalized": "91110108551385082Q"}),
    (check_uscc, "９１110108551385082Ｑ", "fullwidth", {"normalized": "91110108551385082Q"}),
    (check_uscc, "9111010855138508Q", "length", {"expected": "18", "found": "17"}),
    (check_uscc, "9111010855138O082Q", "charset", {"char": "O", "position": "14", "hint": "0"}),
    (check_uscc, "91110108551385I82Q", "charset", {"char": "I", "position": "15", "hint": "1"}),
    (check_uscc, "911101o8551385082Q", "charset", {"char": "o", "position": "7", "hint": "0"}),
    (check_uscc, "9111010855138508SQ", "charset", {"char": "S", "position": "17"}),
    (check_uscc, "91110108551385082#", "charset", {"char": "#", "position": "18"}),
    (check_uscc, "911A0108551385082Q", "area", {"char": "A", "position": "4"}),
    (check_uscc, "91110108551385082X", "check_digit", {"expected": "Q", "found": "X"}),
    (check_uscc, "91110108551385082q", "lowercase", {"normalized": "91110108551385082Q"}),
    (check_uscc, "91110108551385082l", "check_digit", {"expected": "Q", "found": "l"}),
    (check_cn_id, "", "empty", {}),
    (check_cn_id, "110101 199003074477", "whitespace", {"normalized": "110101199003074477"}),
    (check_cn_id, "110101199003074477\n", "whitespace", {"normalized": "110101199003074477"}),
    (check_cn_id, "３４052419800101001Ｘ", "fullwidth", {"normalized": "34052419800101001X"}),
    (check_cn_id, "110101900307447", "length", {"expected": "18", "found": "15"}),
    (check_cn_id, "3.40524E+17", "length", {"expected": "18", "found": "11"}),
    (check_cn_id, "11O101199003074477", "area", {"char": "O", "position": "3"}),
    (check_cn_id, "11010119900307A477", "charset", {"char": "A", "position": "15"}),
    (check_cn_id, "11010119900307447Y", "charset", {"char": "Y", "position": "18"}),
    (check_cn_id, "1101011990030\u06644477", "charset", {"char": "\u0664", "position": "14"}),
    (check_cn_id, "110101199002304477", "birth_date", {"date": "19900230"}),
    (check_cn_id, "110101189912314477", "birth_date", {"date": "18991231"}),
    (check_cn_id, FUTURE_ID, "birth_date", {"date": FUTURE}),
    (check_cn_id, "110101199003074478", "check_digit", {"expected": "7", "found": "8"}),
    (check_cn_id, "340524198001010011", "check_digit", {"expected": "X", "found": "1"}),
    (check_cn_id, "11010119900307447x", "check_digit", {"expected": "7", "found": "x"}),
    (check_cn_id, "34052419800101001x", "lowercase", {"normalized": "34052419800101001X"}),
    (check_cn_mobile, "", "empty", {}),
    (check_cn_mobile, "+86 13812345678", "whitespace", {"normalized": "+8613812345678"}),
    (check_cn_mobile, "１３８12345678", "fullwidth", {"normalized": "13812345678"}),
    (check_cn_mobile, "86-13812345678", "format", {"expected": "13812345678"}),
    (check_cn_mobile, "138-1234-5678", "format", {"expected": "13812345678"}),
    (check_cn_mobile, "12812345678", "format", {"expected": "13812345678"}),
    (check_cn_mobile, "1381234567", "format", {"expected": "13812345678"}),
    (check_cn_mobile, "1381234567\u0668", "format", {"expected": "13812345678"}),
    (check_licence_no, "", "empty", {}),
    (check_licence_no, "京B2- 20202418", "whitespace", {"normalized": "京B2-20202418"}),
    (check_licence_no, "京Ｂ２－20202418", "fullwidth", {"normalized": "京B2-20202418"}),
    (check_licence_no, "京b2-20202418", "lowercase", {"normalized": "京B2-20202418"}),
    (check_licence_no, "京B2—20202418", "format", {"expected": "B2-20201234"}),
    (check_licence_no, "B3-20080207", "format", {"expected": "B2-20201234"}),
    (check_licence_no, "B2-2008020", "format", {"expected": "B2-20201234"}),
    (check_licence_no, "台B2-20080207", "format", {"expected": "B2-20201234"}),
    (check_licence_no, "京ICP证09001号", "format", {"expected": "京ICP证090015号"}),
    (check_licence_no, "京ICP备12345678号", "format", {"expected": "B2-20201234"}),
    (check_icp_record, "", "empty", {}),
    (check_icp_record, "陇ICP备 2021003158号-1", "whitespace", {"normalized": "陇ICP备2021003158号-1"}),
    (check_icp_record, "京ICP备１２345678号", "fullwidth", {"normalized": "京ICP备12345678号"}),
    (check_icp_record, "京icp备12345678号", "lowercase", {"normalized": "京ICP备12345678号"}),
    (check_icp_record, "京ICP备123456789号", "format", {"expected": "京ICP备12345678号-1"}),
    (check_icp_record, "ICP备12345678号", "format", {"expected": "京ICP备12345678号-1"}),
    (check_icp_record, "京ICP备12345678号-", "format", {"expected": "京ICP备12345678号-1"}),
    (check_icp_record, "京ICP证090015号", "format", {"expected": "京ICP备12345678号-1"}),
]


@pytest.mark.parametrize(("check", "value", "reason", "params"), CASES)
def test_reason_for_input(check: object, value: str, reason: str, params: dict[str, str]) -> None:
    assert callable(check)
    assert check(value) == IdProblem(reason, params)


def test_every_reason_is_produced() -> None:
    assert {reason for _, _, reason, _ in CASES} == REASONS


def test_checkers_registry() -> None:
    assert set(CHECKERS) == {"uscc", "cn_id", "cn_mobile", "licence_no", "icp_record"}
    assert CHECKERS["uscc"] is check_uscc


# --- properties ---------------------------------------------------------------------------------

DIGITS = "0123456789"
uscc_bodies = st.tuples(
    st.text(USCC_ALPHABET, min_size=2, max_size=2),
    st.text(DIGITS, min_size=6, max_size=6),  # area code
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)


@given(uscc_bodies, st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_uscc_check_char_roundtrip_and_single_change(body: str, pos: int, new: str) -> None:
    code = body + uscc_check_char(body)
    assert check_uscc(code) is None
    if new == code[pos]:
        return
    changed = code[:pos] + new + code[pos + 1 :]
    problem = check_uscc(changed)
    assert problem is not None
    # Outside the area code any single substitution is caught by the check character.
    assert problem.reason == ("area" if 2 <= pos <= 7 and new not in DIGITS else "check_digit")


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date.today())
id_bodies = st.tuples(
    st.text(DIGITS, min_size=6, max_size=6),
    birth_dates.map(lambda d: d.strftime("%Y%m%d")),
    st.text(DIGITS, min_size=3, max_size=3),
).map("".join)


@given(id_bodies, st.integers(0, 17), st.sampled_from(DIGITS + "X"))
def test_cn_id_check_char_roundtrip_and_single_change(body: str, pos: int, new: str) -> None:
    code = body + cn_id_check_char(body)
    assert check_cn_id(code) is None
    if new == code[pos]:
        return
    changed = code[:pos] + new + code[pos + 1 :]
    problem = check_cn_id(changed)
    assert problem is not None
    assert problem.reason in {"area", "charset", "birth_date", "check_digit"}


def _assert_well_formed(result: IdProblem | None) -> None:
    if result is not None:
        assert result.reason in REASONS
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.params.items())


@given(st.text())
def test_never_raises_on_arbitrary_text(value: str) -> None:
    for check in CHECKERS.values():
        _assert_well_formed(check(value))


# Text built from the characters these identifiers are made of reaches the deeper checks.
near_miss = st.text(
    st.sampled_from(USCC_ALPHABET + "OISVZxqo-+.#号备证合字京陇ICP ０Ｑ\u3000\u200b\u0664"), max_size=24
)


@given(near_miss)
def test_never_raises_on_near_miss_text(value: str) -> None:
    for check in CHECKERS.values():
        _assert_well_formed(check(value))


def test_huge_input() -> None:
    value = "9" * 1_000_000
    for check in CHECKERS.values():
        assert check(value) is not None


# Column-wise passing (many values at once) must agree with the checkers value by value.
_GOOD_IDS = ["110101199003074477", "34052419800101001X"]
_GOOD = {
    "cn_id": _GOOD_IDS,
    "cn_mobile": ["13812345678", "+8613812345678"],
    "licence_no": ["京B2-20202418", "京ICP证090015号"],
    "icp_record": ["陇ICP备2021003158号-1", "京ICP备12345678号"],
}


@pytest.mark.parametrize("type_name", sorted(SURE_PASS))
def test_sure_pass_agrees_with_the_checker(type_name: str) -> None:
    check = CHECKERS[type_name]
    bad = [value for c, value, _reason, _params in CASES if c is check]
    glued = "\x00".join(_GOOD[type_name])  # two valid values in one cell are not valid
    assert check(glued) is not None
    for values in (_GOOD[type_name], _GOOD[type_name] + bad + [glued], bad, [glued], []):
        expected = {v for v in values if check(v) is None}
        assert SURE_PASS[type_name](values) == expected, values


@given(st.lists(near_miss, max_size=8))
def test_sure_pass_never_passes_a_failing_value(values: list[str]) -> None:
    for type_name, sure in SURE_PASS.items():
        assert all(CHECKERS[type_name](v) is None for v in sure(values))


def test_sure_pass_of_a_whole_id_column_agrees_with_the_checker() -> None:
    """Thousands of ids at once (checked in bulk), right and wrong check characters mixed."""
    import random

    rng = random.Random(12)
    values = []
    for i in range(3000):
        first17 = f"{rng.randrange(110000, 660000)}{rng.randrange(1900, 2020)}{rng.randrange(1, 13):02d}" \
                  f"{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}"
        right = cn_id_check_char(first17)
        check = right if i % 7 else rng.choice([c for c in "0123456789X" if c != right])
        values.append(first17 + check)
    values += ["000000000000000000", "99999999999999999X", "999999999999999999"]  # the lowest and highest sums
    expected = {v for v in values if check_cn_id(v) is None}
    assert 0 < len(expected) < len(values)
    assert SURE_PASS["cn_id"](values) == expected
    good = sorted(expected)
    assert SURE_PASS["cn_id"](good) == set(good)  # every one right: the bulk comparison's fast path
