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


def test_facts_go_to_the_parse_worker_without_the_head_and_read_the_same(tmp_path: Path) -> None:
    import pickle

    from validator.sniff import HEAD_SIZE

    big = tmp_path / "年报.pdf"
    mk.make_scanned_pdf(big, 1, seed=3)  # larger than the head: the worker reads it whole itself
    small = tmp_path / "承诺书.pdf"
    mk.make_pdf(small, 1, "承诺书")  # no larger than the head: the head is the content and travels
    for path in (big, small):
        facts = read_facts(Entry(path.name, str(path), "file", path.stat().st_size), text_pages=1)
        data = pickle.dumps(facts, pickle.HIGHEST_PROTOCOL)
        copy = pickle.loads(data)
        assert copy.size == facts.size and copy.content == facts.content and copy.entry == facts.entry
        assert copy.pdf() == facts.pdf() and copy.pdf().pages == 1
        if facts.size > HEAD_SIZE:
            assert len(data) < HEAD_SIZE // 4 and copy.head == b""
        else:
            assert copy.head == facts.head == path.read_bytes()
    facts = read_facts(Entry(big.name, str(big), "file", big.stat().st_size), text_pages=1)
    facts.fail("timeout", "> 1 s")  # what a failed parse left: the copy answers with it too
    assert pickle.loads(pickle.dumps(facts)).pdf().error == "timeout"
