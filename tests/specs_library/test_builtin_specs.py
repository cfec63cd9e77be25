"""The built-in spec library: listed, valid, documented defaults, and extensible by id."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from validator.spec import SpecError, builtin_ids, load_spec

SPECS_DIR = ROOT / "specs"
LICENCES = {"core": "ALL", "call-center": "B24", "icp": "B25", "idc": "B11", "edi": "B21", "isp": "B14", "sp": "B25"}
# Keys whose values are limits we chose: each line must say (default) or cite its (agency) source.
LIMIT_KEYS = re.compile(r"^\s*-?\s*(max_size|min_size|max_length|max_path_length|min_rows):|pages:")


def test_specs_list_shows_every_licence_type() -> None:
    proc = run_cli("specs", "list")
    assert proc.returncode == 0, proc.stderr
    rows = {line.split()[0]: line.split()[1:] for line in proc.stdout.splitlines() if line.strip()}
    for spec_id, licence in LICENCES.items():
        assert spec_id in rows, proc.stdout
        assert rows[spec_id][0] == licence and rows[spec_id][1] == "2026.1", rows[spec_id]
        assert "broken" not in " ".join(rows[spec_id])


def test_every_builtin_spec_passes_specs_check() -> None:
    files = sorted(str(p) for p in SPECS_DIR.glob("*.yaml"))
    proc = run_cli("specs", "check", "--lang", "en", *files)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(": ok (") == len(files) == len(builtin_ids())


@pytest.mark.parametrize("spec_id", sorted(LICENCES))
def test_builtin_spec_shape(spec_id: str) -> None:
    spec = load_spec(spec_id)
    assert spec.version and spec.year == 2025 and spec.licence == LICENCES[spec_id]
    if spec_id != "core":
        assert spec.chain == ("core",)
    ids = [d.id for d in spec.documents]
    assert ids[:10] == ["commitment", "business_licence", "telecom_licence", "audit_report", "operating_report",
                        "security_measures", "service_quality", "shareholding", "staff_roster", "social_insurance"]
    # the NN_标题 convention: numbers continue after core's 01-10, each used once
    numbers = [d.pattern.source.split("_", 1)[0] for d in spec.documents]
    assert all(re.fullmatch(r"\d\d", n) for n in numbers) and len(set(numbers)) == len(numbers)
    assert numbers[10:] == [f"{n:02d}" for n in range(11, 11 + len(numbers) - 10)]
    for doc in spec.documents:
        assert re.search(r"[\u4e00-\u9fff]", doc.title) and doc.types


@pytest.mark.parametrize("path", sorted(p.name for p in SPECS_DIR.glob("*.yaml") if p.stem != "demo-call-center"))
def test_every_limit_says_whether_it_is_our_default(path: str) -> None:
    unmarked = [line for line in (SPECS_DIR / path).read_text(encoding="utf-8").splitlines()
                if LIMIT_KEYS.search(line) and "(default)" not in line and "(agency)" not in line]
    assert unmarked == []


def test_spreadsheets_have_full_layouts() -> None:
    def columns(spec_id: str, doc_id: str) -> list[str]:
        doc = load_spec(spec_id).document(doc_id)
        assert doc is not None and doc.sheet is not None
        return [c.name for c in doc.sheet.columns]

    assert columns("core", "staff_roster") == [
        "序号", "姓名", "身份证号码", "岗位类别", "职务", "学历", "专业", "手机号码", "入职日期", "社保缴纳单位",
        "社保最近缴费月份", "网络安全责任人"]
    assert columns("call-center", "seats_numbers") == [
        "坐席编号", "职场名称", "职场地址", "坐席类型", "是否开通", "接入号码", "中继运营商", "中继数量", "录音",
        "录音保存天数"]
    assert columns("idc", "rooms_ip") == [
        "机房名称", "机房地址", "所在省份", "机房性质", "机房提供方统一社会信用代码", "机柜数", "出口带宽(Gbps)",
        "起始IP", "终止IP", "用途"]
    assert columns("icp", "site_list")[:7] == ["序号", "网站名称", "域名", "ICP备案号", "接入服务商", "服务器所在地",
                                               "服务内容"]
    icp = load_spec("icp").document("site_list")
    assert icp is not None and icp.sheet is not None
    domain = next(c for c in icp.sheet.columns if c.name == "域名")
    record = next(c for c in icp.sheet.columns if c.name == "ICP备案号")
    assert domain.type == "domain" and domain.unique and record.type == "icp_record"


def test_builtin_specs_use_the_cross_field_rules() -> None:
    def rules(spec_id: str, doc_id: str) -> dict[str, str]:
        doc = load_spec(spec_id).document(doc_id)
        assert doc is not None and doc.sheet is not None
        return {r.id: r.kind for r in doc.sheet.rules}

    assert rules("call-center", "staff_roster") == {
        "security-officer": "count", "insured-by-company": "expect", "staff-committed": "count",
        "insured-at-company": "count"}
    assert rules("call-center", "seats_numbers")["opened-within-licence"] == "count"
    assert rules("idc", "rooms_ip") == {"provider-when-leased": "require", "self-built-provider": "expect",
                                        "ip-ranges": "ip_ranges"}
    assert [r.kind for r in load_spec("icp").rules] == ["require_documents"]


# --- a user's spec extends a built-in by id ------------------------------------------------------

USER_SPEC = """\
id: shanghai-call-center
title: 上海呼叫中心年报材料（本省要求）
extends: call-center
version: "2026.1-sh"
year: 2025
documents:
  - id: system_screenshots
    count: 6+                   # the province wants two more screenshots
    max_size: 5MB
  - id: staff_roster
    sheet:
      rules:
        - {id: insured-at-company, count: {min: 5}}       # stricter than the built-in 3
        - {id: insured-by-company, severity: error}        # a warning made an error
        - {id: security-officer, remove: true}             # dropped
        - id: managers
          title: 至少一名管理人员
          when: {column: 岗位类别, equals: 管理}
          count: {min: 1}
  - id: site_photos
    title: 职场照片
    name: "15_职场照片_*.jpg"
    count: 2+
    types: [jpg]
