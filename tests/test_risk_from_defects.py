"""The risk report is built from the check's own defects (issue 11, item 4): a roster with
errors is never ✅, its X codes are listed, and every error and warning of the check stands
behind some item, so the report counts what the check counts."""

from __future__ import annotations

from pathlib import Path

from fixtures import makers as mk
from tests.conftest import run_cli
from tests.packs import CLIENT, COMPANY, build_pack
from validator.api import check_folder
from validator.model import Severity
from validator.risk.assess import OK, PROBLEM, Assessment, assess
from validator.risk.render import render_markdown
from validator.risk.roster import read_roster, roster_facts, roster_figures, roster_file
from validator.spec import load_spec

ROSTER = "09_人员名单_2025.xlsx"


def _pack(tmp_path: Path, *, ids_as_numbers: bool) -> Path:
    folder = build_pack(tmp_path / "pack")
    (folder / "client.yaml").write_text(CLIENT + "staff_committed: 5\n", encoding="utf-8")
    rows = mk.make_roster_rows(6, COMPANY, seed=5)
    if ids_as_numbers:
        for r in rows[1:4]:
            r[2] = int(str(r[2])) if str(r[2]).isdigit() else r[2]  # X115, as Excel does to long numbers
        last = str(rows[5][2])
        rows[5][2] = last[:-1] + ("0" if last[-1] != "0" else "1")  # X116: a wrong check digit
    mk.make_xlsx(folder / ROSTER, {"人员名单": rows}, text_columns={7} if ids_as_numbers else {2, 7})
    return folder


def _risk(folder: Path, lang: str = "zh") -> tuple[Assessment, object]:
    spec = load_spec("core")
    p = check_folder(str(folder), spec)
    return assess(p, lang, spec_title=spec.title, licence=spec.licence, roster=roster_facts(p, spec)), p


def _items(a: Assessment) -> dict[str, object]:
    return {i.label: i for s in a.sections for i in s.items}


def test_a_roster_with_id_errors_is_never_ok_and_its_codes_are_listed(tmp_path: Path) -> None:
    a, p = _risk(_pack(tmp_path, ids_as_numbers=True))
    roster_codes = sorted({d.code for d in p.defects if d.path == ROSTER})
    assert {"X115", "X116"} <= set(roster_codes)
    items = _items(a)
    for label in ("人员规模", "社保缴纳"):
        item = items[label]
        assert item.status == PROBLEM, (label, item)
        assert {"X115", "X116"} <= set(item.codes)
        assert "X115 ×3" in item.text and "X116" in item.text
    assert items["网络安全责任人"].status != OK
    summary = _items(a)["主要问题"]
    assert {"X115", "X116"} <= set(summary.codes)


def test_the_report_counts_what_the_check_counts(tmp_path: Path) -> None:
    folder = _pack(tmp_path, ids_as_numbers=True)
    (folder / "说明.txt").write_text("草稿", encoding="utf-8")  # D104: no item of its own
    mk.make_jpeg(folder / "08_股权结构.pdf", 400, 300)  # T102
    a, p = _risk(folder)
    serious = p.count(Severity.ERROR) + p.count(Severity.WARNING)
    assert serious >= 4  # X115 (one grouped defect for 3 rows), X116, D104, T102
    x115 = [d for d in p.defects if d.code == "X115"]
    assert len(x115) == 1 and x115[0].params["count"] == 3
    assert a.defects_shown == serious
    other = _items(a)["其他材料问题"]
    assert other.status == PROBLEM and "D104" in other.codes
    body = render_markdown(a)
    assert f"涵盖检查发现的全部 {p.count(Severity.ERROR)} 个错误、{p.count(Severity.WARNING)} 个警告" in body


def test_a_clean_roster_reads_ok_from_its_figures(tmp_path: Path) -> None:
    folder = _pack(tmp_path, ids_as_numbers=False)
    a, p = _risk(folder)
    assert not [d for d in p.defects if d.path == ROSTER]
    items = _items(a)
    assert (items["人员规模"].status, items["人员规模"].text) == (OK, "名单 6 人，承诺 5 人")
    assert (items["社保缴纳"].status, items["社保缴纳"].text) == (OK, "6 人由本公司缴纳社保")
    assert a.defects_shown == p.count(Severity.ERROR) + p.count(Severity.WARNING)


def test_roster_figures_come_from_one_read_that_a_shared_parse_can_replace(tmp_path: Path) -> None:
    folder = _pack(tmp_path, ids_as_numbers=False)
    spec = load_spec("core")
    p = check_folder(str(folder), spec)
    found = roster_file(p, spec)
    assert found is not None and found[0].endswith(ROSTER)
    parsed = read_roster(*found)
    assert parsed is not None
    header, rows = parsed
    assert roster_figures(header, rows, COMPANY) == roster_facts(p, spec)
    # the same figures from rows given by someone else (the check's own parse)
    assert roster_figures(header, [*rows[:2], [""] * len(header)], COMPANY).rows == 2


def test_risk_command_on_the_real_folder(tmp_path: Path) -> None:
    folder = _pack(tmp_path, ids_as_numbers=True)
    proc = run_cli("risk", str(folder), "--spec", "core", "--lang", "zh")
    assert proc.returncode == 0, proc.stderr
    staff = next(line for line in proc.stdout.splitlines() if line.startswith("| 人员规模"))
    assert "❌" in staff and "X115" in staff and "✅" not in staff
