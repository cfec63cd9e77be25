"""validator.readers.pdf_text: the first pages' text, bounded, never raising."""

from __future__ import annotations

from pathlib import Path

from fixtures import makers as m
from validator.readers.pdf_text import PdfText, first_pages_text


def test_reads_only_the_pages_asked_for(tmp_path: Path) -> None:
    pdf = m.make_pdf(tmp_path / "a.pdf", 3, ["第一页 北京示例科技有限公司", "第二页", "第三页"])
    one = first_pages_text(pdf, pages=1)
    assert one.error is None and len(one.pages) == 1 and "北京示例科技有限公司" in one.pages[0]
    assert len(first_pages_text(pdf, pages=5).pages) == 3
    assert first_pages_text(pdf, pages=0).pages == ()


def test_locked_damaged_and_oversized_files(tmp_path: Path) -> None:
    locked = m.make_pdf(tmp_path / "locked.pdf", 1, "机密", user_password="secret")
    assert first_pages_text(locked) == PdfText((), "password")
    restricted = m.make_pdf(tmp_path / "restricted.pdf", 1, "限制编辑", owner_password="owner")
    assert "限制编辑" in first_pages_text(restricted).pages[0]  # opens without a password
    jpeg = m.make_jpeg(tmp_path / "photo.pdf", 200, 200)
    assert first_pages_text(jpeg).error == "damaged" and first_pages_text(jpeg).pages == ()
    truncated = m.make_truncated_pdf(tmp_path / "cut.pdf")
    assert first_pages_text(truncated).error in (None, "damaged")  # whatever pypdf recovers, no exception
    big = m.make_pdf(tmp_path / "big.pdf", 1, "x")
    assert first_pages_text(big, max_mb=0).error == "too_large"
    assert first_pages_text(tmp_path / "missing.pdf").error == "damaged"
