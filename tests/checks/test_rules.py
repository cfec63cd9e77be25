"""Cross-field rules (`rules:`) on real xlsx files: each assertion, the condition vocabulary,
three-valued logic on empty cells, skipping, package rules, and refusal of bad rules."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from fixtures import makers as mk
from validator.api import check_folder
from validator.messages import message
from validator.model import Defect, Severity
from validator.spec import SpecError, load_spec

COMPANY = "北京示例科技有限公司"
USCC = "91110108551385082Q"
HEADER = ["名称", "性质", "提供方代码", "单位", "开通", "数量", "起始IP", "终止IP"]

SPEC = """\
id: t
title: 规则测试
variables:
  company: {{title: 公司全称, required: true}}
  uscc: {{title: 统一社会信用代码, type: uscc}}
  seats: {{title: 许可坐席数, type: integer}}
  committed: {{title: 承诺人数, type: integer}}
  approval: {{title: 前置审批}}
documents:
  - id: table
    title: 表
    name: "表.xlsx"
    types: [xlsx]
    sheet:
      name: 表
      columns:
        - {{name: 名称, required: true}}
        - {{name: 性质}}
        - {{name: 提供方代码, type: uscc}}
        - {{name: 单位}}
        - {{name: 开通}}
        - {{name: 数量, type: integer}}
        - {{name: 起始IP, type: ip}}
        - {{name: 终止IP, type: ip}}
      rules:
{rules}
  - id: approval_doc
    title: 审批文件
    name: "审批*.pdf"
    required: false
    count: 1+
    types: [pdf]
{package}
"""


def _indent(text: str, n: int) -> str:
    return textwrap.indent(textwrap.dedent(text).strip("\n"), " " * n) + "\n"


def run(tmp_path: Path, rules: str, rows: list[list[Any]], values: dict[str, str] | None = None,
        package: str = "", header: list[str] | None = None) -> list[Defect]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(SPEC.format(rules=_indent(rules, 8), package=package), encoding="utf-8")
    folder = tmp_path / "pack"
    folder.mkdir()
    mk.make_xlsx(folder / "表.xlsx", {"表": [header or HEADER, *rows]}, text_columns={2})
    return list(check_folder(str(folder), load_spec(str(spec_path)), {"company": COMPANY, **(values or {})}).defects)


def found(defects: list[Defect], code: str | None = None) -> list[tuple[str, int | None, str | None, str | None]]:
    """(code, row, column, cell) of each defect, for compact assertions; a defect grouping the
    rows of one column (params ``row_list``) counts once per row it lists."""
    out = []
    for d in defects:
        if code is not None and d.code != code:
            continue
        loc = d.location
        rows = d.params.get("row_list") or [loc.row if loc else None]
        assert "more" not in d.params, "these tests list every row"
        for r in rows:
            cell = f"{loc.cell.rstrip('0123456789')}{r}" if loc and loc.cell else None
            out.append((d.code, r, loc.column if loc else None, cell))
    return sorted(out)


def row(name: str, kind: str | None = None, provider: str | None = None, unit: str | None = COMPANY,
        opened: str | None = None, qty: int | None = None, start: str | None = None,
        end: str | None = None) -> list[Any]:
    return [name, kind, provider, unit, opened, qty, start, end]


# --- require ------------------------------------------------------------------------------

REQUIRE = """\
- id: provider-when-leased
  title: 租用须填提供方代码
  title_en: leased rooms name the provider
  when: {column: 性质, equals: 租用}
  require: [提供方代码]
"""


def test_require_when_a_column_equals_a_value(tmp_path: Path) -> None:
    defects = run(tmp_path, REQUIRE, [
        row("A", "租用", None), row("B", "自建", None), row("C", "租用", USCC), row("D", None, None),
        row("E", " 租用 ", None),  # spaces around the value still select the row
    ])
    assert found(defects) == [("C101", 2, "提供方代码", "C2"), ("C101", 6, "提供方代码", "C6")]
    d = defects[0]
    assert d.document == "table" and d.location is not None and d.location.sheet == "表"
    zh, en = message(d, "zh"), message(d, "en")
    assert "租用须填提供方代码" in zh and "“性质” = 租用" in zh and "“提供方代码”必须填写" in zh
    assert "leased rooms name the provider" in en and "“提供方代码” is required when “性质” = 租用" in en


def test_require_when_a_column_has_a_value(tmp_path: Path) -> None:
    rules = """\
    - id: qty-with-opened
      when: {column: 开通, filled: true}
      require: [数量, 单位]
    """
    rows = [row("A", opened="是", unit=None), row("B", opened=None), row("C", opened="否", qty=3)]
    defects = run(tmp_path, rules, rows)
    assert found(defects) == [("C101", 2, "单位", "D2"), ("C101", 2, "数量", "F2")]


# --- expect: a column equals a client value -------------------------------------------------

EXPECT = """\
- id: unit-is-company
  title: 单位应为本公司
  expect: {column: 单位, equals: "{company}"}
