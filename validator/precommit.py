"""The pre-commit hook's work, without the command line: which materials folders the
changed files belong to, what git says was deleted or renamed away, and the check of each
affected folder (validator.incremental.check_changed).

A file's folder is the nearest ancestor holding a client.yaml (not above the working
directory), or, with --root patterns such as ``clients/*``, the ancestor that matches one
(segment by segment, relative to the working directory; the deepest wins).
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from validator.discovery import CLIENT_FILE
from validator.limits import DEFAULT_FILE_TIMEOUT
from validator.model import PackageResult
from validator.spec.model import Spec

if TYPE_CHECKING:
    from validator.cache import PackageCache


@dataclass(frozen=True)
class FolderCheck:
    folder: str  # as shown: relative to the working directory, POSIX, "" for the directory itself
    result: PackageResult
    changed: tuple[str, ...]  # paths relative to the folder that the hook was told about


@dataclass
class HookRun:
    checks: list[FolderCheck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # folders that could not be checked at all


def run_hook(
    files: Sequence[str],
    spec_ref: str | None = None,
    roots: Sequence[str] = (),
    use_cache: bool = True,
    base: str | None = None,
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT,
    waivers: str | None = None,
) -> HookRun:
    """Check the folders touched by `files` (paths relative to `base`, default the cwd)."""
    base = os.path.abspath(base or os.getcwd())
    specs: dict[str, Spec | str] = {}
    caches, prepared = _open_caches(affected_folders(files, base, roots), file_timeout, use_cache, spec_ref, specs)
    gone = staged_gone(base) or []
    folders = affected_folders([*files, *gone], base, roots)
    run = HookRun()
    for folder in sorted(folders):
        found = prepared.get(folder)
        if found is None:
            cache = caches[folder] if folder in caches else _open_cache(folder) if use_cache else None
            found = _prepare(folder, spec_ref, cache, specs)
        check = _check_folder(folder, sorted(folders[folder]), base, found, run.problems, file_timeout, waivers)
        if check is not None:
            run.checks.append(check)
    if "validator.sandbox" in sys.modules:  # a parse worker ran: let it go while we report
        sys.modules["validator.sandbox"].retire_shared()
    return run


@dataclass(frozen=True)
class _Prepared:
    """What checking a folder needs before its walk: its cache, its client's values and its spec."""

    cache: PackageCache | None
    values: dict[str, Any]
    problem: str | None  # what is wrong with client.yaml
    ref: str | None  # the spec asked for (--spec, else client.yaml's); None: none
    spec: Spec | str | None  # the spec, or the text of its errors; None without ref


#: Names of the files whose content checks parse them in the killable worker (by name: the
#: early start below guesses before the content is sniffed; a wrong guess costs only a fork).
_PARSED_SUFFIXES = {".pdf": "pdf", ".xlsx": "sheet", ".xlsm": "sheet"}
# A file whose stamp moved is hashed to decide only when small, and only for the first few such
# files (the folder check hashes them again: --all-files after a checkout must not hash all twice).
_HASH_TO_DECIDE = 1 << 20  # bytes
_HASHES_TO_DECIDE = 4


