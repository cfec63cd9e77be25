"""`validator init`: a spec drafted from a known-good folder checks that folder clean (round trip),
generalises to another client's pack, reports a messy variant's differences, extends a base spec
with only what is new, and survives a hostile folder. Real files, the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from fixtures import makers as mk
from tests.conftest import ROOT, run_cli
from tests.packs import COMPANY, build_pack

EXAMPLES = ROOT / "fixtures" / "examples"
OTHER_COMPANY = "上海别家信息技术有限公司"
OTHER_USCC = mk.valid_uscc(7)


def _pack_with_family(folder: Path) -> Path:
    """The core pack plus twelve numbered screenshots (one document with a count)."""
    build_pack(folder)
    for i in range(1, 13):
        mk.make_png(folder / f"11_截图_{i:02d}.png", 200 + i, 150, seed=i)
    return folder


def _draft(folder: Path, out: Path, *extra: str) -> tuple[dict, str]:
    r = run_cli("init", str(folder), "-o", str(out), *extra)
    assert r.returncode == 0, r.stderr + (out.read_text(encoding="utf-8") if out.exists() else "")
    assert "Traceback" not in r.stderr
    text = out.read_text(encoding="utf-8")
    return yaml.safe_load(text), text


def _check(folder: Path, spec: Path) -> tuple[int, list[dict]]:
    r = run_cli("check", str(folder), "--spec", str(spec), "--format", "json")
    assert r.returncode in (0, 1), r.stderr
    defects = json.loads(r.stdout)["packages"][0]["defects"]
    return r.returncode, defects


def _doc(spec: dict, name_part: str) -> dict:
    found = [d for d in spec["documents"] if name_part in (d.get("name") or d.get("regex") or "")]
    assert len(found) == 1, (name_part, [d.get("name") for d in spec["documents"]])
    return found[0]


# ------------------------------------------------------------------------------- round trip


@pytest.fixture(scope="module")
def family_pack(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict, str]:
    base = tmp_path_factory.mktemp("init")
    folder = _pack_with_family(base / "样板")
    out = base / "draft.yaml"
    spec, text = _draft(folder, out)
    return folder, out, spec, text


def test_round_trip_on_the_generated_pack(family_pack: tuple[Path, Path, dict, str]) -> None:
    folder, out, _, _ = family_pack
    assert run_cli("specs", "check", str(out)).returncode == 0
    code, defects = _check(folder, out)
    assert (code, defects) == (0, [])


def test_names_generalise_the_clients_values(family_pack: tuple[Path, Path, dict, str]) -> None:
    _, _, spec, _ = family_pack
    assert _doc(spec, "营业执照")["name"] == "02_营业执照_{company}.pdf"
    assert _doc(spec, "审计报告")["name"] == "04_审计报告_{year}.pdf"
    assert _doc(spec, "人员名单")["name"] == "09_人员名单_{year}.xlsx"
    assert spec["variables"]["company"]["required"] is True
    assert spec["variables"]["uscc"]["type"] == "uscc"


def test_numbered_files_are_one_document_with_a_count(family_pack: tuple[Path, Path, dict, str]) -> None:
    _, _, spec, _ = family_pack
    shots = _doc(spec, "截图")
    assert shots["name"] == "11_截图_*.png"
    assert shots["count"] == "6+"
    assert shots["types"] == ["png"]
    # the two social-insurance proofs (a JPEG and a PNG) are one document of either type
    proof = _doc(spec, "社保缴纳证明")
    assert proof["name"] == "10_社保缴纳证明*.*" and proof["types"] == ["jpg", "png"]
    assert len([d for d in spec["documents"] if "截图" in d["name"]]) == 1


def test_content_rules_with_margins_and_a_comment_on_every_guess(family_pack: tuple[Path, Path, dict, str]) -> None:
    folder, _, spec, text = family_pack
    audit = _doc(spec, "审计报告")
    assert audit["pdf"] == {"encrypted": False, "pages": "1-6"}  # 3 pages seen
    assert audit["types"] == ["pdf"]
    size = (folder / "04_审计报告_2025.pdf").stat().st_size
    from validator.spec.model import parse_size

    assert parse_size(audit["max_size"]) >= 4 * size
    assert _doc(spec, "经营情况报告")["types"] == ["docx"]
    roster = _doc(spec, "人员名单")["sheet"]
    assert roster["name"] == "人员名单" and roster["header_row"] == 1
    cols = {c["name"]: c for c in roster["columns"]}
    assert list(cols)[:3] == ["序号", "姓名", "身份证号码"]
    assert cols["身份证号码"]["type"] == "cn_id" and cols["身份证号码"]["unique"] is True
    assert cols["手机号码"]["type"] == "cn_mobile"
    assert cols["入职日期"]["type"] == "date"
    assert cols["社保最近缴费月份"]["type"] == "month"
    assert cols["序号"]["type"] == "integer"
    assert "enum" not in cols["岗位类别"]  # 5 rows are too few to guess a closed list
    # every key of every document and column line carries a comment, except fixed defaults
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("- {name:", "name:", "types:", "max_size:", "count:", "pdf:", "header_row:")):
            assert "  # " in line, line


def test_the_draft_fits_another_client_of_the_same_kind(tmp_path: Path,
                                                      family_pack: tuple[Path, Path, dict, str]) -> None:
    """{company}, {uscc} and {year} are slots: another company's pack, named after its own
    values, checks clean against the same draft."""
    folder, out, _, _ = family_pack
    other = tmp_path / "别家"
    shutil.copytree(folder, other)
    (other / f"02_营业执照_{COMPANY}.pdf").rename(other / f"02_营业执照_{OTHER_COMPANY}.pdf")
    for old in other.glob("*2025*"):
        old.rename(other / old.name.replace("2025", "2026"))
    mk.make_xlsx(other / "09_人员名单_2026.xlsx", {"人员名单": mk.make_roster_rows(7, OTHER_COMPANY, seed=3)},
                 text_columns={2, 7})
    (other / "client.yaml").write_text(
        f"company: {OTHER_COMPANY}\nuscc: {OTHER_USCC}\nlicence_no: 沪B2-20190321\nyear: '2026'\n", encoding="utf-8")
    code, defects = _check(other, out)
    assert (code, defects) == (0, [])


@pytest.mark.parametrize("example", ["call-center-clean", "idc-clean", "sp-clean", "icp-clean"])
def test_round_trip_on_the_bundled_examples(tmp_path: Path, example: str) -> None:
    out = tmp_path / "draft.yaml"
    _draft(EXAMPLES / example, out)
    assert run_cli("specs", "check", str(out)).returncode == 0
    assert _check(EXAMPLES / example, out) == (0, [])


# ------------------------------------------------------------------------------- messy variant


def test_a_messy_variant_reports_its_differences(tmp_path: Path, family_pack: tuple[Path, Path, dict, str]) -> None:
    folder, out, _, _ = family_pack
    messy = tmp_path / "messy"
    shutil.copytree(folder, messy)
    (messy / "07_服务质量及投诉处理.pdf").rename(messy / "服务质量报告.pdf")            # renamed
    (messy / "08_股权结构.pdf").unlink()                                               # missing
    mk.make_jpeg(messy / "06_网络与信息安全保障措施.pdf", 300, 300)                     # wrong type
    rows = mk.make_roster_rows(5, COMPANY)
    rows[2][2] = rows[2][2][:-1] + ("0" if rows[2][2][-1] != "0" else "1")            # bad check digit
    mk.make_xlsx(messy / "09_人员名单_2025.xlsx", {"人员名单": rows}, text_columns={2, 7})
    code, defects = _check(messy, out)
    assert code == 1
    by_file = {(d["code"], d["path"]) for d in defects}
    missing = {d["params"]["title"] for d in defects if d["code"] == "D101"}
    assert {"股权结构", "服务质量及投诉处理"} <= missing                                  # missing, and renamed away
    assert any(f == "服务质量报告.pdf" for _, f in by_file)                              # the renamed file
    assert ("T102", "06_网络与信息安全保障措施.pdf") in by_file
    assert ("X116", "09_人员名单_2025.xlsx") in by_file


# ------------------------------------------------------------------------------- --extends


def test_extends_drafts_nothing_the_base_already_has(tmp_path: Path) -> None:
    out = tmp_path / "ext.yaml"
    spec, _ = _draft(EXAMPLES / "call-center-clean", out, "--extends", "call-center")
    assert spec["extends"] == "call-center"
    assert spec["documents"] == []
    assert _check(EXAMPLES / "call-center-clean", out) == (0, [])


def test_extends_drafts_new_and_different_documents(tmp_path: Path) -> None:
    folder = tmp_path / "本省"
    shutil.copytree(EXAMPLES / "call-center-clean", folder)
    mk.make_pdf(folder / "15_信用承诺书.pdf", 2, "信用承诺书")                          # new in this province
    for shot in folder.glob("13_系统截图_*.jpg"):                       # small PNG screenshots here
        shot.unlink()
    for i, what in enumerate(["IVR", "排队", "录音", "坐席", "质检"], 1):
        mk.make_png(folder / f"13_系统截图_{what}.png", 300, 200, seed=i)
    (folder / "14_防骚扰承诺书.pdf").unlink()                                           # not asked for
    out = tmp_path / "ext.yaml"
    spec, text = _draft(folder, out, "--extends", "call-center")
    ids = {d["id"]: d for d in spec["documents"]}
    assert _doc(spec, "信用承诺书")["name"] == "15_信用承诺书.pdf"
    assert set(ids) == {"doc15", "system_screenshots", "anti_harassment"}, text
    assert ids["anti_harassment"] == {"id": "anti_harassment", "required": False}
    shots = ids["system_screenshots"]  # below the base's 100KB: only the lower size limit is overridden
    assert set(shots) == {"id", "min_size"} and "name" not in shots
    assert _check(folder, out) == (0, [])


def test_extends_a_spec_file_by_a_path_relative_to_the_draft(tmp_path: Path) -> None:
    base = tmp_path / "specs" / "mine.yaml"
    base.parent.mkdir()
    base.write_text((ROOT / "specs" / "call-center.yaml").read_text(encoding="utf-8").replace(
        "id: call-center", "id: mine"), encoding="utf-8")
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "draft.yaml"
    spec, _ = _draft(EXAMPLES / "call-center-clean", out, "--extends", str(base))
    assert spec["extends"] == "../specs/mine.yaml"
    assert _check(EXAMPLES / "call-center-clean", out) == (0, [])


# ------------------------------------------------------------------------------- the command


def test_stdout_without_output_and_english_comments() -> None:
    r = run_cli("init", str(EXAMPLES / "isp-clean"), "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# Draft spec written by `validator init`")
    assert "由 `validator init`" not in r.stdout
    assert yaml.safe_load(r.stdout)["documents"]


def test_zh_is_the_default_language() -> None:
    r = run_cli("init", str(EXAMPLES / "isp-clean"))
    assert r.returncode == 0 and r.stdout.startswith("# 由 `validator init`")


def test_output_inside_the_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "good"
    shutil.copytree(EXAMPLES / "isp-clean", folder)
    before = sorted(p.name for p in folder.iterdir())
    r = run_cli("init", str(folder), "-o", str(folder / "spec.yaml"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert sorted(p.name for p in folder.iterdir()) == before


def test_output_errors_exit_2(tmp_path: Path) -> None:
    r = run_cli("init", str(EXAMPLES / "isp-clean"), "-o", str(tmp_path / "no" / "such" / "x.yaml"))
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_an_unknown_base_is_a_spec_error() -> None:
    r = run_cli("init", str(EXAMPLES / "isp-clean"), "--extends", "no-such-spec")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_help_shows_examples_and_exit_codes() -> None:
    r = run_cli("init", "--help")
    assert r.returncode == 0
    assert "validator init 样板材料/ --extends call-center" in r.stdout
    assert "Exit status 0" in r.stdout and "1:" in r.stdout and "2:" in r.stdout


# ------------------------------------------------------------------------------- sheets


def test_header_below_a_title_row_and_ids_stored_as_numbers(tmp_path: Path) -> None:
    folder = tmp_path / "表"
    folder.mkdir()
    rows: list[list[object]] = [["2025年度接入资源表", None, None], ["序号", "身份证号码", "开通日期"]]
    for i in range(1, 6):
        rows.append([i, int(mk.valid_cn_id(i)), f"2025-0{i}-01"])
    mk.make_xlsx(folder / "01_资源表.xlsx", {"资源": rows})
    out = tmp_path / "d.yaml"
    spec, text = _draft(folder, out)
    sheet = spec["documents"][0]["sheet"]
    assert sheet["header_row"] == 2
    cols = {c["name"]: c for c in sheet["columns"]}
    assert cols["身份证号码"]["type"] == "number"  # stored as numbers: cn_id would fail this very folder
    assert "cn_id" in next(line for line in text.splitlines() if "身份证号码" in line)
    assert cols["开通日期"]["type"] == "date"
    assert _check(folder, out) == (0, [])


# ------------------------------------------------------------------------------- hostile folder


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, symlinks and undecodable names are POSIX")
def test_a_hostile_folder_drafts_without_a_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    mk.make_pdf(folder / "01_正常.pdf", 1, "正常")
    mk.make_pdf(folder / "02_{company}*.pdf", 1, "花括号")
    (folder / "03_空文件.pdf").write_bytes(b"")
    (folder / "04_坏的.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    (folder / "05_坏表.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "06_换行\n名字.pdf").write_bytes(b"%PDF-1.4\n")
    os.mkfifo(folder / "07_管道.pdf")
    (folder / "08_外链.pdf").symlink_to("/etc/passwd")
    (folder / "09_内链.pdf").symlink_to(folder / "01_正常.pdf")
    (folder / "10_悬空.pdf").symlink_to(folder / "nowhere")
    os.symlink(folder, folder / "11_回环")
    name = os.fsencode(folder) + b"/12_\xb9\xab\xcb\xbe.pdf"  # GBK bytes: not UTF-8
    with open(name, "wb") as f:
        f.write(b"%PDF-1.4\n")
    (folder / ("13_" + "长" * 80 + ".pdf")).write_bytes(b"x" * 10)
    deep = folder
    for i in range(60):
        deep = deep / f"d{i}"
    deep.mkdir(parents=True)
    mk.make_png(deep / "14_深处.png", 20, 20)
    (folder / "client.yaml").write_text("company: [not, a, value]\nyear: 2025\n", encoding="utf-8")
    for lang in ("zh", "en"):
        out = tmp_path / f"draft-{lang}.yaml"
        r = run_cli("init", str(folder), "-o", str(out), "--lang", lang)
        assert r.returncode in (0, 1), r.stderr
        assert "Traceback" not in r.stderr
        assert run_cli("specs", "check", str(out)).returncode == 0, out.read_text(encoding="utf-8")
        spec = yaml.safe_load(out.read_text(encoding="utf-8"))
        assert any(d.get("regex") for d in spec["documents"])  # the name holding { } *
        r = run_cli("check", str(folder), "--spec", str(out))
        assert "Traceback" not in r.stderr
    assert not (folder / "draft.yaml").exists()


def test_every_comment_template_formats_in_both_languages() -> None:
    """A stray brace in one template is a crash on the one folder that needs that comment."""
    import string

    from validator.drafting.words import _PHRASES, say

    for key, pair in _PHRASES.items():
        fields = {f for text in pair for _, f, _, _ in string.Formatter().parse(text) if f}
        for lang in ("zh", "en"):
            assert say(key, lang, **dict.fromkeys(fields, "x"))


def test_extends_overrides_the_name_of_a_document_named_otherwise(tmp_path: Path) -> None:
    folder = tmp_path / "别处"
    shutil.copytree(EXAMPLES / "call-center-clean", folder)
    company = "上海声远客户服务有限公司"
    (folder / f"02_营业执照_{company}.pdf").rename(folder / f"营业执照-{company}.pdf")
    (folder / "01_年报承诺书.pdf").rename(folder / "01_年报承诺书 定稿.pdf")
    out = tmp_path / "ext.yaml"
    spec, text = _draft(folder, out, "--extends", "call-center")
    ids = {d["id"]: d for d in spec["documents"]}
    assert ids == {"business_licence": {"id": "business_licence", "name": "营业执照-{company}.pdf"},
                   "commitment": {"id": "commitment", "name": "01_年报承诺书 定稿.pdf"}}
    assert "whitespace" not in spec["naming"]["forbid"] and "N106" in text  # relaxed, and says why
    assert _check(folder, out) == (0, [])


def test_a_naming_rule_the_folder_breaks_is_relaxed_with_a_comment(tmp_path: Path) -> None:
    folder = tmp_path / "冒号"
    folder.mkdir()
    mk.make_pdf(folder / "01_说明:附件.pdf", 1, "说明")       # ':' is refused on Windows
    mk.make_pdf(folder / "02_报告.PDF", 1, "报告")             # upper-case extension
    out = tmp_path / "d.yaml"
    spec, text = _draft(folder, out)
    assert spec["naming"]["platform"] == "linux"
    assert spec["naming"]["extension_case"] == "any"
    assert "N103" in next(line for line in text.splitlines() if line.strip().startswith("platform:"))
    assert _doc(spec, "报告")["name"] == "02_报告.pdf"  # matched on the lower-cased extension
    assert _check(folder, out) == (0, [])


def test_a_title_row_above_a_two_column_header_is_not_the_header(tmp_path: Path) -> None:
    folder = tmp_path / "两列"
    folder.mkdir()
    rows: list[list[object]] = [["域名清单"], ["域名", "备案号"]]
    rows += [[f"site{i}.cn", f"京ICP备2020{i:04d}号"] for i in range(1, 4)]
    mk.make_xlsx(folder / "01_域名.xlsx", {"域名": rows})
    out = tmp_path / "d.yaml"
    spec, _ = _draft(folder, out)
    sheet = spec["documents"][0]["sheet"]
    assert sheet["header_row"] == 2
    assert [c["name"] for c in sheet["columns"]] == ["域名", "备案号"]
    assert sheet["columns"][0]["type"] == "domain"
    assert _check(folder, out) == (0, [])


def test_enums_need_many_rows_and_never_hold_the_clients_values(tmp_path: Path) -> None:
    folder = tmp_path / "枚举"
    folder.mkdir()
    (folder / "client.yaml").write_text(f"company: {COMPANY}\n", encoding="utf-8")
    branch = COMPANY.replace("有限公司", "上海分公司")
    rows: list[list[object]] = [["姓名", "岗位", "社保缴纳单位", "备注"]]
    for i in range(12):
        rows.append([f"员工{i}", ["技术", "客服", "管理"][i % 3], [COMPANY, branch][i % 2], f"说明{i}"])
    mk.make_xlsx(folder / "01_名单.xlsx", {"名单": rows})
    out = tmp_path / "d.yaml"
    spec, _ = _draft(folder, out)
    cols = {c["name"]: c for c in spec["documents"][0]["sheet"]["columns"]}
    assert cols["岗位"]["enum"] == ["客服", "技术", "管理"]
    assert "enum" not in cols["社保缴纳单位"]   # the next client's company differs
    assert "enum" not in cols["备注"] and "enum" not in cols["姓名"]  # every value different
    assert _check(folder, out) == (0, [])


# ------------------------------------------------------------------------------- a zipped pack, read once


def test_a_zipped_pack_drafts_what_its_folder_drafts(family_pack: tuple[Path, Path, dict, str],
                                                     tmp_path: Path) -> None:
    """`init PACK.zip` reads the members in place (the engine's package source): the same
    documents, sheet layout and all, as from the folder; the zip checks clean against its draft."""
    from tests.test_zip_packs import zip_folder

    folder, _, from_folder, _ = family_pack
    pack = zip_folder(folder, tmp_path / "样板.zip", top="样板/")
    before = pack.read_bytes()
    out = tmp_path / "zip-draft.yaml"
    from_zip, _ = _draft(pack, out)
    assert from_zip["documents"] == from_folder["documents"]
    assert any("sheet" in d for d in from_zip["documents"])
    assert _check(pack, out) == (0, [])
    assert pack.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zip-draft.yaml", "样板.zip"]  # nothing extracted


_DRAFT_OPENS = """
import collections, json, os, sys
root = os.path.realpath(sys.argv[1])  # where the counted files lie
counts = collections.Counter()
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        path = os.path.realpath(os.fsdecode(args[0]))
        if path.startswith(root + os.sep):
            counts[os.path.relpath(path, root)] += 1
sys.addaudithook(hook)
from validator.drafting import draft_spec
draft_spec(sys.argv[2], self_check=False)
print(json.dumps(counts))
"""


@pytest.mark.parametrize("zipped", [False, True], ids=["folder", "zip"])
def test_drafting_reads_each_file_once(tmp_path: Path, zipped: bool) -> None:
    """Python-level opens while drafting (the parse worker inline, so that its opens count): a
    file's head for its type, then its bytes once for every parse (the header scan and the
    sample of a sheet, a PDF's pages); a zipped pack's members are read from one open archive."""
    import subprocess

    from tests.test_zip_packs import zip_folder

    folder = _pack_with_family(tmp_path / "样板")
    target = zip_folder(folder, tmp_path / "样板.zip") if zipped else folder
    env = {**os.environ, "VALIDATOR_SANDBOX": "inline"}
    proc = subprocess.run([sys.executable, "-c", _DRAFT_OPENS, str(tmp_path), str(target)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, check=False, env=env)
    assert proc.returncode == 0, proc.stderr
    counts = json.loads(proc.stdout)
    if zipped:
        # Sniffed as a zip, client.yaml, the listing, then every member from one open archive:
        # a fixed number of opens, never one a member (the pack holds 23 files).
        assert list(counts) == ["样板.zip"] and counts["样板.zip"] <= 4
    else:
        assert any(p.endswith(".xlsx") for p in counts) and any(p.endswith(".pdf") for p in counts)
        assert {p: n for p, n in counts.items() if n > 2} == {}
