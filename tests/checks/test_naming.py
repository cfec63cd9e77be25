"""Naming rules on names alone: copy markers, full-width, whitespace, platform, NFC matching."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from validator.checks import Context
from validator.checks.documents import assign
from validator.checks.naming import check_name, copy_marker, matching_form, to_halfwidth
from validator.spec import load_spec
from validator.spec.model import NamingRules

ALL = NamingRules(max_length=60, platform="windows", forbid=frozenset({"fullwidth", "whitespace", "copy_suffix"}))


@pytest.fixture(scope="module")
def spec():
    return load_spec("demo-call-center")


def codes_for(spec, name: str, values: dict[str, str] | None = None) -> list[str]:
    ctx = Context(spec, values or {"company": "北京示例科技有限公司", "year": "2025"})
    check_name(ctx, name, None)
    return sorted(d.code for d in ctx.defects)


@pytest.mark.parametrize(
    ("stem", "marker"),
    [
        ("营业执照(1)", "(1)"),
        ("营业执照（2）", "（2）"),
        ("营业执照 - 副本", "- 副本"),
        ("营业执照 副本", "副本"),
        ("营业执照 - 副本 (3)", "- 副本 (3)"),
        ("report - Copy", "- Copy"),
        ("复件 营业执照", "复件"),
        ("营业执照的副本", "的副本"),
    ],
)
def test_copy_markers_are_found(stem: str, marker: str) -> None:
    assert copy_marker(stem) == marker


@pytest.mark.parametrize(
    "stem", ["营业执照副本", "02_营业执照_北京示例科技有限公司", "承诺书(签字盖章)", "(1)", "副本"]
)
def test_real_names_are_not_copies(stem: str) -> None:
    # 营业执照副本 is the real name of the duplicate original; a lone "(1)" is the whole name.
    assert copy_marker(stem) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("02_营业执照_北京示例科技有限公司.pdf", []),
        ("02_营业执照_北京示例科技有限公司(1).pdf", ["N107"]),
        ("02_营业执照_北京示例科技有限公司 - 副本.pdf", ["N107"]),  # its spaces are part of the marker
        ("02_营业执照 北京 - 副本.pdf", ["N106", "N107"]),
        ("02_营业执照（北京示例科技有限公司）.pdf", ["N105"]),
        ("02_营业执照 北京.pdf", ["N106"]),
        ("02_营业执照\u3000北京.pdf", ["N106"]),
        ("CON.pdf", ["N103"]),
        ("营业执照:副本.pdf", ["N103"]),
        ("营业执照.pdf.", ["N103"]),
        ("营业执照.PDF", ["N110"]),
        ("a" * 61 + ".pdf", ["N104"]),
    ],
)
def test_name_rules(spec, name: str, expected: list[str]) -> None:
    assert codes_for(spec, name) == expected


def test_a_name_too_long_is_one_defect(spec) -> None:
    """A 100-character Chinese name (300 bytes: no file system can store it, e.g. from a zip) is
    reported once, as too long for the spec; its path is not also called too long."""
    assert codes_for(spec, "很" * 100 + ".pdf") == ["N104"]
    assert codes_for(spec, "docs/" * 40 + "a.pdf") == ["N111"]  # long for another reason


def test_a_name_over_255_bytes_under_a_spec_without_a_length_limit(spec) -> None:
    import dataclasses

    lax = dataclasses.replace(spec, naming=dataclasses.replace(spec.naming, max_length=None, max_path_length=None))
    ctx = Context(lax, {})
    check_name(ctx, "很" * 100 + ".pdf", None)
    [defect] = ctx.defects
    assert defect.code == "N103"
    assert defect.params == {"reason": "too_long_bytes", "bytes": "304", "advice": "name_too_long"}


@pytest.mark.parametrize(
    ("name", "zh_fix", "en_fix"),
    [
        ("CON.pdf", "在 CON 前后加上文字", "Add words before or after CON"),
        ("营业执照:副本.pdf", "去掉名称中的 :，", "Remove : from the name"),
        ("营业执照.pdf.", "去掉名称结尾的点或空格", "Remove the dot or space at the end"),
        ("营业执照\x01.pdf", "看不见的控制字符", "invisible control characters"),
    ],
)
def test_an_invalid_name_gets_the_fix_for_its_reason(spec, name: str, zh_fix: str, en_fix: str) -> None:
    """N103's fix says what to do about this name, not the list of every rule (CON, <, trailing dot...)."""
    from validator.messages import fix

    ctx = Context(spec, {"company": "北京示例科技有限公司", "year": "2025"})
    check_name(ctx, name, None)
    [defect] = [d for d in ctx.defects if d.code == "N103"]
    assert zh_fix in fix(defect, "zh") and en_fix in fix(defect, "en")
    assert "PRN" not in fix(defect, "en") + fix(defect, "zh")


