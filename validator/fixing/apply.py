"""Perform a rename plan, record it in an undo journal, and undo it.

* A rename never overwrites: on Linux it is one ``renameat2(RENAME_NOREPLACE)`` call (the
  kernel refuses an existing target, no window between check and rename); elsewhere the target
  is checked and then renamed (Windows' rename refuses an existing target by itself).
* The journal lies outside the folder (the tool never writes into materials): the folder, and
  for each file its old and new name, size, mtime and sha256. It is written before the first
  rename and again after the last, so an interrupted run can still be undone.
* Undo refuses, and renames nothing, when any file is missing or has changed since (size, mtime
  or content), or when an original name is taken again.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from validator.fixing.plan import Clash, Plan, Rename
from validator.hashing import file_digest

JOURNAL_FORMAT = "validator-fix-journal"
_EXISTS = {"zh": "{journal} 已存在（可能是以前的撤销记录），请换一个文件名",
           "en": "{journal} already exists (it may be an earlier undo journal); choose another name"}
MAX_JOURNAL_BYTES = 16 << 20


class JournalError(Exception):
    """A journal that cannot be written, read or undone; str() says why (in the user's language)."""


@dataclass(frozen=True)
class Applied:
    done: tuple[Rename, ...]
    clashes: tuple[Clash, ...]  # the plan's clashes and those found while renaming
    journal: str


def default_journal(root: str) -> str:
    """A fresh journal path in the user cache directory (`fix-journals/`)."""
    from validator.cache import cache_dir

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    tag = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:10]
    base = os.path.basename(os.path.realpath(root)) or "folder"
    return str(cache_dir() / "fix-journals" / f"{stamp}-{tag}-{base}.json")


def apply_plan(plan: Plan, journal: str, lang: str) -> Applied:
    """Rename what the plan says; raise JournalError (before any rename) when the journal
    cannot be written."""
    from validator.output import OutputError, check_destination

    root = os.path.realpath(plan.root)
    parent = os.path.realpath(os.path.dirname(os.path.abspath(journal)))
    if not os.path.isdir(parent) and not _within(parent, root):  # never create anything in the folder
        try:
            os.makedirs(parent, mode=0o700, exist_ok=True)
        except OSError as exc:
            raise JournalError(f"{journal}: {exc.strerror or exc}") from None
    try:
        check_destination(journal, [plan.root], lang)
    except OutputError as exc:
        raise JournalError(str(exc)) from None
    if os.path.lexists(journal):  # it may be the only way back from an earlier run
        raise JournalError(_EXISTS[lang if lang in _EXISTS else "en"].format(journal=journal))
    entries = [_entry(root, r) for r in plan.renames]
    record: dict[str, Any] = {
        "format": JOURNAL_FORMAT, "version": 1, "created": dt.datetime.now().astimezone().isoformat(),
        "folder": root, "spec": plan.spec, "undone": False, "renames": entries,
    }
    _write_journal(journal, record, plan.root, lang)
    done: list[Rename] = []
    done_entries: list[dict[str, Any]] = []  # in the order performed: undo goes backwards through it
    clashes = list(plan.clashes)
    pending = list(zip(plan.renames, entries, strict=True))
    while pending:  # a target that another rename frees up waits for it
        waiting = []
        for rename, entry in pending:
            try:
                rename_noreplace(os.path.join(root, rename.source), os.path.join(root, rename.target))
            except FileExistsError:
                waiting.append((rename, entry))
                continue
            except OSError as exc:
                clashes.append(Clash(rename.source, rename.target, "error", exc.strerror or str(exc)))
                continue
            entry["done"] = True
            done.append(rename)
            done_entries.append(entry)
        if len(waiting) == len(pending):
            clashes += [Clash(r.source, r.target, "exists", r.target) for r, _ in waiting]
            break
        pending = waiting
    record["renames"] = done_entries
    _write_journal(journal, record, plan.root, lang)
    return Applied(tuple(done), tuple(clashes), journal)