"""


def test_expect_compares_with_the_client_value(tmp_path: Path) -> None:
    defects = run(tmp_path, EXPECT, [
        row("A", unit=COMPANY), row("B", unit="上海别家网络有限公司"), row("C", unit=None),
        row("D", unit=f" {COMPANY}"),  # trimmed
    ])
    assert found(defects) == [("C102", 3, "单位", "D3")]
    zh, en = message(defects[0], "zh"), message(defects[0], "en")
    assert f"“单位” = {COMPANY}" in zh and "上海别家网络有限公司" in zh
    assert "expected “单位” = " + COMPANY in en and "found 上海别家网络有限公司" in en


def test_expect_ignores_full_width_differences(tmp_path: Path) -> None:
    rows = [row("A", unit="示例(北京)科技有限公司"), row("B", unit="示例（北京）科技有限公司")]
    defects = run(tmp_path, EXPECT, rows, {"company": "示例（北京）科技有限公司"})
    assert found(defects, "C102") == []


def test_expect_with_when_and_the_uscc(tmp_path: Path) -> None:
    rules = """\
    - id: self-built-provider
      when: {column: 性质, equals: 自建}
      expect: {column: 提供方代码, equals: "{uscc}"}
    """
    other = mk.valid_uscc(5)
    defects = run(tmp_path, rules, [row("A", "自建", USCC), row("B", "自建", other), row("C", "租用", other),
                                    row("D", "自建", None)], {"uscc": USCC})
    assert found(defects) == [("C102", 3, "提供方代码", "C3")]
    assert "适用于 “性质” = 自建 的行" in message(defects[0], "zh")


# --- count --------------------------------------------------------------------------------


def test_count_at_least_n_rows_matching(tmp_path: Path) -> None:
    rules = """\
    - id: insured
      title: 本公司缴纳社保不少于 3 人
      when: {column: 单位, equals: "{company}"}
      count: {min: 3}
    """
    defects = run(tmp_path, rules, [row("A"), row("B"), row("C", unit="别家"), row("D", unit=None)])
    assert found(defects) == [("C103", None, "单位", None)]
    d = defects[0]
    assert d.params["found"] == 2 and d.params["min"] == "3"
    assert "本公司缴纳社保不少于 3 人" in message(d, "zh") and "有 2 行，至少应有 3 行" in message(d, "zh")
    assert run(tmp_path / "ok", rules, [row("A"), row("B"), row("C")]) == []


def test_count_bounded_by_a_client_variable(tmp_path: Path) -> None:
    rules = """\
    - id: opened-within-licence
      title: 已开通坐席不超过许可坐席数
      when: {column: 开通, equals: 是}
      count: {max: "{seats}"}
    """
    rows = [row("A", opened="是"), row("B", opened="是"), row("C", opened="否"), row("D", opened="是")]
    defects = run(tmp_path, rules, rows, {"seats": "2"})
    assert found(defects) == [("C104", None, "开通", None)]
    zh, en = message(defects[0], "zh"), message(defects[0], "en")
    assert "有 3 行，最多 2 行" in zh and "许可坐席数" in zh
    assert "3 row(s) where “开通” = 是; at most 2 allowed" in en
    assert run(tmp_path / "ok", rules, rows, {"seats": "3"}) == []


def test_rule_needing_a_missing_or_bad_variable_is_skipped(tmp_path: Path) -> None:
    rules = """\
    - id: opened-within-licence
      when: {column: 开通, equals: 是}
      count: {max: "{seats}"}
    """
    rows = [row("A", opened="是"), row("B", opened="是")]
    assert run(tmp_path, rules, rows) == []  # no `seats`: not checked, and not a defect either
    defects = run(tmp_path / "bad", rules, rows, {"seats": "十二"})
    assert [d.code for d in defects] == ["V102"]  # the variable's own type check, not the rule


def test_team_size_below_the_commitment(tmp_path: Path) -> None:
    rules = """\
    - id: staff-committed
      count: {min: "{committed}"}
    """
    defects = run(tmp_path, rules, [row("A"), row("B"), row("C")], {"committed": "5"})
    assert found(defects) == [("C103", None, None, None)]
    assert "数据有 3 行，至少应有 5 行（“承诺人数” committed）" in message(defects[0], "zh")


# --- IP ranges ---------------------------------------------------------------------------------

IP = """\
- id: ip-ranges
  title: 地址段有效且不重叠
  ip_ranges: {start: 起始IP, end: 终止IP}
