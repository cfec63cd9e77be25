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
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from validator.api import client_values
from validator.cache import ClientRecord, PackageCache, Record, Stamp, ZipRecord, file_digest, settled, stamp_now
from validator.client_file import read_client_file
from validator.discovery import CLIENT_FILE, Entry
from validator.engine import DEFAULT_FILE_TIMEOUT, FileOutcome, Job, check_package
from validator.model import PackageResult
from validator.packsource import NestedZip
from validator.spec.model import Spec


def check_folder_cached(root: str, spec: Spec, overrides: Mapping[str, str] | None = None, *,
                        file_timeout: float | None = DEFAULT_FILE_TIMEOUT,
                        on_file: Callable[[int, int], None] | None = None,
                        waivers: str | None = None) -> PackageResult:
    """``api.check_folder`` with the outcomes of unchanged files taken from the cache."""
    from validator.spec_cache import spec_digest

    cache = PackageCache.open(root)
    values, problem = client_values_cached(root, overrides, cache)
    if cache is not None:
        cache.bind(spec_digest(spec), values)
    return check_package(root, Job.for_client(spec, values, file_timeout=file_timeout, waivers=waivers),
                         client_problem=problem, provider=CachedOutcomes(cache) if cache is not None else None,
                         on_file=on_file)


def check_changed(
    root: str,
    spec: Spec,
    values: dict[str, Any],
    problem: str | None,
    changed: Iterable[str],
    cache: PackageCache | None,
    *,
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT,
    waivers: str | None = None,
) -> PackageResult:
    """File-level checks on the `changed` files (paths relative to root; deleted ones may be
    among them) and folder-level checks on the whole folder; only those defects are kept.

    `cache` must be bound to (spec, values) by the caller, see ``PackageCache.bind``.
    """
    return check_package(root, Job.for_client(spec, values, file_timeout=file_timeout, waivers=waivers),
                         client_problem=problem, only=changed,
                         provider=CachedOutcomes(cache) if cache is not None else None)


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


class CachedOutcomes:
    """The cache as the engine's outcome provider: a file whose content it knows is not inspected
    again; content hashes it holds serve the duplicate check."""

    def __init__(self, cache: PackageCache, hashes: RunHashes | None = None):
        self.cache = cache
        self.hashes = hashes  # content hashes of this run, shared by the folders of a batch
        self._files: dict[str, Entry] = {}  # path -> entry, for the regular files of this run
        self._present: set[str] = set()
        self._hashed: dict[str, str] = {}  # rel -> digest computed during this run

    def start(self, entries: list[Entry]) -> None:
        self._files = {e.path: e for e in entries if e.kind == "file" and not e.error}
        self._present = {e.rel for e in entries}

    def outcome(self, entry: Entry, compute: Callable[[Entry], FileOutcome]) -> FileOutcome:
        """``compute(entry)``, or the stored outcome when the content is the one it was computed for."""
        if entry.path not in self._files:
            return compute(entry)
        cache = self.cache
        taken = stamp_now(entry.path)
        if taken is None or not _agrees(entry, taken[0].size, taken[0].mtime_ns):
            return compute(entry)  # changing under us
        stamp, seen_ns = taken
        record = cache.get(entry.rel)
        if record is not None and record.outcome is not None and record.trusted(stamp):
            return _here(record.outcome, entry)
        # before inspecting: a later edit changes the hash
        digest = self.hashes.digest(entry.path, stamp) if self.hashes is not None else file_digest(entry.path)
        if digest is None:
            return compute(entry)
        self._hashed[entry.rel] = digest
        if record is not None and record.outcome is not None and record.digest == digest:
            cache.put(entry.rel, Record(stamp, seen_ns, digest, record.outcome))
            return _here(record.outcome, entry)
        outcome = compute(entry)
        cache.put(entry.rel, Record(stamp, seen_ns, digest, outcome if outcome.settled else None))
        return outcome

    @property
    def nested_zips(self) -> CachedOutcomes:
        """This cache as the listing's ``packsource.NestedZips`` (see ``nested``)."""
        return self

    def nested(self, entry: Entry, compute: Callable[[Entry], NestedZip]) -> NestedZip:
        """``compute(entry)`` for a zip lying in the folder, or what it held when its stamp
        vouches that it has not changed since (the archive is then not opened at all)."""
        taken = stamp_now(entry.path)
        if taken is None or not _agrees(entry, taken[0].size, taken[0].mtime_ns):
            return compute(entry)  # changing under us: computed, not remembered
        stamp, seen_ns = taken
        record = self.cache.zip_record(entry.rel)
        if record is None or not record.trusted(stamp) or record.nested.path != entry.path:
            record = ZipRecord(stamp, seen_ns, compute(entry))  # the stamp was taken before the zip was read
        self.cache.keep_zip(entry.rel, record)
        return record.nested

    def digest_of(self, path: str) -> str | None:
        """Content hash for the duplicate check: from the cache when the stamp vouches for it."""
        entry = self._files.get(path)
        if entry is None:
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

    def finish(self) -> None:
        self.cache.save(self._present)


class RunHashes:
    """Content hashes computed during one run, by device, inode and stamp: a file hard-linked into
    several folders (a tree copied with ``cp -al``, deduplicated storage) is hashed once per run,
    not once per link. Kept for one run only (a batch's worker makes one per run): across runs the
    folder caches and their racy-clean rule decide what is believed without reading."""

    LIMIT = 100_000

    def __init__(self) -> None:
        self._known: dict[tuple[int, int, int, int, int], str] = {}

    def digest(self, path: str, stamp: Stamp) -> str | None:
        """``file_digest(path)`` of the file whose stamp was just taken; from this run's hashes when
        a link to the same inode, unchanged since (same size, mtime, ctime), was hashed already."""
        try:
            st = os.lstat(path)
        except OSError:
            return None
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        if key[1:] != (stamp.inode, stamp.size, stamp.mtime_ns, stamp.ctime_ns):
            return file_digest(path)  # moved since its stamp was taken: hashed, not remembered
        known = self._known.get(key)
        if known is None:
            known = file_digest(path)  # read after the key was taken: an edit meanwhile moves ctime
            if known is not None and len(self._known) < self.LIMIT:
                self._known[key] = known
        return known


def _agrees(entry: Entry, size: int, mtime_ns: int) -> bool:
    return entry.size == size and entry.mtime_ns == mtime_ns


def _here(outcome: FileOutcome, entry: Entry) -> FileOutcome:
    """A stored outcome, placed at this run's path (the folder may be reached another way)."""
    if outcome.path == entry.path and outcome.size == entry.size:
        return outcome  # the usual case: frozen, so it is shared as is (no copy per unchanged file)
    return dataclasses.replace(outcome, path=entry.path, size=entry.size)
