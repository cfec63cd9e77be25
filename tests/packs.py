"""A complete, clean materials pack for the core spec, made of real files (fixtures.makers):
shared by the check, hook and cache tests so they all start from the same folder."""

from __future__ import annotations

from pathlib import Path

from fixtures import makers as mk

COMPANY = "北京示例科技有限公司"
USCC = "91110108551385082Q"
CLIENT = f"company: {COMPANY}\nuscc: {USCC}\nlicence_no: 京B2-20202418\nyear: '2025'\n"


def build_pack(folder: Path) -> Path:
    """Every core document, correctly named, as real PDFs, a docx, an xlsx roster and image scans."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "client.yaml").write_text(CLIENT, encoding="utf-8")
    mk.make_pdf(folder / "01_年报承诺书.pdf", 1, "年报承诺书 法定代表人签字 公司盖章")
    mk.make_pdf(folder / f"02_营业执照_{COMPANY}.pdf", 1, f"营业执照 {COMPANY} {USCC}")
    mk.make_pdf(folder / "03_经营许可证_正文.pdf", 1, "增值电信业务经营许可证 京B2-20202418")
    mk.make_pdf(folder / "04_审计报告_2025.pdf", 3, "审计报告")
    mk.make_docx(folder / "05_经营情况报告_2025.docx", ["年度经营情况报告", "本年度业务正常开展。"])
    mk.make_pdf(folder / "06_网络与信息安全保障措施.pdf", 2, "网络与信息安全保障措施及执行情况")
    mk.make_pdf(folder / "07_服务质量及投诉处理.pdf", 1, "服务质量及投诉处理情况")
    mk.make_pdf(folder / "08_股权结构.pdf", 1, "股权结构及股东情况")
    mk.make_xlsx(folder / "09_人员名单_2025.xlsx", {"人员名单": mk.make_roster_rows(5, COMPANY)}, text_columns={2, 7})
    mk.make_jpeg(folder / "10_社保缴纳证明.jpg", 600, 800, seed=1)
    mk.make_png(folder / "10_社保缴纳证明_2.png", 300, 400)
    return folder
