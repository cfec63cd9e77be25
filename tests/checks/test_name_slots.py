"""Variable slots in name patterns: a slot is read as the client's own value first and only
then captured, and captures only what its variable's type or pattern allows (issue 11, 1-2).

The false alarm this guards against: `04_审计报告_{year}*.pdf` read `04_审计报告_2025.pdf` and
`04_审计报告_2024_定稿.pdf` as year "2" (a lazy capture before the wildcard)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fixtures import makers as mk
from tests.conftest import check_json
from tests.packs import COMPANY, USCC, build_pack
from validator.checks import Context
from validator.checks.documents import assign, check_name_values
from validator.messages import fix, message
from validator.spec import load_spec

OTHER = "上海别家科技有限公司"
SPEC = """
id: slots
title: 变量位置
variables:
  company: {title: 公司全称}
  uscc: {title: 统一社会信用代码, type: uscc}
  year: {title: 报告年度, pattern: '^20\\d{2}$'}
  seq: {title: 序号, type: integer}
naming: {forbid: [fullwidth, whitespace, copy_suffix]}
documents:
  - {id: year_star, title: year_star, name: "04_审计报告_{year}*.pdf"}
  - {id: company_star, title: company_star, name: "02_营业执照_{company}*.pdf"}
  - {id: company_year, title: company_year, name: "05_报告{company}{year}.pdf"}
  - {id: year_company, title: year_company, name: "06_清单{year}{company}.xlsx"}
  - {id: uscc_year, title: uscc_year, name: "07_证明_{uscc}{year}.pdf"}
  - {id: year_digits, title: year_digits, name: "08_月报_{year}01.pdf"}
  - {id: digits_year, title: digits_year, name: "09_月报_01{year}.pdf"}
  - {id: star_year, title: star_year, name: "10_*{year}.pdf"}
  - {id: seq_year, title: seq_year, name: "11_附件{seq}_{year}.pdf"}
  - {id: fullwidth_literal, title: fullwidth_literal, name: "12_承诺书（{company}）.pdf"}
  - {id: company_fullwidth, title: company_fullwidth, name: "13_声明{company}（盖章）{year}.pdf"}
