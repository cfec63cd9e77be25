"""Unpack an uploaded zip into a private temporary folder, or refuse it with a reason.

Everything is decided from the central directory before a byte is inflated (the approach of
Apache POI's ZipSecureFile and Go's archive/zip): member count, total declared size, the
inflation ratio of each big member, entries whose data overlap (the "better zip bomb"), and
names that would land outside the folder (``../``, absolute, drive letters, backslashes) or
collide once case and Unicode form are folded. ``zipfile`` then enforces the declared sizes
while reading, so the budget checked up front is the budget spent.

Names are decoded per entry: the UTF-8 flag, else the Info-ZIP Unicode Path field (0x7075,
written by Windows Explorer next to a GBK name), else strict UTF-8, else GB18030, else CP437 -
without depending on the interpreter version (CPython 3.11 ignores 0x7075).
"""

from __future__ import annotations

import os
import shutil
import stat
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

MAX_MEMBERS = 5_000
MAX_TOTAL_BYTES = 2 * 1024**3  # Σ declared uncompressed sizes
MAX_RATIO = 100  # uncompressed / compressed, for members past the grace size
RATIO_GRACE_BYTES = 1024 * 1024  # small members may compress well (POI skips under 100 KiB)
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


class UnsafeZip(ValueError):
    """The zip is refused; the message says why (English and Chinese keys in ``reason``)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Unpacked:
    temp: str  # the temporary folder to delete afterwards
    root: str  # the materials folder inside it (the single top folder, if the zip has one)
    members: int
    bytes: int


def decode_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its writer meant it (see the module docstring for the order)."""
    if info.flag_bits & 0x800:
        return info.filename  # the UTF-8 flag: zipfile decoded it already
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:  # CPython >= 3.12 applied the 0x7075 field itself
        return info.filename
    unicode_path = _unicode_path_field(info.extra, raw)
    if unicode_path is not None:
        return unicode_path
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unicode_path_field(extra: bytes, raw_name: bytes) -> str | None:
    i = 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, i)
        body = extra[i + 4 : i + 4 + size]
        if tag == 0x7075 and len(body) >= 5 and body[0] == 1:
            (crc,) = struct.unpack_from("<I", body, 1)
            if crc == zlib.crc32(raw_name):
                try:
                    return body[5:].decode("utf-8")
                except UnicodeDecodeError:
                    return None
        i += 4 + size
    return None


def safe_parts(name: str) -> list[str]:
    """The path components of a member name, or UnsafeZip when it could leave the folder."""
    if "\x00" in name or "\\" in name:
        raise UnsafeZip("unsafe name", name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UnsafeZip("absolute path", name)
    parts = [p for p in name.split("/") if p not in ("", ".")]
    for part in parts:
        if part == "..":
            raise UnsafeZip("path leaves the folder (..)", name)
        if part.split(".")[0].lower() in _WINDOWS_RESERVED or part.endswith((" ", ".")):
            raise UnsafeZip("name not allowed on Windows", name)
        if len(part.encode("utf-8")) > 255:
            raise UnsafeZip("name too long", name)
    return parts


def preflight(zf: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, list[str]]]:
    """Every check that needs only the central directory; the members to write, with their parts."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise UnsafeZip("too many members", f"{len(infos)} > {MAX_MEMBERS}")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise UnsafeZip("too large when unpacked", f"{total} bytes > {MAX_TOTAL_BYTES}")
    seen: set[str] = set()
    plan = []
    for info in infos:
        name = decode_name(info)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UnsafeZip("symbolic link", name)
        if info.flag_bits & 0x1:
            raise UnsafeZip("encrypted member", name)
        if info.file_size > RATIO_GRACE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeZip("inflation ratio too high (zip bomb?)", name)
        parts = safe_parts(name)
        if not parts or parts[0] == "__MACOSX":  # macOS resource forks, not materials
            continue
        key = unicodedata.normalize("NFC", "/".join(parts)).casefold()
        if key in seen:
            raise UnsafeZip("duplicate name", name)
        seen.add(key)
        plan.append((info, parts))
    _check_overlap(zf, infos)
    return plan


def _check_overlap(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Each member's data must end before the next local header (or the central directory)."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    central = getattr(zf, "start_dir", None)
    for info, nxt in zip(ordered, [*ordered[1:], None], strict=True):
        bound = nxt.header_offset if nxt is not None else central if isinstance(central, int) else None
        # the local header is at least 30 bytes: the data cannot end earlier than this
        if bound is not None and info.header_offset + 30 + info.compress_size > bound:
            raise UnsafeZip("overlapping members (zip bomb?)", decode_name(info))


def unpack(source: IO[bytes] | str, parent: str | None = None) -> Unpacked:
    """Unpack into a new folder under ``parent`` (default: the system temp dir). On any refusal
    or error the folder is removed and UnsafeZip is raised."""
    temp = tempfile.mkdtemp(prefix="validator-zip-", dir=parent)
    try:
        try:
            zf = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise UnsafeZip("not a zip file", str(exc)) from None
        with zf:
            plan = preflight(zf)
            written = 0
            for info, parts in plan:
                target = os.path.join(temp, *parts)
                if not os.path.realpath(target).startswith(os.path.realpath(temp) + os.sep):
                    raise UnsafeZip("path leaves the folder", "/".join(parts))
                if info.is_dir():
                    os.makedirs(target, exist_ok=True)
                    continue
                os.makedirs(os.path.dirname(target), exist_ok=True)
                try:
                    with zf.open(info) as src, open(target, "xb") as dst:
                        shutil.copyfileobj(src, dst, 1024 * 1024)
                except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                    raise UnsafeZip("damaged member", f"{'/'.join(parts)} ({exc})") from None
                written += 1
        return Unpacked(temp, _materials_root(temp), written, sum(i.file_size for i, _ in plan))
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _materials_root(temp: str) -> str:
    """A zip of a folder holds that folder: check it, not the wrapper."""
    entries = os.listdir(temp)
    if len(entries) == 1 and os.path.isdir(os.path.join(temp, entries[0])):
        return os.path.join(temp, entries[0])
    return temp
