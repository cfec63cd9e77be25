"""Waivers through the real CLI on a real pack: a waived defect stays in every report, marked
with its reason, and stops counting; expired, unused and malformed waivers are warnings pointing
at file:line:col; check, check --cache, batch and the hook agree."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import check_json, codes_of, run_cli
from tests.packs import build_pack

COPY = "01_年报承诺书(1).pdf"  # N107, the pack's one error
FUTURE = (dt.date.today() + dt.timedelta(days=365)).isoformat()
PAST = (dt.date.today() - dt.timedelta(days=1)).isoformat()
GOOD = f"""\
waivers:
  - code: N107
    path: "01_*.pdf"
    reason: 省局同意沿用
    approved_by: 张三
    expires: {FUTURE}
"""


@pytest.fixture(scope="module")
def clean_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pack(tmp_path_factory.mktemp("template") / "pack")


@pytest.fixture
def pack(clean_template: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "clients" / "acme"
    shutil.copytree(clean_template, dest)
    (dest / "01_年报承诺书.pdf").rename(dest / COPY)
    return dest


def waivers(folder: Path, text: str) -> Path:
    path = folder / "waivers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def defects(report: dict) -> list[dict]:
    return [d for p in report["packages"] for d in p["defects"]]


def test_without_waivers_the_copy_marker_fails(pack: Path) -> None:
    code, report = check_json(pack, "--spec", "core")
    assert codes_of(report) == ["N107"] and code == 1


def test_a_waived_defect_is_shown_marked_and_does_not_count(pack: Path) -> None:
    waivers(pack, GOOD)
    code, report = check_json(pack, "--spec", "core")
    assert code == 0
    (d,) = defects(report)
    assert d["code"] == "N107" and d["path"] == COPY
    assert d["waived"] == {"reason": "省局同意沿用", "approved_by": "张三", "expires": FUTURE,
                           "source": "waivers.yaml:2:5"}
    assert "waived: 省局同意沿用" in d["message"]
    pkg = report["packages"][0]
    assert pkg["ready"] is True and pkg["counts"] == {"error": 0, "warning": 0, "info": 0, "waived": 1}
    assert "waivers.yaml" not in {x["path"] for x in defects(report) if x["code"] == "D104"}
    text = run_cli("check", str(pack), "--spec", "core", "--lang", "zh")
    assert text.returncode == 0
    assert f"~ N107 文件名带有复制产生的后缀 (1)。〔已豁免：省局同意沿用；批准人 张三，有效期至 {FUTURE}" in text.stdout
    assert "另有 1 个已豁免" in text.stdout


def test_expired_unused_and_malformed_waivers_are_warnings_at_their_line(pack: Path) -> None:
    waivers(pack, f"""\
waivers:
  - code: N107
    path: "01_*.pdf"
    reason: 去年批准
    approved_by: 张三
    expires: {PAST}
  - code: P103
    document: business_licence
    reason: 旧扫描件
    approved_by: 李四
    expires: {FUTURE}
  - code: N106
    path: x
    reason: r
    approved_by: a
    expires: 明年
  - code: Q999
    path: x
    reason: r
    approved_by: a
    expires: {FUTURE}
  - code: N107
    paht: x
