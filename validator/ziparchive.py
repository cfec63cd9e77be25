"""A zip read as the folder it stands for, without extracting anything to disk.

``list_zip`` looks at the central directory only and says what the archive holds and what is
wrong with it as a whole, before a byte is inflated (the Apache POI / addons-linter approach):

* the member count and the end record's sizes are checked before ``zipfile`` builds an object
  per member; a damaged or cut-short archive is one problem, never an exception;
* the sum of the declared sizes (``zipfile`` then enforces each one while inflating, and checks
  the CRC), the inflation ratio of each member (bombs), and members whose data overlap (the
  "better zip bomb": many entries inflating one shared kernel; CPython 3.11 does not check it);
* member names are decoded here, per member, from the bytes stored: UTF-8 when flag bit 11 says
  so, else the Info-ZIP Unicode Path field (0x7075) when its CRC matches, else strict UTF-8
  (Linux and macOS tools write it without the flag), else GB18030 (Chinese Windows' built-in zip
  writes the OEM code page, CP936, with no flag), else CP437;
* names that climb out (``../``, ``/etc``, ``C:``), symbolic links, encrypted members, duplicate
  names and names that differ only in case (Windows keeps one of them) are flagged per member.

``read_member`` inflates one member through ``zipfile`` with a cap: a member declared larger
than the cap is never read, and ``zipfile`` stops at the declared size.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

MAX_MEMBERS = 10_000  # entries an archive may declare (POI: 1,000; a materials pack has tens)
MAX_CENTRAL_DIRECTORY = 16 << 20  # bytes of central directory parsed at the most
MAX_TOTAL = 2 << 30  # declared uncompressed bytes of one archive (a pack of 20 MB documents is far below)
MEMBER_CAP = 256 << 20  # the most of one member held in memory (the PDF reader's own limit)
BOMB_RATIO = 200  # inflation ratio beyond which a member is a bomb ...
BOMB_GRACE = 1 << 20  # ... when it inflates to more than this (small text compresses well)

_DRIVE = re.compile(r"^[A-Za-z]:")
_SYMLINK = 0o120000


@dataclass(frozen=True)
class Member:
    """One entry of an archive's central directory, as checked before anything is read."""

    index: int  # position in the central directory (and in zipfile's infolist)
    name: str  # decoded, "/"-separated, without "." parts; "" for a name that climbs out
    stored: str  # the name as decoded, before normalising (shown for unsafe names)
    encoding: str  # utf-8-flag | unicode-extra | ascii | utf-8 | gb18030 | cp437
    size: int  # declared uncompressed size
    csize: int
    is_dir: bool
    encrypted: bool
    symlink: bool
    unsafe: bool  # absolute, a drive letter or a ".." part (outside the folder), or a NUL (another name)


@dataclass
class Listing:
    """What an archive holds (files, not folders) and what is wrong with it as a whole:
    ``problems`` are (code, params); when ``fatal`` the members are not to be read."""

    members: list[Member] = field(default_factory=list)
    problems: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fatal: bool = False


class MemberProblem(Exception):
    """A member that cannot be read: ``code`` and ``params`` for the defect."""

    def __init__(self, code: str, params: dict[str, Any]):
        super().__init__(f"{code}: {params}")
        self.code, self.params = code, params


def human(n: int) -> str:
    from validator.spec.model import human_size

    return human_size(n)


def open_zip(f: IO[bytes], size: int) -> tuple[zipfile.ZipFile | None, Listing]:
    """The archive opened through ``zipfile`` and its listing; ``None`` and a fatal listing when
    the archive cannot or must not be opened."""
    listing = Listing()
    from validator.sniff.zip import _zip_end_record

    try:
        end = _zip_end_record(f, size)
    except (OSError, struct.error, ValueError) as exc:
        return None, _fatal(listing, "Z101", {"detail": _detail(exc)})
    if end is None:
        return None, _fatal(listing, "Z101", {"detail": "no end-of-central-directory record (cut short?)"})
    if end.entries > MAX_MEMBERS or end.cd_size > MAX_CENTRAL_DIRECTORY:
        return None, _fatal(listing, "Z102", {"count": end.entries, "limit": MAX_MEMBERS})
    try:
        zf = zipfile.ZipFile(f)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, UnicodeDecodeError, NotImplementedError, ValueError,
            struct.error, OSError, EOFError) as exc:
        return None, _fatal(listing, "Z101", {"detail": _detail(exc)})
    if len(infos) > MAX_MEMBERS:
        zf.close()
        return None, _fatal(listing, "Z102", {"count": len(infos), "limit": MAX_MEMBERS})
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL:
        zf.close()
        return None, _fatal(listing, "Z104", {"size": human(total), "limit": human(MAX_TOTAL), "bytes": total})
    overlap = _overlapping(infos, zf.start_dir)
    if overlap is not None:
        zf.close()
        return None, _fatal(listing, "Z105", {"member": overlap})
    listing.members = [_member(i, info) for i, info in enumerate(infos)]
    _name_problems(listing)
    return zf, listing


def _fatal(listing: Listing, code: str, params: dict[str, Any]) -> Listing:
    listing.problems.append((code, params))
    listing.fatal = True
    return listing


def _detail(exc: BaseException) -> str:
    msg = str(exc).replace("\n", " ").strip()
    return (f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__)[:200]


