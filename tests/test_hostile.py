"""Hostile folders: every odd file becomes a defect, the run goes on, nothing is changed.

Also the real-world corpus (../shared/corpus/real): 326 files from public test suites
(encrypted, damaged, looping PDFs, fuzzer spreadsheets, zip bombs…) go through the check
without a traceback, a hang or a change.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import stat
import time
from pathlib import Path

import pytest

from fixtures import makers as mk
from tests.conftest import CORPUS, check_json, run_cli

# A spec that applies every content rule to every file, so each parser meets each file.
CATCH_ALL = """\
id: catch-all
title: 每个文件都检查
naming: {platform: windows, forbid: [fullwidth, whitespace, copy_suffix], max_length: 120}
unexpected_files: error
documents:
  - id: pdf
    title: PDF
    regex: '(?i).*\\.pdf'
    required: false
    count: 0+
    types: [pdf]
    pdf: {encrypted: false, pages: 1-100000}
  - id: sheet
    title: 表格
    regex: '(?i).*\\.xls[xm]?'
    required: false
    count: 0+
    types: [xlsx]
    sheet:
      header_row: 1
      columns: [{name: 序号, type: integer, required: true}]
      extra_columns: ignore
      order: any
  - id: other
    title: 其他
    regex: '.*'
    required: false
    count: 0+