""")
    code, report = check_json(pack, "--spec", "core")
    assert code == 1  # the expired waiver no longer covers the copy marker
    by_code = {}
    for d in defects(report):
        by_code.setdefault(d["code"], []).append(d)
    assert "waived" not in by_code["N107"][0]
    (expired,) = by_code["W102"]
    assert expired["severity"] == "warning" and expired["path"] == "waivers.yaml"
    assert expired["message"].startswith(f"waivers.yaml:2:5: the waiver for N107 expired on {PAST}")
    (unused,) = by_code["W103"]
    assert unused["message"].startswith("waivers.yaml:7:5: the waiver for P103 matches no defect")
    invalid = sorted(d["message"] for d in by_code["W101"])
    assert invalid == [
        "waivers.yaml:16:14: this waiver is not valid and was ignored: "
        "expires must be a date such as 2026-06-30, not 明年.",
        "waivers.yaml:17:11: this waiver is not valid and was ignored: unknown defect code Q999.",
        "waivers.yaml:23:5: this waiver is not valid and was ignored: unknown key paht "
        "(known: code, path, document, reason, approved_by, expires, folder).",
    ]


@pytest.mark.parametrize("left", [0, 13])
def test_a_used_waiver_near_its_end_is_announced_without_failing_the_check(pack: Path, left: int) -> None:
    soon = (dt.date.today() + dt.timedelta(days=left)).isoformat()
    waivers(pack, GOOD.replace(FUTURE, soon))
    code, report = check_json(pack, "--spec", "core")
    assert code == 0  # still waived: the expiry date is the waiver's last day
    (note,) = [d for d in defects(report) if d["code"] == "W104"]
    assert note["severity"] == "info" and note["path"] == "waivers.yaml"
    assert note["message"].startswith(f"waivers.yaml:2:5: the waiver for N107 ends on {soon} ({left + 1} days left)")
    zh = run_cli("check", str(pack), "--spec", "core", "--lang", "zh").stdout
    assert f"将于 {soon} 到期（还剩 {left + 1} 天）" in zh


def test_a_waiver_far_from_its_end_is_not_announced(pack: Path) -> None:
    waivers(pack, GOOD.replace(FUTURE, (dt.date.today() + dt.timedelta(days=14)).isoformat()))
    _, report = check_json(pack, "--spec", "core")
    assert "W104" not in codes_of(report)


@pytest.mark.parametrize("text, where", [
    ("waivers:\n  - code: N107\n    path: [unclosed\n", "waivers.yaml:4:1"),
    ("a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
     "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n", "waivers.yaml:5:"),
])
def test_broken_yaml_is_one_warning_with_its_place(pack: Path, text: str, where: str) -> None:
    waivers(pack, text)
    code, report = check_json(pack, "--spec", "core")
    assert code == 1
    (w101,) = [d for d in defects(report) if d["code"] == "W101"]
    assert w101["message"].startswith(where), w101["message"]
    zh = run_cli("check", str(pack), "--spec", "core", "--lang", "zh").stdout
    assert "YAML 格式错误" in zh and "invalid YAML" not in zh


def test_waivers_file_given_on_the_command_line(pack: Path, tmp_path: Path) -> None:
    outside = tmp_path / "accepted.yaml"
    outside.write_text(GOOD, encoding="utf-8")
    waivers(pack, "waivers: []\n")  # --waivers replaces the folder's own file
    code, report = check_json(pack, "--spec", "core", "--waivers", str(outside))
    assert code == 0
    (d,) = defects(report)
    assert d["waived"]["source"] == f"{outside}:2:5"
    missing = run_cli("check", str(pack), "--spec", "core", "--waivers", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2


def test_the_cache_gives_the_same_report(pack: Path, tmp_path: Path) -> None:
    waivers(pack, GOOD)
    env = {"VALIDATOR_CACHE_DIR": str(tmp_path / "cache")}
    plain = json.loads(run_cli("check", str(pack), "--spec", "core", "-f", "json", env=env).stdout)
    for _ in range(2):
        cached = run_cli("check", str(pack), "--spec", "core", "-f", "json", "--cache", env=env)
        assert cached.returncode == 0
        assert json.loads(cached.stdout)["packages"] == plain["packages"]


def test_machine_formats_mark_the_waiver(pack: Path, tmp_path: Path) -> None:
    waivers(pack, GOOD)
    out = tmp_path / "out"
    out.mkdir()
    proc = run_cli("check", str(pack), "--spec", "core", "--lang", "en",
                   "-f", f"sarif={out / 'r.sarif'}", "-f", f"junit={out / 'r.xml'}", "-f", f"html={out / 'r.html'}",
                   "-f", f"markdown={out / 'r.md'}")
    assert proc.returncode == 0, proc.stderr
    log = json.loads((out / "r.sarif").read_text(encoding="utf-8"))
    schema = json.loads((Path(__file__).parent / "formats" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)  # suppressions as the official schema has them
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "N107"
    assert result["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "省局同意沿用",
                                       "properties": {"approvedBy": "张三", "expires": FUTURE,
                                                      "source": "waivers.yaml:2:5"}}]
    suites = ET.parse(out / "r.xml").getroot()
    assert suites.get("failures") == "0"
    assert "N107" in ET.tostring(suites, encoding="unicode") and "waived: 省局同意沿用" in (out / "r.xml").read_text()
    html = (out / "r.html").read_text(encoding="utf-8")
    assert 'class="error waived"' in html and "waived: 省局同意沿用" in html
    assert "waived: 省局同意沿用" in (out / "r.md").read_text(encoding="utf-8")


def test_batch_rolls_up_waived_counts(pack: Path) -> None:
    root = pack.parent
    shutil.copytree(pack, root / "beta")
    waivers(pack, GOOD)
    proc = run_cli("batch", str(root), "--spec", "core", "-f", "json", "--lang", "en", "--executor", "serial",
                   "--quiet")
    assert proc.returncode == 1  # beta has no waiver
    report = json.loads(proc.stdout)
    assert report["summary"]["waived"] == 1 and report["summary"]["error"] == 1
    rows = {r["client"]: r for r in report["rollup"]}
    assert rows["acme"]["counts"]["waived"] == 1 and rows["acme"]["ready"] is True
    table = run_cli("batch", str(root), "--spec", "core", "--lang", "en", "--executor", "serial", "--quiet")
    assert "waived" in table.stdout.splitlines()[0] and "1 waived." in table.stdout

    shared = root.parent / "shared-waivers.yaml"  # one file for all: `folder:` picks the client
    shared.write_text(GOOD + "    folder: acme\n", encoding="utf-8")
    (pack / "waivers.yaml").unlink()
    proc = run_cli("batch", str(root), "--spec", "core", "-f", "json", "--executor", "serial", "--quiet",
                   "--waivers", str(shared))
    summary = json.loads(proc.stdout)["summary"]
    assert summary["waived"] == 1 and summary["warning"] == 0  # not "unused" in beta


def test_the_hook_does_not_fail_on_a_waived_defect(pack: Path) -> None:
    waivers(pack, GOOD)
    base = pack.parent
    proc = run_cli("hook", "--spec", "core", "--no-cache", "--lang", "en", "--", f"acme/{COPY}", cwd=base)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"acme/{COPY}: N107" in proc.stdout and "waived: 省局同意沿用" in proc.stdout
    (pack / "waivers.yaml").unlink()
    assert run_cli("hook", "--spec", "core", "--no-cache", "--", f"acme/{COPY}", cwd=base).returncode == 1


def test_fix_leaves_a_waived_name_alone(pack: Path, tmp_path: Path) -> None:
    waivers(pack, GOOD)
    env = {"VALIDATOR_CACHE_DIR": str(tmp_path / "cache")}
    proc = run_cli("fix", str(pack), "--spec", "core", "--lang", "en", env=env)
    assert proc.returncode == 0 and "No file name to fix" in proc.stdout
    (pack / "waivers.yaml").unlink()
    assert run_cli("fix", str(pack), "--spec", "core", env=env).returncode == 1