"""


def test_ip_ranges_valid_and_not_overlapping(tmp_path: Path) -> None:
    defects = run(tmp_path, IP, [
        row("A", start="10.0.0.0", end="10.0.0.127"),
        row("B", start="10.0.0.128", end="10.0.0.255"),  # adjacent: fine
        row("C", start="10.0.0.100", end="10.0.0.130"),  # overlaps A and B: reported once
        row("D", start="10.0.1.9", end="10.0.1.0"),  # reversed
        row("E", start="10.0.2.0", end="2001:db8::1"),  # mixed families
        row("F", start="2001:db8::", end="2001:db8::ffff"),
        row("G", start="2001:db8::ff00", end="2001:db8::1:0"),  # overlaps F
        row("H", start="10.0.0.0", end="10.0.0.127"),  # the same as A
        row("I", start="not an ip", end="10.9.9.9"),  # X114 from the column type only
    ])
    assert found(defects) == [
        ("C105", 6, "起始IP", "G6"), ("C106", 5, "起始IP", "G5"), ("C107", 4, "起始IP", "G4"),
        ("C107", 8, "起始IP", "G8"), ("C107", 9, "起始IP", "G9"), ("X114", 10, "起始IP", "G10"),
    ]
    by_row = {d.location.row: d for d in defects if d.location}
    assert by_row[9].params["other_row"] == 2 and by_row[9].params["other_range"] == "10.0.0.0-10.0.0.127"
    assert by_row[8].params["other_row"] == 7
    assert "与第 2 行的地址段" in message(by_row[9], "zh")


def test_ip_ranges_accept_a_cidr_block_without_an_end(tmp_path: Path) -> None:
    rules = """\
    - id: ip-ranges
      ip_ranges: {start: 名称, end: 单位}
    """
    defects = run(tmp_path, rules, [row("192.168.0.0/24", unit=None), row("192.168.0.200", unit="192.168.1.5"),
                                    row("192.168.2.0/24", unit=None)])
    assert found(defects) == [("C107", 3, "名称", "A3")]


# --- the condition vocabulary and three-valued logic --------------------------------------------


@pytest.mark.parametrize(
    ("when", "selected"),
    [
        ("{column: 性质, in: [租用, 合建]}", ["A", "C"]),
        ("{column: 性质, not_in: [租用, 合建]}", ["B"]),  # D (empty) is undecided: not selected
        ("{column: 性质, not_equals: 租用}", ["B", "C"]),
        ("{column: 名称, matches: '^[AB]'}", ["A", "B"]),
        ("{column: 数量, min: 5, max: 10}", ["B"]),
        ("{column: 数量, max: 4}", ["A"]),  # C holds text: undecided
        ("{column: 性质, filled: false}", ["D"]),
        ("{all: [{column: 性质, equals: 租用}, {column: 数量, min: 1}]}", ["A"]),
        ("{any: [{column: 性质, equals: 自建}, {column: 名称, equals: D}]}", ["B", "D"]),
        ("{not: {column: 性质, equals: 租用}}", ["B", "C"]),
        ("{variable: approval, equals: 是}", ["A", "B", "C", "D"]),
    ],
)
def test_conditions_select_rows(tmp_path: Path, when: str, selected: list[str]) -> None:
    rules = f"""\
    - id: probe
      when: {when}
      require: [单位]
    """
    rows = [row("A", "租用", unit=None, qty=1), row("B", "自建", unit=None, qty=7),
            row("C", "合建", unit=None, qty="许多"), row("D", None, unit=None, qty=None)]  # type: ignore[arg-type]
    defects = run(tmp_path, rules, rows, {"approval": "是"}, header=HEADER)
    names = "ABCD"
    assert sorted(names[r - 2] for _, r, _, _ in found(defects, "C101") if r) == selected


def test_rule_severity_and_spec_severity(tmp_path: Path) -> None:
    rules = """\
    - id: unit-is-company
      severity: warning
      expect: {column: 单位, equals: "{company}"}
    """
    defects = run(tmp_path, rules, [row("A", unit="别家")])
    assert [(d.code, d.severity) for d in defects] == [("C102", Severity.WARNING)]


def test_rule_on_a_column_missing_from_the_file_is_skipped(tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "性质"]
    rows = [[c for i, c in enumerate(row("A", "租用")) if i != 1]]
    defects = run(tmp_path, REQUIRE, rows, header=header)
    assert [d.code for d in defects] == ["X103"]  # the missing column, and nothing from the rule


# --- package rules ------------------------------------------------------------------------------

PACKAGE = """\
rules:
  - id: approval-documents
    title: 涉及前置审批的须提交审批文件
    when: {variable: approval, equals: 是}
    require_documents: [approval_doc]
  - id: seats-positive
    title: 许可坐席数至少为 1
    expect: {variable: seats, min: 1}