"""


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    out = {}
    for dirpath, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(dirpath, f)
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                out[p] = (st.st_mtime_ns, hashlib.sha256(Path(p).read_bytes()).hexdigest())
            else:
                out[p] = (st.st_mtime_ns, f"mode {stat.S_IFMT(st.st_mode)}")
    return out


def test_hostile_folder(tmp_path: Path) -> None:
    spec = tmp_path / "catch-all.yaml"
    spec.write_text(CATCH_ALL, encoding="utf-8")
    pack = tmp_path / "pack"
    pack.mkdir()
    mk.make_empty(pack / "empty.pdf")
    mk.make_html(pack / "page.pdf")
    mk.make_csv(pack / "data.xlsx", [["序号"], [1]])
    mk.make_encrypted_xlsx(pack / "locked.xlsx")
    mk.make_pdf(pack / "locked.pdf", 1, "x", user_password="u", owner_password="o")
    mk.make_truncated_pdf(pack / "truncated.pdf")
    mk.make_zip_bomb(pack / "bomb.xlsx", unzipped_mb=1000)
    os.mkfifo(pack / "pipe.pdf")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(pack / "sock.pdf"))
    (pack / "loop.pdf").symlink_to("loop.pdf")
    (pack / "outside.pdf").symlink_to("/etc/hostname")
    mk.make_pdf(pack / "real.pdf", 1, "x")
    (pack / "inside.pdf").symlink_to("real.pdf")
    bad_name = os.path.join(os.fsencode(pack), "营业执照.pdf".encode("gbk"))
    with open(bad_name, "wb") as f:
        f.write(b"%PDF-1.4\n")
    unreadable = pack / "secret.pdf"
    mk.make_pdf(unreadable, 1, "x")
    unreadable.chmod(0)
    (pack / "sub").mkdir()
    mk.make_pdf(pack / "sub" / "CON.pdf", 1, "x")
    before = snapshot(pack)
    started = time.monotonic()
    try:
        code, report = check_json(pack, "--spec", str(spec))
    finally:
        sock.close()
    elapsed = time.monotonic() - started
    assert code == 1
    assert elapsed < 60
    got: dict[str, set[str]] = {}
    for d in report["packages"][0]["defects"]:
        got.setdefault(d["path"], set()).add(d["code"])
    assert "S101" in got["empty.pdf"]
    assert "T102" in got["page.pdf"]
    assert "T102" in got["data.xlsx"]
    assert "T103" in got["locked.xlsx"]
    assert "P103" in got["locked.pdf"]
    assert "P101" in got["truncated.pdf"]
    assert "X101" in got["bomb.xlsx"]
    assert "F104" in got["pipe.pdf"] and "F104" in got["sock.pdf"]
    assert "F103" in got["loop.pdf"] and "F103" in got["outside.pdf"]
    assert "F103" in got["inside.pdf"]
    sev = {(d["path"], d["code"]): d["severity"] for d in report["packages"][0]["defects"]}
    assert sev[("outside.pdf", "F103")] == "error" and sev[("inside.pdf", "F103")] == "warning"
    [gbk] = [p for p in got if p.startswith("\ufffd") or "\ufffd" in p or "N108" in got[p]]
    assert "N108" in got[gbk]
    if os.geteuid() != 0:  # root reads anything
        assert "F101" in got["secret.pdf"]
    assert "N103" in got["sub/CON.pdf"]
    assert snapshot(pack) == before


def test_vanished_folder_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("check", str(tmp_path / "nope"), "--spec", "core")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_real_world_corpus(tmp_path: Path) -> None:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip(f"the shared corpus is not here ({CORPUS}): it ships beside the repo, not in it")
    pack = tmp_path / "corpus"
    shutil.copytree(CORPUS, pack, symlinks=True)
    (pack / "MANIFEST.tsv").unlink()
    spec = tmp_path / "catch-all.yaml"
    spec.write_text(CATCH_ALL, encoding="utf-8")
    before = snapshot(pack)
    started = time.monotonic()
    proc = run_cli("check", str(pack), "--spec", str(spec), "--format", "json", "--lang", "en")
    elapsed = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    import json

    report = json.loads(proc.stdout)
    pkg = report["packages"][0]
    manifest = [line.split("\t") for line in (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    # The catch-all spec names every file, so the members of the corpus's zips count too
    # (a zip whose files are named like documents is opened one level deep).
    opened = {d["path"] for d in pkg["defects"] if ".zip/" in d["path"]}
    assert pkg["files"] >= len(manifest) and (pkg["files"] == len(manifest)) == (not opened)
    by_path: dict[str, set[str]] = {}
    for d in pkg["defects"]:
        by_path.setdefault(d["path"], set()).add(d["code"])
    # Broken files are reported: every PDF the reader does not open gets a PDF or type defect
    # here (the reader's verdicts are held against poppler's pdfinfo in
    # tests/readers/test_pdf_vs_poppler.py), among them a PDF with no page at all.
    from validator.readers.pdf import read_pdf

    broken_pdfs = [row[0] for row in manifest if row[0].endswith(".pdf") and read_pdf(CORPUS / row[0]).error]
    assert {"qpdf/empty.pdf", "qpdf/issue-120.pdf", "pypdf/r6-user-password.pdf"} <= set(broken_pdfs)
    for rel in broken_pdfs:
        assert by_path.get(rel, set()) & {"P101", "P103", "T101", "T102", "S101"}, rel
    # ...and files viewers open are not: a missing startxref (rebuilt), an Excel default password.
    assert not by_path.get("qpdf/bad2.pdf", set()) & {"P101", "P103"}
    assert "T103" not in by_path.get("calamine/issue_385.xls", set())
    assert snapshot(pack) == before
    print(f"corpus: {pkg['files']} files in {elapsed:.1f} s")


def test_a_folder_whose_own_path_is_not_utf8(tmp_path: Path) -> None:
    """A pack unzipped from a Chinese-Windows zip: the folder name itself is GBK bytes."""
    folder = os.path.join(os.fsencode(tmp_path), "材料".encode("gbk"))
    os.mkdir(folder)
    mk.make_pdf(os.fsdecode(os.path.join(folder, b"01.pdf")), 1, "x")
    proc = run_cli("check", os.fsdecode(folder), "--spec", "core", "--format", "json", "--lang", "en")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    import json

    pkg = json.loads(proc.stdout)["packages"][0]
    assert "\ufffd" in pkg["root"] and pkg["root_escaped"].endswith("\\xb2\\xc4\\xc1\\xcf")
    text = run_cli("check", os.fsdecode(folder), "--spec", "core", "--lang", "en")
    assert text.returncode == 1 and "Traceback" not in text.stderr and "\ufffd" in text.stdout
