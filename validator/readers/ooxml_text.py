"""Every text an xlsx workbook stores, read straight from its parts (no cell is built).

Used by the leak scan, which only needs to know whether another client's name or credit code is
in the workbook at all: the shared strings hold every distinct text once.
"""

from __future__ import annotations

import html
import io
import zipfile

_MAX_XML_BYTES = 64 * 1024 * 1024  # inflated shared strings / sheet parts read at the most


def workbook_text(source: str | bytes) -> str:
    """The shared strings, else the sheets' inline strings, as XML text; "" for a damaged file.
    ``source``: a path or the file's bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            infos = zf.infolist()
            shared = [i for i in infos if i.filename.lower().endswith("sharedstrings.xml")]
            parts = shared or [
                i
                for i in infos
                if i.filename.lower().startswith("xl/worksheets/") and i.filename.lower().endswith(".xml")
            ]
            chunks = []
            budget = _MAX_XML_BYTES
            for info in parts:
                if info.flag_bits & 0x1 or budget <= 0:
                    continue  # encrypted entry, or enough read
                with zf.open(info) as f:
                    data = f.read(budget)
                budget -= len(data)
                chunks.append(data.decode("utf-8", "replace"))
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError, EOFError):
        return ""  # the type and sheet checks report a damaged workbook
    # The XML as it is, markup included: tags hold no names or 18-character codes, and a string
    # is one <t> element. Entities (openpyxl writes every CJK character as &#NNNNN;) are resolved.
    text = "\n".join(chunks)
    return html.unescape(text) if "&" in text else text
