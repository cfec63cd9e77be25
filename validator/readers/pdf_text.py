"""The text of a PDF's first pages, bounded in pages and bytes; never raises.

Used by the cross-client leakage check, which only needs to know whether another client's name
or credit code is printed on the first pages.  A thin wrapper over
:func:`validator.readers.pdf.read_pdf`, which reads facts and text in one open; a caller that
needs both should call ``read_pdf(path, text_pages=N)`` itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from validator.readers.pdf import read_pdf

__all__ = ["PdfText", "first_pages_text"]

# read_pdf's error key -> the reasons this module has always given
_ERRORS = {"password": "password", "timeout": "timeout", "memory": "memory", "too_large": "too_large"}


@dataclass(frozen=True)
class PdfText:
    pages: tuple[str, ...]  # text of page 1, 2, … (as many as were read)
    error: str | None = None  # why reading stopped early: damaged, password, timeout, memory, too_large


def first_pages_text(
    path: str | os.PathLike[str], *, pages: int = 2, seconds: float = 2.0, max_mb: int = 32, memory_mb: int = 512
) -> PdfText:
    """The text of the first ``pages`` pages of the PDF at ``path``."""
    if pages <= 0:
        return PdfText(())
    facts = read_pdf(path, text_pages=pages, timeout=seconds, memory_mb=memory_mb, max_mb=max_mb)
    if facts.error is None:
        return PdfText(facts.texts)
    return PdfText(facts.texts, _ERRORS.get(facts.error, "damaged"))
