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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from validator.discovery import CLIENT_FILE
from validator.limits import DEFAULT_FILE_TIMEOUT
from validator.model import PackageResult
from validator.spec.model import Spec


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
    gone = staged_gone(base) or []
    folders = affected_folders([*files, *gone], base, roots)
    run = HookRun()
    specs: dict[str, Spec | str] = {}
    for folder in sorted(folders):
        check = _check_folder(folder, sorted(folders[folder]), base, spec_ref, use_cache, specs, run.problems,
                              file_timeout, waivers)
        if check is not None:
            run.checks.append(check)
    return run


def _check_folder(
    folder: str,
    changed: list[str],
    base: str,
    spec_ref: str | None,
    use_cache: bool,
    specs: dict[str, Spec | str],
    problems: list[str],
    file_timeout: float | None,
    waivers: str | None = None,
) -> FolderCheck | None:
    from validator.cache import PackageCache, usable_dir
    from validator.incremental import check_changed, client_values_cached

    shown = _shown(folder, base)
    cache = PackageCache.open(folder) if use_cache else None
    values, problem = client_values_cached(folder, None, cache)
    ref = spec_ref or (values.get("spec") if isinstance(values.get("spec"), str) else None)
    if not ref:
        why = f" ({problem})" if problem else ""  # e.g. the spec it names lies outside the folder
        problems.append(
            f"{shown or '.'}: no spec{why}: pass --spec ID (in the hook's args) or put `spec: ID` in {CLIENT_FILE}"
        )
        return None
    if ref not in specs:
        specs[ref] = _load_spec(ref, usable_dir(folder) if use_cache else None)
    spec = specs[ref]
    if not isinstance(spec, Spec):
        problems.append(f"spec error ({ref}):\n{spec}")
        return None
    if cache is not None:
        from validator.spec_cache import spec_digest

        cache.bind(spec_digest(spec), values)
    result = check_changed(folder, spec, values, problem, changed, cache, file_timeout=file_timeout, waivers=waivers)
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
