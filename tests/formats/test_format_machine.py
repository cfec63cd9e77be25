"""SARIF against the official schema, JUnit through a standard XML parser, XLSX read back
cell by cell, CSV opened as Excel would, and hostile file names in every format."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest

from tests.formats import readback as rb
from validator.codes import CODES
from validator.formats import renderer
from validator.formats.common import SEVERITY_WORD, defect_row, package_name, sections, sheet_columns, words
from validator.formats.sarif import BASE_ID, LEVEL
from validator.formats.xlsx import MAX_SHEET_NAME, SheetNames
from validator.model import Defect, Location, PackageResult, Report, Severity

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def sarif_of(report: Report) -> dict:
    return json.loads(str(renderer("sarif")(report)))


def test_sarif_validates_against_the_official_schema(report: Report) -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(sarif_of(report)), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_sarif_schema_rejects_a_broken_log(report: Report) -> None:
    """The vendored schema really constrains: a result with a bad level or no message fails."""
    log = sarif_of(report)
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["results"][1]["message"]
    assert len(list(jsonschema.Draft4Validator(SCHEMA).iter_errors(log))) >= 2


def test_sarif_rules_results_and_locations(report: Report) -> None:
    log = sarif_of(report)
    assert log["version"] == "2.1.0" and len(log["runs"]) == len(report.packages)
    lang = report.lang
    for run, p in zip(log["runs"], report.packages, strict=True):
        driver = run["tool"]["driver"]
        assert run["language"] == driver["language"] == ("zh-CN" if lang == "zh" else "en-US")
        rules = driver["rules"]
        assert [r["id"] for r in rules] == sorted({d.code for d in report.defects})
        for r in rules:
            c = CODES[r["id"]]
            assert r["name"] == c.name
            assert r["shortDescription"]["text"] == (c.title[0] if lang == "zh" else c.title[1])
            assert r["fullDescription"]["text"] == (c.why[0] if lang == "zh" else c.why[1])
            assert r["help"]["text"] and "{" not in r["help"]["text"]
            assert r["defaultConfiguration"]["level"] == LEVEL[c.severity]
        assert run["originalUriBaseIds"][BASE_ID]["uri"].startswith("file:///")
        assert run["invocations"][0]["executionSuccessful"] is True
        assert len(run["results"]) == len(p.defects)
        for res, d in zip(run["results"], p.defects, strict=True):
            assert res["ruleId"] == d.code and rules[res["ruleIndex"]]["id"] == d.code
            assert res["level"] == {"error": "error", "warning": "warning", "info": "note"}[d.severity.value]
            art = res["locations"][0]["physicalLocation"]["artifactLocation"]
            assert art["uriBaseId"] == BASE_ID
            assert art["uri"].isascii() and not art["uri"].startswith("/")  # relative, percent-encoded
            assert unquote(art["uri"]) == (d.path or ".")
            logical = res["locations"][0].get("logicalLocations", [])
            if d.location and d.location.cell:
                assert logical[0]["kind"] == "cell" and logical[0]["name"] == d.location.cell
                assert logical[0]["fullyQualifiedName"].endswith(f"{d.location.sheet}!{d.location.cell}")
            elif d.location and d.location.sheet:
                assert logical[0]["kind"] in ("sheet", "row", "column")
            else:
                assert logical == []


def junit_of(report: Report) -> ET.Element:
    return ET.fromstring(str(renderer("junit")(report)))


def test_junit_parses_with_one_case_per_document(report: Report) -> None:
    root = junit_of(report)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == len(report.packages)
    for suite, p in zip(suites, report.packages, strict=True):
        cases = suite.findall("testcase")
        # one per spec document, plus the folder as a whole and the files that fit no document
        assert len(cases) == len(p.documents) + 2 == int(suite.get("tests", "-1"))
        names = [c.get("name", "") for c in cases]
        assert names[0].startswith("(folder)") and names[-1].startswith("(unexpected)")
        assert [n.split(" ", 1)[0] for n in names[1:-1]] == [s.id for s in p.documents]
        failed = [c for c in cases if c.find("failure") is not None]
        bad_sections = [s for s in sections(p, report.lang) if any(d.severity is Severity.ERROR for d in s.defects)]
        assert len(failed) == len(bad_sections) == int(suite.get("failures", "-1"))
        assert suite.get("errors") == "0" and suite.get("skipped") == "0"
        for case, s in zip(failed, bad_sections, strict=True):
            assert case.get("name", "").startswith(s.key)
            failure = case.find("failure")
            assert failure is not None and failure.text
            assert all(d.code in failure.text for d in s.defects)
    assert int(root.get("failures", "-1")) == sum(int(s.get("failures", "0")) for s in suites)


def test_junit_ready_folder_passes_with_warnings_as_output(golden_reports: dict[str, Report]) -> None:
    report = golden_reports["en"]
    ready = junit_of(report).findall("testsuite")[1]
    assert report.packages[1].ready and ready.get("failures") == "0"
    outs = [c.find("system-out") for c in ready.findall("testcase")]
    texts = [o.text for o in outs if o is not None and o.text]
    assert len(texts) == 1 and "N110" in texts[0]


def test_xlsx_cells_match_the_defects(report: Report) -> None:
    from openpyxl import load_workbook

    data = renderer("xlsx")(report)
    assert isinstance(data, bytes)
    wb = load_workbook(io.BytesIO(data))
    lang = report.lang
    w = words(lang)
    names = [package_name(p) for p in report.packages]
    assert wb.sheetnames == [w["summary_sheet"], w["defects_sheet"], w["documents_sheet"], *names]
    ws = wb[w["defects_sheet"]]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:M{len(list(report.defects)) + 1}"
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == list(sheet_columns(lang, True))
    expected = [defect_row(p, d, lang, True) for p in report.packages for d in p.defects]
    assert [[None if v == "" else v for v in r] for r in expected] == [list(r) for r in rows[1:]]
    for i, p in enumerate(report.packages):  # a sheet per folder, without the folder column
        per = list(wb[names[i]].iter_rows(values_only=True))
        assert [[None if v == "" else v for v in defect_row(p, d, lang, False)] for d in p.defects] == [
            list(r) for r in per[1:]
        ]
    summary = list(wb[w["summary_sheet"]].iter_rows(values_only=True))
    head = next(r for r in summary if r[0] == w["folder"])
    assert list(head[:8]) == [w["folder"], w["spec"], w["status"], w["files"], w["error"], w["warning"], w["info"],
                              w["missing_docs"]]
    for p in report.packages:
        row = next(r for r in summary if r[0] == package_name(p))
        assert row[2] == (w["ready"] if p.ready else w["not_ready"])
        assert list(row[4:7]) == [p.count(Severity.ERROR), p.count(Severity.WARNING), p.count(Severity.INFO)]
    # The golden folder that is not ready lacks exactly one required document; the ready one lacks none.
    by_name = {r[0]: r for r in summary}
    assert by_name[package_name(report.packages[0])][7] == "网络与信息安全保障措施及执行情况"
    assert by_name[package_name(report.packages[1])][7] is None
    for column in ws.column_dimensions.values():
        assert 6 <= column.width <= 60


def _missing_report(lang: str) -> Report:
    """A folder lacking two required documents (one title with markup), and a complete one."""
    lacking = PackageResult("/tmp/lacking", "core", (
        Defect("D101", Severity.ERROR, "", {"title": "营业执照副本"}, "business_license"),
        Defect("N102", Severity.WARNING, "x.pdf"),
        Defect("D101", Severity.ERROR, "", {"title": "<b>股权结构</b>"}, "equity"),
        Defect("D101", Severity.ERROR, "", {}, "no_title_doc"),  # no title: the document id stands in
    ), files=3)
    complete = PackageResult("/tmp/complete", "core", (), files=10)
    return Report((lacking, complete), lang=lang, tool_version="test")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_summary_lists_the_missing_documents(lang: str) -> None:
    """XLSX and HTML summaries name each folder's missing documents (its D101 titles) like the batch roll-up."""
    from openpyxl import load_workbook

    from validator.batch.rollup import rollup_row

    report = _missing_report(lang)
    w = words(lang)
    titles = ["营业执照副本", "<b>股权结构</b>", "no_title_doc"]
    sep = "、" if lang == "zh" else ", "
    assert list(rollup_row("lacking", report.packages[0]).missing) == titles
    assert rollup_row("complete", report.packages[1]).missing == ()

    data = renderer("xlsx")(report)
    assert isinstance(data, bytes)
    summary = list(load_workbook(io.BytesIO(data))[w["summary_sheet"]].iter_rows(values_only=True))
    head = next(r for r in summary if r[0] == w["folder"])
    col = list(head).index(w["missing_docs"])
    rows = {r[0]: r for r in summary}
    assert rows["lacking"][col] == sep.join(titles)
    assert rows["complete"][col] is None

    html = str(renderer("html")(report))
    table = html.split('<section class="card" id="summary">', 1)[1].split("</table>", 1)[0]
    assert f"<th>{w['missing_docs']}</th>" in table
    lines = [line for line in table.splitlines() if line.startswith("<tr>")]
    assert lines[0].endswith(f"<td>{sep.join(t.replace('<', '&lt;').replace('>', '&gt;') for t in titles)}</td></tr>")
    assert lines[1].endswith("<td></td></tr>")
    assert "<b>股权结构</b>" not in html  # escaped, never markup


