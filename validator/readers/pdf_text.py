"""The text of a PDF's first pages, bounded in pages, bytes, time and memory; never raises.

Used by the cross-client leakage check, which only needs to know whether another client's name
or credit code is printed on the first pages. pypdf's ``extract_text`` runs in Python, so the
SIGALRM bound of :mod:`validator.readers.bounded` can interrupt it (in a process's main thread;
in a Dask worker thread only the page and size bounds apply, plus a check of the clock between
pages).
"""

from __future__ import annotations

import io
import logging
import os
import time
import warnings
from dataclasses import dataclass

from validator.readers.bounded import ParseLimit, limits

__all__ = ["PdfText", "first_pages_text"]


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
    try:
        if os.path.getsize(path) > max_mb * 1024 * 1024:
            return PdfText((), "too_large")
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return PdfText((), "damaged")
    texts: list[str] = []
    logger = logging.getLogger("pypdf")
    saved = logger.level
    logger.setLevel(logging.CRITICAL + 1)  # damaged-but-readable files make pypdf chatty
    deadline = time.monotonic() + seconds
    try:
        with warnings.catch_warnings(), limits(seconds, memory_mb):
            warnings.simplefilter("ignore")
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                return PdfText((), "password")
            for i in range(min(pages, len(reader.pages))):
                if time.monotonic() > deadline:  # the only time bound outside a main thread
                    return PdfText(tuple(texts), "timeout")
                texts.append(reader.pages[i].extract_text() or "")
    except ParseLimit as exc:
        return PdfText(tuple(texts), "timeout" if exc.kind == "time" else "memory")
    except MemoryError:
        return PdfText(tuple(texts), "memory")
    except Exception:  # any damage pypdf trips over: the pages read so far still count
        return PdfText(tuple(texts), "damaged")
    finally:
        logger.setLevel(saved)
    return PdfText(tuple(texts))
