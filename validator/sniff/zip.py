"""Zip containers: OOXML, ODF and OFD packages and encrypted entries, from the central directory
(read by ``_MiniZip``, a small bounded reader) and the first bytes of a few small members."""

from __future__ import annotations

import io
import os
import re
import struct
import zlib
from collections.abc import Iterator
from typing import IO, Any, Final, NamedTuple

from validator.sniff.libmagic import _fallback, _Lib
from validator.sniff.reading import open_for_reading
from validator.sniff.types import (
    _DOCM,
    _DOCX,
    _KIND_BY_MIME,
    _ODF,
    _PPTM,
    _PPTX,
    _XLSB,
    _XLSM,
    _XLSX,
    _ZIP_BASED,
    ContentType,
)

_MAX_CENTRAL_DIRECTORY: Final = 512 * 1024  # bytes of central directory we are willing to parse
_MAX_ZIP_ENTRIES: Final = 20_000
_MAX_CONTENT_TYPES: Final = 256 * 1024  # bytes of [Content_Types].xml / manifest.xml we read
_EOCD: Final = b"PK\x05\x06"
_SMALL_TAIL: Final = 4096

_OOXML_MAIN: Final[dict[str, tuple[str, str]]] = {
    # main part content type (lower case) -> (kind, MIME of the package)
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ("xlsx", _XLSX),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
    ),
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": ("xlsm", _XLSM),
    "application/vnd.ms-excel.template.macroenabled.main+xml": (
        "xlsm",
        "application/vnd.ms-excel.template.macroEnabled.12",
    ),
    "application/vnd.ms-excel.addin.macroenabled.main+xml": (
        "xlsm",
        "application/vnd.ms-excel.addin.macroEnabled.12",
    ),
    "application/vnd.ms-excel.sheet.binary.macroenabled.main": ("xlsb", _XLSB),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": ("docx", _DOCX),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
    ),
    "application/vnd.ms-word.document.macroenabled.main+xml": ("docm", _DOCM),
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml": (
        "docm",
        "application/vnd.ms-word.template.macroEnabled.12",
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": ("pptx", _PPTX),
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.template",
    ),
    "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml": ("pptm", _PPTM),
    "application/vnd.ms-powerpoint.slideshow.macroenabled.main+xml": (
        "pptm",
        "application/vnd.ms-powerpoint.slideshow.macroEnabled.12",
    ),
    "application/vnd.ms-powerpoint.template.macroenabled.main+xml": (
        "pptm",
        "application/vnd.ms-powerpoint.template.macroEnabled.12",
    ),
}
_ATTR_RE: Final = re.compile(rb"""([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


class _ZipEnd(NamedTuple):
    entries: int
    cd_size: int
    cd_offset: int
    position: int = -1  # where the end record itself starts in the file
    tail: bytes = b""  # the end of the file read to find the record (often holds the directory)
    tail_at: int = 0  # its offset in the file


_new_end: Final = tuple.__new__  # 4x cheaper than _ZipEnd(...), whose __new__ is Python code (all fields given)
_CD_ENTRY: Final = struct.Struct("<4s4xHH8xLLHHH8xL")  # one central directory header, 46 bytes
_CD_LENGTHS: Final = struct.Struct("<I4xH18xHHH")  # its signature (as a number: no bytes object), flags, 3 lengths
_CD_SIGNATURE: Final = 0x02014B50  # b"PK\x01\x02" read as a little-endian number


class _MiniZip:
    """Just enough of a zip reader to classify a package: its central directory and the first
    bytes of a few small members. About 4x cheaper than zipfile.ZipFile on a 15-entry xlsx,
    which matters because every xlsx/docx in a folder is sniffed.

    What classifying asks of the directory is gathered in its one pass: ``by_name`` (names in
    lower case with forward slashes, of duplicates the last -> where the entry lies in the
    directory: sizes and offsets are unpacked only for the few members read), ``count``,
    ``encrypted`` (entries with the encryption flag) and ``backslashes`` (some name uses them)."""

    def __init__(self, f: IO[bytes], size: int, end: _ZipEnd, head: bytes = b""):
        self._f = f
        self._head = head  # the file's first bytes: most small members lie within them
        self._tail, self._tail_at = end.tail, end.tail_at  # the file's last bytes: an xlsx's [Content_Types].xml
        cd_start = end.position - end.cd_size if end.position >= 0 else end.cd_offset
        if cd_start < 0:
            raise ValueError("central directory starts before the file")
        self._concat = cd_start - end.cd_offset  # bytes in front of the archive (self-extractors)
        within = cd_start - end.tail_at
        if within >= 0 and within + end.cd_size <= len(end.tail):
            data = end.tail[within : within + end.cd_size]
        else:
            f.seek(cd_start)
            data = f.read(end.cd_size)
        self._cd = data
        raws: list[bytes] = []  # each entry's name as stored
        starts: list[int] = []  # where each entry lies in the directory
        encrypted = 0
        if len(data) > _MAX_CENTRAL_DIRECTORY:  # the caller's bound, which keeps the entry count
            raise ValueError("central directory too large")  # below _MAX_ZIP_ENTRIES (46 bytes each)
        unpack, add_raw, add_start = _CD_LENGTHS.unpack_from, raws.append, starts.append
        pos, end_at = 0, len(data) - 46
        while pos <= end_at:
            sig, flags, nlen, xlen, clen = unpack(data, pos)
            if sig != _CD_SIGNATURE:
                raise ValueError(f"bad central directory entry at {pos}")
            add_start(pos)
            name_at = pos + 46
            pos = name_at + nlen
            add_raw(data[name_at:pos])
            if xlen:  # most packages have no extra fields: spare the call (it checks their framing)
                _, _, _, csize, usize, _, _, _, offset = _CD_ENTRY.unpack_from(data, name_at - 46)
                _zip64_sizes(data[pos : pos + xlen], csize, usize, offset)
            encrypted += flags & 0x1
            pos += xlen + clen
        blob = b"\0".join(raws)
        if blob.isascii() and blob.count(b"\0") == len(raws) - 1:  # the usual names: decoded in one go
            keys = blob.decode("ascii").lower().split("\0")
        else:
            keys = [self._name(raw, at) for raw, at in zip(raws, starts, strict=True)]
        # Windows tools' separators (byte 0x5C is "\\" in UTF-8 and cp437 alike): readers may
        # choke, we still classify
        self.backslashes = b"\\" in blob
        if self.backslashes:
            keys = [key.replace("\\", "/") for key in keys]
        # of duplicates the last; as many keys as starts by construction (strict would only cost)
        self.by_name: dict[str, int] = dict(zip(keys, starts, strict=False))
        self.count, self.encrypted = len(starts), encrypted

    def _name(self, raw: bytes, at: int) -> str:
        """One entry's name in lower case (UTF-8 when flagged so, else cp437, as zipfile reads it)."""
        if raw.isascii():  # without the (Python-level) cp437 codec
            return raw.decode("ascii").lower()
        (flags,) = struct.unpack_from("<H", self._cd, at + 8)
        return raw.decode("utf-8" if flags & 0x800 else "cp437", "replace").lower()

    def read(self, at: int, limit: int) -> bytes:
        """Up to ``limit`` bytes of the member whose directory entry lies at ``at`` (a ``by_name`` value)."""
        found = self.stored(at, limit)
        return b"" if found is None else _inflate(found[0], found[1], limit)

    def stored(self, at: int, limit: int) -> tuple[int, bytes] | None:
        """(method, bytes as stored) of that member, enough for ``limit`` bytes inflated; None when
        it is encrypted or its local header is not there."""
        _, flags, method, csize, usize, nlen, xlen, _, offset = _CD_ENTRY.unpack_from(self._cd, at)
        if flags & 0x1:
            return None  # encrypted
        if xlen:
            name_end = at + 46 + nlen
            csize, usize, offset = _zip64_sizes(self._cd[name_end : name_end + xlen], csize, usize, offset)
        at = offset + self._concat  # its local header
        local = self._range(at, 30)
        if len(local) < 30 or local[:4] != b"PK\x03\x04":
            return None
        nlen, xlen = struct.unpack_from("<HH", local, 26)
        return method, self._range(at + 30 + nlen + xlen, min(csize, limit * 1032 + 1024))  # deflate ≤ 1032:1

    def _range(self, at: int, n: int) -> bytes:
        """``n`` bytes at ``at``: from the head or the tail already read when they hold them."""
        if at >= 0 and at + n <= len(self._head):
            return self._head[at : at + n]
        within = at - self._tail_at
        if within >= 0 and within + n <= len(self._tail):
            return self._tail[within : within + n]
        self._f.seek(at)
        return self._f.read(n)


def _inflate(method: int, raw: bytes, limit: int) -> bytes:
    """Up to ``limit`` bytes of a member stored (0) or deflated (8); b"" for anything else."""
    if method == 0:
        return raw[:limit]
    if method == 8:
        try:
            return zlib.decompressobj(-15).decompress(raw, limit)
        except zlib.error:
            return b""
    return b""


def _zip64_sizes(extra: bytes, csize: int, usize: int, offset: int) -> tuple[int, int, int]:
    """Sizes from the ZIP64 extra field where the 32-bit ones are saturated; checks the
    extra field's framing as zipfile does (a corrupt one means a damaged archive)."""
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        if pos + 4 + length > len(extra):
            raise ValueError(f"corrupt extra field {tag:04x} (size={length})")
        if tag == 0x0001:
            values = list(struct.unpack_from(f"<{length // 8}Q", extra, pos + 4))
            if usize == 0xFFFFFFFF and values:
                usize = values.pop(0)
            if csize == 0xFFFFFFFF and values:
                csize = values.pop(0)
            if offset == 0xFFFFFFFF and values:
                offset = values.pop(0)
        pos += 4 + length
    return csize, usize, offset


def _zip_end_record(f: IO[bytes], size: int) -> _ZipEnd | None:
    """The (ZIP64-aware) end-of-central-directory numbers, or None when there is no such record."""
    # The record is 22 bytes plus a comment of at most 64 KiB; packages have no comment, so a
    # small read usually finds it (and the central directory before it) without the 64 KiB one.
    for n in (min(size, _SMALL_TAIL), min(size, 22 + 0xFFFF + 20)):
        f.seek(size - n)
        tail = f.read(n)
        i = tail.rfind(_EOCD)
        if (i >= 76 and len(tail) - i >= 22) or n == size:  # 76: room for a ZIP64 locator + record
            break
    if i < 0 or len(tail) - i < 22:
        return None
    _sig, _disk, _cd_disk, _here, entries, cd_size, cd_offset, _clen = struct.unpack_from("<4s4H2LH", tail, i)
    if (entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF) and i >= 20:
        loc = tail[i - 20 : i]
        if loc[:4] == b"PK\x06\x07":
            (z64_off,) = struct.unpack_from("<Q", loc, 8)
            rec = b""
            if 0 <= z64_off < size - 56:
                f.seek(z64_off)
                rec = f.read(56)
            if rec[:4] != b"PK\x06\x06" and i >= 76:  # offsets shifted by leading data: look just before
                rec = tail[i - 76 : i - 20]
            if len(rec) == 56 and rec[:4] == b"PK\x06\x06":
                entries, cd_size, cd_offset = struct.unpack_from("<QQQ", rec, 32)
                return _new_end(_ZipEnd, (entries, cd_size, cd_offset, size - n + i - 76, tail, size - n))
    return _new_end(_ZipEnd, (entries, cd_size, cd_offset, size - n + i, tail, size - n))


def _sniff_zip(path: str | os.PathLike[str], head: bytes, size: int, lib: _Lib, fd: int | None = None) -> ContentType:
    if len(head) >= size:
        return _inspect_zip(io.BytesIO(head), size, lib, head)
    try:
        f = open_for_reading(path, fd)
    except OSError as exc:
        return _fallback(lib, f"could not reopen file to look inside the zip: {exc.strerror or exc}")
    with f:
        try:
            if fd is None:  # reopened: the file may have changed since the caller's stat
                size = os.fstat(f.fileno()).st_size
            return _inspect_zip(f, size, lib, head)
        except OSError as exc:
            return _fallback(lib, f"could not read the zip: {exc.strerror or exc}")


def _damaged_zip(reason: str, lib: _Lib, head: bytes) -> ContentType:
    """A zip whose central directory cannot be used (cut short, or broken): ``damaged``, with the
    kind guessed from the local headers left in ``head``, so that a truncated xlsx is a damaged
    xlsx - not a zip under a wrong extension."""
    kind, mime, how = _guess_from_local_headers(head)
    if kind == "zip":
        hint = ""
        lib_kind = _KIND_BY_MIME.get(lib().lower())
        if lib_kind not in (None, "zip"):
            hint = f" (libmagic: {lib()})"
        return ContentType("zip", "application/zip", f"damaged zip: {reason}{hint}", damaged=True)
    return ContentType(kind, mime, f"damaged {kind} ({how}): {reason}", damaged=True)


_LOCAL: Final = re.compile(rb"PK\x03\x04")


def _guess_from_local_headers(head: bytes) -> tuple[str, str, str]:
    """(kind, MIME, how) from the member names (and a small [Content_Types].xml or ODF mimetype)
    found in the local file headers of ``head``."""
    names: list[str] = []
    content_types = b""
    for m in _LOCAL.finditer(head):
        at = m.start()
        if at + 30 > len(head):
            break
        flags, method, csize = struct.unpack_from("<xxxxxxHH8xL", head, at)
        nlen, xlen = struct.unpack_from("<HH", head, at + 26)
        raw = head[at + 30 : at + 30 + nlen]
        name = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace").replace("\\", "/").lower()
        names.append(name)
        data_at = at + 30 + nlen + xlen
        if name == "mimetype" and method == 0:
            odf = head[data_at : data_at + min(csize, 100)].decode("ascii", "replace").strip()
            kind = {"text": "odt", "spreadsheet": "ods", "presentation": "odp"}.get(
                odf[len(_ODF) :].split("-")[0] if odf.startswith(_ODF) else "", ""
            )
            if kind:
                return kind, odf, "mimetype entry"
        if name == "[content_types].xml" and method in (0, 8) and not flags & 0x1:
            data = head[data_at:]
            try:
                content_types = data[:_MAX_CONTENT_TYPES] if method == 0 else (
                    zlib.decompressobj(-15).decompress(data, _MAX_CONTENT_TYPES))
            except zlib.error:
                content_types = b""
    lowered = content_types.lower()
    for ctype, (kind, mime) in _OOXML_MAIN.items():
        if ctype.encode() in lowered:
            return kind, mime, "main part type in [Content_Types].xml"
    if "xl/workbook.bin" in names:
        return "xlsb", _XLSB, "part names"
    for prefix, kind, mime in (("xl/", "xlsx", _XLSX), ("word/", "docx", _DOCX), ("ppt/", "pptx", _PPTX)):
        if any(n.startswith(prefix) for n in names):
            if kind == "xlsx" and "xl/vbaproject.bin" in names:
                return "xlsm", _XLSM, "part names"
            return kind, mime, "part names"
    if "[content_types].xml" in names:
        return "ooxml", "application/zip", "[Content_Types].xml"
    return "zip", "application/zip", ""


def _inspect_zip(f: IO[bytes], size: int, lib: _Lib, head: bytes) -> ContentType:
    end = _zip_end_record(f, size)
    if end is None:
        return _damaged_zip("no end-of-central-directory record (truncated?)", lib, head)
    if end.cd_size > size or end.cd_offset > size:
        return _damaged_zip(
            f"central directory of {end.cd_size} bytes at offset {end.cd_offset} lies outside the file", lib, head
        )
    if end.entries > _MAX_ZIP_ENTRIES or end.cd_size > _MAX_CENTRAL_DIRECTORY:
        kind = _KIND_BY_MIME.get(lib().lower(), "zip")
        if kind not in _ZIP_BASED:
            kind = "zip"
        return ContentType(
            kind,
            lib() if kind != "zip" else "application/zip",
            f"central directory of {end.entries} entries in {end.cd_size} bytes is too large: not inspected",
        )
    try:
        zf = _MiniZip(f, size, end, head)
    except (ValueError, struct.error, OSError) as exc:
        return _damaged_zip(f"{type(exc).__name__}: {exc}"[:200], lib, head)
    by_name = zf.by_name
    encrypted = zf.encrypted > 0
    enc_note = f", encrypted entries: {zf.encrypted}" if encrypted else ""
    if zf.backslashes:
        enc_note += ", entry names use backslashes"
    count = f"{zf.count} {'entry' if zf.count == 1 else 'entries'}{enc_note}"

    if "ofd.xml" in by_name:
        return ContentType("ofd", "application/ofd", f"OFD package, {count}", encrypted)

    if "mimetype" in by_name:
        declared = _read_member(zf, by_name["mimetype"], 100)
        odf = declared.decode("ascii", "replace").strip() if declared else ""
        if odf.startswith(_ODF):
            manifest = by_name.get("meta-inf/manifest.xml")
            if manifest is not None and b"encryption-data" in _read_member(
                zf, manifest, _MAX_CONTENT_TYPES
            ):
                encrypted = True
                count += ", password-protected (manifest declares encryption)"
            sub = odf[len(_ODF) :]
            kind = {"text": "odt", "spreadsheet": "ods", "presentation": "odp"}.get(
                sub.split("-")[0], "zip"
            )
            return ContentType(kind, odf, f"OpenDocument, {count}", encrypted)
        if odf and "/" in odf and len(odf) < 80:
            return ContentType("zip", odf, f"zip declaring mimetype {odf}, {count}", encrypted)

    ct = by_name.get("[content_types].xml")
    if ct is not None:
        return _classify_ooxml(zf, ct, by_name, count, encrypted)

    prefixes = {n.split("/", 1)[0] for n in by_name if "/" in n}
    note = ""
    if prefixes & {"xl", "word", "ppt"}:
        note = ", has OOXML parts but no [Content_Types].xml"
    mime = "application/zip"
    maybe_jar_or_epub = "meta-inf/manifest.mf" in by_name or "meta-inf/container.xml" in by_name
    if maybe_jar_or_epub and lib().lower() in ("application/java-archive", "application/epub+zip"):
        mime = lib()  # libmagic names them; asked only then
    return ContentType("zip", mime, f"zip, {count}{note}", encrypted)


def _read_member(zf: _MiniZip, info: int, limit: int) -> bytes:
    """Up to ``limit`` decompressed bytes of one member; b"" if it cannot be read."""
    try:
        return zf.read(info, limit)
    except (OSError, ValueError, struct.error):  # unsupported method, bad local header...
        return b""


_OFFICE_DOCUMENT_REL: Final = re.compile(rb"/officeDocument$", re.I)
_ELEMENT_RE: Final = {
    tag: re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?" + tag + rb"\b([^>]*)>")
    for tag in (b"Override", b"Default", b"Relationship")
}


def _xml_elements(data: bytes, tag: bytes) -> Iterator[dict[bytes, bytes]]:
    """Attributes (lower-case names) of each ``<tag .../>`` element, namespace prefixes ignored."""
    for m in _ELEMENT_RE[tag].finditer(data):
        yield _attrs(m.group(1))


def _attrs(element: bytes) -> dict[bytes, bytes]:
    return {k.lower(): (v1 or v2) for k, v1, v2 in _ATTR_RE.findall(element)}


def _override_type(data: bytes, lowered: bytes, part: str) -> str:
    """The content type of the ``<Override>`` for ``/part`` in [Content_Types].xml, found by a
    plain search for the part name (10x cheaper than a regex over every element); "" if none."""
    name = b"/" + part.encode()
    for quote in b'"', b"'":
        i = lowered.find(name + quote)
        if i > 0 and lowered[i - 1 : i] in (b'"', b"'"):
            start, end = lowered.rfind(b"<", 0, i), lowered.find(b">", i)
            element = data[start:end]
            if start >= 0 and end > 0 and b"override" in lowered[start:i] and b"partname" in lowered[start:i]:
                return _attr_of(element, b"contenttype").lower()
    return ""


def _attr_of(element: bytes, name: bytes) -> str:
    """``_attr(_attrs(element), name)`` without building the dict of every attribute."""
    found = b""
    for key, v1, v2 in _ATTR_RE.findall(element):
        if key.lower() == name:
            found = v1 or v2  # the last one given, as in the dict
    return found.decode("utf-8", "replace").strip()


_USUAL_MAIN_PARTS: Final = ("xl/workbook.xml", "word/document.xml", "ppt/presentation.xml", "xl/workbook.bin")


def _attr(attrs: dict[bytes, bytes], name: bytes) -> str:
    return attrs.get(name, b"").decode("utf-8", "replace").strip()


def _part_name(raw: str) -> str:
    """Normalised OPC part name: forward slashes, no leading slash or "./", %-escapes decoded, lower case."""
    name = raw.replace("\\", "/")
    name = name[2:] if name.startswith("./") else name
    name = name.lstrip("/").lower()
    return _unquote(name) if "%" in name else name


def _main_part(zf: Any, by_name: dict[str, Any]) -> str | None:
    """The package's main part (see ``_part_name``) from _rels/.rels, if readable."""
    rels = by_name.get("_rels/.rels")
    if rels is None:
        return None
    for attrs in _xml_elements(_read_member(zf, rels, _MAX_CONTENT_TYPES), b"Relationship"):
        if (
            _OFFICE_DOCUMENT_REL.search(attrs.get(b"type", b""))
            and _attr(attrs, b"targetmode").lower() != "external"
        ):
            return _part_name(_attr(attrs, b"target")) or None
    return None


def _content_type(data: bytes, part: str) -> str:
    """The content type [Content_Types].xml gives ``part``: its Override, else its extension's Default."""
    for attrs in _xml_elements(data, b"Override"):
        if _part_name(_attr(attrs, b"partname")) == part:
            return _attr(attrs, b"contenttype").lower()
    ext = part.rsplit(".", 1)[-1] if "." in part.rsplit("/", 1)[-1] else ""
    for attrs in _xml_elements(data, b"Default"):
        if _attr(attrs, b"extension").lower() == ext:
            return _attr(attrs, b"contenttype").lower()
    return ""


# Decisions of the usual-main-part look-up by the [Content_Types].xml bytes as stored: packages
# from one writer (a template, an export) share them byte for byte, and then neither inflating
# nor searching is done again. Exact (same bytes, same parts present: same answer) and bounded.
_DECIDED: dict[tuple[int, bytes, tuple[str, ...]], tuple[tuple[str, str] | None]] = {}  # (decision,)
_DECIDED_MAX: Final = 128
_DECIDED_BYTES: Final = 16 * 1024  # stored bytes; a larger [Content_Types].xml is not remembered


def _usual_main(data: bytes, parts: tuple[str, ...]) -> tuple[str, str] | None:
    """(part, content type) of the first of ``parts`` declared with a main-part content type."""
    lowered = data.lower()
    for part in parts:
        ctype = _override_type(data, lowered, part)
        if ctype in _OOXML_MAIN:
            return part, ctype
    return None


def _classify_ooxml(
    zf: Any, ct_info: Any, by_name: dict[str, Any], count: str, encrypted: bool
) -> ContentType:
    try:
        stored = zf.stored(ct_info, _MAX_CONTENT_TYPES)
    except (OSError, ValueError, struct.error):  # as _read_member
        stored = None
    # Decisive and cheap: a main part at its usual place, declared with a main-part content type
    # (what every Office, WPS and library writer produces); _rels/.rels is read only otherwise.
    parts = tuple([p for p in _USUAL_MAIN_PARTS if p in by_name])  # a list first: no generator frame
    key = (stored[0], stored[1], parts) if stored is not None and len(stored[1]) <= _DECIDED_BYTES else None
    data: bytes | None = None
    known = _DECIDED.get(key) if key is not None else None  # one look-up (the key hashes ~300 bytes)
    if known is not None:
        decided = known[0]
    else:
        data = b"" if stored is None else _inflate(stored[0], stored[1], _MAX_CONTENT_TYPES)
        decided = _usual_main(data, parts)
        if key is not None:
            if len(_DECIDED) >= _DECIDED_MAX:
                _DECIDED.clear()
            _DECIDED[key] = (decided,)
    if decided is not None:
        part, ctype = decided
        kind, mime = _OOXML_MAIN[ctype]
        return ContentType(kind, mime, f"OOXML main part /{part}, {count}", encrypted)
    if data is None:
        data = b"" if stored is None else _inflate(stored[0], stored[1], _MAX_CONTENT_TYPES)
    main = _main_part(zf, by_name)
    if main is not None and main in by_name:
        ctype = _content_type(data, main)
        if ctype in _OOXML_MAIN:
            kind, mime = _OOXML_MAIN[ctype]
            return ContentType(kind, mime, f"OOXML main part /{main}, {count}", encrypted)
    # No usable _rels/.rels: any part declared with a main-part content type.
    declared = [
        (_part_name(_attr(a, b"partname")), _attr(a, b"contenttype").lower())
        for a in _xml_elements(data, b"Override")
    ]
    for part, ctype in declared:
        if ctype in _OOXML_MAIN and part in by_name:
            kind, mime = _OOXML_MAIN[ctype]
            return ContentType(
                kind, mime, f"OOXML main part /{part} (no usable _rels/.rels), {count}", encrypted
            )
    for part, ctype in declared:
        if ctype in _OOXML_MAIN:
            return ContentType(
                "ooxml",
                "application/zip",
                f"declares a {_OOXML_MAIN[ctype][0]} main part /{part} that is missing, {count}",
                encrypted,
            )
    # Nothing readable: fall back on the part names.
    names = by_name.keys()
    how = "OOXML (by part names" + ("" if data else "; [Content_Types].xml unreadable") + f"), {count}"
    if "xl/workbook.bin" in names:
        return ContentType("xlsb", _XLSB, how, encrypted)
    if any(n.startswith("xl/") for n in names):
        if "xl/vbaproject.bin" in names:
            return ContentType("xlsm", _XLSM, how, encrypted)
        return ContentType("xlsx", _XLSX, how, encrypted)
    if any(n.startswith("word/") for n in names):
        return ContentType("docx", _DOCX, how, encrypted)
    if any(n.startswith("ppt/") for n in names):
        return ContentType("pptx", _PPTX, how, encrypted)
    return ContentType("ooxml", "application/zip", f"OPC package of unknown type, {count}", encrypted)


def _unquote(name: str) -> str:
    from urllib.parse import unquote

    return unquote(name)

