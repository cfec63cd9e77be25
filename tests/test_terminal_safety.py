"""Issue 10.6: a file name or a registry value cannot write to the reader's terminal.

Names on Linux may hold CR, LF, BEL, ESC (`ESC[2J` clears the screen, OSC-8 plants a
hyperlink) and bidi overrides. Printed raw, a name forges a `validator: 0 errors` line or
hides what it is. Every output mode shows them escaped (validator.textsafe), and the
structured formats stay valid XML / JSON.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fixtures.makers import make_csv
from tests.batch.conftest import ACME
from tests.conftest import ROOT, run_cli
from validator.textsafe import safe, spreadsheet_cell

FORGED = "validator: 0 errors"
# CR/LF starting a forged line, BEL, clear screen, an OSC-8 link (no "/" in a file name), RLO.
EVIL = f"x\r\n{FORGED}\r\x07\x1b[2J\x1b]8;;http:evil\x07click\x1b]8;;\x07\u202efdp.exe\x9b31m.pdf"
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def assert_nothing_forged(text: str, where: str) -> None:
    assert not RAW_CONTROLS.search(text), f"{where}: a raw control character reached the output"
    for line in text.split("\n"):
        assert not line.lstrip().startswith(FORGED), f"{where}: forged line {line!r}"


@pytest.fixture(scope="module")
def evil_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("evil") / "pack"
    shutil.copytree(ROOT / "fixtures/examples/core-clean", folder)
    (folder / EVIL).write_bytes(b"%PDF-1.4\n")
    return folder


def test_the_sanitiser_shows_every_dangerous_character_escaped() -> None:
    shown = safe(EVIL)
    assert shown == (
        "x\\r\\nvalidator: 0 errors\\r\\x07\\x1b[2J\\x1b]8;;http:evil\\x07click\\x1b]8;;\\x07\\u202efdp.exe\\x9b31m.pdf"
    )
    assert safe("营业执照\u2066.pdf\u2069") == "营业执照\\u2066.pdf\\u2069"
    assert safe("a\udcff.pdf") == "a\ufffd.pdf"  # undecodable bytes
    assert safe("正常的名字 (1).pdf") == "正常的名字 (1).pdf"
    assert spreadsheet_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and spreadsheet_cell("'x") == "''x"


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "junit", "sarif", "json", "html"])
def test_check_output_in_every_format(evil_folder: Path, fmt: str) -> None:
    proc = run_cli("check", str(evil_folder), "--spec", "core", "--lang", "en", "--format", fmt)
    assert proc.returncode == 1, proc.stderr  # the stray file is a defect
    out = proc.stdout
    assert_nothing_forged(out, fmt)
    if fmt == "junit":
        ET.fromstring(out.encode("utf-8"))  # still well-formed XML
    elif fmt in ("sarif", "json"):
        json.loads(out)
    if fmt in ("text", "markdown", "csv", "html", "junit", "sarif"):
        assert "\\x1b[2J" in out or "\\\\x1b[2J" in out  # shown, not hidden


def test_hook_lines(evil_folder: Path) -> None:
    proc = run_cli("hook", "--spec", "core", "--no-cache", "--lang", "en", "--", f"pack/{EVIL}",
                   cwd=evil_folder.parent)
    assert proc.returncode == 1, proc.stderr
    assert "pack/x\\r\\nvalidator: 0 errors" in proc.stdout
    assert_nothing_forged(proc.stdout, "hook stdout")
    assert_nothing_forged(proc.stderr, "hook stderr")


def test_batch_table_progress_and_markdown(tmp_path: Path, evil_folder: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(evil_folder, root / ACME[0])
    shutil.copytree(evil_folder, root / EVIL)  # a client folder with the name
    # A registry row whose folder and company carry the same (a client with no folder).
    make_csv(root / "clients.csv", [["folder", "company", "specs"], [f"ghost{EVIL}", f"公司{EVIL}", "core"]])
    proc = run_cli("batch", str(root), "--spec", "core", "--lang", "en", "--executor", "serial")
    assert proc.returncode == 1, proc.stderr
    assert "x\\r\\nvalidator: 0 errors" in proc.stdout  # the roll-up names the client, escaped
    assert_nothing_forged(proc.stdout, "batch roll-up")
    assert_nothing_forged(proc.stderr, "batch progress")
    md = run_cli("batch", str(root), "--spec", "core", "--lang", "en", "-q", "--executor", "serial",
                 "-f", "markdown")
    assert_nothing_forged(md.stdout, "batch markdown")