def _open_caches(
    named: dict[str, set[str]], file_timeout: float | None, use_cache: bool = True, spec_ref: str | None = None,
    specs: dict[str, Spec | str] | None = None,
) -> tuple[dict[str, PackageCache | None], dict[str, _Prepared]]:
    """The caches of the folders of the named files, and the early start of the parse worker.

    When a named PDF or workbook's content is not known to its folder's cache (or there is no
    cache), it will most likely be parsed in the worker: the named folders' client values and
    specs are loaded (into ``specs``; returned as prepared folders), then the worker starts, in
    the background, and loads that kind of reader while this process asks git for deletions and
    walks the folder, instead of after all that. Forked after the specs were loaded, it holds
    them from its start: none is pickled, sent, unpickled and compiled again for the first parse.
    A wrong guess (a spec without PDF rules, content found unchanged by its hash) costs a fork,
    and the worker is let go at the end of the run."""
    caches = {folder: _open_cache(folder) if use_cache else None for folder in named}
    if file_timeout is None:  # parsing here, in this process
        return caches, {}
    kinds = set()
    hashes = [_HASHES_TO_DECIDE]
    for folder, rels in named.items():
        for rel in rels:
            kind = _PARSED_SUFFIXES.get(os.path.splitext(rel)[1].lower())
            if kind is not None and kind not in kinds and not _content_known(caches[folder], folder, rel, hashes):
                kinds.add(kind)
    if not kinds:
        return caches, {}
    specs = {} if specs is None else specs
    prepared = {folder: _prepare(folder, spec_ref, caches[folder], specs) for folder in sorted(named)}
    from validator.checks.content import start_worker

    start_worker(kinds, [spec for spec in specs.values() if isinstance(spec, Spec)])
    return caches, prepared


def _open_cache(folder: str) -> PackageCache | None:
    from validator.cache import PackageCache

    return PackageCache.open(folder)


def _content_known(cache: PackageCache | None, folder: str, rel: str, hashes: list[int]) -> bool:
    """Does the cache hold the outcome of this file's present content (as far as a stat and,
    for a small file while ``hashes[0]`` allows, its hash tell)?"""
    from validator.cache import file_digest, stamp_now

    record = cache.get(rel) if cache is not None else None
    if record is None or record.outcome is None:
        return False
    path = os.path.join(folder, *rel.split("/"))
    taken = stamp_now(path)
    if taken is None:
        return True  # gone or not a regular file: nothing to parse
    stamp = taken[0]
    if record.trusted(stamp):
        return True
    if stamp.size > _HASH_TO_DECIDE or hashes[0] <= 0:
        return False
    hashes[0] -= 1
    return file_digest(path) == record.digest


def _prepare(folder: str, spec_ref: str | None, cache: PackageCache | None, specs: dict[str, Spec | str]) -> _Prepared:
    """The folder's client values and its spec (loaded once per run into ``specs``)."""
    from validator.cache import usable_dir
    from validator.incremental import client_values_cached

    values, problem = client_values_cached(folder, None, cache)
    ref = spec_ref or (values.get("spec") if isinstance(values.get("spec"), str) else None)
    if ref and ref not in specs:
        specs[ref] = _load_spec(ref, usable_dir(folder) if cache is not None else None)
    return _Prepared(cache, values, problem, ref or None, specs[ref] if ref else None)


def _check_folder(
    folder: str,
    changed: list[str],
    base: str,
    prepared: _Prepared,
    problems: list[str],
    file_timeout: float | None,
    waivers: str | None = None,
) -> FolderCheck | None:
    from validator.incremental import check_changed

    shown = _shown(folder, base)
    ref, spec, cache = prepared.ref, prepared.spec, prepared.cache
    if not ref:
        why = f" ({prepared.problem})" if prepared.problem else ""  # e.g. the spec it names lies outside the folder
        problems.append(
            f"{shown or '.'}: no spec{why}: pass --spec ID (in the hook's args) or put `spec: ID` in {CLIENT_FILE}"
        )
        return None
    if not isinstance(spec, Spec):
        problems.append(f"spec error ({ref}):\n{spec}")
        return None
    if cache is not None:
        from validator.spec_cache import spec_digest

        cache.bind(spec_digest(spec), prepared.values)
    result = check_changed(folder, spec, prepared.values, prepared.problem, changed, cache, file_timeout=file_timeout,
                           waivers=waivers)  # fmt: skip
    return FolderCheck(shown, result, tuple(changed))


