"""Client discovery: client.yaml, the registry (xlsx / csv), their disagreements, spec unions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fixtures.client_packs import client_yaml
from fixtures.makers import make_csv, make_xlsx
from tests.batch.conftest import ACME, BETA, batch_json, batch_json_text, codes, copy_root, package
from validator.batch.clients import discover, split_specs

REGISTRY_HEADER = ["folder", "company", "uscc", "specs", "year", "客户经理"]


def _root_with_acme(tmp_path: Path, clean_pack: Path, *, keep_yaml: bool) -> Path:
    root = tmp_path / "root"
    copy_root(clean_pack, root / ACME[0])
    if not keep_yaml:
        (root / ACME[0] / "client.yaml").unlink()
    return root


def test_registry_alone_supplies_values_and_spec(tmp_path: Path, clean_pack: Path) -> None:
    root = _root_with_acme(tmp_path, clean_pack, keep_yaml=False)
    make_xlsx(root / "clients.xlsx", {"客户": [REGISTRY_HEADER, [ACME[0], ACME[1], ACME[2], "core", "2025", "王五"]]},
              text_columns={2, 4})  # fmt: skip
    report = batch_json(root)
    acme = package(report, "acme")
    assert acme["spec"] == "core"
    assert acme["ready"] is True, acme["defects"]
    # A registry column that is no variable of the spec (客户经理) is not reported as unknown.
    assert codes(report, "acme") == []


def test_registry_and_client_yaml_disagree(tmp_path: Path, clean_pack: Path) -> None:
    root = _root_with_acme(tmp_path, clean_pack, keep_yaml=True)
    other = BETA[2]
    make_csv(root / "clients.csv", [REGISTRY_HEADER, [ACME[0], ACME[1], other, "core", "2025", ""]])
    report = batch_json(root)
    [defect] = [d for d in package(report, "acme")["defects"] if d["code"] == "L201"]
    assert defect["path"] == "client.yaml"
    assert defect["location"] == {"row": 2}
    assert defect["params"]["yaml_value"] == ACME[2] and defect["params"]["registry_value"] == other
    assert "统一社会信用代码" in defect["message"]  # the spec's title of the variable
    # client.yaml wins: the folder is checked with its own credit code, so nothing else differs.
    assert codes(report, "acme") == ["L201"]


def test_equal_values_written_differently_are_no_mismatch(tmp_path: Path, clean_pack: Path) -> None:
    root = _root_with_acme(tmp_path, clean_pack, keep_yaml=True)
    # Case and surrounding spaces are no disagreement (the CSV reader strips cells; casefold does the rest).
    make_csv(
        root / "clients.csv", [["文件夹", "公司全称", "信用代码", "规范"], [ACME[0], ACME[1], ACME[2].lower(), "core"]]
    )
    assert codes(batch_json(root), "acme") == []


def test_spec_lists_that_differ_are_a_mismatch(tmp_path: Path, clean_pack: Path) -> None:
    root = _root_with_acme(tmp_path, clean_pack, keep_yaml=True)
    make_csv(root / "clients.csv", [["folder", "specs"], [ACME[0], "core, demo-call-center"]])
    [defect] = [d for d in package(batch_json(root), "acme")["defects"] if d["code"] == "L201"]
    assert defect["params"]["name"] == "specs"


def test_registry_row_without_folder_and_folder_without_data(tmp_path: Path, clean_pack: Path) -> None:
    root = _root_with_acme(tmp_path, clean_pack, keep_yaml=True)
    (root / "stray").mkdir()
    (root / "stray" / "01_年报承诺书.pdf").write_bytes(b"%PDF-1.4\n")
    make_csv(root / "clients.csv", [["folder", "company"], ["ghost", "北京幽灵科技有限公司"]])
    report = batch_json(root, default_specs=("core",))
    ghost = package(report, "ghost")
    assert [d["code"] for d in ghost["defects"]] == ["L202"]
    assert ghost["ready"] is False and ghost["error"]
    assert "L203" in codes(report, "stray")  # neither client.yaml nor a registry row
    assert "V101" in codes(report, "stray")  # and so no company to check against
    assert package(report, "acme")["ready"] is True


def test_folder_without_any_spec_is_that_clients_error(tmp_path: Path, clean_pack: Path) -> None:
    root = _root_with_acme(tmp_path, clean_pack, keep_yaml=True)
    (root / "nospec").mkdir()
    (root / "nospec" / "client.yaml").write_text("company: 北京某某科技有限公司\n", encoding="utf-8")
    (root / "typo").mkdir()
    (root / "typo" / "client.yaml").write_text("company: 北京某某科技有限公司\nspec: cor\n", encoding="utf-8")
    report = batch_json(root)
    assert codes(report, "nospec") == ["L207"]
    [typo] = package(report, "typo")["defects"]
    assert typo["code"] == "L204" and "did you mean core" in typo["message"]
    assert package(report, "acme")["ready"] is True  # the run went on


def test_a_client_yaml_that_cannot_be_read_is_named_beside_the_missing_spec(tmp_path: Path, clean_pack: Path) -> None:
    """The reason no spec is known is the broken client.yaml: both are that client's defects."""
    root = _root_with_acme(tmp_path, clean_pack, keep_yaml=True)
    (root / "broken").mkdir()
    (root / "broken" / "client.yaml").write_text("company: [北京某某科技有限公司\nspec: core\n", encoding="utf-8")
    report = batch_json(root)
    found = codes(report, "broken")
    assert "L207" in found and any(c.startswith("V10") for c in found), found
    assert package(report, "acme")["ready"] is True


