"""File judgements end to end (issue 11, item 5): what `validator check` says about files that
viewers open although a naive reader would call them broken or locked, and about files cut short."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfWriter

from fixtures import makers as mk
from tests.conftest import check_json
from tests.test_sniff import SHEET_MAIN, _filepass_rc4, _workbook_with, ole, ooxml

SPEC = """\
id: verdicts
title: 文件判断
documents:
  - id: sheet
    title: 表格
    regex: '(?i).*\\.xlsx?'
    required: false
    count: 0+
    types: [xls, xlsx]
  - id: pdf
    title: PDF
    regex: '(?i).*\\.pdf'
    required: false
    count: 0+
    types: [pdf]
    pdf: {pages: 1-10}
"""


def _defects(report: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for d in report["packages"][0]["defects"]:
        out.setdefault(d["path"], []).append(d["code"])
    return {k: sorted(v) for k, v in out.items()}


def test_viewer_like_verdicts(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    ole(pack, "protected.xls", {"Workbook": _workbook_with(_filepass_rc4("VelvetSweatshop"))})
    ole(pack, "locked.xls", {"Workbook": _workbook_with(_filepass_rc4("secret"))})
    whole = ooxml("xl/workbook.xml", SHEET_MAIN, extra=tuple(f"xl/worksheets/sheet{i}.xml" for i in range(40)))
    (pack / "cut.xlsx").write_bytes(whole[: len(whole) // 2])
    good = mk.make_pdf(tmp_path / "good.pdf", 2, ["第一页", "第二页"]).read_bytes()
    (pack / "no-startxref.pdf").write_bytes(good[: good.rindex(b"startxref")])  # viewers rebuild the xref
    with (pack / "blank.pdf").open("wb") as fh:  # no page at all: opens everywhere, shows nothing
        PdfWriter().write(fh)
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    _, report = check_json(pack, "--spec", str(spec))
    got = _defects(report)
    assert got.get("protected.xls") == ["T104"]  # Excel's default password: info, not T103
    assert got.get("locked.xls") == ["T103"]
    assert got.get("cut.xlsx") == ["T105"]  # damaged, not "extension does not match"
    assert "P101" not in got.get("no-startxref.pdf", [])
    assert "P101" in got.get("blank.pdf", [])
    severity = {(d["path"], d["code"]): d["severity"] for d in report["packages"][0]["defects"]}
    assert severity[("protected.xls", "T104")] == "info"
