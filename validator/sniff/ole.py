"""OLE2 compound files ([MS-CFB]): a small bounded directory reader, and the classification of
Word/Excel/PowerPoint binaries, password-protected OOXML, legacy password flags and Kingsoft WPS Office
markers."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import IO, Any, Final, NamedTuple

from validator.sniff.libmagic import _fallback, _Lib
from validator.sniff.reading import open_for_reading
from validator.sniff.types import _ENCRYPTED, _KIND_BY_MIME, _OCTET, _OLE_GENERIC, _OLE_MAGIC, SHORT_TYPES, ContentType

_OLE_READ_BUDGET: Final = 512 * 1024  # bytes read from disk for one OLE2 file, at most
_MAX_DIR_ENTRIES: Final = 4096
_MAX_DIFAT_SECTORS: Final = 1024
_MAX_STREAM_PREFIX: Final = 16 * 1024
_ENDOFCHAIN: Final = 0xFFFFFFFE
_MAXREGSECT: Final = 0xFFFFFFFA
_NOSTREAM: Final = 0xFFFFFFFF


class _OleError(Exception):
    """The compound file is damaged, or inspecting it would exceed our limits."""


class _Source:
    """Byte ranges from ``head`` when it covers them, else from the file (opened lazily), within a budget."""

    def __init__(
        self, path: str | os.PathLike[str], head: bytes, size: int, budget: int, fd: int | None = None
    ) -> None:
        self.path = path
        self.fd = fd  # the caller's open descriptor of the file, if any: read through it
        self.head = head
        self.size = size
        self.budget = budget
        self._f: IO[bytes] | None = None

    def read(self, offset: int, n: int) -> bytes:
        if offset < 0 or n < 0:
            raise _OleError("negative offset")
        if offset + n <= len(self.head):
            return self.head[offset : offset + n]
        if offset >= self.size:
            raise _OleError(f"sector at offset {offset} lies beyond the end of the file")
        self.budget -= n
        if self.budget < 0:
            raise _OleError("read budget exhausted")
        if self._f is None:
            self._f = open_for_reading(self.path, self.fd)  # closed in close(); OSError handled by caller
        self._f.seek(offset)
        return self._f.read(n)

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None


class _Entry(NamedTuple):
    name: str
    type: int  # 1 storage, 2 stream, 5 root
    left: int
    right: int
    child: int
    start: int
    size: int


class _Chain:
    """A sector chain walked lazily, with loop detection and a length cap."""

    def __init__(self, next_of: Any, start: int, cap: int) -> None:
        self._next_of = next_of
        self._cur = start
        self._cap = cap
        self.items: list[int] = []
        self._seen: set[int] = set()

    def __getitem__(self, index: int) -> int:
        while len(self.items) <= index:
            s = self._cur
            if s == _ENDOFCHAIN:
                raise _OleError("sector chain ends early")
            if s > _MAXREGSECT or s in self._seen:
                raise _OleError("broken or looping sector chain")
            if len(self.items) >= self._cap:
                raise _OleError("sector chain too long")
            self._seen.add(s)
            self.items.append(s)
            self._cur = self._next_of(s)
        return self.items[index]

    def __iter__(self) -> Iterator[int]:
        i = 0
        while True:
            if i >= len(self.items) and self._cur == _ENDOFCHAIN:
                return
            yield self[i]
            i += 1


class _Cfb:
    """Just enough of [MS-CFB] to list a compound file's streams and read short stream prefixes."""

    def __init__(self, src: _Source) -> None:
        self.src = src
        hdr = src.read(0, 512)
        if len(hdr) < 512 or not hdr.startswith(_OLE_MAGIC):
            raise _OleError("header truncated")
        byte_order, sector_shift, mini_shift = struct.unpack_from("<HHH", hdr, 0x1C)
        if byte_order != 0xFFFE:
            raise _OleError("bad byte-order mark")
        if sector_shift not in (9, 12):
            raise _OleError(f"unsupported sector size 2^{sector_shift}")
        self.ss = 1 << sector_shift
        self.mini_ss = 1 << mini_shift if 4 <= mini_shift < sector_shift else 64
        (
            _n_dir,
            self.n_fat,
            self.dir_start,
            _txn,
            _cutoff,
            self.minifat_start,
            _n_minifat,
            self.difat_start,
            self.n_difat,
        ) = struct.unpack_from("<9I", hdr, 0x28)
        self.header_difat = struct.unpack_from("<109I", hdr, 0x4C)
        self.per_sector = self.ss // 4
        self._sectors: dict[int, bytes] = {}
        self._difat_extra: list[int] = []
        self._difat_next = self.difat_start
        self._difat_seen: set[int] = set()
        self._minifat: _Chain | None = None
        self._ministream: _Chain | None = None
        self.root: _Entry | None = None

    def sector(self, s: int) -> bytes:
        if s > _MAXREGSECT:
            raise _OleError("invalid sector number")
        data = self._sectors.get(s)
        if data is None:
            data = self.src.read((s + 1) * self.ss, self.ss)
            self._sectors[s] = data
        return data

    def _difat(self, index: int) -> int:
        if index < 109:
            return int(self.header_difat[index])
        index -= 109
        while len(self._difat_extra) <= index:
            s = self._difat_next
            if s > _MAXREGSECT or s in self._difat_seen or len(self._difat_seen) >= _MAX_DIFAT_SECTORS:
                raise _OleError("FAT sector missing from the DIFAT")
            self._difat_seen.add(s)
            data = self.sector(s)
            if len(data) < self.ss:
                raise _OleError("DIFAT sector truncated")
            values = struct.unpack_from(f"<{self.per_sector}I", data)
            self._difat_extra.extend(values[:-1])
            self._difat_next = values[-1]
        return self._difat_extra[index]

    def fat_next(self, s: int) -> int:
        fat_index, slot = divmod(s, self.per_sector)
        if fat_index >= max(self.n_fat, 1):
            raise _OleError(f"sector chain points beyond the FAT (sector {s})")
        fat_sector = self._difat(fat_index)
        data = self.sector(fat_sector)
        if len(data) < (slot + 1) * 4:
            raise _OleError("FAT sector truncated")
        value: int = struct.unpack_from("<I", data, slot * 4)[0]
        return value

    def directory(self) -> tuple[list[_Entry], str]:
        entries: list[_Entry] = []
        note = ""
        chain = _Chain(self.fat_next, self.dir_start, cap=_MAX_DIR_ENTRIES * 128 // self.ss)
        try:
            for s in chain:
                data = self.sector(s)
                for off in range(0, len(data) - 127, 128):
                    entries.append(self._entry(data[off : off + 128]))
                if len(entries) >= _MAX_DIR_ENTRIES:
                    note = "directory too large, partly read"
                    break
        except _OleError as exc:
            if not entries:
                raise
            note = f"directory partly read: {exc}"
        if entries and entries[0].type == 5:
            self.root = entries[0]
        return entries, note

    def _entry(self, raw: bytes) -> _Entry:
        (name_len,) = struct.unpack_from("<H", raw, 64)
        n = max(0, min(name_len, 64) - 2)
        name = raw[:n].decode("utf-16-le", "replace")
        left, right, child = struct.unpack_from("<III", raw, 68)
        start, size = struct.unpack_from("<IQ", raw, 116)
        if self.ss == 512:
            size &= 0xFFFFFFFF  # version 3: the high half may hold garbage
        return _Entry(name, raw[66], left, right, child, start, size)

    @staticmethod
    def top_level(entries: list[_Entry]) -> list[_Entry] | None:
        """Children of the root storage (walking the sibling tree), or None if there is no usable root."""
        if not entries or entries[0].type != 5:
            return None
        out: list[_Entry] = []
        seen: set[int] = set()
        stack = [entries[0].child]
        while stack and len(seen) <= len(entries):
            i = stack.pop()
            if i == _NOSTREAM or i >= len(entries) or i in seen:
                continue
            seen.add(i)
            e = entries[i]
            if e.type in (1, 2):
                out.append(e)
            stack.extend((e.left, e.right))
        return out

    def read_stream(self, e: _Entry, limit: int) -> bytes:
        """The first ``min(limit, size)`` bytes of a stream."""
        want = min(limit, e.size, _MAX_STREAM_PREFIX)
        if want <= 0:
            return b""
        if e.size < 4096:  # [MS-CFB]: the mini stream cutoff is always 4096
            return self._read_mini(e.start, want)
        out = bytearray()
        for s in _Chain(self.fat_next, e.start, cap=want // self.ss + 2):
            out += self.sector(s)
            if len(out) >= want:
                break
        return bytes(out[:want])

    def _read_mini(self, start: int, want: int) -> bytes:
        root = self.root
        if root is None:
            raise _OleError("no root entry for the mini stream")
        if self._minifat is None:
            self._minifat = _Chain(self.fat_next, self.minifat_start, cap=4096)
            self._ministream = _Chain(self.fat_next, root.start, cap=1 << 20)
        minifat, ministream = self._minifat, self._ministream
        assert ministream is not None
        per_mini = self.ss // self.mini_ss
        out = bytearray()
        m = start
        seen: set[int] = set()
        while len(out) < want:
            if m > _MAXREGSECT or m in seen or len(seen) > want // self.mini_ss + 1:
                raise _OleError("broken mini stream chain")
            seen.add(m)
            container, within = divmod(m, per_mini)
            data = self.sector(ministream[container])
            out += data[within * self.mini_ss : (within + 1) * self.mini_ss]
            fat_sector, slot = divmod(m, self.per_sector)
            fat = self.sector(minifat[fat_sector])
            if len(fat) < (slot + 1) * 4:
                raise _OleError("mini FAT truncated")
            (m,) = struct.unpack_from("<I", fat, slot * 4)
            if m == _ENDOFCHAIN:
                break
        return bytes(out[:want])


# Kingsoft WPS Office leaves these in the .doc/.xls/.ppt (and .wps/.et/.dps) files it writes.
_KINGSOFT_STREAMS: Final = {"wpscustomdata": "WpsCustomData stream", "etextdata": "ETExtData stream"}
_KSO_PROPERTY: Final = (b"KSOProductBuildVer", "KSOProductBuildVer".encode("utf-16-le"))
_PIDSI_APPNAME: Final = 0x12


def _app_name(data: bytes) -> str:
    """PIDSI_APPNAME from a SummaryInformation property set ([MS-OLEPS]); "" if absent or malformed."""
    if len(data) < 48 or data[:2] != b"\xfe\xff":
        return ""
    (section,) = struct.unpack_from("<I", data, 44)  # offset of the first section
    if section + 8 > len(data):
        return ""
    (count,) = struct.unpack_from("<I", data, section + 4)
    for i in range(min(count, 64)):
        at = section + 8 + 8 * i
        if at + 8 > len(data):
            return ""
        pid, off = struct.unpack_from("<II", data, at)
        value = section + off
        if pid != _PIDSI_APPNAME or value + 8 > len(data):
            continue
        vtype, n = struct.unpack_from("<II", data, value)
        if vtype == 0x1E:  # VT_LPSTR, in the set's code page; the ASCII prefix is all we need
            return data[value + 8 : value + 8 + min(n, 256)].decode("latin-1").rstrip("\x00")
        if vtype == 0x1F:  # VT_LPWSTR
            return data[value + 8 : value + 8 + 2 * min(n, 256)].decode("utf-16-le", "replace").rstrip("\x00")
        return ""
    return ""


def _kingsoft_marker(cfb: _Cfb, top: dict[str, _Entry]) -> str | None:
    """Which Kingsoft WPS Office trace the file carries, if any (seen in real WPS-written files)."""
    for name, label in _KINGSOFT_STREAMS.items():
        if name in top:
            return label
    for prop_stream in ("\x05documentsummaryinformation", "\x05summaryinformation"):
        e = top.get(prop_stream)
        if e is None or e.type != 2:
            continue
        try:
            data = cfb.read_stream(e, 8192)
        except _OleError:
            continue
        if prop_stream == "\x05documentsummaryinformation":
            if any(needle in data for needle in _KSO_PROPERTY):  # a user-defined property's name
                return "KSOProductBuildVer property"
        else:
            app = _app_name(data)
            if app.startswith("WPS") or "kingsoft" in app.lower():
                return f"AppName {app.split('_')[0][:40]}"
    return None


def _legacy_encrypted(cfb: _Cfb, kind: str, top: dict[str, _Entry]) -> tuple[bool, bool]:
    """RC4/XOR password protection of .doc (FIB flag), .xls (FILEPASS record), .ppt (CurrentUser
    token), as (encrypted, only with Excel's default password "VelvetSweatshop")."""
    try:
        if kind == "doc":
            fib = cfb.read_stream(top["worddocument"], 12)
            return (
                len(fib) >= 12
                and fib[:2] == b"\xec\xa5"
                and bool(struct.unpack_from("<H", fib, 10)[0] & 0x0100)
            ), False
        if kind == "xls":
            book = top.get("workbook") or top["book"]
            data = cfb.read_stream(book, 2048)
            pos = 0
            for _ in range(8):  # FILEPASS follows BOF closely
                if pos + 4 > len(data):
                    break
                rtype, rlen = struct.unpack_from("<HH", data, pos)
                if rtype == 0x002F:
                    from validator.sniff.xls_password import DEFAULT_PASSWORD, filepass_accepts  # hashlib: lazy

                    return True, filepass_accepts(data[pos + 4 : pos + 4 + rlen], DEFAULT_PASSWORD)
                pos += 4 + rlen
            return False, False
        if kind == "ppt":
            if "encryptedsummary" in top:
                return True, False
            cu = top.get("current user")
            if cu is None:
                return False, False
            atom = cfb.read_stream(cu, 16)
            return len(atom) >= 16 and struct.unpack_from("<I", atom, 12)[0] == 0xF3D1C4DF, False
    except (_OleError, KeyError, struct.error):
        return False, False
    return False, False


_KINGSOFT_KIND: Final = {"doc": "wps", "xls": "et", "ppt": "dps"}


def _sniff_ole(path: str | os.PathLike[str], head: bytes, size: int, lib: _Lib, fd: int | None = None) -> ContentType:
    src = _Source(path, head, size, _OLE_READ_BUDGET, fd)
    try:
        cfb = _Cfb(src)
        entries, note = cfb.directory()
        top_entries = cfb.top_level(entries)
        if top_entries is None:
            top_entries = [e for e in entries if e.type in (1, 2)]
            note = "; ".join(x for x in (note, "no root entry, all entries listed") if x)
        top = {e.name.lower(): e for e in top_entries}
        shown = (
            ", ".join(sorted((e.name for e in top_entries), key=str.lower)[:8])
            .replace("\x05", "")
            .replace("\x01", "")
            .replace("\x06", "")
        )
        if len(top_entries) > 8:
            shown += ", ..."
        detail = f"OLE2 streams: {shown}" if shown else "OLE2 with no streams"
        if note:
            detail += f" ({note})"

        if "encryptedpackage" in top:
            return ContentType(
                "ooxml-encrypted",
                _ENCRYPTED,
                "password-protected OOXML package (EncryptedPackage; xlsx, docx or pptx cannot be told apart "
                "without the password)",
                True,
            )
        if "worddocument" in top:
            kind = "doc"
        elif "workbook" in top or "book" in top:
            kind = "xls"
        elif "powerpoint document" in top:
            kind = "ppt"
        elif "matost" in top and "contents" in top:  # Microsoft Works word processor 4-9 (libwps)
            return ContentType("works", SHORT_TYPES["works"], f"{detail}; Microsoft Works document")
        else:
            known = lib() if lib().lower() not in _KIND_BY_MIME and lib() != _OCTET else _OLE_GENERIC
            return ContentType("ole", known, detail)
        encrypted, default_password = _legacy_encrypted(cfb, kind, top)
        if default_password:
            detail += "; encrypted with Excel's default password (opens without asking)"
        elif encrypted:
            detail += "; password-protected"
        marker = _kingsoft_marker(cfb, top)
        if marker is not None:
            kind = _KINGSOFT_KIND[kind]
            detail += f"; written by Kingsoft WPS Office ({marker})"
        return ContentType(kind, SHORT_TYPES[kind], detail, encrypted, default_password)
    except OSError as exc:
        return _fallback(
            lib, f"could not reopen file to look inside the OLE2 container: {exc.strerror or exc}"
        )
    except (_OleError, struct.error, ValueError, IndexError) as exc:
        mime = lib() if lib().lower() in _KIND_BY_MIME else _OLE_GENERIC
        return ContentType(_KIND_BY_MIME.get(mime.lower(), "ole"), mime, f"damaged OLE2 compound file: {exc}")
    finally:
        src.close()
