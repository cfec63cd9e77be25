"""The core check on real generated folders: a clean pack is clean, and each mistake a clerk
makes gives exactly its defect (and nothing else), through the real CLI and JSON contract."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from fixtures import makers as mk
from tests.conftest import check_json, codes_of, run_cli
from tests.packs import COMPANY, build_pack


@pytest.fixture(scope="module")
def clean_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pack(tmp_path_factory.mktemp("template") / "pack")


@pytest.fixture
def pack(clean_template: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "pack"
    shutil.copytree(clean_template, dest)
    return dest


def test_clean_pack_has_no_defects(pack: Path) -> None:
    code, report = check_json(pack, "--spec", "core")
    assert codes_of(report) == [], report
    assert code == 0
    pkg = report["packages"][0]
    assert pkg["ready"] is True and pkg["files"] == 11


def _replace(name: str, maker: Callable[[Path], object], new_name: str | None = None) -> Callable[[Path], None]:
    def mutate(pack: Path) -> None:
        (pack / name).unlink()
        maker(pack / (new_name or name))

    return mutate


def _rename(old: str, new: str) -> Callable[[Path], None]:
    return lambda pack: (pack / old).rename(pack / new) and None


ROSTER = "09_人员名单_2025.xlsx"


def _roster(rows: list[list[object]], **kw: object) -> Callable[[Path], None]:
    return _replace(ROSTER, lambda p: mk.make_xlsx(p, {"人员名单": rows}, **kw))


def _roster_rows(n: int = 5) -> list[list[object]]:
    return mk.make_roster_rows(n, COMPANY)


def _with_cell(row: int, col: int, value: object) -> list[list[object]]:
    rows = _roster_rows()
    rows[row][col] = value
    return rows


def _swap_columns(a: int, b: int) -> list[list[object]]:
    rows = _roster_rows()
    for r in rows:
        r[a], r[b] = r[b], r[a]
    return rows


def _id_as_number() -> list[list[object]]:
    rows = _roster_rows()
    rows[2][2] = int(rows[2][2]) if str(rows[2][2]).isdigit() else 110101199003074477
    return rows


CASES: dict[str, tuple[Callable[[Path], None], dict[str, list[str]]]] = {
    "jpeg renamed .pdf": (
        _replace("08_股权结构.pdf", lambda p: mk.make_jpeg(p, 400, 300)),
        {"08_股权结构.pdf": ["T102"]},  # one defect: convert it (not T101 as well)
    ),
    "html named .pdf": (
        _replace("08_股权结构.pdf", mk.make_html),
        {"08_股权结构.pdf": ["T102"]},  # its size (< 1 KB) is moot: the file must be replaced
    ),
    "wps where docx wanted": (
        _replace(
            "05_经营情况报告_2025.docx", lambda p: mk.make_wps(p, wps_custom_data=True), "05_经营情况报告_2025.wps"
        ),
        {"05_经营情况报告_2025.wps": ["T101"]},
    ),
    "doc renamed .docx": (
        _replace("05_经营情况报告_2025.docx", mk.make_doc),
        {"05_经营情况报告_2025.docx": ["T102"]},
    ),
    "csv named .xlsx": (
        _replace(ROSTER, lambda p: mk.make_csv(p, _roster_rows())),
        {ROSTER: ["T102"]},
    ),
    "password-protected xlsx": (
        _replace(ROSTER, mk.make_encrypted_xlsx),
        {ROSTER: ["T103"]},
    ),
    "zip bomb named .xlsx": (
        _replace(ROSTER, lambda p: mk.make_zip_bomb(p, unzipped_mb=300)),
        {ROSTER: ["X101"]},
    ),
    "empty file": (
        _replace("07_服务质量及投诉处理.pdf", mk.make_empty),
        {"07_服务质量及投诉处理.pdf": ["S101"]},
    ),
    "encrypted pdf (restrict editing)": (
        _replace("08_股权结构.pdf", lambda p: mk.make_pdf(p, 1, "股权", owner_password="owner")),
        {"08_股权结构.pdf": ["P102"]},
    ),
    "pdf with an open password": (
        _replace("08_股权结构.pdf", lambda p: mk.make_pdf(p, 1, "股权", user_password="u", owner_password="o")),
        {"08_股权结构.pdf": ["P103"]},
    ),
    "truncated pdf": (
        _replace("08_股权结构.pdf", mk.make_truncated_pdf),
        {"08_股权结构.pdf": ["P101"]},
    ),
    "too many pages": (
        _replace("01_年报承诺书.pdf", lambda p: mk.make_pdf(p, 4, "承诺书")),
        {"01_年报承诺书.pdf": ["P104"]},
    ),
    "missing document": (
        lambda pack: (pack / "08_股权结构.pdf").unlink(),
        {"": ["D101"]},
    ),
    "copy suffix": (
        _rename("08_股权结构.pdf", "08_股权结构(1).pdf"),
        {"08_股权结构(1).pdf": ["N107"]},
    ),
    "full-width brackets": (
        _rename("10_社保缴纳证明.jpg", "10_社保缴纳证明（2025）.jpg"),
        {"10_社保缴纳证明（2025）.jpg": ["N105"]},
    ),
    "another company's name": (
        _rename(f"02_营业执照_{COMPANY}.pdf", "02_营业执照_上海别家网络有限公司.pdf"),
        {"02_营业执照_上海别家网络有限公司.pdf": ["L101"]},
    ),
    "another company's name where the pattern has a wildcard": (
        _rename("03_经营许可证_正文.pdf", "03_经营许可证_附页_杭州星河通讯有限公司.pdf"),
        {"03_经营许可证_附页_杭州星河通讯有限公司.pdf": ["L101"]},
    ),
    "another company's credit code in the name": (
        _rename("03_经营许可证_正文.pdf", "03_经营许可证_91110000600037341L.pdf"),
        {"03_经营许可证_91110000600037341L.pdf": ["L101"]},
    ),
    "badly named but recognisable": (
        _rename("08_股权结构.pdf", "公司股权结构说明.pdf"),
        {"公司股权结构说明.pdf": ["N101"]},
    ),
    "stray file": (
        lambda pack: (pack / "新建文本文档.txt").write_text("备注", encoding="utf-8"),
        {"新建文本文档.txt": ["D104"]},
    ),
    "byte-identical duplicate": (
        lambda pack: shutil.copy(pack / "08_股权结构.pdf", pack / "10_社保缴纳证明_补充.pdf"),
        {"10_社保缴纳证明_补充.pdf": ["D105"]},
    ),
    "too many licence files": (
        lambda pack: [mk.make_pdf(pack / f"03_经营许可证_附页{i}.pdf", 1, f"附页 {i}") for i in range(1, 4)] and None,
        {"": ["D103"]},
    ),
    "id stored as a number": (_roster(_id_as_number()), {ROSTER: ["X115"]}),
    "bad id check digit": (_roster(_with_cell(1, 2, "110101199003074478")), {ROSTER: ["X116"]}),
    "duplicate id": (_roster(_with_cell(2, 2, _roster_rows()[1][2])), {ROSTER: ["X111"]}),
    "enum value": (_roster(_with_cell(1, 3, "销售")), {ROSTER: ["X112"]}),
    "bad mobile": (_roster(_with_cell(1, 7, "1381234567")), {ROSTER: ["X116"]}),
    "required cell empty": (_roster(_with_cell(3, 1, None)), {ROSTER: ["X110"]}),
    "date column holds text": (_roster(_with_cell(1, 8, "去年三月")), {ROSTER: ["X114"]}),
    "too few rows": (_roster(_roster_rows(2)), {ROSTER: ["X107"]}),
    # 职务 and 专业 swapped around 学历: two columns are out of place, 学历 is not.
    "columns out of order": (_roster(_swap_columns(4, 6)), {ROSTER: ["X106", "X106"]}),
    "adjacent columns swapped": (_roster(_swap_columns(0, 1)), {ROSTER: ["X106"]}),
    "renamed column": (
        _roster([["身份证号" if h == "身份证号码" else h for h in _roster_rows()[0]], *_roster_rows()[1:]]),
        {ROSTER: ["X105"]},
    ),
    "missing and extra columns": (
        _roster([[*r[:5], *r[6:], "备注" if i == 0 else "x"] for i, r in enumerate(_roster_rows())]),
        {ROSTER: ["X103", "X104"]},
    ),
    "sheet missing": (
        _replace(ROSTER, lambda p: mk.make_xlsx(p, {"Sheet1": _roster_rows()})),
        {ROSTER: ["X102"]},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_mistake_gives_exactly_its_defects(pack: Path, case: str) -> None:
    mutate, expected = CASES[case]
    mutate(pack)
    code, report = check_json(pack, "--spec", "core")
    actual: dict[str, list[str]] = {}
    for d in report["packages"][0]["defects"]:
        actual.setdefault(d["path"], []).append(d["code"])
    assert {k: sorted(v) for k, v in actual.items()} == expected
    errors = [d for d in report["packages"][0]["defects"] if d["severity"] == "error"]
    assert code == (1 if errors else 0)


def test_json_contract(pack: Path) -> None:
    _roster(_id_as_number())(pack)
    (pack / "08_股权结构.pdf").unlink()
    _, report = check_json(pack, "--spec", "core")
    assert set(report) >= {"packages", "summary"}
    pkg = report["packages"][0]
    assert pkg["root"] == str(pack) and pkg["spec"] == "core"
    by_code = {d["code"]: d for d in pkg["defects"]}
    for d in pkg["defects"]:
        assert set(d) >= {"code", "severity", "path", "document", "message", "location"}
        assert d["severity"] in ("error", "warning", "info") and d["message"]
    assert by_code["D101"]["path"] == "" and by_code["D101"]["document"] == "shareholding"
    assert by_code["D101"]["location"] is None
    x = by_code["X115"]
    assert x["path"] == ROSTER and x["document"] == "staff_roster"
    assert x["location"] == {"sheet": "人员名单", "row": 3, "column": "身份证号码", "cell": "C3"}
    assert "E+17" in x["message"]
    assert report["summary"]["error"] == 2 and report["summary"]["ready"] == 0


def test_variables_from_the_command_line_override_client_yaml(pack: Path) -> None:
    _, report = check_json(pack, "--spec", "core", "--var", "company=上海别家网络有限公司")
    # The licence file name (L101: another company's name) and the roster's 社保缴纳单位 cells (C102)
    # now name another company.
    assert set(codes_of(report)) == {"L101", "C102"}
    _, report = check_json(pack, "--spec", "core", "--var", "uscc=91110108551385082X")
    assert codes_of(report) == ["V102"]


def test_text_output_in_both_languages(pack: Path) -> None:
    (pack / "08_股权结构.pdf").unlink()
    zh = run_cli("check", str(pack), "--spec", "core", "--lang", "zh")
    en = run_cli("check", str(pack), "--spec", "core", "--lang", "en")
    assert zh.returncode == en.returncode == 1
    assert "缺少“股权结构及股东情况”" in zh.stdout and "is missing" in en.stdout
    assert "D101" in zh.stdout and "D101" in en.stdout


def test_ignore_and_warn_options(pack: Path) -> None:
    (pack / "08_股权结构.pdf").unlink()
    code, report = check_json(pack, "--spec", "core", "--warn", "D101")
    assert code == 0 and [d["severity"] for d in report["packages"][0]["defects"]] == ["warning"]
    code, report = check_json(pack, "--spec", "core", "--ignore", "D")
    assert code == 0 and codes_of(report) == []


def test_the_check_never_changes_the_folder(pack: Path) -> None:
    _roster(_id_as_number())(pack)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in pack.rglob("*") if p.is_file()}
    check_json(pack, "--spec", "core")
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in pack.rglob("*") if p.is_file()}
    assert before == after


def test_a_contract_named_after_its_other_party_is_not_a_leak(tmp_path: Path) -> None:
    """`counterparty: true` documents (an ICP's access contract, a lease) carry the other party's
    name on purpose; the same shape in another document is still another company's (L101)."""
    from tests.conftest import ROOT

    pack = shutil.copytree(ROOT / "fixtures" / "examples" / "icp-clean", tmp_path / "icp")
    contract = "13_接入服务协议_阿里云计算有限公司.pdf"
    (pack / "13_接入服务协议.pdf").rename(pack / contract)
    copied = "03_经营许可证_附页_杭州星河通讯有限公司.pdf"
    (pack / "03_经营许可证_附页.pdf").rename(pack / copied)
    code, report = check_json(pack, "--spec", "icp")
    by_path: dict[str, list[str]] = {}
    for d in report["packages"][0]["defects"]:
        by_path.setdefault(d["path"], []).append(d["code"])
    assert contract not in by_path
    assert by_path[copied] == ["L101"] and code == 1
