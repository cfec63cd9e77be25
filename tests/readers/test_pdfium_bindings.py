"""validator.readers.pdf_pdfium binds the few PDFium functions it calls itself (not by importing
pypdfium2_raw, ~9 ms in every parse worker): the prototypes must be pypdfium2_raw's, and both
bindings must say the same of every PDF."""

from __future__ import annotations

import ctypes
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter

from tests.conftest import CORPUS
from validator.readers import pdf_pdfium

raw = pytest.importorskip("pypdfium2_raw")


def _shape(t: Any) -> Any:
    """What the C side sees of a ctypes type: any pointer is a pointer (a handle is void* here, a
    typed pointer there; the structures we build are compared apart), a structure its layout."""
    if t is None:
        return None
    if t in (ctypes.c_void_p, ctypes.c_char_p) or issubclass(t, ctypes._Pointer):
        return "pointer"
    if issubclass(t, ctypes.Structure):
        fields = [(getattr(t, name).offset, getattr(t, name).size) for name, *_ in t._fields_]
        return (*fields, ctypes.sizeof(t))
    return (ctypes.sizeof(t), t._type_)


@pytest.mark.parametrize("name", sorted(pdf_pdfium.PROTOTYPES))
def test_prototypes_are_pypdfium2_raws(name: str) -> None:
    restype, argtypes = pdf_pdfium.PROTOTYPES[name]
    theirs = getattr(raw, name)
    assert _shape(restype) == _shape(theirs.restype)
    assert [_shape(a) for a in argtypes] == [_shape(a) for a in theirs.argtypes]


def test_structures_are_pypdfium2_raws() -> None:
    assert _shape(pdf_pdfium._LibraryConfig) == _shape(raw.FPDF_LIBRARY_CONFIG)
    assert _shape(pdf_pdfium._SizeF) == _shape(raw.FS_SIZEF)


def test_ours_load_the_library_file_pypdfium2_raw_loads() -> None:
    lib = pdf_pdfium._lib()
    assert isinstance(lib, pdf_pdfium._Pdfium)
    assert Path(lib.path) == Path(raw.bindings._libs["pdfium"]._name)


def test_without_the_library_file_pypdfium2_raw_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pypdfium2 built against a system PDFium keeps no library file in its package."""
    monkeypatch.setattr(pdf_pdfium, "library_file", lambda: None)
    assert pdf_pdfium._bind() is raw


def _pdf(pages: int, *, user: str | None = None, owner: str | None = None) -> bytes:
    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=595, height=842)
    if user is not None or owner is not None:
        w.encrypt(user_password=user or "", owner_password=owner, algorithm="RC4-128")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _samples(tmp_path: Path) -> dict[str, bytes]:
    from fixtures import makers as mk

    text = mk.make_pdf(tmp_path / "text.pdf", 3, ["第一页 北京示例科技有限公司", "第二页 91110000MA01ABCD2X", "第三页"])
    plain = _pdf(2)
    samples = {
        "text": text.read_bytes(), "plain": plain, "no pages": _pdf(0), "user password": _pdf(1, user="secret"),
        "owner password only": _pdf(1, owner="owner"), "cut short": plain[: len(plain) // 2],
        "not a pdf": b"PK\x03\x04 not a pdf at all", "empty": b"",
    }  # fmt: skip
    corpus = sorted((CORPUS / "pdf-sample-files").rglob("*.pdf"))[:20] if CORPUS.is_dir() else []
    samples.update({str(p.relative_to(CORPUS)): p.read_bytes() for p in corpus})
    return samples


def test_both_bindings_say_the_same_of_every_pdf(tmp_path: Path) -> None:
    assert pdf_pdfium.available()
    for label, data in _samples(tmp_path).items():
        ours = pdf_pdfium.open_pdf(data, text_pages=3)
        assert ours == pdf_pdfium._open(raw, data, 3), label
    assert pdf_pdfium.open_pdf(_pdf(1, user="secret")).status == "password"
    found = pdf_pdfium.open_pdf(_samples(tmp_path)["text"], text_pages=2)
    assert (found.status, found.pages, found.first_page_loads) == ("ok", 3, True)
    assert "北京示例科技有限公司" in found.texts[0] and "91110000MA01ABCD2X" in found.texts[1]


def test_reading_a_pdf_imports_neither_pypdfium2_raw_nor_ctypes_util(tmp_path: Path) -> None:
    """Nor the bounds of the pypdf path: a parse worker loads what PDFium needs, no more."""
    p = tmp_path / "a.pdf"
    p.write_bytes(_pdf(2))
    code = (
        "import sys; from validator.readers.pdf import read_pdf; "
        f"f = read_pdf({str(p)!r}, text_pages=1); "
        "from validator.readers import pdf_pdfium; "
        "print(f.pages, type(pdf_pdfium._lib()).__name__, "
        "[m for m in ('pypdfium2_raw', 'pypdfium2', 'ctypes.util', 'pypdf', 'validator.readers.bounded') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["2", "_Pdfium", "[]"]
