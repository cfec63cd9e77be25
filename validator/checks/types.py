"""File type judged by content (libmagic + a look inside zip/OLE containers).

One defect per file, with the fix for its situation:
- the content is an allowed format under another extension (a docx saved as `.doc`):
  T102, rename it to its real extension;
- the content is not allowed and the extension hides it (a JPEG named `.pdf`): T102 alone
  (not T101 as well), convert it;
- the content is not allowed under its own extension (a `.wps` where docx is wanted): T101,
  save it as an allowed format;
- a zip whose files are all of allowed types: T101, unzip it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from validator.checks import Context
from validator.checks.naming import split_ext
from validator.facts import FileFacts
from validator.sniff import extension_agrees, kinds_for_extension, matches_any
from validator.spec.model import DocumentSpec

if TYPE_CHECKING:
    import zipfile

# The extension a file of each kind should carry (for "rename it to …").
REAL_EXTENSION = {
    "pdf": ".pdf", "docx": ".docx", "docm": ".docm", "doc": ".doc", "wps": ".doc", "xlsx": ".xlsx", "xlsm": ".xlsm",
    "xlsb": ".xlsb", "xls": ".xls", "et": ".xls", "pptx": ".pptx", "pptm": ".pptm", "ppt": ".ppt", "dps": ".ppt",
    "odt": ".odt", "ods": ".ods", "odp": ".odp", "ofd": ".ofd", "zip": ".zip", "rar": ".rar", "7z": ".7z",
    "gz": ".gz", "jpg": ".jpg", "png": ".png", "gif": ".gif", "bmp": ".bmp", "tiff": ".tif", "webp": ".webp",
    "heic": ".heic", "avif": ".avif", "svg": ".svg", "html": ".html", "xml": ".xml", "json": ".json",
    "csv": ".csv", "txt": ".txt", "rtf": ".rtf",
}  # fmt: skip
_ARCHIVE_LIMIT = 2000  # members listed at most; a zip with more is not advice material
_MEMBERS_SHOWN = 6
_ARCHIVE_NOISE = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


def check_type(ctx: Context, facts: FileFacts, doc: DocumentSpec | None) -> None:
    content = facts.content
    if content.kind == "empty":
        return  # S101 says it all
    doc_id = doc.id if doc else None
    if content.damaged:  # a cut-short xlsx is damaged, not a wrong type or extension
        ctx.emit("T105", facts.rel, {"kind": content.kind, "mime": content.mime}, document=doc_id)
        return
    if content.default_password:  # Excel opens it without asking: not a locked file
        ctx.emit("T104", facts.rel, {"kind": content.kind, "mime": content.mime}, document=doc_id)
    locked = content.encrypted and not content.default_password
    if locked:  # T103 says it; what is inside cannot be judged until it is removed
        ctx.emit("T103", facts.rel, {"kind": content.kind, "mime": content.mime}, document=doc_id)
    allowed = doc.types if doc and not locked else ()
    type_ok = not allowed or matches_any(content.kind, content.mime, allowed)
    ext = split_ext(facts.rel.rsplit("/", 1)[-1])[1].lower()
    ext_ok = not ext or extension_agrees(ext, content.kind)
    if type_ok and ext_ok:
        return
    params: dict[str, Any] = {"kind": content.kind, "mime": content.mime}
    members = _allowed_members(facts, allowed) if not type_ok and content.kind == "zip" else None
    if members:
        ctx.emit("T101", facts.rel, {**params, "allowed": list(allowed), "advice": "unzip", "members": members},
                 document=doc_id)
    elif ext_ok:
        ctx.emit("T101", facts.rel, {**params, "allowed": list(allowed)}, document=doc_id)
    elif type_ok:
        real = REAL_EXTENSION.get(content.kind)
        advice = {"advice": "rename", "real_ext": real} if real and content.kind in kinds_for_extension(real) else {}
        ctx.emit("T102", facts.rel, {**params, "ext": ext, **advice}, document=doc_id)
    else:
        ctx.emit("T102", facts.rel, {**params, "ext": ext, "allowed": list(allowed), "advice": "convert"},
                 document=doc_id)


def _allowed_members(facts: FileFacts, allowed: tuple[str, ...]) -> list[str] | None:
    """The member names of a zip when every file in it has an extension of an allowed type
    (judged by name: the members are not unpacked); None otherwise."""
    import io
    import zipfile  # only for a zip where something else is wanted

    source = facts.source()
    if _declared_entries(source) > _ARCHIVE_LIMIT:
        return None  # zipfile would build every entry before we could count them
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None
    if len(infos) > _ARCHIVE_LIMIT:
        return None
    names = [_member_name(i) for i in infos if not i.is_dir() and not any(n in i.filename for n in _ARCHIVE_NOISE)]
    if not names:
        return None
    for name in names:
        kinds = kinds_for_extension(split_ext(name)[1])
        if not any(matches_any(k, "", allowed) for k in kinds):
            return None
    return names[:_MEMBERS_SHOWN] + (["…"] if len(names) > _MEMBERS_SHOWN else [])


def _declared_entries(source: str | bytes) -> int:
    """The entry count in the zip's end-of-central-directory record (a large number when unreadable)."""
    if isinstance(source, bytes):
        tail = source[-65_557:]
    else:
        try:
            with open(source, "rb") as f:
                f.seek(0, 2)
                size = f.tell()
                f.seek(max(0, size - 65_557))
                tail = f.read()
        except OSError:
            return 1 << 30
    at = tail.rfind(b"PK\x05\x06")
    return int.from_bytes(tail[at + 10 : at + 12], "little") if at >= 0 and len(tail) >= at + 12 else 1 << 30


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's file name; zips from Chinese Windows store names in GBK without saying so."""
    name = info.filename
    if not info.flag_bits & 0x800:  # not flagged UTF-8: zipfile decoded the bytes as cp437
        raw = name.encode("cp437", "replace")
        for codec in ("utf-8", "gb18030"):
            try:
                name = raw.decode(codec)
                break
            except UnicodeDecodeError:
                continue
    return name.rsplit("/", 1)[-1]
