"""A minimal OLE2 / Compound File Binary writer for tests (olefile can only read).

Version 3 files (512-byte sectors): streams below 4096 bytes go to the mini stream, larger
ones to regular sectors; the FAT gets as many sectors as it needs, and DIFAT sectors when
more than 109 FAT sectors are needed (``pad_sectors`` pushes the directory far enough into
the file to exercise that).  All streams sit directly under the root storage.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREESECT, ENDOFCHAIN, FATSECT, DIFSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC, 0xFFFFFFFF
MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Layout:
    data: bytes
    dir_start: int
    fat_sectors: list[int]
    difat_sectors: list[int]

    def fat_entry_offset(self, sector: int) -> int:
        """File offset of the FAT entry that says which sector follows ``sector``."""
        fat_sector = self.fat_sectors[sector // (SECTOR // 4)]
        return (fat_sector + 1) * SECTOR + (sector % (SECTOR // 4)) * 4


def _pad(b: bytes, unit: int) -> bytes:
    return b + b"\x00" * (-len(b) % unit)


def _dir_entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
    raw = name.encode("utf-16-le")
    assert len(raw) <= 62, name
    return (
        raw.ljust(64, b"\x00")
        + struct.pack("<HBB", len(raw) + 2, kind, 1)  # name length incl. NUL, type, colour black
        + struct.pack("<III", NOSTREAM, right, child)
        + b"\x00" * 16  # CLSID
        + struct.pack("<I", 0)  # state bits
        + b"\x00" * 16  # creation / modification times
        + struct.pack("<IQ", start, size)
    )


def build_cfb(streams: dict[str, bytes], *, pad_sectors: int = 0) -> Layout:
    """A valid compound file holding ``streams`` at the root; see the module docstring."""
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # CFB sibling order
    sectors: list[bytes] = [b"\x00" * SECTOR] * pad_sectors
    fat_links: dict[int, int] = {}

    def alloc(payload: bytes) -> int:
        if not payload:
            return ENDOFCHAIN
        first = len(sectors)
        chunks = [payload[i : i + SECTOR] for i in range(0, len(payload), SECTOR)]
        for i, chunk in enumerate(chunks):
            sectors.append(_pad(chunk, SECTOR))
            fat_links[first + i] = first + i + 1 if i + 1 < len(chunks) else ENDOFCHAIN
        return first

    mini = bytearray()
    minifat: list[int] = []
    starts: dict[str, int] = {}
    for name in names:
        data = streams[name]
        if len(data) >= CUTOFF:
            starts[name] = alloc(data)
        elif data:
            first = len(mini) // MINI
            count = (len(data) + MINI - 1) // MINI
            minifat += [first + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
            mini += _pad(data, MINI)
            starts[name] = first
        else:
            starts[name] = ENDOFCHAIN
    mini_start = alloc(bytes(mini))
    minifat_start = alloc(b"".join(struct.pack("<I", v) for v in minifat))
    n_minifat = (len(minifat) * 4 + SECTOR - 1) // SECTOR

    entries = [_dir_entry("Root Entry", 5, NOSTREAM, 1 if names else NOSTREAM, mini_start, len(mini))]
    for i, name in enumerate(names, start=1):
        right = i + 1 if i < len(names) else NOSTREAM
        entries.append(_dir_entry(name, 2, right, NOSTREAM, starts[name], len(streams[name])))
    dir_start = alloc(_pad(b"".join(entries), SECTOR))

    # FAT (and DIFAT) sectors go at the end; their number depends on the total.
    n_content = len(sectors)
    n_fat = n_difat = 0
    while True:
        total = n_content + n_fat + n_difat
        need_fat = (total + SECTOR // 4 - 1) // (SECTOR // 4)
        need_difat = max(0, need_fat - 109 + 126) // 127
        if (need_fat, need_difat) == (n_fat, n_difat):
            break
        n_fat, n_difat = need_fat, need_difat
    fat_sectors = list(range(n_content, n_content + n_fat))
    difat_sectors = list(range(n_content + n_fat, n_content + n_fat + n_difat))
    fat = [FREESECT] * (n_fat * SECTOR // 4)
    for s, nxt in fat_links.items():
        fat[s] = nxt
    for s in fat_sectors:
        fat[s] = FATSECT
    for s in difat_sectors:
        fat[s] = DIFSECT
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    sectors += [fat_bytes[i : i + SECTOR] for i in range(0, len(fat_bytes), SECTOR)]
    extra = fat_sectors[109:]
    for k in range(len(difat_sectors)):
        chunk = extra[k * 127 : (k + 1) * 127]
        nxt = difat_sectors[k + 1] if k + 1 < len(difat_sectors) else ENDOFCHAIN
        values = chunk + [FREESECT] * (127 - len(chunk)) + [nxt]
        sectors.append(struct.pack("<128I", *values))

    header_difat = fat_sectors[:109] + [FREESECT] * (109 - min(109, n_fat))
    header = (
        MAGIC
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack(
            "<9I",
            0,  # directory sectors (0 in version 3)
            n_fat,
            dir_start,
            0,
            CUTOFF,
            minifat_start,
            n_minifat,
            difat_sectors[0] if difat_sectors else ENDOFCHAIN,
            n_difat,
        )
        + struct.pack("<109I", *header_difat)
    )
    assert len(header) == SECTOR
    return Layout(header + b"".join(sectors), dir_start, fat_sectors, difat_sectors)


# --- stream payloads that make the files look like what they claim -------------------------


def word_document(*, encrypted: bool = False, size: int = 4200) -> bytes:
    """A WordDocument stream starting with a FIB (wIdent 0xA5EC; fEncrypted = 0x0100 at offset 0x0A)."""
    flags = 0x0100 if encrypted else 0
    fib = struct.pack("<HHHHHH", 0xA5EC, 0x00C1, 0, 0x0804, 0, flags)
    return fib.ljust(size, b"\x00")


def workbook(*, encrypted: bool = False, size: int = 4200) -> bytes:
    """A BIFF8 Workbook stream: BOF, optionally FILEPASS (RC4), then EOF."""
    bof = struct.pack("<HH", 0x0809, 16) + struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0)
    records = bof
    if encrypted:
        records += struct.pack("<HH", 0x002F, 6) + struct.pack("<HHH", 1, 1, 2)
    records += struct.pack("<HH", 0x000A, 0)
    return records.ljust(size, b"\x00")


def current_user(*, encrypted: bool = False) -> bytes:
    """A PowerPoint 'Current User' stream; headerToken 0xF3D1C4DF marks an encrypted presentation."""
    token = 0xF3D1C4DF if encrypted else 0xE391C05F
    return struct.pack("<HHI", 0, 0x0FF6, 20) + struct.pack("<II", 20, token) + b"\x00" * 16


def property_set(text: str, *, utf16: bool = False, pid: int = 0x12) -> bytes:
    """A (\\x05)SummaryInformation-like property set carrying ``text`` as string property ``pid``
    (0x12 = PIDSI_APPNAME, 2 = PIDSI_TITLE)."""
    value = text.encode("utf-16-le") + b"\x00\x00" if utf16 else text.encode("ascii") + b"\x00"
    vt = 0x1F if utf16 else 0x1E
    prop = struct.pack("<II", vt, len(value) // (2 if utf16 else 1)) + _pad(value, 4)
    section = struct.pack("<II", 8 + 8 + len(prop), 1) + struct.pack("<II", pid, 16) + prop
    header = struct.pack("<HHI", 0xFFFE, 0, 0x00020006) + b"\x00" * 16 + struct.pack("<I", 1)
    fmtid = bytes.fromhex("e0859ff2f94f6810ab9108002b27b3d9")
    return header + fmtid + struct.pack("<I", 48) + section
