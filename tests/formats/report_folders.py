"""Real materials folders for the report tests, written with fixtures.makers.

* :func:`golden_report` - two client folders (one not ready, one ready) checked against the
  built-in ``core`` spec, with the folder paths and the time pinned so the rendered reports
  are byte-stable: the input of every golden file.
* :func:`wide_defects` - folders built to make the checks emit as many different codes as
  they can (every family the core checks own), for the catalogue test.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from fixtures.makers import (
    make_docx,
    make_empty,
    make_encrypted_xlsx,
    make_jpeg,
    make_pdf,
    make_roster_rows,
    make_truncated_pdf,
    make_wps,
    make_xlsx,
    make_zip,
    make_zip_bomb,
)
from validator.api import check_folder
from validator.model import Defect, PackageResult, Report
from validator.spec import load_spec

COMPANY_A = "北京示例科技有限公司"
COMPANY_B = "上海样例网络科技有限公司"
GENERATED_AT = "2026-02-01T09:30:00+08:00"
ROOT_A = "/材料/北京示例科技_2025"
ROOT_B = "/材料/上海样例网络_2025"
DATA = Path(__file__).parent / "data"


def _client(folder: Path, company: str, uscc: str, extra: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "client.yaml").write_text(
        f"company: {company}\nuscc: {uscc}\nyear: '2025'\nlicence_no: 京B2-20202418\n{extra}", encoding="utf-8"
    )


def _roster(path: Path, company: str, n: int, seed: int) -> list[list[object]]:
    rows = make_roster_rows(n, company, seed=seed)
    make_xlsx(path, {"人员名单": rows}, text_columns={2, 7})
    return rows


def build_not_ready(folder: Path) -> Path:
    """A typical first attempt: wrong names, a renamed photo, missing and duplicate documents,
    a short roster with a bad ID, a stray file whose name needs escaping everywhere."""
    _client(folder, COMPANY_A, "91110108551385082Q", "staff_committed: 5\ncompnay: 笔误\n")
    make_pdf(folder / "01_年报承诺书.pdf", 5, "年报承诺书 本公司承诺所报材料真实有效")
    make_pdf(folder / "02_营业执照_上海别家公司.pdf", 1, "营业执照 副本")
    make_pdf(folder / "03_经营许可证_正文.pdf", 1, "增值电信业务经营许可证 正文")
    make_pdf(folder / "03_经营许可证_附页.PDF", 1, "增值电信业务经营许可证 附页")
    make_jpeg(folder / "04_审计报告_2025.pdf")
    make_docx(folder / "05_经营情况报告_2025.doc", ["2025 年度经营情况报告", "营业收入与用户规模"])  # rename
    make_pdf(folder / "07_服务质量及投诉处理（1）.pdf", 1, "服务质量及投诉处理情况")
    make_pdf(folder / "08_股权结构.pdf", 1, "股权结构及股东情况")
    rows = make_roster_rows(4, COMPANY_A, seed=1)
    rows[2][2] = rows[2][2][:-1] + ("0" if rows[2][2][-1] != "0" else "1")  # a wrong check digit
    rows[3][3] = "销售"  # not one of the allowed 岗位类别
    rows[4][9] = "北京某劳务派遣有限公司"  # insured by someone else
    rows[1][5] = rows[2][5] = "不详"  # two rows, one column, one rule: one grouped X112
    make_xlsx(folder / "09_人员名单_2025.xlsx", {"人员名单": rows}, text_columns={2, 7})
    make_pdf(folder / "10_社保缴纳证明_1月.pdf", 1, "社保缴纳证明 2025年1月")
    make_pdf(folder / "10_社保缴纳证明_2月.pdf", 1, "社保缴纳证明 2025年1月")  # same bytes: a duplicate
    scans = {f"社保_{m}月.jpg": make_jpeg(folder / f"s{m}.jpg", 200, 100, seed=m).read_bytes() for m in (3, 4)}
    for m in (3, 4):
        (folder / f"s{m}.jpg").unlink()
    make_zip(folder / "10_社保缴纳证明_3-4月.zip", scans)  # a zip of scans: unzip it
    (folder / "说明<草稿>&.txt").write_text("草稿", encoding="utf-8")
    return folder


def build_ready(folder: Path) -> Path:
    """Every core document present and valid; one warning (an upper-case extension)."""
    _client(folder, COMPANY_B, "91110000600037341L", "staff_committed: 3\n")
    make_pdf(folder / "01_年报承诺书.pdf", 1, "年报承诺书")
    make_pdf(folder / f"02_营业执照_{COMPANY_B}.pdf", 1, "营业执照 副本")
    make_pdf(folder / "03_经营许可证.pdf", 2, "增值电信业务经营许可证")
    make_pdf(folder / "04_审计报告_2025.pdf", 3, "审计报告")
    make_docx(folder / "05_经营情况报告_2025.docx", ["2025 年度经营情况报告"])
    make_docx(folder / "06_网络与信息安全保障措施.docx", ["网络与信息安全保障措施及执行情况"])
    make_pdf(folder / "07_服务质量及投诉处理.pdf", 1, "服务质量及投诉处理情况")
    make_pdf(folder / "08_股权结构.pdf", 1, "股权结构")
    _roster(folder / "09_人员名单_2025.xlsx", COMPANY_B, 6, seed=2)
    make_pdf(folder / "10_社保缴纳证明.PDF", 1, "社保缴纳证明")
    return folder


def pinned(p: PackageResult, root: str) -> PackageResult:
    """The same result with the folder path replaced (tmp paths differ from run to run)."""
    return dataclasses.replace(p, root=root)


def golden_packages(base: Path) -> tuple[PackageResult, PackageResult]:
    """The two folders checked against core, with their real (temporary) paths."""
    spec = load_spec("core")
    a = check_folder(str(build_not_ready(base / "a")), spec)
    b = check_folder(str(build_ready(base / "b")), spec)
    return a, b


def golden_report(base: Path, lang: str, packages: tuple[PackageResult, PackageResult] | None = None) -> Report:
    a, b = packages or golden_packages(base)
    return Report((pinned(a, ROOT_A), pinned(b, ROOT_B)), lang=lang, tool_version="test", generated_at=GENERATED_AT)


# --------------------------------------------------------------------------- the wide folders


def build_wide(folder: Path) -> Path:
    """One folder against tests/formats/data/wide.yaml that trips most per-file checks."""
    _client(folder, COMPANY_A, "91110108551385082X", "staff_committed: 9\nunknown_key: x\n")
    (folder / "client.yaml").write_text(
        "uscc: 91110108551385082X\nyear: '25'\nstaff_committed: 9\nunknown_key: x\npreapproval: 是\n",
        encoding="utf-8",
    )
    make_pdf(folder / "01_年报承诺书.pdf", 5, "年报承诺书")  # P104 pages
    make_pdf(folder / "02_营业执照_上海别家公司.pdf", 1, "营业执照", owner_password="owner")  # N102, P102
    for i in range(4):  # D103 (1-3 allowed); P103 on the first
        make_pdf(folder / f"03_经营许可证_{i}.pdf", 1, f"许可证 第{i}页", user_password="pw" if i == 0 else None)
    make_truncated_pdf(folder / "04_审计报告_2025.pdf")  # P101
    make_wps(folder / "05_经营情况报告_2025.wps", "经营情况", wps_custom_data=True)  # T101 (docx or pdf wanted)
    make_empty(folder / "06_网络与信息安全保障措施.pdf")  # S101
    (folder / "07_服务质量及投诉处理.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")  # S103, P101
    make_jpeg(folder / "08_股权结构.pdf")  # T102 (one defect: convert it)
    rows = make_roster_rows(2, COMPANY_A, seed=3)  # X107, C103
    rows[0][2] = "身份证号"  # X105 header renamed
    rows[1][2] = rows[2][2]  # X111 duplicate id
    rows[2][3] = ""  # X110 required
    rows[1][8] = "去年三月"  # X114 not a date
    rows[2][11] = "不是"  # X112 enum
    rows[2][7] = "1381234567"  # X113? no: cn_mobile is a type, so X114
    rows[1][9] = ""  # X110
    rows[2][9] = "别的公司"  # C102 (insured elsewhere)
    make_xlsx(folder / "09_人员名单_2025.xlsx", {"人员名单": rows}, text_columns={2, 7})
    make_encrypted_xlsx(folder / "10_社保缴纳证明.xlsx")  # T103
    bad_rows = [["编号", "日期", "数量", "备注"], ["A1", "2024/12", 5, "x"], ["A2", "2024-11", -1, ""],
                ["A3", "2024-10", 2, ""]]
    make_xlsx(folder / "11_数量表.xlsx", {"数量": bad_rows})  # X113, X117, X108, X104, X106?
    make_xlsx(folder / "12_缺表.xlsx", {"Sheet1": [["a"], [1]]})  # X102
    make_zip_bomb(folder / "13_炸弹.xlsx", unzipped_mb=300)  # X101
    make_xlsx(folder / "14_缺列.xlsx", {"名单": [["姓名", "序号"], ["张三", 1]]})  # X103, X106
    rows2 = make_roster_rows(3, COMPANY_A, seed=4)
    typed = [rows2[0][:3]] + [[r[0], r[1], int(str(r[2])[:17]) * 10 + 1] for r in rows2[1:]]
    typed[1][2] = str(rows2[1][2])[:-1] + ("0" if str(rows2[1][2])[-1] != "0" else "1")  # X116 check digit
    make_xlsx(folder / "15_数字证件.xlsx", {"名单": typed})  # X115 (18-digit ids typed as numbers)
    make_pdf(folder / "16_大文件.pdf", 3, "一" * 4000)  # S102 (2 KB limit in wide.yaml)
    make_pdf(folder / "17_照片_1.pdf", 1, "照片")  # D102 (2+ wanted)
    make_pdf(folder / "新建 文本　文档.pdf", 1, "x")  # N106 (ideographic space), D104
    make_pdf(folder / "营业执照 - 副本.pdf", 1, "x")  # N107, N101
    make_pdf(folder / "CON.pdf", 1, "x")  # N103 reserved
    make_pdf(folder / "27_全角（草稿）.pdf", 1, "x")  # N105
    make_pdf(folder / ("很长的文件名" * 12 + ".pdf"), 1, "x")  # N104
    make_pdf(folder / "01_年报承诺书副本.pdf", 1, "x")
    make_pdf(folder / "18_扩展名.PDF", 1, "x")  # N110
    nfd = "19_\u30cf\u309a.pdf"  # パ in NFD: N109
    make_pdf(folder / nfd, 1, "x")
    deep = folder / ("子目录" * 23) / ("更深的目录" * 14) / ("再深一层" * 17)
    make_pdf(deep / "20_深.pdf", 1, "x")  # N111
    raw = os.fsencode(str(folder)) + b"/21_\xb9\xab\xcb\xbe.pdf"  # 公司 in GBK, not UTF-8: N108
    with open(raw, "wb") as f:
        f.write(b"%PDF-1.4\n" + b"0" * 2048 + b"\n%%EOF\n")
    (folder / "22_链接.pdf").symlink_to(folder / "08_股权结构.pdf")  # F103 (inside)
    (folder / "23_外链.pdf").symlink_to("/etc/hostname")  # F103 (outside: error)
    os.mkfifo(folder / "24_管道.pdf")  # F104
    rooms = [["机房名称", "性质", "提供方", "起始IP", "终止IP"], ["A", "租用", None, "10.0.0.1", "10.0.0.9"],
             ["B", "自建", "x", "10.0.0.5", "10.0.0.20"], ["C", "自建", "x", "10.0.1.9", "10.0.1.1"],
             ["D", "自建", "x", "10.0.2.1", "::1"]]
    make_xlsx(folder / "28_机房.xlsx", {"机房": rooms})  # C101, C104, C105, C106, C107
    make_pdf(folder / "25_重复.pdf", 1, "股权结构")
    make_pdf(folder / "26_重复.pdf", 1, "股权结构")  # D105
    return folder


def build_bad_client(folder: Path) -> Path:
    """client.yaml that is not a mapping: V103 (and V101 for the company then missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "client.yaml").write_text("- 北京示例科技有限公司\n", encoding="utf-8")
    return folder