def test_registry_problems(tmp_path: Path, clean_pack: Path) -> None:
    root = _root_with_acme(tmp_path, clean_pack, keep_yaml=True)
    make_csv(root / "clients.csv", [["company", "uscc"], [ACME[1], ACME[2]]])
    report = batch_json(root)
    [bad] = package(report, "clients.csv")["defects"]
    assert bad["code"] == "L205" and "folder" in bad["message"]

    make_csv(root / "clients.csv", [["folder", "company"], [ACME[0], ACME[1]], [ACME[0], "别的公司名称有限公司"]])
    [dup] = [d for d in package(batch_json(root), "acme")["defects"] if d["code"] == "L206"]
    assert dup["params"]["row"] == 3 and dup["params"]["first_row"] == 2


def test_gbk_csv_from_chinese_excel(tmp_path: Path, clean_pack: Path) -> None:
    root = _root_with_acme(tmp_path, clean_pack, keep_yaml=False)
    rows = [["文件夹", "公司全称", "统一社会信用代码", "规范"], [ACME[0], ACME[1], ACME[2], "core"]]
    make_csv(root / "clients.csv", rows, encoding="gbk")
    [client] = discover(str(root))
    assert client.registry_values["company"] == ACME[1] and client.specs == ("core",)


def test_several_licences_get_the_union_of_documents(tmp_path: Path, clean_pack: Path) -> None:
    root = _root_with_acme(tmp_path, clean_pack, keep_yaml=True)
    (root / ACME[0] / "client.yaml").write_text(
        client_yaml(ACME[1], ACME[2], specs=["core", "demo-call-center"]), encoding="utf-8"
    )
    acme = package(batch_json(root), "acme")
    assert acme["spec"] == "core+demo-call-center"
    ids = [d["id"] for d in acme["documents"]]
    assert len(ids) == len(set(ids))  # shared documents merged, not repeated
    # demo-call-center narrows the roster to 6 columns: the 12-column roster now has extra columns.
    assert any(d["code"] == "X104" for d in acme["defects"])


@pytest.mark.parametrize(("value", "expected"), [
    ("call-center", ("call-center",)),
    ("call-center, icp", ("call-center", "icp")),
    ("call-center；icp、idc", ("call-center", "icp", "idc")),
    (["call-center", "icp", "call-center"], ("call-center", "icp")),
    ("", ()),
])  # fmt: skip
def test_split_specs(value: object, expected: tuple[str, ...]) -> None:
    assert split_specs(value) == expected


def test_folder_names_that_are_not_utf8(tmp_path: Path, clean_pack: Path) -> None:
    """Folders unpacked from a zip made on Chinese Windows have GBK names: the run goes on, the
    reports are valid UTF-8 (U+FFFD where the bytes were) and look-alike names stay distinct."""
    root = tmp_path / "root"
    copy_root(clean_pack, root / ACME[0])
    for raw in ("上海客户".encode("gbk"), "上海客户".encode("gbk") + b"\xff", b"\xff" + "上海客户".encode("gbk")):
        shutil.copytree(bytes(clean_pack), bytes(root) + b"/" + raw)
    report = json.loads(batch_json_text(root).encode("utf-8"))  # strict UTF-8: no surrogate escapes left
    names = [p["client"] for p in report["packages"]]
    assert len(names) == len(set(names)) == 4
    assert sum("\ufffd" in n for n in names) == 3
    assert all(p["files"] == 10 for p in report["packages"])


def test_a_registry_whose_sheet_would_abort_calamine_is_a_registry_problem(tmp_path: Path) -> None:
    """The registry is read in the batch's own process: on main a second r= (calamine places a cell
    by its last) passed the cell budget and the 512 GB allocation aborted the whole batch (134)."""
    import subprocess
    import sys

    from tests.readers.test_xlsx_reader import _package

    root = tmp_path / "root"
    (root / "acme").mkdir(parents=True)
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
             '<c r="A1" t="inlineStr"><is><t>folder</t></is></c><c r="B1" r="XFD1048576"><v>1</v></c>'
             "</row></sheetData></worksheet>")
    _package(root / "clients.xlsx", sheet.encode())
    run = subprocess.run([sys.executable, "-m", "validator", "batch", str(root), "--spec", "core", "--executor",
                          "serial", "--format", "json"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr[-500:]
    assert json.loads(run.stdout)["packages"]
