"""Cross-client leakage: another client's company name or credit code in names, cells, PDF text."""

from __future__ import annotations

from pathlib import Path

from fixtures.client_packs import make_client_pack
from fixtures.makers import make_pdf, make_xlsx
from tests.batch.conftest import ACME, BETA, GAMMA, batch_json, codes, copy_root, package
from validator.checks.leakage import Identity, LeakIndex, Own


def _defects(report: dict, client: str, code: str) -> list[dict]:
    return [d for d in package(report, client)["defects"] if d["code"] == code]


def test_pdf_text_of_another_client(three_clients: Path) -> None:
    report = batch_json(three_clients)
    [leak] = _defects(report, "beta", "L103")
    assert leak["path"] == "04_审计报告_2025.pdf"
    assert leak["location"] == {"page": 1}
    assert leak["severity"] == "warning"
    assert leak["params"]["clients"] == ["acme"] and leak["params"]["value"] == ACME[1]
    assert "acme" in leak["message"] and ACME[1] in leak["message"]
    assert package(report, "acme")["ready"] is True  # acme's own name in acme's files is no leak


def test_roster_cells_of_another_client(three_clients: Path) -> None:
    report = batch_json(three_clients)
    [leak] = _defects(report, "gamma", "L102")
    assert leak["path"] == "09_人员名单_2025.xlsx"
    assert leak["location"] == {"sheet": "人员名单", "row": 2, "cell": "J2"}  # 社保缴纳单位 of the first person
    assert leak["params"]["cells"] == 5 and leak["params"]["clients"] == ["beta"]
    assert leak["severity"] == "error"


def test_credit_code_in_pdf_text(tmp_path: Path, clean_pack: Path) -> None:
    root = tmp_path / "root"
    copy_root(clean_pack, root / ACME[0])
    make_client_pack(root / BETA[0], BETA[1], BETA[2], pdf_company=BETA[1], pdf_uscc=ACME[2], seed=2)
    [leak] = _defects(batch_json(root), "beta", "L103")
    assert leak["params"]["name"] == "uscc" and leak["params"]["value"] == ACME[2]


def test_another_clients_name_in_a_file_name(tmp_path: Path, clean_pack: Path) -> None:
    root = tmp_path / "root"
    copy_root(clean_pack, root / ACME[0])
    beta = make_client_pack(root / BETA[0], BETA[1], BETA[2], seed=2, skip=["02_营业执照_{company}.pdf"])
    make_pdf(beta / f"02_营业执照_{ACME[1]}.pdf", 1, "营业执照")
    make_pdf(beta / f"08_股权结构_{ACME[2]}_附件.pdf", 1, "股权结构")
    report = batch_json(root)
    leaks = _defects(report, "beta", "L101")
    assert sorted((d["path"], d["params"]["name"]) for d in leaks) == [
        (f"02_营业执照_{ACME[1]}.pdf", "company"),
        (f"08_股权结构_{ACME[2]}_附件.pdf", "uscc"),
    ]
    # One defect for one problem: the L101 replaces "the name carries another company" (N102).
    assert not [d for d in package(report, "beta")["defects"]
                if d["code"] == "N102" and d["path"] == f"02_营业执照_{ACME[1]}.pdf"]  # fmt: skip


def test_same_company_in_two_folders_is_no_leak(tmp_path: Path, clean_pack: Path) -> None:
    """An agency may keep one folder per licence of the same company."""
    root = tmp_path / "root"
    copy_root(clean_pack, root / "acme-icp")
    copy_root(clean_pack, root / "acme-idc")
    report = batch_json(root)
    assert codes(report, "acme-icp") == [] and codes(report, "acme-idc") == []


def test_a_name_inside_the_own_name_is_no_leak(tmp_path: Path, clean_pack: Path) -> None:
    root = tmp_path / "root"
    copy_root(clean_pack, root / ACME[0])
    short = ACME[1][2:]  # 示例科技有限公司: another client whose name is inside acme's
    make_client_pack(root / "short", short, GAMMA[2], seed=5)
    report = batch_json(root)
    assert not [d for d in package(report, "acme")["defects"] if d["code"].startswith("L")]
    # …but acme's full name in short's files is one.
    assert codes(report, "short") == []  # short's pack names only itself
    make_xlsx(root / "short" / "09_人员名单_2025.xlsx", {"人员名单": [["序号", "姓名"], [1, ACME[1]]]})
    assert _defects(batch_json(root), "short", "L102")


def test_index_finds_names_and_codes_in_running_text() -> None:
    index = LeakIndex([Identity("acme", ACME[1], ACME[2]), Identity("beta", BETA[1], BETA[2])])
    text = f"甲方：{BETA[1]}（统一社会信用代码：{BETA[2]}），乙方：{ACME[1]}"
    found = sorted((hit.kind, hit.owners) for hit, _ in index.find(text, Own([ACME[1], ACME[2]])))
    assert found == [("company", ("beta",)), ("uscc", ("beta",))]
    # Full-width and lower-case spellings are the same identifier.
    wide = BETA[2].lower().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    assert [h.kind for h, _ in index.find(f"代码{wide}", Own([]))] == ["uscc"]
    # A credit code inside a longer run of letters and digits is not that code.
    assert list(index.find(f"X{BETA[2]}9", Own([]))) == []
    # Nor its tail: a run that ends with the code (the search looks for the code's first characters).
    assert list(index.find(f"代码12{BETA[2]}", Own([]))) == []
    # Among ID numbers (the same 18-character shape, thousands of them in a roster), the code is found.
    ids = " ".join(f"1101011990{k:08d}" for k in range(50))
    assert [(h.kind, h.owners, at) for h, at in index.find(f"{ids} {BETA[2]}", Own([]))] == [
        ("uscc", ("beta",), len(ids) + 1)]


def test_index_ignores_short_and_malformed_identifiers() -> None:
    index = LeakIndex([Identity("a", "公司", "123"), Identity("b", "", "")])
    assert not index
    assert list(index.find("某公司 123", Own([]))) == []


def test_no_cascade_when_the_clients_own_identity_is_unknown_or_invalid(tmp_path: Path, clean_pack: Path) -> None:
    """A typo in client.yaml is one defect (V101 / V102), not a leak report for every file that
    carries the client's real name or code - which another folder of the same company holds."""
    root = tmp_path / "root"
    copy_root(clean_pack, root / "acme")
    copy_root(clean_pack, root / "acme-typo-name")
    (root / "acme-typo-name" / "client.yaml").write_text(
        f"compnay: {ACME[1]}\nuscc: {ACME[2]}\nyear: '2025'\nspec: core\n", encoding="utf-8"
    )
    copy_root(clean_pack, root / "acme-typo-code")
    wrong = ACME[2][:-1] + ("0" if ACME[2][-1] != "0" else "1")
    (root / "acme-typo-code" / "client.yaml").write_text(
        f"company: {ACME[1]}\nuscc: {wrong}\nyear: '2025'\nspec: core\n", encoding="utf-8"
    )
    make_client_pack(root / "typo-code-leaks-name", GAMMA[1], wrong, pdf_company=ACME[1], seed=7)
    report = batch_json(root)
    assert [c for c in codes(report, "acme-typo-name") if c.startswith("L")] == []
    assert "V101" in codes(report, "acme-typo-name")
    assert [c for c in codes(report, "acme-typo-code") if c.startswith("L")] == []
    assert "V102" in codes(report, "acme-typo-code")
    # An invalid own credit code only switches off the credit-code search: names are still found.
    assert [d["params"]["name"] for d in _defects(report, "typo-code-leaks-name", "L103")] == ["company"]