def test_undecodable_name_is_reported_with_a_gbk_guess(spec) -> None:
    raw = "营业执照.pdf".encode("gbk")
    name = raw.decode("utf-8", "surrogateescape")
    ctx = Context(spec, {})
    check_name(ctx, name, None)
    [defect] = [d for d in ctx.defects if d.code == "N108"]
    assert defect.params["decoded"] == "营业执照.pdf"


def test_nfd_name_matches_and_is_noted(spec) -> None:
    nfd = unicodedata.normalize("NFD", "02_营业执照_Café有限公司.pdf")
    assert nfd != unicodedata.normalize("NFC", nfd)
    a = assign(spec, nfd)
    assert a.document is not None and a.document.id == "business_licence" and a.match is not None
    assert a.match.group("company") == "Café有限公司"
    assert codes_for(spec, nfd) == ["N109"]


def test_sloppy_names_still_find_their_document(spec) -> None:
    for name in [
        "02_营业执照_北京示例科技有限公司 - 副本.pdf",
        "02_营业执照＿北京示例科技有限公司.pdf",
        "02_营业执照_北京示例科技有限公司.PDF",
        "营业执照扫描件.pdf",
    ]:
        a = assign(spec, name)
        assert a.document is not None and a.document.id == "business_licence", name
    assert assign(spec, "营业执照扫描件.pdf").guessed
    assert assign(spec, "新建文本文档.txt").document is None


@given(st.text(alphabet=st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E), min_size=1, max_size=20))
def test_halfwidth_is_nfkc_for_fullwidth_ascii(text: str) -> None:
    assert to_halfwidth(text) == unicodedata.normalize("NFKC", text)


@given(st.text(min_size=1, max_size=40))
def test_matching_form_never_raises_and_is_idempotent_on_extension_case(name: str) -> None:
    form = matching_form(name, ALL)
    assert matching_form(form, ALL) == matching_form(form, ALL)


@given(
    st.text(
        alphabet=st.sampled_from(list('abCON.PRN LPT1COM9aux nul:<>|?*"\\/\x01\x7f（）营业执照_-。 \t\u3000$¹²³')),
        min_size=1,
        max_size=12,
    )
)
def test_fast_screen_never_passes_a_name_pathvalidate_rejects(name: str) -> None:
    from pathvalidate import ValidationError, validate_filename

    from validator.checks.naming import _surely_valid

    if _surely_valid(name):
        for platform in ("windows", "universal", "linux", "macos"):
            try:
                validate_filename(name, platform=platform, max_len=255)
            except ValidationError as exc:  # pragma: no cover - the failure we guard against
                raise AssertionError(f"{name!r} passed the screen but {platform} rejects it: {exc}") from exc


# A plain name (no whitespace, full-width, surrogate, control or unsafe character) takes a
# shorter path through check_name and matching_form; these pin that it judges alike.
PLAIN_PIECES = ["营业执照", "副本", "复件", "拷贝", "copy", "COPY", "Copy", "的", "(1)", "（2）", "(2025)", "-", "_",
                ".", ".pdf", ".PDF", "CON", "con", "Com1", "LPT", "clock$", "ß", "ﬀ", "é", "e\u0301", "y", "Y",
                "材" * 30]


@given(st.lists(st.sampled_from(PLAIN_PIECES), min_size=1, max_size=6).map("".join))
def test_plain_name_screens_agree_with_the_full_checks(name: str) -> None:
    from validator.checks.naming import _may_have_copy_marker, _plain, _surely_valid, _surely_valid_plain, split_ext

    nfc = unicodedata.normalize("NFC", name)
    if not _plain(nfc):
        return
    assert _surely_valid_plain(nfc) == _surely_valid(nfc)
    stem = split_ext(nfc)[0]
    assert _may_have_copy_marker(stem) or copy_marker(stem) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("营业执照(1).pdf", ["N107"]),
        ("复件营业执照.pdf", ["N107"]),
        ("营业执照copy.pdf", []),  # "copy" needs a separator before it
        ("营业执照-copy.pdf", ["N107"]),
        ("营业执照的副本.pdf", ["N107"]),
        ("com1.pdf", ["N103"]),
        ("营业执照.", ["N103"]),
        ("材" * 86 + ".pdf", ["N104"]),  # 262 bytes: too long for the spec, so not also N103 (one defect)
        ("e\u0301.pdf", ["N109"]),
    ],
)
def test_plain_names_keep_their_defects(spec, name: str, expected: list[str]) -> None:
    assert codes_for(spec, name) == expected