"""
VALUES = {"company": COMPANY, "uscc": USCC, "year": "2025", "seq": "3"}


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("spec") / "slots.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return load_spec(str(path))


def read_name(spec, name: str, values: dict[str, str] | None = None) -> tuple[str | None, dict[str, str]]:
    """(document, {variable: value found}) for every N102 the name gives; N112 found values too."""
    values = VALUES if values is None else values
    a = assign(spec, name)
    if a.document is None or a.match is None:
        return None, {}
    ctx = Context(spec, dict(values))
    check_name_values(ctx, name, a.document, a.match)
    return a.document.id, {d.params["variable"]: d.params["found"] for d in ctx.defects}


@pytest.mark.parametrize(
    ("name", "document", "wrong"),
    [
        # a variable followed by a wildcard: the false alarm
        ("04_审计报告_2025.pdf", "year_star", {}),
        ("04_审计报告_2025_定稿.pdf", "year_star", {}),
        ("04_审计报告_2025定稿.pdf", "year_star", {}),
        ("04_审计报告_2024_定稿.pdf", "year_star", {"year": "2024"}),
        ("04_审计报告_2024.pdf", "year_star", {"year": "2024"}),
        (f"02_营业执照_{COMPANY}_盖章.pdf", "company_star", {}),
        (f"02_营业执照_{OTHER}_盖章.pdf", "company_star", {"company": OTHER}),
        (f"02_营业执照_{OTHER}.pdf", "company_star", {"company": OTHER}),
        # a variable next to another variable, both ways round
        (f"05_报告{COMPANY}2025.pdf", "company_year", {}),
        (f"05_报告{COMPANY}2024.pdf", "company_year", {"year": "2024"}),
        (f"05_报告{OTHER}2025.pdf", "company_year", {"company": OTHER}),
        (f"06_清单2025{COMPANY}.xlsx", "year_company", {}),
        (f"06_清单2023{OTHER}.xlsx", "year_company", {"year": "2023", "company": OTHER}),
        (f"07_证明_{USCC}2025.pdf", "uscc_year", {}),
        ("07_证明_91110108551385083A2025.pdf", "uscc_year", {"uscc": "91110108551385083A"}),
        (f"07_证明_{USCC.lower()}2025.pdf", "uscc_year", {}),  # case is not a different code
        # a variable next to digits
        ("08_月报_202501.pdf", "year_digits", {}),
        ("08_月报_202401.pdf", "year_digits", {"year": "2024"}),
        ("09_月报_012025.pdf", "digits_year", {}),
        ("09_月报_012024.pdf", "digits_year", {"year": "2024"}),
        ("10_任意说明2025.pdf", "star_year", {}),
        ("10_说明20242025.pdf", "star_year", {}),  # the wildcard takes 2024, the slot the client's year
        ("10_说明2024.pdf", "star_year", {"year": "2024"}),
        ("11_附件3_2025.pdf", "seq_year", {}),
        ("11_附件12_2025.pdf", "seq_year", {"seq": "12"}),
        # a variable next to full-width text, in the pattern, the name or the value
        (f"12_承诺书({COMPANY}).pdf", "fullwidth_literal", {}),
        (f"12_承诺书({OTHER}).pdf", "fullwidth_literal", {"company": OTHER}),
        (f"13_声明{COMPANY}(盖章)2025.pdf", "company_fullwidth", {}),
        (f"13_声明{COMPANY}（盖章）2025.pdf", "company_fullwidth", {}),
        (f"13_声明{OTHER}(盖章)2024.pdf", "company_fullwidth", {"company": OTHER, "year": "2024"}),
    ],
)
def test_a_slot_reads_the_clients_value_first(spec, name: str, document: str, wrong: dict[str, str]) -> None:
    assert read_name(spec, name) == (document, wrong)


def test_a_company_with_full_width_brackets_matches_its_half_width_spelling(spec) -> None:
    company = "北京示例（中国）科技有限公司"
    values = {**VALUES, "company": company}
    assert read_name(spec, "02_营业执照_北京示例(中国)科技有限公司.pdf", values) == ("company_star", {})
    assert read_name(spec, f"05_报告{company}2025.pdf", values) == ("company_year", {})


@pytest.mark.parametrize(
    "name",
    [
        "04_审计报告_25.pdf",  # a year is four digits (its pattern ^20\d{2}$)
        "04_审计报告_1999.pdf",
        "07_证明_911101085513850822025.pdf",  # 17 characters, then the year: no USCC in the slot
        "07_证明_91110108551385082O2025.pdf",  # O is not in the USCC alphabet
        "11_附件三_2025.pdf",  # seq is an integer
    ],
)
def test_a_slot_captures_only_what_its_variable_allows(spec, name: str) -> None:
    assert assign(spec, name).match is None


def test_without_the_clients_value_the_slot_is_noted_not_passed(spec) -> None:
    values = {k: v for k, v in VALUES.items() if k != "year"}
    a = assign(spec, "04_审计报告_2019.pdf")
    assert a.document is not None and a.match is not None
    ctx = Context(spec, values)
    check_name_values(ctx, "04_审计报告_2019.pdf", a.document, a.match)
    assert [(d.code, d.params["found"]) for d in ctx.defects] == [("N112", "2019")]
    assert "2019" in message(ctx.defects[0], "zh") and "--var year=" in fix(ctx.defects[0], "en")


@given(
    client=st.integers(2000, 2099),
    found=st.integers(2000, 2099),
    suffix=st.text(alphabet="_定稿终版v0123456789-", max_size=6),
)
@example(client=2025, found=2025, suffix="")
@example(client=2025, found=2024, suffix="_定稿")
@example(client=2025, found=2025, suffix="2")
def test_property_year_before_a_wildcard(spec, client: int, found: int, suffix: str) -> None:
    name = f"04_审计报告_{found}{suffix}.pdf"
    doc, wrong = read_name(spec, name, {**VALUES, "year": str(client)})
    assert doc == "year_star"
    if found == client:
        assert wrong == {}
    else:  # the name may still read as the client's year when the suffix starts with it
        read_as_client = (str(found) + suffix)[:4] == str(client)
        assert wrong == ({} if read_as_client else {"year": str(found)})


COMPANY_CHARS = st.text(alphabet="北京上海深圳示例别家华信通达科技信息网络有限公司()（）", min_size=2, max_size=12)


@given(client=COMPANY_CHARS, other=COMPANY_CHARS, suffix=st.sampled_from(["", "_盖章", "_2025", "_副本扫描"]))
def test_property_company_before_a_wildcard(spec, client: str, other: str, suffix: str) -> None:
    from validator.checks.documents import values_differ
    from validator.checks.naming import to_halfwidth

    name = f"02_营业执照_{other}{suffix}.pdf"
    doc, wrong = read_name(spec, name, {**VALUES, "company": client})
    assert doc == "company_star"
    if not values_differ(other, client) or to_halfwidth(other).startswith(to_halfwidth(client)):
        assert wrong == {}  # the client's name, perhaps followed by more text the wildcard allows
    else:
        assert wrong == {"company": to_halfwidth(other)}


# --- on a real folder --------------------------------------------------------------------------------


def test_real_folder_year_before_wildcard_gives_no_false_alarm(tmp_path: Path, write_spec) -> None:
    folder = build_pack(tmp_path / "pack")
    spec = write_spec("id: starred\ntitle: t\nextends: core\n"
                      "documents:\n  - {id: audit_report, title: audit_report, name: \"04_审计报告_{year}*.pdf\"}\n")
    (folder / "04_审计报告_2025.pdf").rename(folder / "04_审计报告_2025_定稿.pdf")
    _, report = check_json(folder, "--spec", str(spec))
    assert [d for d in report["packages"][0]["defects"] if d["code"] == "N102"] == []
    (folder / "04_审计报告_2025_定稿.pdf").rename(folder / "04_审计报告_2024_定稿.pdf")
    _, report = check_json(folder, "--spec", str(spec))
    [n102] = [d for d in report["packages"][0]["defects"] if d["code"] == "N102"]
    assert n102["path"] == "04_审计报告_2024_定稿.pdf"
    assert n102["params"]["found"] == "2024" and n102["params"]["expected"] == "2025"


PLACEHOLDER = re.compile(r"\{\s*[A-Za-z_]\w*\s*\}")


def _texts(report: dict) -> list[str]:
    return [d[k] for p in report["packages"] for d in p["defects"] for k in ("message", "fix")]


def test_real_folder_without_year_and_no_default_is_an_error_and_unchecked(tmp_path: Path, write_spec) -> None:
    """A spec with no `year:` and no default: the missing year is V101 naming the files that need
    it, each such file says its year was not checked, and no message shows `{year}`."""
    core = load_spec("core").raw
    assert core.get("year") is not None  # the built-in specs default {year} to their own year
    spec = write_spec("id: noyear\ntitle: t\n"
                      "variables:\n  company: {title: 公司全称, required: true}\n"
                      "  year: {title: 报告年度, pattern: '^20\\d{2}$'}\n"
                      "documents:\n"
                      "  - {id: audit, title: 审计报告, name: \"04_审计报告_{year}.pdf\", types: [pdf]}\n"
                      "  - {id: business, title: 经营情况报告, name: \"05_经营情况报告_{year}.pdf\", types: [pdf]}\n")
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "client.yaml").write_text(f"company: {COMPANY}\n", encoding="utf-8")
    mk.make_pdf(folder / "04_审计报告_2019.pdf", 1, "审计报告")
    code, report = check_json(folder, "--spec", str(spec))
    assert code == 1
    defects = report["packages"][0]["defects"]
    [v101] = [d for d in defects if d["code"] == "V101"]
    assert v101["severity"] == "error" and v101["params"]["name"] == "year"
    assert v101["params"]["needed_by"] == ["04_审计报告_<报告年度>.pdf", "05_经营情况报告_<报告年度>.pdf"]
    assert "--var year=" in v101["fix"] and "04_审计报告_<报告年度>.pdf" in v101["message"]
    [n112] = [d for d in defects if d["code"] == "N112"]
    assert n112["path"] == "04_审计报告_2019.pdf" and n112["params"]["found"] == "2019"
    [d101] = [d for d in defects if d["code"] == "D101"]
    assert "05_经营情况报告_<报告年度>.pdf" in d101["message"]
    assert not any(PLACEHOLDER.search(t) for t in _texts(report))
    _, zh = check_json(folder, "--spec", str(spec), "--lang", "zh")
    assert not any(PLACEHOLDER.search(t) for t in _texts(zh))
    # given on the command line, the year is checked
    _, report = check_json(folder, "--spec", str(spec), "--var", "year=2025")
    assert {d["code"] for d in report["packages"][0]["defects"]} >= {"N102"}
    assert not {"V101", "N112"} & {d["code"] for d in report["packages"][0]["defects"]}


def test_real_folder_without_year_uses_the_specs_year_and_says_so(tmp_path: Path) -> None:
    folder = build_pack(tmp_path / "pack")
    (folder / "client.yaml").write_text(f"company: {COMPANY}\nuscc: {USCC}\n", encoding="utf-8")
    (folder / "04_审计报告_2025.pdf").rename(folder / "04_审计报告_2019.pdf")
    _, report = check_json(folder, "--spec", "core")
    defects = report["packages"][0]["defects"]
    [v106] = [d for d in defects if d["code"] == "V106"]
    assert v106["severity"] == "info" and v106["params"] == {"name": "year", "title": "报告年度", "value": "2025"}
    [n102] = [d for d in defects if d["code"] == "N102"]
    assert n102["path"] == "04_审计报告_2019.pdf" and n102["params"]["expected"] == "2025"
    assert "V101" not in {d["code"] for d in defects}


def test_a_variables_own_default(tmp_path: Path, write_spec) -> None:
    spec = write_spec("id: withdefault\ntitle: t\n"
                      "variables:\n  year: {title: 报告年度, default: 2026}\n"
                      "documents:\n  - {id: audit, title: 审计报告, name: \"04_审计报告_{year}.pdf\"}\n")
    folder = tmp_path / "pack"
    folder.mkdir()
    mk.make_pdf(folder / "04_审计报告_2025.pdf", 1, "审计报告")
    _, report = check_json(folder, "--spec", str(spec))
    found = {(d["code"], d["params"].get("expected") or d["params"].get("value")) for d in
             report["packages"][0]["defects"]}
    assert found == {("V106", "2026"), ("N102", "2026")}


def test_a_clients_value_outside_the_slots_shape_is_still_recognised(spec) -> None:
    """The shape alone takes no `_` in a company slot; the client's own value is tried too."""
    company = "北京_示例科技有限公司"
    values = {**VALUES, "company": company}
    name = f"05_报告{company}2025.pdf"
    assert assign(spec, name).match is None
    a = assign(spec, name, values)
    assert a.document is not None and a.document.id == "company_year" and a.match is not None
    ctx = Context(spec, values)
    check_name_values(ctx, name, a.document, a.match)
    assert ctx.defects == []
    # where a wildcard follows, the shape takes the name, and the client's value is read first
    assert read_name(spec, f"02_营业执照_{company}.pdf", values) == ("company_star", {})
