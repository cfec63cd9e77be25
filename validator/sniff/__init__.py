"""What a file really is, judged by its bytes and never by its name alone.

``sniff(path, head, size)`` looks at the first bytes of a file with libmagic and with a few
signatures of its own, then looks inside the containers that libmagic cannot see into (for
OLE2, zip and ``%PDF-`` at offset 0 the signature is unambiguous and libmagic is consulted only
as a fallback, which saves most of the time):

* **zip** (central directory only, via a small reader of its own): OOXML (``[Content_Types].xml`` and
  its main part), ODF (the ``mimetype`` entry), OFD (``OFD.xml`` at the root, GB/T 33190),
  encrypted entries;
* **OLE2 / CFB** (a small bounded directory reader of its own): ``WordDocument``,
  ``Workbook``/``Book``, ``PowerPoint Document``, ``EncryptedPackage`` (password-protected
  xlsx/docx/pptx), Kingsoft WPS Office markers, legacy RC4/XOR password protection;
* **ISO-BMFF** brands (HEIC/HEIF and AVIF phone photos);
* **text**: html, xml, svg, json, csv, rtf, plain text.

Kinds (``ContentType.kind``)::

    pdf                                        PDF (``%PDF-`` within the first 1024 bytes)
    xlsx xlsm xlsb docx docm pptx pptm         OOXML package; main part from [Content_Types].xml
                                               (templates .xltx/.dotx/.potx/.ppsx share their kind)
    ooxml                                      OPC package whose main part is unknown or missing
    ooxml-encrypted                            OLE2 with an EncryptedPackage stream: a password-
                                               protected xlsx/docx/pptx/xlsb (which one can't be told)
    doc xls ppt                                Word / Excel / PowerPoint binary formats (xls: BIFF5-8
                                               in OLE2, and bare BIFF2-4 streams of Excel 2.x-4.0)
    wps et dps                                 the same binary formats carrying Kingsoft WPS Office
                                               markers (WpsCustomData / ETExtData streams,
                                               KSOProductBuildVer property, AppName "WPS Office")
    works write                                Microsoft Works word processor (OLE2 with MatOST), Write (.wri)
    ole                                        any other OLE2 compound file (Thumbs.db, msi, msg ...)
    odt ods odp                                OpenDocument text / spreadsheet / presentation
    ofd                                        OFD e-document (zip with OFD.xml at the root)
    zip rar 7z gz                              archives
    jpg png gif bmp tiff webp heic avif svg    images
    html xml json csv txt rtf                  text formats
    empty                                      size 0
    unknown                                    anything else (``mime`` still carries libmagic's answer)

Important limits, by design:

* WPS Office writes *the same* binary formats as Microsoft Office, and it stamps its markers
  into every .doc/.xls/.ppt it saves.  ``wps``/``et``/``dps`` therefore mean "written by WPS
  Office", not "has a .wps extension"; the extension tables treat ``doc``/``wps``,
  ``xls``/``et`` and ``ppt``/``dps`` as interchangeable.
* ``damaged`` is set for a container cut short or broken (a truncated xlsx, a bare BIFF
  fragment); ``kind`` is then the best guess from what is left (the local zip headers in
  ``head``), so the file is reported as damaged, not as carrying the wrong extension.
* ``default_password``: a legacy .xls encrypted only with Excel's built-in password
  "VelvetSweatshop" (Excel opens it without asking); ``encrypted`` is True as well.
* ``encrypted`` is set for OOXML packages inside an OLE2 ``EncryptedPackage``, for zip entries
  with the encryption flag, for ODF packages whose manifest declares encryption and for
  legacy .doc/.xls/.ppt protected by a password.  PDF encryption is left to the PDF reader.
* Everything is bounded: at most ``_OLE_READ_BUDGET`` bytes are read for an OLE2 directory and
  its property streams, a zip's central directory is inspected only when it is at most
  ``_MAX_CENTRAL_DIRECTORY`` bytes and ``_MAX_ZIP_ENTRIES`` entries, single members are read up
  to a small limit.  ``sniff`` never raises and never writes.

libmagic (python-magic) is imported lazily on the first call, so importing this package is
cheap. It is optional: without it (a stock Windows Python) a built-in stand-in answers
(``libmagic.builtin_mime``) and the result carries ``without_libmagic=True``.

Modules, one job each (this ``__init__`` holds the public API and the dispatch in ``sniff``)::

    types.py      ContentType, the kinds, MIME vocabulary and extension tables; kinds_for_extension,
                  extension_agrees, kind_matches
    libmagic.py   lazy, thread-safe libmagic, asked at most once per file
    media.py      image signatures (JPEG/PNG/GIF/WebP) and ISO-BMFF ftyp brands (HEIC/HEIF/AVIF)
    text.py       html, xml, svg, json, csv, rtf, plain text
    zip.py        the central-directory reader _MiniZip; OOXML, ODF and OFD packages
    ole.py        the OLE2 reader _Cfb; Word/Excel/PowerPoint binaries, EncryptedPackage,
                  legacy password flags, Kingsoft WPS Office markers, Microsoft Works
    xls_password.py  does a password (Excel's default) open an .xls: FILEPASS verifiers
    legacy.py     bare BIFF2-BIFF5 streams (Excel 2.x-4.0, fragments), Microsoft Write
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from collections.abc import Callable
from typing import Any, Final

from validator.sniff.libmagic import _Lib
from validator.sniff.media import _image_signature, _sniff_ftyp
from validator.sniff.types import (
    _KIND_BY_MIME,
    _OCTET,
    _OLE_MAGIC,
    _SIMPLE_KINDS,
    _TEXTLIKE_MIMES,
    _ZIP_SIGS,
    _ZIPLIKE_MIMES,
    KINDS,
    SHORT_TYPES,
    ContentType,
    extension_agrees,
    kind_matches,
    kinds_for_extension,
    matches_any,
)


def _on_first_call(module: str, name: str) -> Callable[..., Any]:
    """A stand-in for ``module.name`` that imports it on its first call and puts it in its place:
    the container and text sniffers (ole, zip, text, legacy: ~2 ms of imports) load only when a
    file needs one - the pre-commit hook sniffing one edited PDF never does - and cost a global
    lookup per call after that, as an eager import does (an import statement per call: ~0.6 µs)."""

    def first_call(*args: Any) -> Any:
        found = getattr(importlib.import_module(module), name)
        globals()[name] = found
        return found(*args)

    return first_call


_sniff_ole: Callable[..., ContentType] = _on_first_call("validator.sniff.ole", "_sniff_ole")
_sniff_zip: Callable[..., ContentType] = _on_first_call("validator.sniff.zip", "_sniff_zip")
_sniff_text: Callable[..., ContentType] = _on_first_call("validator.sniff.text", "_sniff_text")
sniff_legacy: Callable[[bytes], ContentType | None] = _on_first_call("validator.sniff.legacy", "sniff_legacy")

__all__ = [
    "HEAD_SIZE",
    "KINDS",
    "SHORT_TYPES",
    "ContentType",
    "extension_agrees",
    "kind_matches",
    "kinds_for_extension",
    "matches_any",
    "sniff",
]

HEAD_SIZE: Final = 8192


def sniff(path: str | os.PathLike[str], head: bytes, size: int, fd: int | None = None) -> ContentType:
    """Identify a file by content.

    ``head`` is the first bytes of the file (up to ``HEAD_SIZE``, already read by the caller;
    or the whole file, when the caller holds it) and ``size`` its size.  Zip and OLE2
    containers that extend beyond ``head`` are read through ``fd`` (the caller's open descriptor
    of that file, left open) or, without one, by reopening ``path`` read-only.  Never raises;
    never writes.
    """
    lib = _Lib(head[:HEAD_SIZE])  # ``head`` may be the whole file (a member of a zip): libmagic needs the start
    try:
        found = _sniff(path, head, size, lib, fd)
    except Exception as exc:  # a bug here must not stop a whole run
        return ContentType("unknown", _OCTET, f"content sniffing failed: {type(exc).__name__}")
    return dataclasses.replace(found, without_libmagic=True) if lib.without else found


_PDF_TYPES: dict[bytes, ContentType] = {}  # header version -> its (immutable, shared) answer


def _sniff(path: str | os.PathLike[str], head: bytes, size: int, lib: _Lib, fd: int | None) -> ContentType:
    if size == 0:
        return ContentType("empty", "inode/x-empty", "empty file")
    if not head:
        return ContentType("unknown", _OCTET, "no bytes could be read")
    size = max(size, len(head))
    # Containers with an unambiguous signature are inspected directly; libmagic is asked only if
    # the inspection fails or needs a second opinion.
    if head.startswith(_OLE_MAGIC):
        return _sniff_ole(path, head, size, lib, fd)
    if head[:4] in _ZIP_SIGS:
        return _sniff_zip(path, head, size, lib, fd)
    if head.startswith(b"%PDF-"):
        header = head[5:8]
        found = _PDF_TYPES.get(header)
        if found is None:
            found = ContentType("pdf", "application/pdf", f"PDF {header.decode('ascii', 'replace')}")
            if len(_PDF_TYPES) < 64:  # "1.7", "2.0"...: a handful; odd bytes are not kept
                _PDF_TYPES[header] = found
        return found
    image = _image_signature(head)
    if image is not None:  # scans and screenshots are most of a folder: spare libmagic's 15-50 µs
        return image
    legacy = sniff_legacy(head)
    if legacy is not None:
        return legacy

    lib_l = lib().lower()
    if lib_l in _ZIPLIKE_MIMES or (lib_l == _OCTET and any(sig in head[:1024] for sig in _ZIP_SIGS[:2])):
        return _sniff_zip(path, head, size, lib, fd)  # e.g. a zip behind leading junk (self-extractor)

    pdf_at = head.find(b"%PDF-", 0, 1024)
    if (
        pdf_at == 0
        or lib_l == "application/pdf"
        or (pdf_at > 0 and lib_l in ("application/octet-stream", "text/plain"))
    ):
        version = head[pdf_at + 5 : pdf_at + 8].decode("ascii", "replace") if pdf_at >= 0 else "?"
        junk = f", {pdf_at} bytes before the %PDF- header" if pdf_at > 0 else ""
        return ContentType("pdf", "application/pdf", f"PDF {version}{junk}")

    brand = _sniff_ftyp(head)
    if brand is not None:
        return brand

    kind = _KIND_BY_MIME.get(lib_l)
    if kind in _SIMPLE_KINDS:
        return ContentType(kind, lib())
    if lib_l.startswith("text/") or lib_l in _TEXTLIKE_MIMES:
        return _sniff_text(head[:HEAD_SIZE], size, lib())
    if kind == "empty":  # size > 0 but libmagic saw nothing usable
        return ContentType("unknown", _OCTET, "libmagic: empty")
    return ContentType(kind or "unknown", lib())