"""


def test_package_rules(tmp_path: Path) -> None:
    defects = run(tmp_path, "- {id: none, when: {column: 名称, equals: x}, require: [单位]}", [row("A")],
                  {"approval": "是", "seats": "0"}, package=PACKAGE)
    assert sorted((d.code, d.path, d.document) for d in defects) == [("C102", "", None), ("C108", "", "approval_doc")]
    by_code = {d.code: d for d in defects}
    assert "审批*.pdf" in message(by_code["C108"], "zh") and "“前置审批” = 是" in message(by_code["C108"], "zh")
    assert "seats = 0" in message(by_code["C102"], "en")
    assert run(tmp_path / "no", "- {id: none, when: {column: 名称, equals: x}, require: [单位]}", [row("A")],
               {"approval": "否", "seats": "2"}, package=PACKAGE) == []


# --- refusing bad rules with file:line:col ----------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "package", "marker", "words"),
    [
        ("- {id: r, when: {column: 性质, equals: 租用}, require: [提供方]}", "", "提供方]", "unknown column '提供方'"),
        ("- {id: r, expect: {column: 单位, equals: '{compnay}'}}", "", "'{compnay}'", "unknown variable 'compnay'"),
        ("- {id: r, expect: {equals: 1}}", "", "{equals", "needs one of column, variable"),
        ("- {id: r, expect: {column: 单位}}", "", "{column: 单位}", "needs an operator"),
        ("- {id: r, expect: {column: 单位, equals: 1}, count: {min: 1}}", "", "{id: r",
         "use only one of expect, count"),
        ("- {id: r, require: [单位]}", "", "[单位]", "needs a `when` condition"),
        ("- {id: r, count: {min: many}}", "", "many", "a number or a {variable}"),
        ("- {id: r, count: {min: '{nope}'}}", "", "'{nope}'", "unknown variable 'nope'"),
        ("- {id: r, expect: {column: 单位, equls: 1}}", "", "equls", "did you mean 'equals'"),
        ("- {id: r, ip_ranges: {start: 起始IP}}", "", "{start", "missing required key 'end'"),
        ("- {id: r, count: {min: 1}}\n- {id: r, count: {max: 1}}", "", "{id: r, count: {max", "duplicate rule id 'r'"),
        ("- {id: r, count: {min: 1}}", "rules:\n  - {id: p, when: {column: 单位, equals: 1}, require_documents: [x]}",
         "column: 单位, equals: 1}", "unknown key 'column'"),
        ("- {id: r, count: {min: 1}}", "rules:\n  - {id: p, when: {variable: approval, equals: 是}, "
         "require_documents: [nope]}", "nope", "unknown document 'nope'"),
    ],
)
def test_bad_rules_are_refused_with_position(tmp_path: Path, rules: str, package: str, marker: str,
                                             words: str) -> None:
    path = tmp_path / "spec.yaml"
    text = SPEC.format(rules=_indent(rules, 8), package=package)
    path.write_text(text, encoding="utf-8")
    line_no, line = next((i, t) for i, t in enumerate(text.splitlines(), start=1) if marker in t)
    with pytest.raises(SpecError) as info:
        load_spec(str(path))
    lines = str(info.value).splitlines()
    where = f"{path}:{line_no}:{line.index(marker) + 1}:"
    assert any(problem.startswith(where) and words in problem for problem in lines), (where, lines)