def test_sheet_names_follow_excel_rules() -> None:
    names = SheetNames()
    taken = [names.take(n) for n in ("汇总", "a[1]:b*c?d/e\\f", "x" * 40, "x" * 40, "汇总", "'quoted'", "History", "")]
    assert len({t.casefold() for t in taken}) == len(taken)
    for t in taken:
        assert 1 <= len(t) <= MAX_SHEET_NAME and not set(t) & set("[]:*?/\\") and t[0] != "'" and t[-1] != "'"
    assert taken[1] == "a_1__b_c_d_e_f" and taken[4] == "汇总~2" and taken[6] != "History"


def _hostile_report(lang: str) -> Report:
    """File names that are formulas, markup, control characters and undecodable bytes."""
    names = ["=HYPERLINK(\"http://x\",\"点我\").pdf", "<script>alert(1)</script>.pdf", "a\x07b\x1b.pdf",
             "bad-\udcb9\udcab.pdf", "| `code` *bold* [link](x) _x_.pdf", "+1-2.pdf", "'quoted.pdf"]
    cell = Defect("X112", Severity.ERROR, "r.xlsx", {"column": "=SUM(A1)", "value": "<b>&", "allowed": ["是", "否"]},
                  "staff_roster", Location(sheet="=S", row=2, column="=SUM(A1)", cell="C2"))
    defects = (*(Defect("D104", Severity.ERROR, n) for n in names), cell)
    p = PackageResult("/tmp/=evil<pkg>", "core", defects, files=len(defects))
    return Report((p,), lang=lang, tool_version="test")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hostile_names_stay_inert_in_every_format(lang: str) -> None:
    report = _hostile_report(lang)
    html = str(renderer("html")(report))
    assert "<script>" not in html and "&lt;script&gt;" in html and "\x07" not in html
    md = str(renderer("markdown")(report))
    outside_code = re.sub(r"`[^`\n]*`", "", md)  # in a code span markup is shown, never run
    assert "<script>" not in outside_code and "[link](x)" not in outside_code and "*bold*" not in outside_code
    assert "`<script>alert(1)</script>.pdf`" in md
    root = ET.fromstring(str(renderer("junit")(report)))  # control characters would make this raise
    assert root.find("testsuite") is not None
    sarif = sarif_of(report)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert all(u.isascii() for u in uris) and "bad-%B9%AB.pdf" in uris  # the original bytes, percent-encoded
    rows = rb.table_rows(str(renderer("csv")(report)))
    raw = str(renderer("csv")(report))
    assert "\n=HYPERLINK" not in raw and ",=HYPERLINK" not in raw and "'=HYPERLINK" in raw
    assert rows[0][words(lang)["file"]].startswith("=HYPERLINK")  # the guard comes off on reading
    from openpyxl import load_workbook

    data = renderer("xlsx")(report)
    assert isinstance(data, bytes)
    ws = load_workbook(io.BytesIO(data))[words(lang)["defects_sheet"]]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)  # text, never a formula


def test_csv_has_a_bom_and_crlf_rows(report: Report) -> None:
    body = str(renderer("csv")(report))
    assert body.startswith("\ufeff") and body.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert body.count("\r\n") >= len(list(report.defects)) + 1
    rows = rb.table_rows(body)
    assert [r[words(report.lang)["severity"]] for r in rows] == [
        SEVERITY_WORD[report.lang][d.severity] for d in report.defects
    ]


def test_markdown_folds_long_lists(golden_reports: dict[str, Report]) -> None:
    report = golden_reports["zh"]
    body = str(renderer("markdown")(report))
    assert body.count("<details>") == 1  # the 16-defect folder folds, the 1-defect one does not
    short = dataclasses.replace(report, packages=(report.packages[1],))
    assert "<details>" not in str(renderer("markdown")(short))