def _load_spec(ref: str, directory: Path | None) -> Spec | str:
    """The spec, from the cache when it is fresh (no PyYAML then); else loaded (and cached).
    A broken spec gives its problems as text."""
    from validator.spec_cache import cached_spec, load_and_store

    spec = cached_spec(ref, directory) if directory is not None else None
    if spec is not None:
        return spec
    from validator.spec import SpecError, load_spec

    try:
        return load_and_store(ref, directory) if directory is not None else load_spec(ref)
    except SpecError as exc:
        return "\n".join(f"  {line}" for line in str(exc).splitlines())


def _shown(folder: str, base: str) -> str:
    rel = os.path.relpath(folder, base)
    return "" if rel == "." else rel.replace(os.sep, "/")


# --- files to folders -------------------------------------------------------------------


def affected_folders(paths: Iterable[str], base: str, roots: Sequence[str] = ()) -> dict[str, set[str]]:
    """Materials folder (absolute) -> the given paths inside it, relative to it (POSIX)."""
    patterns = [_split_pattern(p) for p in roots if p.strip("/. ")]
    has_client: dict[str, bool] = {}
    out: dict[str, set[str]] = {}
    for p in paths:
        path = os.path.abspath(os.path.join(base, p))
        folder = _root_by_pattern(path, base, patterns) if patterns else _root_by_client(path, base, has_client)
        if folder is not None:
            out.setdefault(folder, set()).add(os.path.relpath(path, folder).replace(os.sep, "/"))
    return out


def _split_pattern(pattern: str) -> list[str]:
    parts = [p for p in pattern.replace("\\", "/").split("/") if p not in ("", ".")]
    return parts


def _root_by_pattern(path: str, base: str, patterns: list[list[str]]) -> str | None:
    rel = os.path.relpath(path, base)
    if rel.startswith(os.pardir):
        return None
    parts = rel.split(os.sep)
    for n in range(len(parts) - 1, 0, -1):  # deepest ancestor first, never the file itself
        head = parts[:n]
        if any(len(p) == n and all(fnmatch.fnmatchcase(a, b) for a, b in zip(head, p, strict=True)) for p in patterns):
            candidate = os.path.join(base, *head)
            if os.path.isdir(candidate):
                return candidate
    return None


def _root_by_client(path: str, base: str, has_client: dict[str, bool]) -> str | None:
    inside = os.path.commonpath([path, base]) == base
    directory = os.path.dirname(path)
    while True:
        found = has_client.get(directory)
        if found is None:
            found = has_client[directory] = os.path.isfile(os.path.join(directory, CLIENT_FILE))
        if found:
            return directory
        parent = os.path.dirname(directory)
        if (inside and directory == base) or parent == directory:
            return None
        directory = parent


# --- git --------------------------------------------------------------------------------


def staged_gone(base: str) -> list[str] | None:
    """Paths (relative to base) that the staged change deletes or renames away; None when
    base is not inside a git work tree or git cannot tell. pre-commit passes only files
    that exist, so this is how a deleted required document is noticed."""
    if not _in_git(base):
        return None
    cmd = ["git", "diff", "--cached", "--name-status", "-M", "-z", "--relative", "--diff-filter=DR"]
    try:
        proc = subprocess.run(cmd, cwd=base, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return parse_name_status(proc.stdout)


def parse_name_status(raw: bytes) -> list[str]:
    """Deleted paths and rename sources from `git diff --name-status -z` output."""
    tokens = raw.split(b"\0")
    gone: list[str] = []
    i = 0
    while i < len(tokens) and tokens[i]:
        status = tokens[i].decode("ascii", "replace")
        if status[:1] in ("R", "C"):
            if status[:1] == "R" and i + 1 < len(tokens):
                gone.append(os.fsdecode(tokens[i + 1]))
            i += 3
        else:
            if status[:1] == "D" and i + 1 < len(tokens):
                gone.append(os.fsdecode(tokens[i + 1]))
            i += 2
    return gone


def _in_git(base: str) -> bool:
    if os.environ.get("GIT_DIR"):
        return True
    directory = base
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return True
        parent = os.path.dirname(directory)
        if parent == directory:
            return False
        directory = parent
