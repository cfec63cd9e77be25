"""Kinds, MIME vocabulary and extension tables, and matching a sniffed type against what a spec wants."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class ContentType:
    """The sniffed type of one file."""

    kind: str  # short name, see the docstring of validator.sniff
    mime: str  # best MIME type: libmagic's, refined by looking inside containers
    detail: str = ""  # short human detail, e.g. "OLE2 streams: WordDocument, 1Table"
    encrypted: bool = False  # password-protected package or encrypted entries
    #: encrypted only with Excel's built-in default password "VelvetSweatshop": Excel and WPS
    #: open it without asking (a protected, not a locked, workbook); ``encrypted`` is True too
    default_password: bool = False
    #: the container is cut short or broken (e.g. a truncated xlsx); ``kind`` is then the best
    #: guess from what is left, so a damaged file is not also called a wrong extension
    damaged: bool = False
    #: libmagic was needed for this answer but unavailable: the built-in stand-in gave it
    without_libmagic: bool = False

    # Every file sniffed builds one: the frozen dataclass's own __init__ (one object.__setattr__
    # per field) costs twice this. Same signature and defaults as the fields above (kept by hand).
    def __init__(self, kind: str, mime: str, detail: str = "", encrypted: bool = False,
                 default_password: bool = False, damaged: bool = False, without_libmagic: bool = False) -> None:
        _SET(self, "__dict__", {"kind": kind, "mime": mime, "detail": detail, "encrypted": encrypted,
                                "default_password": default_password, "damaged": damaged,
                                "without_libmagic": without_libmagic})


_SET: Final = object.__setattr__

#: The signatures that send a file to a container reader (``sniff.ole``, ``sniff.zip``): here, so
#: that the dispatch loads a reader only for the files that need it (a PDF or a JPEG needs neither).
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGS: Final = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


_CONTAINER_KINDS: Final = frozenset(
    {"xlsx", "xlsm", "xlsb", "docx", "docm", "pptx", "pptm", "ooxml", "ooxml-encrypted", "odt", "ods", "odp"}
)
_OLE_KINDS: Final = frozenset({"xls", "doc", "ppt", "wps", "et", "dps", "works", "ole"})
_OTHER_KINDS: Final = frozenset(
    {
        "pdf",
        "ofd",
        "zip",
        "rar",
        "7z",
        "gz",
        "jpg",
        "png",
        "gif",
        "bmp",
        "tiff",
        "webp",
        "heic",
        "avif",
        "svg",
        "write",
    }
)
_TEXT_KINDS: Final = frozenset({"html", "xml", "json", "csv", "txt", "rtf"})
KINDS: Final = _CONTAINER_KINDS | _OLE_KINDS | _OTHER_KINDS | _TEXT_KINDS | {"empty", "unknown"}

# --------------------------------------------------------------------------- MIME vocabulary

_OCTET: Final = "application/octet-stream"
_XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_PPTX: Final = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_XLSM: Final = "application/vnd.ms-excel.sheet.macroEnabled.12"
_XLSB: Final = "application/vnd.ms-excel.sheet.binary.macroEnabled.12"
_DOCM: Final = "application/vnd.ms-word.document.macroEnabled.12"
_PPTM: Final = "application/vnd.ms-powerpoint.presentation.macroEnabled.12"
_ODF: Final = "application/vnd.oasis.opendocument."
_OLE_GENERIC: Final = "application/x-ole-storage"
_ENCRYPTED: Final = "application/encrypted"  # libmagic's name for an OLE2 EncryptedPackage

SHORT_TYPES: Final[dict[str, str]] = {
    "pdf": "application/pdf",
    "xlsx": _XLSX,
    "xlsm": _XLSM,
    "xlsb": _XLSB,
    "xls": "application/vnd.ms-excel",
    "docx": _DOCX,
    "docm": _DOCM,
    "doc": "application/msword",
    "pptx": _PPTX,
    "pptm": _PPTM,
    "ppt": "application/vnd.ms-powerpoint",
    # Kingsoft WPS Office: the types Windows browsers send; application/wps-office.* are aliases.
    "wps": "application/kswps",
    "et": "application/kset",
    "dps": "application/ksdps",
    "works": "application/vnd.ms-works",
    "write": "application/x-mswrite",
    "odt": _ODF + "text",
    "ods": _ODF + "spreadsheet",
    "odp": _ODF + "presentation",
    "ofd": "application/ofd",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
    "tif": "image/tiff",
    "webp": "image/webp",
    "heic": "image/heic",
    "heif": "image/heif",
    "avif": "image/avif",
    "svg": "image/svg+xml",
    "zip": "application/zip",
    "rar": "application/vnd.rar",
    "7z": "application/x-7z-compressed",
    "gz": "application/gzip",
    "txt": "text/plain",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "html": "text/html",
    "htm": "text/html",
    "xml": "application/xml",
    "json": "application/json",
    "rtf": "text/rtf",
    "mp4": "video/mp4",
    "mp3": "audio/mpeg",
}

# Spelling variants of short names accepted by kind_matches.
_SHORT_ALIASES: Final = {
    "jpeg": "jpg",
    "jpe": "jpg",
    "tif": "tiff",
    "htm": "html",
    "heif": "heic",
    "tsv": "csv",
    "text": "txt",
}

# Spelling variants of MIME types (lower case) -> one canonical lower-case spelling.
_MIME_ALIASES: Final = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-ms-bmp": "image/bmp",
    "image/x-bmp": "image/bmp",
    "image/x-png": "image/png",
    "application/x-pdf": "application/pdf",
    "application/x-zip-compressed": "application/zip",
    "application/x-zip": "application/zip",
    "text/xml": "application/xml",
    "application/x-rar": "application/vnd.rar",
    "application/x-rar-compressed": "application/vnd.rar",
    "application/x-gzip": "application/gzip",
    "application/rtf": "text/rtf",
    "application/wps-office.wps": "application/kswps",
    "application/wps-office.et": "application/kset",
    "application/wps-office.dps": "application/ksdps",
    "application/wps-office.doc": "application/msword",
    "application/wps-office.xls": "application/vnd.ms-excel",
    "application/wps-office.ppt": "application/vnd.ms-powerpoint",
    "application/cdfv2": _OLE_GENERIC,
}

# A wanted short name also accepts these kinds: WPS Office writes the Microsoft binary formats,
# and a one-column CSV cannot be told from plain text.
_MATCH_FAMILY: Final[dict[str, frozenset[str]]] = {
    "doc": frozenset({"wps"}),
    "wps": frozenset({"doc"}),
    "xls": frozenset({"et"}),
    "et": frozenset({"xls"}),
    "ppt": frozenset({"dps"}),
    "dps": frozenset({"ppt"}),
    "csv": frozenset({"txt"}),
    "txt": frozenset({"csv"}),
}

# libmagic's MIME (lower case) -> kind, used when we cannot or need not look deeper.
_KIND_BY_MIME: Final = {
    "application/pdf": "pdf",
    _XLSX.lower(): "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template": "xlsx",
    _XLSM.lower(): "xlsm",
    _XLSB.lower(): "xlsb",
    _DOCX.lower(): "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template": "docx",
    _DOCM.lower(): "docm",
    _PPTX.lower(): "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow": "pptx",
    _PPTM.lower(): "pptm",
    "application/vnd.ms-excel": "xls",
    "application/msword": "doc",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.ms-works": "works",
    "application/x-mswrite": "write",
    _OLE_GENERIC: "ole",
    "application/cdfv2": "ole",
    "application/cdfv2-corrupt": "ole",
    _ENCRYPTED: "ooxml-encrypted",
    _ODF + "text": "odt",
    _ODF + "spreadsheet": "ods",
    _ODF + "presentation": "odp",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/x-rar": "rar",
    "application/vnd.rar": "rar",
    "application/x-rar-compressed": "rar",
    "application/x-7z-compressed": "7z",
    "application/gzip": "gz",
    "application/x-gzip": "gz",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/bmp": "bmp",
    "image/x-ms-bmp": "bmp",
    "image/tiff": "tiff",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heic",
    "image/heic-sequence": "heic",
    "image/heif-sequence": "heic",
    "image/avif": "avif",
    "image/svg+xml": "svg",
    "text/html": "html",
    "text/xml": "xml",
    "application/xml": "xml",
    "application/json": "json",
    "text/csv": "csv",
    "text/rtf": "rtf",
    "application/rtf": "rtf",
    "text/plain": "txt",
    "inode/x-empty": "empty",
    "application/x-empty": "empty",
}

_SIMPLE_KINDS: Final = frozenset(
    {"rar", "7z", "gz", "jpg", "png", "gif", "bmp", "tiff", "webp", "avif", "heic"}
)
_TEXTLIKE_MIMES: Final = frozenset(
    {
        "application/json",
        "application/xml",
        "image/svg+xml",
        "application/rtf",
        "application/javascript",
        "application/x-ndjson",
        "application/x-wine-extension-ini",
    }
)
_ZIPLIKE_MIMES: Final = frozenset(
    {"application/zip", "application/x-zip-compressed", "application/epub+zip", "application/java-archive"}
    | {
        m
        for m, k in _KIND_BY_MIME.items()
        if k in {"xlsx", "xlsm", "xlsb", "docx", "docm", "pptx", "pptm", "odt", "ods", "odp"}
    }
)

# ------------------------------------------------------------------------- extension tables

_OOXML_OK: Final = frozenset({"ooxml-encrypted", "ooxml"})
_ZIP_BASED: Final = frozenset(
    {"zip", "xlsx", "xlsm", "xlsb", "docx", "docm", "pptx", "pptm", "ooxml", "odt", "ods", "odp", "ofd"}
)


def _ext_table() -> dict[str, frozenset[str]]:
    t: dict[str, frozenset[str]] = {}

    def put(exts: str, kinds: set[str] | frozenset[str]) -> None:
        for e in exts.split():
            t["." + e] = frozenset(kinds)

    put("pdf", {"pdf"})
    put("xlsx xltx", {"xlsx"} | _OOXML_OK)
    put("xlsm xltm xlam", {"xlsm"} | _OOXML_OK)
    put("xlsb", {"xlsb"} | _OOXML_OK)
    put("docx dotx", {"docx"} | _OOXML_OK)
    put("docm dotm", {"docm"} | _OOXML_OK)
    put("pptx potx ppsx", {"pptx"} | _OOXML_OK)
    put("pptm potm ppsm", {"pptm"} | _OOXML_OK)
    put("doc dot wpt", {"doc", "wps"})
    put("wps", {"doc", "wps", "works"})  # Kingsoft WPS Writer, or Microsoft Works word processor
    put("wri", {"write"})
    put("xls xlt et ett", {"xls", "et"})
    put("ppt pot pps dps dpt", {"ppt", "dps"})
    put("odt ott", {"odt"})
    put("ods ots", {"ods"})
    put("odp otp", {"odp"})
    put("ofd", {"ofd"})
    put("zip", _ZIP_BASED)  # an xlsx or ofd is a zip archive too
    put("rar", {"rar"})
    put("7z", {"7z"})
    put("gz tgz", {"gz"})
    put("jpg jpeg jpe jfif", {"jpg"})
    put("png", {"png"})
    put("gif", {"gif"})
    put("bmp dib", {"bmp"})
    put("tif tiff", {"tiff"})
    put("webp", {"webp"})
    put("heic heif hif", {"heic"})
    put("avif", {"avif"})
    put("svg", {"svg"})
    put("html htm xhtml", {"html"})
    put("xml", {"xml", "svg"})
    put("json", {"json"})
    put("csv tsv", {"csv", "txt"})
    put("txt text", {"txt", "csv"})
    put("rtf", {"rtf"})
    return t


_EXT_KINDS: Final = _ext_table()


def _norm_ext(ext: str) -> str:
    e = ext.strip().lower()
    if not e:
        return ""
    return e if e.startswith(".") else "." + e


def kinds_for_extension(ext: str) -> frozenset[str]:
    """The kinds a file with this extension may legitimately sniff as; ``frozenset()`` if unknown.

    ``".pdf"`` -> {"pdf"}; ``".wps"`` and ``".doc"`` -> {"doc", "wps"} (WPS Office writes the
    Word binary format); ``".xlsx"`` -> {"xlsx", "ooxml-encrypted", "ooxml"} (a password-protected
    xlsx is an OLE2 file; an unidentifiable OPC package is not proof of a wrong name).
    """
    return _EXT_KINDS.get(_norm_ext(ext), frozenset())


def extension_agrees(ext: str, kind: str) -> bool:
    """False only when both the extension and the kind are known and they are incompatible.

    ``empty`` and ``unknown`` never disagree: other checks report those files.
    """
    allowed = _EXT_KINDS.get(ext) or kinds_for_extension(ext)  # the first: ".pdf" as given, not normalised
    if not allowed or kind not in KINDS or kind in ("empty", "unknown"):
        return True
    return kind in allowed


def _norm_mime(mime: str) -> str:
    m = mime.split(";", 1)[0].strip().lower()
    return _MIME_ALIASES.get(m, m)


def matches_any(kind: str, mime: str, wanted: Collection[str]) -> bool:
    """Whether a sniffed (kind, mime) satisfies any entry of a spec's ``types:`` list
    (:func:`kind_matches`). The usual file, whose kind the list names, is answered at once,
    without a generator: every file's type and size checks ask."""
    return (kind in wanted and kind in KINDS) or any(kind_matches(kind, mime, w) for w in wanted)


