"""A whole folder's result, reused while nothing it was computed from has changed.

The incremental cache (validator.cache) keeps one outcome per file; a re-run still walks the
folder, lists its zips, looks every file up and runs the folder-level rules. When not one entry
of the folder moved, all of that gives the same result again, so the result itself is kept (one
small file per folder, beside the folder's cache file: a re-run that reuses it reads nothing else)
with:

* a **snapshot** of the folder: every entry under it (not following links; what the walk never
  enters, such as ``.git``, left out) with its stamp (size, mtime, ctime, inode). A folder that
  holds anything but plain files and folders (a link, a FIFO, an unreadable folder) gets no
  snapshot and is always checked the long way: a link's target can change without the link;
* the **key**: everything else the result depends on - the tool build, the folder's path, the
  resolved spec, the client's values and own identifiers, every client's identities (a name
  another client just took leaks in this folder's files), the PDF pages searched, the
  client.yaml problem.

The snapshot is taken before the folder is checked and believed only when every entry had stopped
changing well before it was taken (the racy-git rule of validator.cache): an edit during the check,
or in the same clock tick as the snapshot, makes the next run check the folder again. A result
with a verdict of this run's conditions (a parse stopped by the deadline) is not kept. A kept
result is a function of its key and snapshot alone, so an old one never needs deleting: ctime
and inode never come back, and under an old key it is still that key's answer.

The kept result is the engine's before the run's own notes (a registry's, found afresh each run)
and before waivers (an expiry depends on today's date): both are applied to it on every run.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from validator.cache import RACY_NS, fingerprint, folder_file, load_blob, sound_defect, write_blob
from validator.discovery import ALWAYS_SKIPPED_DIRS
from validator.model import DocumentStatus, PackageResult

Snapshot = tuple[tuple[str, int, int, int, int], ...]  # (rel, size, mtime_ns, ctime_ns, inode); folders end in "/"


class FolderRecord(NamedTuple):
    key: str
    seen_ns: int  # when the snapshot was taken
    snapshot: Snapshot
    result: PackageResult  # before notes and waivers


def take_snapshot(root: str) -> tuple[Snapshot, int] | None:
    """The stamps of everything under ``root`` (a folder, or a zipped pack) and when they were
    taken; None when something in it is not a plain file or folder, cannot be listed, or changed
    too shortly before now to be believed (see ``still``: such a snapshot could neither match a
    kept result nor be kept; the walk stops there - after an edit, usually at the folder itself)."""
    seen_ns = time.time_ns()  # before the first stat: a later change moves a stamp past it
    limit = seen_ns - RACY_NS
    try:
        st = os.lstat(root)
        if max(st.st_mtime_ns, st.st_ctime_ns) >= limit:
            return None
        if stat.S_ISREG(st.st_mode):
            return (("", st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino),), seen_ns
        if not stat.S_ISDIR(st.st_mode):
            return None
        out = [("/", st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)]
        pending = [("", root)]
        while pending:
            prefix, folder = pending.pop()
            with os.scandir(folder) as it:
                for item in it:
                    st = item.stat(follow_symlinks=False)
                    if st.st_mtime_ns >= limit or st.st_ctime_ns >= limit:
                        return None
                    rel = prefix + item.name
                    if stat.S_ISREG(st.st_mode):
                        out.append((rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
                    elif stat.S_ISDIR(st.st_mode):
                        out.append((rel + "/", st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
                        if item.name not in ALWAYS_SKIPPED_DIRS:  # the walk never enters them either
                            pending.append((rel + "/", item.path))
                    else:
                        return None
    except (OSError, ValueError):
        return None
    out.sort()
    return tuple(out), seen_ns


def still(snapshot: Snapshot, seen_ns: int) -> bool:
    """Every entry had stopped changing well before ``seen_ns`` (``cache.settled``, per entry)."""
    limit = seen_ns - RACY_NS
    return all(e[2] < limit and e[3] < limit for e in snapshot)


def folder_key(root: str, spec_digest: str, identities_digest: str, leak_pdf_pages: int,
               values: Mapping[str, Any], sources: Sequence[Mapping[str, Any]], client_problem: str | None) -> str:
    """What a folder's result depends on besides its files (see the module's docstring)."""
    own = sorted(str(v) for src in sources for k in ("company", "uscc") if (v := src.get(k)))
    problem = None if client_problem is None else (str(client_problem), repr(getattr(client_problem, "defects", None)))
    body = repr((fingerprint(), root, spec_digest, identities_digest, leak_pdf_pages,
                 sorted((str(k), repr(v)) for k, v in values.items()), own, problem))
    return hashlib.sha256(body.encode("utf-8", "surrogateescape")).hexdigest()


def record_path(root: str, directory: Path) -> Path:
    """Where the folder's kept result lives in the cache ``directory`` (see ``cache.usable_dir``)."""
    return folder_file(directory, "folders", root)


def reusable(path: Path, key: str, taken: tuple[Snapshot, int] | None) -> PackageResult | None:
    """The folder's kept result, if it was computed under ``key`` from exactly the entries of
    the fresh snapshot ``taken``, all still for long before the kept one was taken."""
    if taken is None:
        return None
    record = load_blob(path)
    if not isinstance(record, FolderRecord) or len(record) != 4:
        return None
    if record.key != key or type(record.seen_ns) is not int or record.snapshot != taken[0]:
        return None
    if not still(taken[0], record.seen_ns) or not _sound_result(record.result):
        return None
    return record.result


def keep(path: Path, key: str, taken: tuple[Snapshot, int] | None, result: PackageResult,
         settled_verdicts: bool) -> None:
    """Remember ``result`` for the next run (``taken`` is None for a folder edited too shortly
    before: it is kept by the first run after it settles)."""
    if taken is not None and settled_verdicts and result.error is None:
        write_blob(path, FolderRecord(key, taken[1], taken[0], result))


# --- a kept result is only trusted in the shape this code expects ---------------------------------


def _sound_result(result: Any) -> bool:
    return (
        isinstance(result, PackageResult)
        and isinstance(result.root, str)
        and isinstance(result.spec, str)
        and type(result.files) is int
        and result.error is None
        and isinstance(result.client, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in result.client.items())
        and isinstance(result.defects, tuple)
        and all(_sound_defect(d) for d in result.defects)
        and isinstance(result.documents, tuple)
        and all(_sound_document(d) for d in result.documents)
    )


def _sound_defect(d: Any) -> bool:
    return sound_defect(d) and d.waiver is None  # kept before waivers: a waiver here was forged


def _sound_document(d: Any) -> bool:
    return (
        isinstance(d, DocumentStatus)
        and isinstance(d.id, str)
        and isinstance(d.title, str)
        and isinstance(d.required, bool)
        and isinstance(d.files, tuple)
        and all(isinstance(f, str) for f in d.files)
    )
