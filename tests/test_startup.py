"""Heavy libraries load only when a spec needs them (checked in a fresh interpreter)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fixtures import makers as mk
from tests.conftest import modules_loaded_by
from validator.portable import native

HEAVY = ("pandas", "openpyxl", "pypdf", "python_calamine", "pypdfium2", "pypdfium2_raw")

def loaded_after(*args: str) -> set[str]:
    return modules_loaded_by(HEAVY, *args)


def test_help_imports_nothing_heavy() -> None:
    assert loaded_after("--help") == set()
    proc = subprocess.run([sys.executable, "-c", "import validator.cli, sys; print(sorted(sys.modules))"],
                          capture_output=True, text=True, timeout=60)
    assert "magic" not in proc.stdout.split("'") and "yaml" not in proc.stdout.split("'")


def test_names_and_types_check_of_50_files_imports_nothing_heavy(tmp_path: Path) -> None:
    spec = tmp_path / "names.yaml"
    spec.write_text(
        "id: names\ntitle: 只查名称和类型\nnaming: {platform: windows, forbid: [fullwidth, whitespace, copy_suffix]}\n"
        "documents:\n"
        "  - {id: scans, title: 扫描件, name: '*.pdf', count: 0+, types: [pdf], max_size: 10MB}\n"
        "  - {id: sheets, title: 表格, name: '*.xlsx', count: 0+, types: [xlsx]}\n"
        "  - {id: images, title: 图片, name: '*.jpg', count: 0+, types: [jpg]}\n", encoding="utf-8")
    pack = tmp_path / "pack"
    for i in range(20):
        mk.make_pdf(pack / f"{i:02d}_材料.pdf", 1, f"材料 {i}")
    for i in range(15):
        mk.make_xlsx(pack / f"{i:02d}_表格.xlsx", {"Sheet1": [["序号"], [i]]})
    for i in range(15):
        mk.make_jpeg(pack / f"{i:02d}_照片.jpg", 64, 64, seed=i)
    assert len(list(pack.iterdir())) == 50
    assert loaded_after("check", str(pack), "--spec", str(spec), "--format", "json") == set()
    # ...and a spec with PDF rules loads the PDF engine (PDFium through our few bindings: neither pypdf
    # nor pypdfium2_raw's bindings of the whole API), only then, and in the killable worker (inline
    # here, so that the probe sees it), not in the main process.
    spec.write_text(spec.read_text(encoding="utf-8").replace("max_size: 10MB}", "max_size: 10MB, pdf: {}}"),
                    encoding="utf-8")
    engine = (*HEAVY, "validator.readers.pdf_pdfium")
    assert modules_loaded_by(engine, "check", str(pack), "--spec", str(spec)) == set()
    inline = {**os.environ, "VALIDATOR_SANDBOX": "inline"}
    assert modules_loaded_by(engine, "check", str(pack), "--spec", str(spec), env=inline) == {
        "validator.readers.pdf_pdfium"}
    # Parsing PDFs only (a re-run where PDFs changed) loads neither the sheet checks nor their reader.
    sheets = ("validator.checks.sheet", "validator.readers.xlsx")
    assert modules_loaded_by(sheets, "check", str(pack), "--spec", str(spec), env=inline) == set()
    spec.write_text(spec.read_text(encoding="utf-8").replace("types: [xlsx]}", "types: [xlsx], sheet: {}}"),
                    encoding="utf-8")
    assert modules_loaded_by(sheets, "check", str(pack), "--spec", str(spec), env=inline) == set(sheets)


def test_the_content_checks_know_the_sheet_kinds_without_importing_them() -> None:
    from validator.checks import content, sheet

    assert content.SHEET_KINDS == sheet.SHEET_KINDS


def test_lazy_commands_list_their_real_short_help() -> None:
    """`validator --help` shows the stored short help of commands it does not import: the same
    text the command itself gives, and none of their modules is imported by it."""
    import importlib

    import click

    from validator.cli import LAZY_COMMANDS

    for name, (module, short) in LAZY_COMMANDS.items():
        command = importlib.import_module(module).command
        for limit in (40, 67, 200):  # a narrow, the default and a wide terminal
            assert command.get_short_help_str(limit) == click.Command(name, help=short).get_short_help_str(limit)
    probe = ("import sys; from validator.cli import main\ntry: main(['--help'])\nexcept SystemExit: pass\n"
             "print(sorted(m for m in sys.modules if 'validator.commands.' in m and not m.endswith('.options')))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip().endswith("[]"), proc.stdout
    assert all(f"  {name}" in proc.stdout for name in LAZY_COMMANDS)


def test_a_printed_report_and_a_batch_without_registry_skip_tempfile_and_csv(tmp_path: Path) -> None:
    """tempfile (atomic report files) and csv (a clients.csv registry) load only when used: a
    check printing its report, or a batch root without a registry, imports neither."""
    spec = tmp_path / "names.yaml"
    spec.write_text("id: names\ntitle: 只查名称\nnaming: {platform: windows}\n"
                    "documents:\n  - {id: scans, title: 扫描件, name: '*.pdf', count: 0+, types: [pdf]}\n",
                    encoding="utf-8")
    root = tmp_path / "root"
    for client in ("甲公司", "乙公司"):
        mk.make_pdf(root / client / "01_材料.pdf", 1, client)
    pack = root / "甲公司"
    # Where the parse worker cannot be forked (Windows; the CI's forced portable run) multiprocessing
    # starts it, and multiprocessing imports tempfile: that is the worker's, not the report's.
    unused = ("tempfile", "csv") if native("fork") else ("csv",)
    assert modules_loaded_by(unused, "check", str(pack), "--spec", str(spec), "--format", "json") == set()
    report = tmp_path / "report.json"
    assert modules_loaded_by(("tempfile",), "check", str(pack), "--spec", str(spec), "-f", f"json={report}") == {
        "tempfile"}
    batch = ("batch", str(root), "--spec", str(spec), "-q", "--executor", "serial")
    assert "csv" not in modules_loaded_by(("csv",), *batch)
    (root / "clients.csv").write_text("folder,company\n甲公司,甲\n", encoding="utf-8")
    assert modules_loaded_by(("csv",), *batch) == {"csv"}
