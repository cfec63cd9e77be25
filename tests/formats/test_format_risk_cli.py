"""The risk assessment report, and the report formats through the real command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.formats import report_folders as rf
from tests.formats.conftest import check_golden
from validator.model import PackageResult
from validator.risk.assess import ACTION, MANUAL, OK, PROBLEM, Assessment, assess
from validator.risk.render import render_html, render_markdown
from validator.risk.roster import roster_facts
from validator.spec import load_spec

SECTION_TITLES = ("企业基本信息", "业务合规性自查", "数据安全与隐私保护", "客户服务满意度调查", "总结与改进建议")


def risk_of(p: PackageResult, lang: str) -> Assessment:
    spec = load_spec("core")
    return assess(p, lang, spec_title=spec.title, licence=spec.licence, roster=roster_facts(p, spec),
                  generated_at=rf.GENERATED_AT)


def items(a: Assessment) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    return {i.label: (i.status, i.text, i.codes) for s in a.sections for i in s.items}


def test_five_sections_in_order(golden_packages: tuple[PackageResult, PackageResult]) -> None:
    a = risk_of(golden_packages[0], "zh")
    assert [s.title.split("、", 1)[1] for s in a.sections] == list(SECTION_TITLES)
    assert [s.key for s in a.sections] == ["basic", "compliance", "security", "service", "summary"]


def test_findings_come_from_the_defects(golden_packages: tuple[PackageResult, PackageResult]) -> None:
    found = items(risk_of(golden_packages[0], "zh"))
    assert found["公司名称"][:2] == (OK, rf.COMPANY_A)
    assert found["统一社会信用代码"][:2] == (OK, "91110108551385082Q")
    staff = found["人员规模"]
    assert staff[0] == PROBLEM and "C103" in staff[2] and "4" in staff[1] and "5" in staff[1]
    assert found["社保缴纳"][0] == PROBLEM and "C102" in found["社保缴纳"][2]
    assert found["网络与信息安全保障措施材料"][0] == PROBLEM and found["网络与信息安全保障措施材料"][2] == ("D101",)
    assert found["服务质量及投诉处理材料"][0] == PROBLEM and set(found["服务质量及投诉处理材料"][2]) == {"N105", "N107"}
    assert found["必需材料齐全"][0] == PROBLEM and "网络与信息安全保障措施及执行情况" in found["必需材料齐全"][1]
    assert found["材料格式与命名"][0] == PROBLEM
    # the roster has errors (X112, X116): a figure counted from it is not confirmed
    assert found["网络安全责任人"][0] == MANUAL and set(found["网络安全责任人"][2]) == {"X112", "X116"}
    assert found["结论"][0] == PROBLEM
    actions = [label for label, (status, _, _) in found.items() if status == ACTION]
    assert any("D101" in a for a in actions) and any("C103" in a for a in actions)


def test_what_the_tool_cannot_judge_is_left_to_a_person(golden_packages: tuple[PackageResult, PackageResult]) -> None:
    for lang, todo in (("zh", "待人工填写"), ("en", "to be filled in")):
        found = items(risk_of(golden_packages[0], lang))
        manual = {label: text for label, (status, text, _) in found.items() if status == MANUAL}
        assert len(manual) >= 10
        assert all(todo in text for text in manual.values())
    zh = items(risk_of(golden_packages[0], "zh"))
    for label in ("防火墙与入侵防护", "客户满意度得分（满分 100）", "经营范围与许可一致", "联系人及电话"):
        assert zh[label][0] == MANUAL


def test_a_ready_folder_reads_clean(golden_packages: tuple[PackageResult, PackageResult]) -> None:
    a = risk_of(golden_packages[1], "zh")
    found = items(a)
    assert a.ready and a.problems == 1  # the one warning: an upper-case extension
    assert found["材料格式与命名"][0] == PROBLEM and found["材料格式与命名"][2] == ("N110",)
    assert found["人员规模"][:2] == (OK, "名单 6 人，承诺 3 人")
    assert found["社保缴纳"][:2] == (OK, "6 人由本公司缴纳社保")
    assert found["网络与信息安全保障措施材料"][0] == OK and found["结论"][0] == OK


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_risk_golden(lang: str, golden_packages: tuple[PackageResult, PackageResult]) -> None:
    a = risk_of(golden_packages[0], lang)
    md = render_markdown(a)
    assert md.count("- [ ] ") == a.manual_items
    check_golden(f"risk.{lang}.md", md)
    check_golden(f"risk.{lang}.html", render_html(a))


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "validator", *args], capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "LANG": "C.UTF-8"})


def test_risk_command(golden_packages: tuple[PackageResult, PackageResult], tmp_path: Path) -> None:
    folder = golden_packages[0].root
    out = tmp_path / "风险评估.html"
    done = cli("risk", folder, "--spec", "core", "--lang", "zh", "-o", str(out))
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and all(t in html for t in SECTION_TITLES)
    md = cli("risk", folder, "--spec", "core", "--lang", "en", "--format", "markdown")
    assert md.returncode == 0 and "## Risk assessment report" in md.stdout and "- [ ] " in md.stdout
    assert cli("risk", folder).returncode == 2  # no spec given and none in client.yaml


def test_check_writes_every_format_at_once(golden_packages: tuple[PackageResult, PackageResult],
                                           tmp_path: Path) -> None:
    """`--format NAME=FILE` repeated: every file written, each holding the same defects."""
    folder = golden_packages[0].root
    files = {n: tmp_path / f"r.{ext}" for n, ext in
             (("json", "json"), ("html", "html"), ("xlsx", "xlsx"), ("csv", "csv"), ("sarif", "sarif"),
              ("junit", "xml"), ("markdown", "md"))}
    args = [a for n, f in files.items() for a in ("--format", f"{n}={f}")]
    done = cli("check", folder, "--spec", "core", "--lang", "zh", *args)
    assert done.returncode == 1, done.stderr  # the folder has errors
    report = json.loads(files["json"].read_text(encoding="utf-8"))
    n = len(report["packages"][0]["defects"])
    assert n == len(golden_packages[0].defects)
    sarif = json.loads(files["sarif"].read_text(encoding="utf-8"))
    assert len(sarif["runs"][0]["results"]) == n
    raw_csv = files["csv"].read_bytes()
    assert raw_csv.startswith(b"\xef\xbb\xbf") and raw_csv.count(b"\r\n") == n + 1 and b"\r\r\n" not in raw_csv
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(files["xlsx"].read_bytes()))
    assert wb["问题"].max_row == n + 1
    junit = ET.parse(files["junit"]).getroot()
    assert int(junit.get("failures", "0")) > 0
    assert "检查结论" in files["html"].read_text(encoding="utf-8")
    assert files["markdown"].read_text(encoding="utf-8").startswith("## 材料检查报告")


def test_xlsx_to_stdout_is_the_same_workbook(golden_packages: tuple[PackageResult, PackageResult]) -> None:
    done = subprocess.run([sys.executable, "-m", "validator", "check", golden_packages[1].root, "--spec", "core",
                           "--format", "xlsx", "--lang", "en"], capture_output=True, timeout=300)
    assert done.returncode == 0 and done.stdout.startswith(b"PK\x03\x04")
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(done.stdout)).sheetnames[:2] == ["Summary", "Defects"]


def test_cli_import_stays_light() -> None:
    code = ("import sys, validator.cli; heavy = {'openpyxl', 'pandas', 'pypdf', 'magic', 'jsonschema'} "
            "& set(sys.modules); print(sorted(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