def wide_defects(base: Path) -> list[Defect]:
    spec = load_spec(str(DATA / "wide.yaml"))
    core = load_spec("core")
    out: list[Defect] = []
    out += check_folder(str(build_wide(base / "wide")), spec).defects
    out += check_folder(str(build_bad_client(base / "bad-client")), core).defects
    unreadable = base / "unreadable"
    unreadable.mkdir()
    os.chmod(unreadable, 0)
    try:
        out += check_folder(str(unreadable / "gone"), core).defects  # F105: the folder does not exist
    finally:
        os.chmod(unreadable, 0o755)
    return out


# --------------------------------------------------------------------------- a batch root (L codes)


def build_batch_root(root: Path) -> Path:
    """Clients that leak each other's names, a registry that disagrees, and broken clients."""
    a, b = root / "a", root / "b"
    _client(a, COMPANY_A, "91110108551385082Q", "spec: core\n")
    _client(b, COMPANY_B, "91110000600037341L", "spec: core\n")
    make_pdf(a / f"02_营业执照_{COMPANY_B}.pdf", 1, "营业执照")  # L101: b's name in a's file name
    rows = make_roster_rows(3, COMPANY_A, seed=5)
    rows[2][9] = COMPANY_B  # L102: b's name in a's roster
    make_xlsx(a / "09_人员名单_2025.xlsx", {"人员名单": rows}, text_columns={2, 7})
    make_pdf(b / "01_年报承诺书.pdf", 1, f"本公司 {COMPANY_A} 承诺")  # L103: a's name in b's PDF text
    (root / "d").mkdir()
    (root / "d" / "client.yaml").write_text("company: 丁公司\nspec: no-such-spec\n", encoding="utf-8")  # L204
    (root / "e").mkdir()
    (root / "e" / "client.yaml").write_text("company: 戊公司\n", encoding="utf-8")  # L207
    (root / "f").mkdir()  # L203: a folder in neither client.yaml nor the registry
    (root / "clients.csv").write_text(
        "folder,company,spec\na,北京另一家公司,core\nghost,幽灵公司,core\na,北京示例科技有限公司,core\n",
        encoding="utf-8",
    )  # L201 (company differs), L202 (no folder), L206 (a twice)
    return root


def batch_defects(base: Path) -> list[Defect]:
    from validator.batch.runner import BatchOptions, run_batch

    out: list[Defect] = []
    for root in (build_batch_root(base / "batch"), _broken_registry(base / "broken")):
        outcome = run_batch(BatchOptions(str(root), executor="serial"))
        try:
            for name in outcome.spill.names():
                out += outcome.spill.get(name).defects
        finally:
            outcome.spill.close()
    return out


def _broken_registry(root: Path) -> Path:
    _client(root / "a", COMPANY_A, "91110108551385082Q", "spec: core\n")
    (root / "clients.csv").write_text("name,company\nx,y\n", encoding="utf-8")  # L205: no folder column
    return root
