"""Golden files for every format in both languages, and the same defects in every format.

Regenerate after an intended change with:  UPDATE_GOLDEN=1 python -m pytest tests/formats
"""

from __future__ import annotations

import io
import json

import pytest

from tests.formats import readback as rb
from tests.formats.conftest import check_golden
from validator.formats import FORMATS, is_binary, renderer
from validator.model import Report

TEXT_FORMATS = {"text": "txt", "json": "json", "html": "html", "csv": "csv", "sarif": "sarif",
                "junit": "xml", "markdown": "md"}


def test_every_registered_format_is_covered() -> None:
    assert set(FORMATS) == set(TEXT_FORMATS) | {"xlsx"}
    assert [n for n in FORMATS if is_binary(n)] == ["xlsx"]


@pytest.mark.parametrize("fmt", sorted(TEXT_FORMATS))
def test_golden(fmt: str, report: Report) -> None:
    body = renderer(fmt)(report)
    assert isinstance(body, str)
    check_golden(f"report.{report.lang}.{TEXT_FORMATS[fmt]}", body)


def xlsx_dump(data: bytes) -> str:
    """Every sheet, its frozen pane, filter, column widths and every non-empty cell, as text."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    lines = []
    for ws in wb.worksheets:
        widths = {k: round(v.width, 1) for k, v in sorted(ws.column_dimensions.items()) if v.width}
        lines.append(f"== {ws.title} | freeze={ws.freeze_panes} | filter={ws.auto_filter.ref} | widths={widths}")
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    lines.append(f"{cell.coordinate}\t{cell.data_type}\t{json.dumps(cell.value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def test_golden_xlsx(report: Report) -> None:
    data = renderer("xlsx")(report)
    assert isinstance(data, bytes)
    assert renderer("xlsx")(report) == data, "the same report must give the same bytes"
    check_golden(f"report.{report.lang}.xlsx.txt", xlsx_dump(data))


def test_machine_formats_carry_the_same_defects(report: Report) -> None:
    """JSON, CSV, XLSX and SARIF: the same (folder, code, file, place) for every defect."""
    expected = rb.expected_keys(report)
    assert sum(expected.values()) >= 15
    lang = report.lang
    assert rb.from_json(str(renderer("json")(report))) == expected
    assert rb.from_csv(str(renderer("csv")(report)), lang) == expected
    data = renderer("xlsx")(report)
    assert isinstance(data, bytes)
    assert rb.from_xlsx(data, lang) == expected
    assert rb.from_sarif(str(renderer("sarif")(report))) == expected


def test_human_formats_show_the_same_defects(report: Report) -> None:
    """HTML, Markdown and JUnit: every defect once, under its file, with its place."""
    expected = rb.expected_shown(report)
    assert rb.from_html(str(renderer("html")(report)), report) == expected
    assert rb.from_markdown(str(renderer("markdown")(report)), report) == expected
    assert rb.from_junit(str(renderer("junit")(report)), report) == expected


def test_languages_differ_only_in_words(golden_reports: dict[str, Report]) -> None:
    """zh and en render the same defects; the zh output is Chinese, the en output is not."""
    zh, en = golden_reports["zh"], golden_reports["en"]
    assert rb.expected_keys(zh) == rb.expected_keys(en)
    for fmt in ("html", "markdown", "csv", "junit", "sarif", "xlsx"):
        body_zh, body_en = _text(renderer(fmt)(zh)), _text(renderer(fmt)(en))
        assert "缺少必需材料" in body_zh and "缺少必需材料" not in body_en, fmt
        assert "Required document missing" in body_en and "Required document missing" not in body_zh, fmt


def _text(body: str | bytes) -> str:
    """A format's words as text (for a workbook, the XML of its parts)."""
    if isinstance(body, str):
        return body
    import zipfile

    z = zipfile.ZipFile(io.BytesIO(body))
    from html import unescape  # openpyxl writes CJK as &#NNNNN; references

    return unescape("".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")))


def test_no_timestamp_unless_the_report_has_one(golden_reports: dict[str, Report]) -> None:
    import dataclasses

    plain = dataclasses.replace(golden_reports["zh"], generated_at="")
    for fmt in TEXT_FORMATS:
        body = str(renderer(fmt)(plain))
        assert "2026-02-01" not in body
        assert str(renderer(fmt)(plain)) == body
    assert "2026-02-01" in str(renderer("html")(golden_reports["zh"]))
