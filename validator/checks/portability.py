"""What the clerk's platform (Windows) adds to the checks: names that differ only in case
(U102), folder names Windows refuses (N103, as for file names), and the note that libmagic was
not used (U101)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from validator.checks import Context

if TYPE_CHECKING:  # the engine imports this module to finish a folder the cache knows: no sniffing loaded
    from validator.sniff import ContentType


def _windows_key(rel: str) -> str:
    """The path as Windows compares names: each character upper-cased on its own (NTFS's upcase
    table maps one character to one; ``str.upper`` would turn ß into SS), no Unicode
    normalisation."""
    upper = rel.upper()
    if len(upper) == len(rel):
        return upper
    return "".join(ch.upper() if len(ch.upper()) == 1 else ch for ch in rel)


def check_case_clashes(ctx: Context, rels: Iterable[str]) -> None:
    """U102 on every path that Windows would take for an earlier one. Folders count: for
    ``Docs/a.pdf`` and ``docs/b.pdf`` the folder ``docs/`` is reported, once."""
    rels = list(rels)
    if not any("/" in rel for rel in rels) and len({_windows_key(rel) for rel in rels}) == len(rels):
        return  # the usual flat folder without a clash: no per-path work below
    first: dict[str, str] = {}  # Windows key -> the first path (or folder) seen with it
    reported: set[str] = set()
    for rel in sorted(rels):
        parts = rel.split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            seen = first.setdefault(_windows_key(prefix), prefix)
            if seen == prefix:
                continue
            shown = rel if depth == len(parts) else prefix + "/"
            if shown not in reported:
                reported.add(shown)
                ctx.emit("U102", shown, {"other": seen if depth == len(parts) else seen + "/"})
            break


def check_folder_names(ctx: Context, rels: Iterable[str]) -> None:
    """N103 on each sub-folder whose own name is invalid on the spec's platform (``aux/``,
    ``报告./``): Windows cannot create it, so nothing inside it can be extracted there."""
    platform = ctx.spec.naming.platform
    if not platform:
        return
    from validator.checks.naming import check_platform_name, display_name

    folders = {rel.rsplit("/", 1)[0] for rel in rels if "/" in rel}
    for folder in sorted({"/".join(f.split("/")[:i]) for f in folders for i in range(1, f.count("/") + 2)}):
        name = unicodedata.normalize("NFC", display_name(folder.rsplit("/", 1)[-1]))
        check_platform_name(ctx, folder + "/", name, platform, None, length_reported=False)


def note_without_libmagic(ctx: Context, content: ContentType) -> None:
    """U101 on the folder when this file's type needed libmagic and it was unavailable; the
    engine keeps one of these per folder."""
    if content.without_libmagic:
        from validator.sniff.libmagic import unavailable

        ctx.emit("U101", "", {"detail": unavailable() or "unavailable"})
