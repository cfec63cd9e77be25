"""Old office formats that are not OLE2 containers, told by their first record:

* Excel 2.x-4.0 worksheets and workbooks (BIFF2, BIFF3, BIFF4: a bare record stream starting
  with a BOF record) and bare BIFF5/BIFF8 streams (a Workbook stream outside its OLE2 container,
  e.g. extracted or cut out of one: a fragment, so ``damaged``);
* Microsoft Write documents (.wri).

libmagic knows some of these (BIFF4) and not others (BIFF2/3, fragments); our own signatures
decide without asking it.
"""

from __future__ import annotations

import struct
from typing import Final

from validator.sniff.types import SHORT_TYPES, ContentType

# BOF record type -> (BIFF version, Excel version, allowed record lengths)
_BOF: Final = {
    0x0009: ("BIFF2", "Excel 2.x", (4,)),
    0x0209: ("BIFF3", "Excel 3.0", (6,)),
    0x0409: ("BIFF4", "Excel 4.0", (6,)),
    0x0809: ("BIFF5/8", "Excel 5.0 or later", (8, 16)),
}
# BOF "dt" (substream type): worksheet, chart, macro sheet, workbook globals (BIFF4W+), VB module
_SUBSTREAM: Final = {0x0005: "workbook", 0x0006: "VB module", 0x0010: "worksheet", 0x0020: "chart",
                     0x0040: "macro sheet", 0x0100: "workbook"}  # fmt: skip
_WRITE_MAGIC: Final = (b"\x31\xbe\x00\x00\x00\xab", b"\x32\xbe\x00\x00\x00\xab")
#: Where a Workbook stream's first sector sits in a compound file: a BIFF record stream found
#: there without the OLE2 header in front is a fragment of an .xls.
_FRAGMENT_AT: Final = 512


def sniff_legacy(head: bytes) -> ContentType | None:
    """The kind of a bare BIFF stream or a Write document, or None."""
    if head.startswith(_WRITE_MAGIC):
        return ContentType("write", SHORT_TYPES["write"], "Microsoft Write document")
    found = _bof(head, 0)
    if found is not None:
        biff, excel, what = found
        if biff == "BIFF5/8":
            return ContentType("xls", SHORT_TYPES["xls"],
                               f"bare {biff} {what} records without the OLE2 container (a fragment of an .xls)",
                               damaged=True)  # fmt: skip
        return ContentType("xls", SHORT_TYPES["xls"], f"{excel} {what} ({biff})")
    if len(head) >= _FRAGMENT_AT + 8 and not head[:_FRAGMENT_AT].strip(b"\x00\xff"):
        found = _bof(head, _FRAGMENT_AT, any_length=True)  # PRONOM's fmt/61 sample has a 0 length
        if found is not None:
            biff, _excel, what = found
            return ContentType("xls", SHORT_TYPES["xls"],
                               f"{biff} {what} records at offset {_FRAGMENT_AT} with no OLE2 header "
                               "(a fragment of an .xls)", damaged=True)  # fmt: skip
    return None


def _bof(head: bytes, at: int, *, any_length: bool = False) -> tuple[str, str, str] | None:
    if len(head) < at + 8:
        return None
    rtype, rlen, version, dt = struct.unpack_from("<HHHH", head, at)
    known = _BOF.get(rtype)
    if known is None or (rlen not in known[2] and not any_length):
        return None
    biff, excel, _lengths = known
    if rtype == 0x0809 and version not in (0x0500, 0x0600):
        return None
    what = _SUBSTREAM.get(dt)
    if what is None:
        return None
    return biff, excel, what