"""


def test_user_spec_extends_a_builtin_by_id(tmp_path: Path) -> None:
    path = tmp_path / "shanghai.yaml"
    path.write_text(USER_SPEC, encoding="utf-8")
    proc = run_cli("specs", "check", str(path))
    assert proc.returncode == 0, proc.stderr
    spec = load_spec(str(path))
    assert spec.chain == ("call-center", "core") and spec.version == "2026.1-sh"
    shots = spec.document("system_screenshots")
    assert shots is not None and shots.count.min == 6 and shots.max_size == 5 * 1024 * 1024
    assert shots.min_size == 100 * 1024 and shots.types == ("jpg", "png")  # the rest is inherited
    roster = spec.document("staff_roster")
    assert roster is not None and roster.sheet is not None
    rules = {r.id: r for r in roster.sheet.rules}
    assert set(rules) == {"insured-by-company", "staff-committed", "insured-at-company", "managers"}
    assert rules["insured-at-company"].count_min == 5 and rules["insured-at-company"].when is not None
    assert rules["insured-by-company"].severity == "error" and rules["insured-by-company"].kind == "expect"
    assert [d.id for d in spec.documents][-1] == "site_photos"
    shown = run_cli("specs", "show", str(path))
    assert shown.returncode == 0 and "insured-at-company" in shown.stdout and "managers" in shown.stdout


def test_user_spec_errors_point_into_the_users_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(USER_SPEC.replace("when: {column: 岗位类别", "when: {column: 岗位"), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(str(path))
    assert f"{path}:18:" in str(info.value) and "unknown column '岗位'" in str(info.value)


def test_a_child_that_redefines_columns_drops_inherited_rules_on_them() -> None:
    demo = load_spec("demo-call-center")  # its roster has no 社保缴纳单位 / 网络安全责任人 columns
    roster = demo.document("staff_roster")
    assert roster is not None and roster.sheet is not None
    assert [r.id for r in roster.sheet.rules] == ["staff-committed"]


def test_json_schema_accepts_every_builtin_spec_file() -> None:
    import jsonschema
    import yaml

    proc = run_cli("specs", "schema")
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    validator = jsonschema.Draft202012Validator(schema)
    for path in SPECS_DIR.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], (path.name, errors)
    bad = yaml.safe_load(USER_SPEC.replace("count: {min: 5}", "count: {least: 5}"))
    assert list(validator.iter_errors(bad))