def _within(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:
        return False


def _entry(root: str, rename: Rename) -> dict[str, Any]:
    path = os.path.join(root, rename.source)
    st = os.stat(path, follow_symlinks=False)
    return {"from": rename.source, "to": rename.target, "codes": list(rename.codes), "size": st.st_size,
            "mtime_ns": st.st_mtime_ns, "sha256": file_digest(path) if os.path.isfile(path) else None,
            "done": False}


def _write_journal(journal: str, record: dict[str, Any], root: str, lang: str) -> None:
    from validator.output import OutputError, write

    try:
        write(journal, json.dumps(record, ensure_ascii=False, indent=2) + "\n", [root], lang)
    except OutputError as exc:
        raise JournalError(str(exc)) from None
    except OSError as exc:
        raise JournalError(f"{journal}: {exc.strerror or exc}") from None


_AT_FDCWD = -100
_RENAME_NOREPLACE = 1


def rename_noreplace(src: str, dst: str) -> None:
    """Rename ``src`` to ``dst``; FileExistsError when ``dst`` exists (unless it is ``src``
    itself under another case, on a case-insensitive file system)."""
    if os.path.lexists(dst) and not _same_file(src, dst):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), dst)
    if sys.platform.startswith("linux") and _renameat2(src, dst):
        return
    if os.path.lexists(dst) and not _same_file(src, dst):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), dst)
    os.rename(src, dst)


def _renameat2(src: str, dst: str) -> bool:
    """True when the kernel did the rename; False when renameat2 is not available here."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        call = libc.renameat2
    except (OSError, AttributeError):
        return False
    if call(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), _RENAME_NOREPLACE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # an old kernel or a file system without the flag
    if err == errno.EEXIST and _same_file(src, dst):
        return False  # a case-only rename on a case-insensitive file system
    raise OSError(err, os.strerror(err), dst)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# --- undo -----------------------------------------------------------------------------


def read_journal(journal: str, words: dict[str, str], lang: str = "en") -> dict[str, Any]:
    from validator.safeio import UnsafeFile, describe, read_regular
    from validator.vocab import spec_text

    try:
        data = json.loads(read_regular(journal, MAX_JOURNAL_BYTES, follow=True).decode("utf-8"))
    except UnsafeFile as exc:
        why = spec_text(describe(exc), lang)  # safeio's English phrase, in the reader's language
        raise JournalError(words["journal_unreadable"].format(journal=journal, why=why)) from None
    except (UnicodeDecodeError, ValueError):
        raise JournalError(words["journal_invalid"].format(journal=journal)) from None
    if not (isinstance(data, dict) and data.get("format") == JOURNAL_FORMAT and isinstance(data.get("folder"), str)
            and isinstance(data.get("renames"), list)
            and all(_valid_entry(e) for e in data["renames"])):
        raise JournalError(words["journal_invalid"].format(journal=journal))
    return data


def _valid_entry(e: Any) -> bool:
    return (isinstance(e, dict) and all(isinstance(e.get(k), str) and e[k] for k in ("from", "to"))
            and isinstance(e.get("size"), int) and isinstance(e.get("mtime_ns"), int)
            and all(".." not in p.split("/") and not os.path.isabs(p) for p in (e["from"], e["to"])))


def _unchanged(path: str, e: dict[str, Any]) -> bool | None:
    """Is the file at ``path`` the one the entry recorded? None when there is no file there."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if st.st_size != e["size"] or st.st_mtime_ns != e["mtime_ns"]:
        return False
    return not (e.get("sha256") and os.path.isfile(path) and file_digest(path) != e["sha256"])


def undo_plan(data: dict[str, Any], words: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The journal's renames to reverse now, and why they cannot all be (then nothing is done).

    An entry whose file still has its original name (a run interrupted before that rename) is
    skipped; any other file that is gone, changed or whose old name is taken blocks the undo."""
    root = data["folder"]
    todo, problems = [], []
    freed = {e["to"] for e in data["renames"]}  # names that the undo itself frees first
    for e in data["renames"]:
        now, before = os.path.join(root, e["to"]), os.path.join(root, e["from"])
        state = _unchanged(now, e)
        if state is None:
            if _unchanged(before, e):
                continue  # never renamed
            problems.append(words["undo_missing"].format(file=e["to"]))
        elif not state:
            problems.append(words["undo_changed"].format(file=e["to"]))
        elif os.path.lexists(before) and not _same_file(before, now) and e["from"] not in freed:
            problems.append(words["undo_taken"].format(file=e["from"]))
        else:
            todo.append(e)
    return todo, problems


def undo(data: dict[str, Any], todo: Sequence[dict[str, Any]], journal: str) -> Sequence[dict[str, Any]]:
    """Reverse the renames ``undo_plan`` found (last first)."""
    root = data["folder"]
    restored = []
    for e in reversed(todo):
        rename_noreplace(os.path.join(root, e["to"]), os.path.join(root, e["from"]))
        restored.append(e)
    data["undone"] = dt.datetime.now().astimezone().isoformat()
    _write_journal(journal, data, root, "en")
    return restored