def _raw_name(info: zipfile.ZipInfo) -> bytes:
    """The name bytes as stored: zipfile decoded them as UTF-8 (flagged) or CP437 (a bijection)."""
    return info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437", "surrogateescape")


def decode_name(raw: bytes, flags: int, extra: bytes = b"") -> tuple[str, str]:
    """(name, how it was decoded) for a member name's stored bytes."""
    if flags & 0x800:
        return raw.decode("utf-8", "replace"), "utf-8-flag"
    unicode_path = _unicode_path_field(extra, raw)
    if unicode_path is not None:
        return unicode_path, "unicode-extra"
    if raw.isascii():
        return raw.decode("ascii"), "ascii"
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return raw.decode("cp437"), "cp437"


def _unicode_path_field(extra: bytes, raw: bytes) -> str | None:
    """The Info-ZIP Unicode Path (0x7075) name, when its CRC vouches for the stored name."""
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        data = extra[pos + 4 : pos + 4 + length]
        if tag == 0x7075 and len(data) > 5 and data[0] == 1 and struct.unpack_from("<L", data, 1)[0] == zlib.crc32(raw):
            try:
                return data[5:].decode("utf-8")
            except UnicodeDecodeError:
                return None
        pos += 4 + length
    return None


def _member(index: int, info: zipfile.ZipInfo) -> Member:
    raw = _raw_name(info)
    stored, how = decode_name(raw, info.flag_bits, info.extra)
    path = stored.replace("\\", "/")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    # A NUL in a name: unpackers cut it there or keep it, so the file lands under another name.
    unsafe = path.startswith("/") or bool(_DRIVE.match(path)) or ".." in parts or "\x00" in path
    is_dir = path.endswith("/") or (info.external_attr & 0x10 and info.file_size == 0) or not parts
    mode = info.external_attr >> 16
    symlink = info.create_system == 3 and (mode & 0o170000) == _SYMLINK
    return Member(index, "" if unsafe else "/".join(parts), stored, how, info.file_size, info.compress_size,
                  bool(is_dir), bool(info.flag_bits & 0x1), symlink, unsafe)


def _overlapping(infos: Sequence[zipfile.ZipInfo], directory_at: int) -> str | None:
    """The first member whose compressed data runs into the next member's header (or into the
    central directory): entries sharing data are how the densest bombs are built."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    if not ordered:  # an empty archive
        return None
    for here, following in zip(ordered, [*ordered[1:], None], strict=True):
        end = here.header_offset + 30 + here.compress_size  # the name's length is left out: no false alarm
        limit = following.header_offset if following is not None else directory_at
        if end > limit:
            return here.orig_filename if here.flag_bits & 0x800 else _raw_name(here).decode("gb18030", "replace")
    return None


def _name_problems(listing: Listing) -> None:
    """Archive-level notes on names: legacy encodings, names that climb out, duplicates."""
    files = [m for m in listing.members if not m.is_dir]
    gbk = [m for m in files if m.encoding == "gb18030"]
    if gbk:
        listing.problems.append(("Z112", {"member": gbk[0].stored, "count": len(gbk)}))
    unknown = [m for m in files if m.encoding == "cp437"]
    if unknown:
        listing.problems.append(("Z113", {"member": unknown[0].stored, "count": len(unknown)}))
    for m in listing.members:
        if m.unsafe:
            listing.problems.append(("Z117" if "\x00" in m.stored else "Z106", {"member": m.stored}))
    seen: dict[str, int] = {}
    folded: dict[str, str] = {}
    for m in files:
        if m.unsafe:
            continue
        seen[m.name] = seen.get(m.name, 0) + 1
        key = unicodedata.normalize("NFC", m.name).casefold()
        other = folded.setdefault(key, m.name)
        if other != m.name:
            listing.problems.append(("Z111", {"member": m.name, "other": other}))
    for name, count in seen.items():
        if count > 1:
            listing.problems.append(("Z110", {"member": name, "count": count}))


def member_problem(m: Member) -> tuple[str, dict[str, Any]] | None:
    """Why a member's content is not read: a bomb, a link, a password, too large for memory."""
    if m.symlink:
        return "Z107", {}
    if m.encrypted:
        return "Z108", {}
    if m.size > BOMB_GRACE and m.size > BOMB_RATIO * max(m.csize, 1):
        return "Z103", {"csize": human(m.csize), "size": human(m.size), "ratio": m.size // max(m.csize, 1)}
    if m.size > MEMBER_CAP:
        return "Z115", {"size": human(m.size), "limit": human(MEMBER_CAP)}
    return None


def read_member(zf: zipfile.ZipFile, m: Member, cap: int = MEMBER_CAP) -> bytes:
    """The member's bytes (at most ``cap``: zipfile stops at the declared size and checks the CRC);
    raises :class:`MemberProblem`."""
    problem = member_problem(m)
    if problem is not None:
        raise MemberProblem(*problem)
    infos = zf.infolist()
    if m.index >= len(infos) or infos[m.index].file_size != m.size:
        raise MemberProblem("Z114", {"detail": "the archive changed while it was being checked"})
    try:
        with zf.open(infos[m.index]) as f:
            data = f.read(cap + 1)
    except Exception as exc:  # BadZipFile (CRC, header), zlib/lzma/bz2 errors, unsupported methods
        raise MemberProblem("Z114", {"detail": _detail(exc)}) from None
    if len(data) > cap:
        raise MemberProblem("Z115", {"size": human(len(data)), "limit": human(cap)})
    return data
