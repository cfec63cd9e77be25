"""Waivers: defects accepted on purpose, with who accepted them, why, and until when.

A ``waivers.yaml`` in the materials folder (or the file given with ``--waivers``) lists entries::

    waivers:
      - code: P103                 # the defect code (or its name)
        path: "12_职场证明*.pdf"    # a glob on the file's path in the folder, and/or
        document: workplace        # the spec document id
        reason: 省通信管理局同意本年度沿用旧扫描件
        approved_by: 张三
        expires: 2026-06-30        # the last day it holds
        folder: "acme*"            # optional: only client folders whose name matches (a shared --waivers file)

:func:`apply_waivers` runs once per package, right after the engine has finished it, so every
mode (check, check --cache, hook, batch) gets the same result: a matched defect stays in the
report, marked with its waiver, and no longer counts toward the exit status. An entry that is
malformed (W101), expired (W102: the defect counts again) or matches nothing (W103) is itself a
warning pointing at file:line:col. The file is read through ``safeio`` (no links followed in the
folder, no FIFOs, 1 MiB at most) and parsed by the bounded marked loader of the spec files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fnmatch
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from validator.discovery import WAIVERS_FILE
from validator.model import Defect, PackageResult, Severity, Waived, sorted_defects

if TYPE_CHECKING:
    from validator.engine import Job

MAX_WAIVERS_BYTES = 1 << 20
EXPIRING_DAYS = 14  # a used waiver this close to its end date is announced (W104)
KEYS = ("code", "path", "document", "reason", "approved_by", "expires", "folder")
FAMILY = "W"


@dataclass(frozen=True)
class Waiver:
    """One accepted defect of the waivers file."""

    code: str
    path: str | None
    document: str | None
    folder: str | None
    expires: dt.date
    waived: Waived  # what a matched defect carries

    def matches(self, d: Defect) -> bool:
        return (d.code == self.code
                and (self.path is None or fnmatch.fnmatchcase(unicodedata.normalize("NFC", d.path), self.path))
                and (self.document is None or d.document == self.document))


def apply_waivers(root: str, job: Job, result: PackageResult, *, complete: bool = True,
                  today: dt.date | None = None) -> PackageResult:
    """The package's defects with the waivers of its waivers file applied (and the file's own defects).

    ``complete``: the result holds every defect of the folder; the hook's holds only the changed
    files' defects, so a waiver matching none of them is not called unused there."""
    source = job.waivers or os.path.join(root, WAIVERS_FILE)
    if job.waivers is None and not os.path.lexists(source):
        return result
    shown = _shown_path(root, source)
    rel = shown if job.waivers is None or not os.path.isabs(shown) else ""
    notes: list[Defect] = []
    waivers = _load(source, follow=job.waivers is not None, shown=shown, spec_documents=job.spec.documents,
                    rel=rel, notes=notes, level=job.spec.level)
    folder_name = os.path.basename(os.path.abspath(root))
    today = today or dt.date.today()
    live: list[tuple[Waiver, str]] = []
    for waiver, at in waivers:
        if waiver.folder is not None and not fnmatch.fnmatchcase(folder_name, waiver.folder):
            continue  # meant for another client's folder
        if waiver.expires < today:
            expired = {"at": at, "waived_code": waiver.code, "expires": waiver.expires.isoformat()}
            _note(notes, job, "W102", rel, expired)
        else:
            live.append((waiver, at))
    used: set[int] = set()
    defects = []
    for d in result.defects:
        for i, (waiver, _) in enumerate(live):
            if waiver.matches(d) and not d.code.startswith(FAMILY):
                d = dataclasses.replace(d, waiver=waiver.waived)
                used.add(i)
                break
        defects.append(d)
    for i, (waiver, at) in enumerate(live):
        if complete and i not in used:
            _note(notes, job, "W103", rel, {"at": at, "waived_code": waiver.code})
        elif i in used and (waiver.expires - today).days < EXPIRING_DAYS:
            # Said ahead, so the renewal is asked for before the pack fails on the day it lapses.
            days = (waiver.expires - today).days + 1  # the expiry date is the last day it holds
            expiring = {"at": at, "waived_code": waiver.code, "expires": waiver.expires.isoformat(), "days": days}
            _note(notes, job, "W104", rel, expiring)
    return dataclasses.replace(result, defects=sorted_defects((*defects, *notes)))


def _note(notes: list[Defect], job: Job, code: str, rel: str, params: dict[str, Any]) -> None:
    from validator.codes import CODES

    level = job.spec.level(code, CODES[code].severity)
    if level is not None:
        notes.append(Defect(code, level, rel, params))


def _shown_path(root: str, source: str) -> str:
    """The waivers file as reports name it: relative to the folder when inside it."""
    try:
        rel = os.path.relpath(os.path.abspath(source), os.path.abspath(root))
    except ValueError:
        return source
    return source if rel.startswith("..") else rel.replace(os.sep, "/")


