"""PDF verdicts against the reference tool: every real-world PDF of ../shared/corpus/real/ is
judged by ``read_pdf`` and by poppler's ``pdfinfo``, in four classes - opens (with its page
count), damaged, needs a password - and any disagreement not listed in ``KNOWN`` (each with the
reason we judge differently) fails.

``pdfinfo`` comes from poppler-utils (``.ci/run`` installs it).  Without it the test is skipped
on a workstation and fails under CI (``CI=true``), so the comparison can never silently stop.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from validator.readers.pdf import PdfFacts, read_pdf

Verdict = tuple[str, int | None]  # ("opens", pages) | ("damaged", None) | ("password", None)

#: Files where we knowingly differ from pdfinfo: path -> (our verdict, pdfinfo's, why).
KNOWN: dict[str, tuple[Verdict, Verdict, str]] = {
    "pypdf/r5-user-password.pdf": (
        ("password", None), ("opens", 1),
        "a user password with an EMPTY owner password: poppler also tries \"\" as the owner password "
        "and opens it; Acrobat, PDFium (Chrome) and pdf.js ask for the password, and so does a reviewer",
    ),
    "pypdf/r6-user-password.pdf": (
        ("password", None), ("opens", 1),
        "as r5-user-password.pdf (AES-256): poppler opens with the empty owner password, viewers ask",
    ),
    "qpdf/99999e.fuzz": (
        ("opens", 1), ("damaged", None),
        "no trailer dictionary; PDFium and pypdf both rebuild it by scanning the objects and load the page",
    ),
    "qpdf/bad40.pdf": (
        ("opens", 1), ("damaged", None),
        "the trailer's /Root is missing; PDFium finds the catalog by scanning and loads page 1",
    ),
    "qpdf/deep-pages.pdf": (
        ("damaged", None), ("opens", 1),
        "a page tree nested far deeper than any writer makes: PDFium cannot load page 1 and pypdf's "
        "depth guard stops; poppler walks it (printing 'Loop in Pages tree')",
    ),
    "qpdf/fuzz-16214.pdf": (
        ("damaged", None), ("opens", 1),
        "no %PDF- header within the first 1024 bytes (Acrobat's limit, which PDFium also enforces); "
        "poppler scans further",
    ),
    "pdf-sample-files/unreadablemetadata.pdf": (
        ("damaged", None), ("opens", 4),
        "the top-level Pages object is null: PDFium and pypdf find no page tree; poppler guesses the "
        "pages from the objects it scans",
    ),
}


def _corpus_pdfs() -> list[str]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return sorted(
        r["path"] for r in rows
        if (r["path"].lower().endswith(".pdf") or r["magic_mime"] == "application/pdf")
        and (CORPUS / r["path"]).is_file()
    )  # fmt: skip


def _pdfinfo() -> str:
    exe = shutil.which("pdfinfo")
    if exe is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("pdfinfo (poppler-utils) is missing: .ci/run must install it")
        pytest.skip("pdfinfo (poppler-utils) not installed")
    return exe


def poppler_verdict(exe: str, path: Path) -> Verdict:
    try:
        r = subprocess.run([exe, str(path)], capture_output=True, timeout=60, text=True, errors="replace")
    except subprocess.TimeoutExpired:
        return ("damaged", None)
    if r.returncode == 0:
        for line in r.stdout.splitlines():
            if line.startswith("Pages:"):
                pages = int(line.split()[1])
                return ("opens", pages) if pages > 0 else ("damaged", None)
        return ("damaged", None)
    if "Incorrect password" in r.stderr:
        return ("password", None)
    # 99: "Wrong page range given: the first page (1) can not be after the last page (0)" - no page
    return ("damaged", None)


def our_verdict(f: PdfFacts) -> Verdict:
    if f.error is None:
        return ("opens", f.pages)
    if f.error == "password" or f.needs_password:
        return ("password", None)
    return ("damaged", None)


@pytest.mark.slow
def test_pdf_verdicts_agree_with_pdfinfo() -> None:
    files = _corpus_pdfs()
    if not files:
        pytest.skip("corpus not available")
    exe = _pdfinfo()
    disagreements: dict[str, tuple[Verdict, Verdict]] = {}
    for rel in files:
        path = CORPUS / rel
        ours, theirs = our_verdict(read_pdf(path)), poppler_verdict(exe, path)
        if ours != theirs:
            disagreements[rel] = (ours, theirs)
    assert len(files) >= 100
    unexplained = {k: v for k, v in disagreements.items() if KNOWN.get(k, (None, None))[:2] != v}
    assert not unexplained, "verdicts differ from pdfinfo (ours, pdfinfo's): " + "; ".join(
        f"{k}: {v}" for k, v in sorted(unexplained.items())
    )
    stale = sorted(set(KNOWN) - set(disagreements))
    assert not stale, f"listed as disagreeing but now agree with pdfinfo (remove from KNOWN): {stale}"


def test_no_page_is_damaged(tmp_path: Path, engine: str) -> None:
    """A PDF whose page tree is empty opens in every reader but shows nothing: damaged."""
    p = tmp_path / "空白.pdf"
    p.write_bytes(_blank_pdf(0))
    f = read_pdf(p)
    assert (f.error, f.pages) == ("no_pages", 0)


@pytest.fixture(params=["pdfium", "pypdf"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with PDFium first (the normal path) and with pypdf alone (no PDFium)."""
    if request.param == "pypdf":
        from validator.readers import pdf_pdfium

        monkeypatch.setattr(pdf_pdfium, "available", lambda: False)
    return str(request.param)


@pytest.mark.parametrize("count", [b"-2147483648", b"0", b"99999999"])
def test_page_count_is_the_pages_a_viewer_shows_not_the_written_count(engine: str, count: bytes) -> None:
    """A page tree whose /Count lies (fuzzed: -2147483648) still shows its one page."""
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    w.write(buf)
    data = buf.getvalue().replace(b"/Count 1", b"/Count " + count)
    assert b"/Count " + count in data
    f = read_pdf(data)
    assert (f.error, f.pages) == (None, 1), f


def test_impossible_page_count_is_damaged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a reader report a negative page count, the file is damaged, not "opens"."""
    from validator.readers import pdf_pdfium

    real = pdf_pdfium.open_pdf
    monkeypatch.setattr(pdf_pdfium, "open_pdf", lambda data, n: real(data, n)._replace(pages=-2147483648))
    monkeypatch.setattr("validator.readers.pdf_pypdf._page_count", lambda reader: -2147483648)
    f = read_pdf(_blank_pdf(1))
    assert (f.error, f.pages) == ("damaged", None)
    assert "-2147483648" in f.detail


def _blank_pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def test_missing_startxref_is_repaired_not_damaged(tmp_path: Path) -> None:
    """Cut the 'startxref' line off (a common upload truncation of the last few bytes): viewers
    rebuild the cross-reference table, so the file opens - flagged as repaired.  (pypdf alone
    cannot: it needs startxref, which is why PDFium comes first.)"""
    from fixtures import makers as m

    good = m.make_pdf(tmp_path / "good.pdf", 2, ["第一页", "第二页"]).read_bytes()
    cut = good[: good.rindex(b"startxref")]
    f = read_pdf(cut, text_pages=1)
    assert (f.error, f.pages, f.repaired) == (None, 2, True)
    assert "第一页" in f.texts[0]
    assert read_pdf(good).repaired is False
