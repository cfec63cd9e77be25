"""Checking through the incremental cache (validator.cache).

* ``check_folder_cached``: ``api.check_folder`` that reuses the file-level outcome of every
  file whose content the cache knows (``validator check --cache``).
* ``check_changed``: the pre-commit hook's view of a folder. Only the named files are
  inspected (through the cache when there is one); every other file contributes what the
  folder-level rules need and nothing more: its document, recognised from the name
  alone, and its size (duplicates are then confirmed by content hash, from the cache
  when it knows the file). Defects of files that were not named are not reported.

Whatever comes from the cache is exactly what ``api`` would compute; tests compare cached
and uncached reports across edits, renames, deletions and spec changes.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from typing import Any

from validator.api import FileOutcome, client_values, finish_package, inspect_file
from validator.cache import ClientRecord, PackageCache, Record, file_digest, settled, stamp_now
from validator.checks import Context
from validator.checks.documents import assign
from validator.client_file import read_client_file
from validator.discovery import CLIENT_FILE, Entry, Ignore, walk
from validator.model import PackageResult, sorted_defects
from validator.spec.model import Spec


def check_folder_cached(root: str, spec: Spec, overrides: Mapping[str, str] | None = None) -> PackageResult:
    """``api.check_folder`` with the outcomes of unchanged files taken from the cache."""
    from validator.spec_cache import spec_digest

    cache = PackageCache.open(root)
    values, problem = client_values_cached(root, overrides, cache)
    if cache is not None:
        cache.bind(spec_digest(spec), values)
    try:
        entries = list(walk(root, Ignore(spec.ignore)))
    except OSError as exc:
        return unreadable_folder(root, spec, values, exc)
    run = CachedRun(root, spec, values, cache, entries)
    outcomes = [run.outcome(e) for e in entries]
    result = finish_package(root, spec, values, problem, outcomes, run.digest_of)
    run.save()
    return result


def check_changed(
    root: str,
    spec: Spec,
    values: dict[str, Any],
    problem: str | None,
    changed: Iterable[str],
    cache: PackageCache | None,
) -> PackageResult:
    """File-level checks on the `changed` files (paths relative to root; deleted ones may be
    among them) and folder-level checks on the whole folder; only those defects are kept.

    `cache` must be bound to (spec, values) by the caller, see ``PackageCache.bind``.
    """
    wanted = set(changed)
    try:
        entries = list(walk(root, Ignore(spec.ignore)))
    except OSError as exc:
        return unreadable_folder(root, spec, values, exc)
    run = CachedRun(root, spec, values, cache, entries)
    outcomes = []
    for e in entries:
        if e.rel in wanted:
            outcomes.append(run.outcome(e))
        else:
            outcomes.append(name_only(spec, e) or _silent(inspect_file(spec, values, root, e)))
    result = finish_package(root, spec, values, problem, outcomes, run.digest_of)
    run.save()
    return result


def unreadable_folder(root: str, spec: Spec, values: dict[str, Any], exc: OSError) -> PackageResult:
    """The result ``api.check_folder`` gives for a folder that cannot be listed."""
    ctx = Context(spec, values)
    ctx.emit("F105", "", {"detail": exc.strerror or str(exc)})
    return PackageResult(root, spec.id, sorted_defects(ctx.defects), error=str(exc), client=values)


def name_only(spec: Spec, entry: Entry) -> FileOutcome | None:
    """What the folder-level rules need from a regular file, without opening it: its
    document (recognised from the name, as ``inspect_file`` does) and its size. None for
    anything but a plain file, which the caller inspects."""
    if entry.kind != "file" or entry.error:
        return None
    doc = assign(spec, entry.name).document
    return FileOutcome(entry.rel, doc.id if doc else None, (), entry.size, entry.size > 0, entry.path)


def _silent(outcome: FileOutcome) -> FileOutcome:
    return dataclasses.replace(outcome, defects=())


def client_values_cached(
    root: str, overrides: Mapping[str, str] | None, cache: PackageCache | None
) -> tuple[dict[str, Any], str | None]:
    """``api.client_values``, with client.yaml parsed only when its content changed."""
    path = os.path.join(root, CLIENT_FILE)
    taken = stamp_now(path, follow=True) if cache is not None else None
    if cache is None or taken is None:
        return client_values(root, overrides)
    stamp, seen_ns = taken
    record = cache.client()
    if not (isinstance(record, ClientRecord) and record.stamp == stamp and settled(stamp, record.seen_ns)):
        digest = file_digest(path)  # before parsing: an edit after this cannot hide behind the record
        if digest is None:
            return client_values(root, overrides)
        if isinstance(record, ClientRecord) and record.digest == digest:
            record = record._replace(stamp=stamp, seen_ns=seen_ns)
        else:
            parsed, problem = read_client_file(root)
            record = ClientRecord(stamp, seen_ns, digest, parsed, problem)
        cache.remember_client(record)
    values = dict(record.values)
    values.update(overrides or {})
    return values, record.problem


class CachedRun:
    """One folder, one run: file outcomes and content hashes through the cache (if any)."""

    def __init__(self, root: str, spec: Spec, values: dict[str, Any], cache: PackageCache | None, entries: list[Entry]):
        self.root, self.spec, self.values, self.cache = root, spec, values, cache
        self.entries = entries
        self._files = {e.path: e for e in entries if e.kind == "file" and not e.error}
        self._hashed: dict[str, str] = {}  # rel -> digest computed during this run

    def outcome(self, entry: Entry) -> FileOutcome:
        """``inspect_file``, or the stored outcome when the content is the one it was computed for."""
        cache = self.cache
        if cache is None or entry.path not in self._files:
            return inspect_file(self.spec, self.values, self.root, entry)
        taken = stamp_now(entry.path)
        if taken is None or not _agrees(entry, taken[0].size, taken[0].mtime_ns):
            return inspect_file(self.spec, self.values, self.root, entry)  # changing under us
        stamp, seen_ns = taken
        record = cache.get(entry.rel)
        if record is not None and record.outcome is not None and record.trusted(stamp):
            return _here(record.outcome, entry)
        digest = file_digest(entry.path)  # before inspecting: a later edit changes the hash
        if digest is None:
            return inspect_file(self.spec, self.values, self.root, entry)
        self._hashed[entry.rel] = digest
        if record is not None and record.outcome is not None and record.digest == digest:
            cache.put(entry.rel, Record(stamp, seen_ns, digest, record.outcome))
            return _here(record.outcome, entry)
        outcome = inspect_file(self.spec, self.values, self.root, entry)
        cache.put(entry.rel, Record(stamp, seen_ns, digest, outcome))
        return outcome

    def digest_of(self, path: str) -> str | None:
        """Content hash for the duplicate check: from the cache when the stamp vouches for it."""
        entry = self._files.get(path)
        if self.cache is None or entry is None:
            return file_digest(path)
        if entry.rel in self._hashed:
            return self._hashed[entry.rel]
        taken = stamp_now(path)
        if taken is None:
            return None  # gone, or no longer a regular file
        stamp, seen_ns = taken
        record = self.cache.get(entry.rel)
        if record is not None and record.trusted(stamp):
            return record.digest
        digest = file_digest(path)
        if digest is not None and _agrees(entry, stamp.size, stamp.mtime_ns):
            kept = record.outcome if record is not None and record.digest == digest else None
            self.cache.put(entry.rel, Record(stamp, seen_ns, digest, kept))
            self._hashed[entry.rel] = digest
        return digest

    def save(self) -> None:
        if self.cache is not None:
            self.cache.save({e.rel for e in self.entries})


def _agrees(entry: Entry, size: int, mtime_ns: int) -> bool:
    return entry.size == size and entry.mtime_ns == mtime_ns


def _here(outcome: FileOutcome, entry: Entry) -> FileOutcome:
    """A stored outcome, placed at this run's path (the folder may be reached another way)."""
    return dataclasses.replace(outcome, path=entry.path, size=entry.size)