_WORDS = {  # problem -> (zh, en)
    "unreadable": ("无法读取：{detail}", "it cannot be read: {detail}"),
    "yaml": ("YAML 格式错误", "{detail}"),
    "top": ("文件应是 waivers: 下的条目列表", "the file must hold a list of entries under `waivers:`"),
    "entry": ("条目应是“键: 值”的映射", "an entry must be a mapping of keys to values"),
    "unknown_key": ("未知的键 {detail}（可用：{keys}）", "unknown key {detail} (known: {keys})"),
    "missing": ("缺少 {detail}", "{detail} is missing"),
    "code": ("未知的问题代码 {detail}", "unknown defect code {detail}"),
    "own_family": ("豁免本身的问题（{detail}）不能被豁免", "a waiver's own defect ({detail}) cannot be waived"),
    "scope": ("需要 path 或 document 指明豁免哪里的问题", "path or document must say where the defect is"),
    "document": ("规范中没有材料 {detail}", "the spec has no document {detail}"),
    "date": ("expires 应为日期，如 2026-06-30，实际是 {detail}",
             "expires must be a date such as 2026-06-30, not {detail}"),
    "text": ("{detail} 应为非空文本", "{detail} must be non-empty text"),
}


def _problem(problem: str, at: str, detail: str = "") -> dict[str, str]:
    zh, en = _WORDS[problem]
    fill = {"detail": detail, "keys": ", ".join(KEYS)}
    if problem == "unreadable":  # the reason is an English phrase (safeio.describe): in Chinese too
        from validator.vocab import spec_text

        return {"at": at, "problem_zh": zh.format(**{**fill, "detail": spec_text(detail, "zh")}),
                "problem_en": en.format(**fill)}
    return {"at": at, "problem_zh": zh.format(**fill), "problem_en": en.format(**fill)}


def _load(source: str, *, follow: bool, shown: str, spec_documents: Sequence[Any], rel: str,
          notes: list[Defect], level: Any) -> list[tuple[Waiver, str]]:
    from validator.safeio import UnsafeFile, describe, read_regular
    from validator.spec.yamlmarks import MDict, MList, SpecError, load_marked

    def invalid(params: dict[str, str]) -> None:
        lv = level("W101", Severity.WARNING)
        if lv is not None:
            notes.append(Defect("W101", lv, rel, params))

    try:
        text = read_regular(source, MAX_WAIVERS_BYTES, follow=follow).decode("utf-8-sig")
        data = load_marked(text, shown)
    except UnsafeFile as exc:
        invalid(_problem("unreadable", shown, describe(exc, MAX_WAIVERS_BYTES)))
        return []
    except UnicodeDecodeError as exc:
        invalid(_problem("unreadable", shown, f"not UTF-8 text (byte {exc.start})"))
        return []
    except SpecError as exc:
        for mark, message in exc.problems:
            invalid(_problem("yaml", str(mark) if mark else shown, message))
        return []
    if data is None:
        return []
    entries = data.get("waivers") if isinstance(data, MDict) else data
    if isinstance(data, MDict) and (set(data) - {"waivers"} or not isinstance(entries, MList | type(None))):
        invalid(_problem("top", str(data.mark)))
        return []
    if entries is None:
        return []
    if not isinstance(entries, MList):
        invalid(_problem("top", str(getattr(data, "mark", shown))))
        return []
    documents = {d.id for d in spec_documents}
    out = []
    for i, entry in enumerate(entries):
        at = str(entries.mark_of(i))
        waiver, problem = _entry(entry, documents, at)
        if waiver is None:
            invalid(problem or _problem("entry", at))
        else:
            out.append((waiver, at))
    return out


def _entry(entry: Any, documents: set[str], at: str) -> tuple[Waiver | None, dict[str, str] | None]:
    from validator.codes import lookup
    from validator.spec.yamlmarks import MDict

    if not isinstance(entry, MDict):
        return None, _problem("entry", at)

    def where(key: str) -> str:
        return str(entry.mark_of(key))

    for key in entry:
        if key not in KEYS:
            return None, _problem("unknown_key", str(entry.key_marks.get(key, entry.mark)), key)
    for key in ("code", "reason", "approved_by", "expires"):
        if key not in entry:
            return None, _problem("missing", at, key)
    for key in ("code", "reason", "approved_by", "path", "document", "folder"):
        if key in entry and not (isinstance(entry[key], str) and entry[key].strip()):
            return None, _problem("text", where(key), key)
    known = lookup(entry["code"])
    if known is None:
        return None, _problem("code", where("code"), str(entry["code"]))
    if known.code.startswith(FAMILY):
        return None, _problem("own_family", where("code"), known.code)
    if "path" not in entry and "document" not in entry:
        return None, _problem("scope", at)
    if "document" in entry and entry["document"] not in documents:
        return None, _problem("document", where("document"), entry["document"])
    expires = entry["expires"]
    if isinstance(expires, str):
        with contextlib.suppress(ValueError):
            expires = dt.date.fromisoformat(expires.strip())
    if isinstance(expires, dt.datetime):
        expires = expires.date()
    if not isinstance(expires, dt.date):
        return None, _problem("date", where("expires"), str(entry["expires"]))
    waived = Waived(entry["reason"].strip(), entry["approved_by"].strip(), expires.isoformat(), at)
    path = unicodedata.normalize("NFC", entry["path"]) if "path" in entry else None
    return Waiver(known.code, path, entry.get("document"), entry.get("folder"), expires, waived), None
