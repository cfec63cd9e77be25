"""Spec loading: the issue's example as written, extends, and refusals with file:line:col."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from validator.spec import SpecError, load_spec
from validator.spec.model import CountRange, parse_size

MINIMAL = """\
id: mini
title: 最小规范
variables:
  company: {title: 公司全称, required: true}
documents:
  - id: lic
    title: 营业执照
    name: "02_营业执照_{company}.pdf"
    types: [pdf]
"""


def test_issue_example_loads_as_written() -> None:
    spec = load_spec(str(ROOT / "specs" / "demo-call-center.yaml"))
    assert spec.id == "demo-call-center"
    assert spec.chain == ("core",)
    # documents merge by id: the demo's business_licence replaces core's, the others stay.
    lic = spec.document("business_licence")
    assert lic is not None and lic.pdf is not None and str(lic.pdf.pages) == "1-5"
    roster = spec.document("staff_roster")
    assert roster is not None and roster.sheet is not None
    assert [c.name for c in roster.sheet.columns] == ["序号", "姓名", "身份证号码", "岗位类别", "手机号码", "入职日期"]
    assert spec.document("commitment") is not None  # inherited from core
    assert spec.naming.forbid == {"fullwidth", "whitespace", "copy_suffix"}


def test_extends_by_relative_path_and_remove(write_spec) -> None:
    write_spec(MINIMAL, "base.yaml")
    child = write_spec(
        "id: child\ntitle: c\nextends: base.yaml\ndocuments:\n"
        "  - {id: lic, max_size: 2MB}\n"
        "  - {id: extra, title: 附加, name: x.pdf}\n",
        "child.yaml",
    )
    spec = load_spec(str(child))
    lic = spec.document("lic")
    assert lic is not None and lic.max_size == 2 * 1024 * 1024 and lic.types == ("pdf",)
    assert [d.id for d in spec.documents] == ["lic", "extra"]
    removed = write_spec("id: r\ntitle: r\nextends: base.yaml\ndocuments:\n  - {id: lic, remove: true}\n", "r.yaml")
    assert load_spec(str(removed)).documents == ()


def problems_of(path: Path) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_spec(str(path))
    return str(info.value).splitlines()


@pytest.mark.parametrize(
    ("text", "line_col", "words"),
    [
        ("id: a\ntitle: t\ndocuments: []\nsurprise: 1\n", "4:1", "unknown key 'surprise'"),
        (
            "id: a\ntitle: t\ndocuments:\n  - {id: d, title: D, name: 'x_{who}.pdf'}\n",
            "4:29",
            "unknown variable '{who}'",
        ),
        (
            "id: a\ntitle: t\ndocuments:\n  - {id: d, title: D, name: x.pdf, types: [pfd]}\n",
            "4:44",
            "did you mean 'pdf'",
        ),
        ("id: a\ntitle: t\ndocuments:\n  - {id: d, title: D, name: x.pdf, count: many}\n", "4:43", "count"),
        ("id: a\ntitle: t\ndocuments:\n  - {id: d, name: x.pdf}\n", "4:5", "missing required key 'title'"),
        ("id: a\ntitle: t\ndocuments:\n  - {id: d, title: D}\n", "4:5", "needs one of name, regex"),
        ("id: a\ntitle: t\ndocuments: [\n", "4:1", "invalid YAML"),
        ("id: a\nid: b\ntitle: t\ndocuments: []\n", "2:1", "duplicate key 'id'"),
        ("id: a\ntitle: t\nnaming: {forbid: [tabs]}\ndocuments: []\n", "3:19", "'tabs' is not one of"),
        ("id: a\ntitle: t\nseverity: {Z999: ignore}\ndocuments: []\n", "3:12", "unknown defect code"),
        ("id: a\ntitle: t\ndocuments:\n  - {id: d, title: D, regex: '(['}\n", "4:30", "regular expression"),
        ("id: a\ntitle: t\ndocuments: []\nx: \"a\x00b\"\n", "4:6", "control character U+0000"),
        ("id: a\ntitle: t\ndocuments:\n  - {id: d, title: D, name: x.pdf, count: 3-1}\n", "4:43", "upper bound"),
        (
            "id: a\ntitle: t\ndocuments:\n  - {id: d, title: D, name: x.xlsx, sheet: {min_rows: 5, max_rows: 2}}\n",
            "4:55",
            "min_rows: larger than max_rows (5 > 2)",
        ),
        (
            "id: a\ntitle: t\ndocuments:\n  - id: d\n    title: D\n    name: x.xlsx\n"
            "    sheet: {columns: [{name: 金额, min: 10, max: 1}]}\n",
            "7:39",
            "columns[金额].min: larger than max (10 > 1)",
        ),
    ],
)
def test_bad_spec_is_refused_with_position(write_spec, text: str, line_col: str, words: str) -> None:
    path = write_spec(text)
    lines = problems_of(path)
    assert any(line.startswith(f"{path}:{line_col}:") and words in line for line in lines), lines


def test_every_problem_is_reported_at_once(write_spec) -> None:
    path = write_spec(
        "id: a\ntitle: t\nbogus: 1\ndocuments:\n  - {id: d, title: D, name: x.pdf, types: [pfd]}\n"
        "  - {id: d, title: E, name: y.pdf}\n"
    )
    lines = problems_of(path)
    assert len(lines) == 3, lines


def test_cli_spec_error_exits_2_without_traceback(write_spec, tmp_path: Path) -> None:
    path = write_spec("id: a\ntitle: t\ndocuments:\n  - {id: d, title: D, name: 'x_{who}.pdf'}\n")
    proc = run_cli("check", str(tmp_path), "--spec", str(path))
    assert proc.returncode == 2
    assert f"{path}:4:" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("specs", "check", "--lang", "en", str(path))
    assert proc.returncode == 2 and "unknown variable" in proc.stderr


def test_unknown_builtin_spec_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("check", str(tmp_path), "--spec", "call-centre-typo", "--lang", "en")
    assert proc.returncode == 2 and "unknown spec" in proc.stderr


def test_sizes_and_counts() -> None:
    assert parse_size("10MB") == 10 * 1024 * 1024
    assert parse_size("1.5 KB") == 1536
    assert parse_size(512) == 512
    r = CountRange.parse("1-3")
    assert 1 in r and 3 in r and 4 not in r and 0 not in r
    assert 99 in CountRange.parse("1+")
    assert str(CountRange.parse(2)) == "2"


def test_json_schema_validates_builtin_specs() -> None:
    import jsonschema
    import yaml

    proc = run_cli("specs", "schema")
    schema = json.loads(proc.stdout)
    for path in (ROOT / "specs").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"id": "x", "title": "t", "documents": [], "nope": 1}, schema)