def kind_matches(kind: str, mime: str, wanted: str) -> bool:
    """Whether a sniffed (kind, mime) satisfies one entry of a spec's ``types:`` list.

    ``wanted`` is a short name (``"xlsx"``, ``"jpeg"``, ``".pdf"``), a MIME type or a MIME
    wildcard (``"image/*"``, ``"*/*"``).  Short names match the kind (``doc``/``wps``,
    ``xls``/``et``, ``ppt``/``dps`` and ``csv``/``txt`` accept each other); for kinds this module
    does not model (``unknown``) the MIME type decides, so ``"mp4"`` matches ``video/mp4``.
    """
    if wanted == kind and kind in KINDS:  # the usual case: the spec names the kind itself
        return True
    w = wanted.strip().lower()
    if not w:
        return False
    if w in ("*", "*/*"):
        return True
    if "/" in w:
        have = {_norm_mime(mime)}
        for k in {kind} | _MATCH_FAMILY.get(kind, frozenset()):
            canon = SHORT_TYPES.get(k)
            if canon is not None:
                have.add(_norm_mime(canon))
        if w.endswith("/*"):
            prefix = w[:-1]
            return any(h.startswith(prefix) for h in have)
        return _norm_mime(w) in have
    w = w.lstrip(".")
    w = _SHORT_ALIASES.get(w, w)
    if w == kind or kind in _MATCH_FAMILY.get(w, frozenset()):
        return True
    if kind == "unknown":
        canon = SHORT_TYPES.get(w)
        return canon is not None and _norm_mime(canon) == _norm_mime(mime)
    return False
