"""Per-file facts (validator.facts): a sheet is parsed once per question, a bounded read never
answers for the rows it left out. A real workbook, written by the fixture makers."""

from __future__ import annotations

from pathlib import Path

from fixtures import makers as mk
from validator.discovery import Entry
from validator.facts import read_facts


def test_a_bounded_sheet_read_is_memoised_apart_from_the_whole_sheet(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    rows: list[list[object]] = [["姓名", "序号"], *([f"员工{i}", i] for i in range(1, 31))]
    mk.make_xlsx(path, {"名单": rows})
    facts = read_facts(Entry(path.name, str(path), "file", path.stat().st_size))
    head = facts.sheet(None, 1, max_rows=5)
    assert len(head) == 5 and head.truncated
    whole = facts.sheet(None, 1)
    assert len(whole) == 30 and not whole.truncated  # not the 5 rows read before
    assert facts.sheet(None, 1, max_rows=5) is head and facts.sheet(None, 1) is whole  # each parsed once
    assert facts.sheet(None, 0, max_rows=1).row_numbers == (1,)  # another header row: another read


def test_the_first_sheet_by_name_is_the_read_of_the_first_sheet(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    mk.make_xlsx(path, {"名单": [["姓名"], ["张三"]], "附表": [["备注"], ["无"]]})
    facts = read_facts(Entry(path.name, str(path), "file", path.stat().st_size))
    first = facts.sheet(None, 0)
    assert first.sheet == "名单" and facts.sheet("名单", 0) is first  # parsed once, asked twice
    assert facts.sheet("附表", 0).sheet == "附表" and facts.sheet("名单", 1) is not first
