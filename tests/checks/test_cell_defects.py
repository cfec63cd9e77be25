"""Cell defects on a real roster: one defect per (code, column) listing and counting its rows,
the person on each row named in params and in both languages, and the key column chosen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fixtures import makers as mk
from validator.api import check_folder
from validator.checks.cell_defects import LISTED, key_column
from validator.messages import message
from validator.model import Defect
from validator.spec import load_spec
from validator.spec.model import ColumnSpec

COMPANY = "北京示例科技有限公司"
ROSTER = "09_人员名单_2025.xlsx"


def check_roster(tmp_path: Path, rows: list[list[Any]]) -> list[Defect]:
    folder = tmp_path / "pack"
    mk.make_xlsx(folder / ROSTER, {"人员名单": rows}, text_columns={7})
    result = check_folder(str(folder), load_spec("core"), {"company": COMPANY, "year": "2025"})
    return [d for d in result.defects if d.path == ROSTER]


def by_code(defects: list[Defect], code: str) -> list[Defect]:
    return [d for d in defects if d.code == code]


def test_a_column_failing_on_many_rows_is_one_defect_with_its_rows(tmp_path: Path) -> None:
    rows = mk.make_roster_rows(15, COMPANY)
    for r in range(2, 15):  # 13 IDs typed as numbers (Excel rounds them): X115 on Excel rows 3..15
        rows[r][2] = int(str(rows[r][2]).replace("X", "0"))
    names = [row[1] for row in rows]
    [x115] = by_code(check_roster(tmp_path, rows), "X115")
    p = x115.params
    assert p["count"] == 13
    assert p["row_list"] == list(range(3, 3 + LISTED)) and p["more"] == 13 - LISTED
    assert p["who"] == names[2:2 + LISTED]  # 姓名 of the listed rows, in row order
    assert p["display"].endswith("E+17")  # the first row's own params are the example
    assert x115.location is not None and (x115.location.row, x115.location.cell) == (3, "C3")
    zh, en = message(x115, "zh"), message(x115, "en")
    assert "有 13 行存成了数字" in zh and "第 3、4、5" in zh and f"（{names[2]}、{names[3]}" in zh
    assert "另有 3 行" in zh
    assert "in 13 rows" in en and "rows 3, 4, 5" in en and "and 3 more" in en and names[2] in en


def test_a_single_failing_row_names_the_person(tmp_path: Path) -> None:
    rows = mk.make_roster_rows(5, COMPANY)
    rows[4][3] = "销售"  # 岗位类别 not allowed, Excel row 5
    [x112] = by_code(check_roster(tmp_path, rows), "X112")
    assert "count" not in x112.params and "row_list" not in x112.params
    assert x112.params["row"] == 5 and x112.params["who"] == rows[4][1]
    assert message(x112, "zh").startswith(f"第 5 行（{rows[4][1]}）：“岗位类别”的值 销售 不在允许范围")
    assert message(x112, "en").startswith(f"Row 5 ({rows[4][1]}): “岗位类别” value 销售 is not one of")


def test_empty_name_cell_is_not_shown_as_a_person(tmp_path: Path) -> None:
    rows = mk.make_roster_rows(4, COMPANY)
    rows[2][1] = None  # 姓名 empty on row 3: X110 for 姓名 itself, and no name to show for it
    rows[2][3] = "销售"
    defects = check_roster(tmp_path, rows)
    [x110] = by_code(defects, "X110")
    assert x110.params["column"] == "姓名" and "who" not in x110.params
    [x112] = by_code(defects, "X112")
    assert "who" not in x112.params and message(x112, "zh").startswith("第 3 行：")


def test_duplicates_and_cross_field_rules_are_grouped_too(tmp_path: Path) -> None:
    rows = mk.make_roster_rows(6, COMPANY)
    rows[4][2] = rows[1][2]  # Excel row 5 repeats row 2's ID
    rows[5][2] = rows[1][2]  # and row 6 too
    for r in (2, 3, 5):
        rows[r][9] = "上海人才服务有限公司"  # insured by an agency: C102 on Excel rows 3, 4, 6
    defects = check_roster(tmp_path, rows)
    [x111] = by_code(defects, "X111")
    assert x111.params["row_list"] == [5, 6] and x111.params["first_row"] == 2
    assert x111.params["who"] == [rows[4][1], rows[5][1]]
    [c102] = by_code(defects, "C102")
    assert c102.params["count"] == 3 and c102.params["row_list"] == [3, 4, 6]
    assert c102.params["found"] == "上海人才服务有限公司" and c102.params["rule"] == "insured-by-company"
    assert c102.location is not None and c102.location.cell == "J3"
    zh = message(c102, "zh")
    assert zh.startswith("不符合规则“社保缴纳单位应为本公司”") and "有 3 行不符：第 3、4、6 行" in zh
    assert c102.severity.value == "warning"  # the rule's severity survives grouping


def test_whitespace_only_cells_count_as_empty_once(tmp_path: Path) -> None:
    rows = mk.make_roster_rows(4, COMPANY)
    rows[1][3] = "   "  # 岗位类别 required: blank text is empty, not a bad enum value
    rows[3][3] = None
    defects = check_roster(tmp_path, rows)
    [x110] = by_code(defects, "X110")
    assert x110.params["row_list"] == [2, 4] and not by_code(defects, "X112")


@pytest.mark.parametrize(
    ("columns", "key"),
    [
        ([ColumnSpec("序号", "integer", unique=True), ColumnSpec("姓名"), ColumnSpec("身份证号码", unique=True)], 1),
        ([ColumnSpec("序号", "integer", unique=True), ColumnSpec("联系人姓名")], 1),
        ([ColumnSpec("坐席编号", required=True, unique=True), ColumnSpec("职场名称", required=True)], 0),
        ([ColumnSpec("序号", "integer", unique=True), ColumnSpec("网站名称", required=True),
          ColumnSpec("域名", "domain", unique=True)], 2),
        ([ColumnSpec("序号", unique=True), ColumnSpec("机房名称", required=True)], 1),
        ([ColumnSpec("日期"), ColumnSpec("数量", "integer")], None),
    ],
)
def test_key_column(columns: list[ColumnSpec], key: int | None) -> None:
    assert key_column(dict(enumerate(columns))) == key
