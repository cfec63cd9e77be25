"""The incremental cache: what was learnt about each file of a materials folder, kept
OUTSIDE the folder (the user cache directory), so an unchanged folder is re-checked by
stat calls alone.

One cache file per folder holds, per relative path, the file's stamp (size, mtime_ns,
ctime_ns, inode), the sha256 of its content and the outcome of its file-level checks.
A run that changed a few entries appends what it changed (a ``_Delta``, one pickle) to that
file instead of rewriting it whole: creating and renaming a file costs several times the
append. Every few runs, or when anything looks off, the file is written whole again.
A record is believed on its stamp alone only when the file last changed well before the
stamp was taken (the "racy git" rule: a change in the same timestamp tick as the stat
would otherwise leave the stamp unchanged); any other record is re-verified by its
content hash. ctime is in the stamp because nobody can set it: an edit that restores size
and mtime (``os.utime``) still moves ctime, so it is re-hashed and re-checked.

The outcomes are valid only for one tool build, one resolved spec and one set of client
values (``bind``); content hashes survive a spec or value change (they feed the duplicate
check). A cache that cannot be read, is corrupt, is not ours or is too big is ignored; a
cache that cannot be written is skipped. Nothing here raises for a bad cache.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import pickle
import stat
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from validator.portable import ENV

if TYPE_CHECKING:
    from validator.engine import FileOutcome
    from validator.packsource import NestedZip

CACHE_ENV = "VALIDATOR_CACHE_DIR"
FORMAT = 1  # bump when the layout of a cache file changes
RACY_NS = 3_000_000_000  # FAT keeps mtime in 2-second steps; network shares round too
MAX_FILE_BYTES = 64 << 20  # a cache file larger than this is neither written nor read
MAX_RECORDS = 50_000  # per folder
MAX_CACHE_FILES = 512  # per kind (folders, specs); the oldest go first
# Deltas appended to a folder's cache file before it is written whole again: each one read back costs
# every later load ~20 us, a whole write ~300 us, an append ~75 us; 3-4 deltas balance them.
MAX_DELTAS = 4
# Third-party code whose version changes an outcome (type sniffing, PDF, sheets, names).
_DEPENDENCIES = ("magic", "pypdf", "python_calamine", "pathvalidate", "defusedxml", "cryptography")


def cache_dir() -> Path:
    """$VALIDATOR_CACHE_DIR, else $XDG_CACHE_HOME/validator, else ~/.cache/validator."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg and os.path.isabs(os.path.expanduser(xdg)) else Path.home() / ".cache"
    return base / "validator"


def usable_dir(materials: str) -> Path | None:
    """The cache directory, unless it lies inside the materials folder (we never write there)."""
    directory = cache_dir()
    try:
        real_dir = os.path.realpath(directory)
        real_root = os.path.realpath(materials)
        if os.path.commonpath([real_dir, real_root]) == real_root:
            return None
    except (OSError, ValueError):
        return None
    return directory


_fingerprint: tuple[str, str] | None = None  # (VALIDATOR_PORTABLE, digest)


def fingerprint() -> str:
    """This build of the tool: version, Python, our source files and the libraries that
    judge content, by stat only (a rebuilt or upgraded tool drops old outcomes)."""
    global _fingerprint
    # The primitives forced portable change verdicts (without libmagic a rare format is
    # "unknown" and the folder gets U101), so outcomes judged under another setting are dropped.
    portable = os.environ.get(ENV, "")
    if _fingerprint is None or _fingerprint[0] != portable:
        import importlib.util

        from validator import __version__

        h = hashlib.sha256(f"{FORMAT}|{__version__}|{sys.version}|{portable}".encode())
        package = Path(__file__).resolve().parent
        for path in sorted(_python_files(str(package))):
            h.update(_stat_line(path))
        for name in _DEPENDENCIES:
            try:
                found = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                found = None
            origin = found.origin if found and found.origin else name
            h.update(_stat_line(origin))
        _fingerprint = (portable, h.hexdigest()[:32])
    return _fingerprint[1]


def _python_files(directory: str) -> list[str]:
    out: list[str] = []
    try:
        with os.scandir(directory) as it:
            for item in it:
                if item.is_dir(follow_symlinks=False) and item.name != "__pycache__":
                    out.extend(_python_files(item.path))
                elif item.name.endswith(".py"):
                    out.append(item.path)
    except OSError:
        pass
    return out


def _stat_line(path: str) -> bytes:
    try:
        st = os.stat(path)
        return f"{path}|{st.st_size}|{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape")
    except OSError:
        return f"{path}|-\n".encode("utf-8", "surrogateescape")


def file_digest(path: str) -> str | None:
    """sha256 of a file's content (the duplicate check uses the same function)."""
    from validator.checks.documents import file_digest as digest

    return digest(path)


# --- stamps and records ---------------------------------------------------------------


class Stamp(NamedTuple):
    """What a stat says about a file's content: a change of content changes at least ctime."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, st: os.stat_result) -> Stamp:
        return cls(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def stamp_now(path: str, follow: bool = False) -> tuple[Stamp, int] | None:
    """The stamp of a regular file (links not followed unless asked) and when it was taken."""
    seen_ns = time.time_ns()
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return Stamp.of(st), seen_ns


def settled(stamp: Stamp, seen_ns: int) -> bool:
    """The file had stopped changing well before `seen_ns`: a later change would move its stamp."""
    return max(stamp.mtime_ns, stamp.ctime_ns) < seen_ns - RACY_NS


class Record(NamedTuple):
    stamp: Stamp
    seen_ns: int  # when the stamp was taken
    digest: str  # sha256 of the content, hashed after the stamp was taken
    outcome: FileOutcome | None = None

    def trusted(self, stamp: Stamp) -> bool:
        """Believe the record without reading the file: same stamp, and the file had
        stopped changing well before the stamp was taken."""
        return stamp == self.stamp and settled(stamp, self.seen_ns)


class ZipRecord(NamedTuple):
    """What a zip lying in the folder holds for the listing (``packsource.NestedZip``), believed
    on the zip's stamp alone under the same rule as a file's record (no content hash: a zip
    that is not trusted is opened again)."""

    stamp: Stamp
    seen_ns: int
    nested: NestedZip

    def trusted(self, stamp: Stamp) -> bool:
        return stamp == self.stamp and settled(stamp, self.seen_ns)


class ClientRecord(NamedTuple):
    """client.yaml as parsed: values and problem text, valid while its content is the same."""

    stamp: Stamp
    seen_ns: int
    digest: str
    values: Mapping[str, Any]
    problem: str | None


class _Content:
    """What one folder's cache file holds (plain classes: cheap to import, cheap to unpickle)."""

    def __init__(self) -> None:
        self.format = FORMAT
        self.binding: tuple[str, str, str] = ("", "", "")  # tool fingerprint, spec digest, values digest
        self.records: dict[str, Record] = {}
        self.client: ClientRecord | None = None
        self.zips: dict[str, ZipRecord] = {}  # by the zip's rel (absent from caches written before)


class _Delta:
    """What one run changed in a folder's cache, appended to its file after the whole content and
    the earlier deltas (see ``PackageCache.save``). It applies only under its own binding: a delta
    of another spec or build, appended to a file rewritten meanwhile, is never applied to it."""

    def __init__(self, binding: tuple[str, str, str], records: dict[str, Record], removed: tuple[str, ...],
                 client: ClientRecord | None, zips: dict[str, ZipRecord] | None) -> None:
        self.binding = binding
        self.records = records  # put by this run (each checked on look-up, as the whole content's)
        self.removed = removed  # files no longer present
        self.client = client  # None: unchanged
        self.zips = zips  # None: unchanged; else every zip of this run's listing


def _sound_binding(binding: Any) -> TypeGuard[tuple[str, str, str]]:
    return isinstance(binding, tuple) and len(binding) == 3 and all(isinstance(b, str) for b in binding)


def _apply_delta(content: _Content, delta: Any) -> bool:
    """Apply one appended delta to the content read before it; False (nothing applied) when it is
    not a sound delta of the same binding: the caller then stops reading and rewrites the file."""
    if not (isinstance(delta, _Delta) and getattr(delta, "binding", None) == content.binding):
        return False
    records, removed = getattr(delta, "records", None), getattr(delta, "removed", None)
    client, zips = getattr(delta, "client", None), getattr(delta, "zips", None)
    if not (isinstance(records, dict) and isinstance(removed, tuple) and all(isinstance(r, str) for r in removed)):
        return False
    if not ((client is None or _sound_client(client)) and (zips is None or isinstance(zips, dict))):
        return False
    if len(content.records) + len(records) > MAX_RECORDS:  # checked before anything is applied
        return False
    content.records.update(records)
    for rel in removed:
        content.records.pop(rel, None)
    if client is not None:
        content.client = client
    if zips is not None:
        content.zips = zips
    return True


def _sound_content(loaded: Any) -> _Content | None:
    """What a cache file held, if its top levels have the types this code expects; None
    otherwise. Each record is checked when it is looked up (`PackageCache.get`), not all of them
    on load; one that is not sound counts as absent.
    A pickle of the right classes with wrong inner types is a damaged cache, never a TypeError later."""
    if not isinstance(loaded, _Content) or getattr(loaded, "format", None) != FORMAT:
        return None
    binding = getattr(loaded, "binding", None)
    records = getattr(loaded, "records", None)
    if not _sound_binding(binding) or not isinstance(records, dict):
        return None
    content = _Content()
    content.binding = binding
    content.records = records
    client = getattr(loaded, "client", None)
    content.client = client if _sound_client(client) else None
    zips = getattr(loaded, "zips", None)
    content.zips = zips if isinstance(zips, dict) else {}
    return content


def _sound_stamp(stamp: Any, seen_ns: Any, digest: Any) -> bool:
    # spelt out, no generator: this runs for every record looked up (~1,700 in a 60-client re-run)
    return (
        isinstance(stamp, Stamp)
        and len(stamp) == 4
        and type(stamp[0]) is int
        and type(stamp[1]) is int
        and type(stamp[2]) is int
        and type(stamp[3]) is int
        and type(seen_ns) is int
        and isinstance(digest, str)
    )


def _sound_record(record: Any) -> bool:
    if not (isinstance(record, Record) and len(record) == 4 and _sound_stamp(*record[:3])):
        return False
    return record.outcome is None or _sound_outcome(record.outcome)


def _sound_outcome(outcome: Any) -> bool:
    # a stored outcome was unpickled as the engine's class: the engine is loaded already
    from validator.engine import FileOutcome

    if not isinstance(outcome, FileOutcome):
        return False
    if not (isinstance(outcome.rel, str) and isinstance(outcome.path, str) and type(outcome.size) is int):
        return False
    if not (outcome.document is None or isinstance(outcome.document, str)) or not isinstance(outcome.defects, tuple):
        return False
    return all(sound_defect(d) for d in outcome.defects)


def sound_defect(d: Any) -> bool:
    """A stored defect has the shape this code makes (a damaged or forged cache is only ignored)."""
    # the model alone: a folder's kept result (validator.reuse) is checked without the engine loading
    from validator.model import Defect, Location, Severity

    return (
        isinstance(d, Defect)
        and isinstance(d.code, str)
        and isinstance(d.severity, Severity)
        and isinstance(d.path, str)
        and isinstance(d.params, Mapping)
        and all(isinstance(k, str) for k in d.params)
        and (d.document is None or isinstance(d.document, str))
        and (d.location is None or isinstance(d.location, Location))
    )


def _sound_zip(record: Any) -> bool:
    from validator.packsource import NestedZip

    if not (isinstance(record, ZipRecord) and len(record) == 3 and _sound_stamp(record.stamp, record.seen_ns, "")):
        return False
    nested = record.nested
    return (
        isinstance(nested, NestedZip)
        and isinstance(nested.path, str)
        and type(nested.keep) is bool
        and isinstance(nested.entries, tuple)
        and all(_sound_member_entry(e) for e in nested.entries)
        and isinstance(nested.problems, tuple)
        and all(
            isinstance(p, tuple) and len(p) == 3 and isinstance(p[0], str) and isinstance(p[1], str)
            and isinstance(p[2], dict) and all(isinstance(k, str) for k in p[2])
            for p in nested.problems
        )
    )


def _sound_member_entry(entry: Any) -> bool:
    from validator.discovery import Entry
    from validator.packsource import MemberRef

    if not (isinstance(entry, Entry) and isinstance(entry.rel, str) and isinstance(entry.path, str)
            and entry.kind == "file" and type(entry.size) is int and type(entry.mtime_ns) is int
            and entry.error is None and entry.target is None):
        return False
    ref = entry.member
    return (
        isinstance(ref, MemberRef)
        and isinstance(ref.archive, str)
        and isinstance(ref.archive_rel, str)
        and isinstance(ref.chain, tuple)
        and all(type(i) is int for i in ref.chain)
        and (ref.problem is None or (isinstance(ref.problem, tuple) and len(ref.problem) == 2
                                     and isinstance(ref.problem[0], str) and isinstance(ref.problem[1], tuple)))
    )


def _sound_client(record: Any) -> bool:
    return (
        isinstance(record, ClientRecord)
        and len(record) == 5
        and _sound_stamp(*record[:3])
        and isinstance(record.values, dict)
        and all(isinstance(k, str) and isinstance(v, str | list) for k, v in record.values.items())
        and (record.problem is None or isinstance(record.problem, str))
        and _sound_problem(record.problem)
    )


def _sound_problem(problem: Any) -> bool:
    defects = getattr(problem, "defects", ())
    return isinstance(defects, tuple) and all(
        isinstance(d, tuple) and len(d) == 2 and isinstance(d[0], str) and isinstance(d[1], dict)
        and all(isinstance(k, str) for k in d[1])
        for d in defects
    )


# --- one folder's cache ------------------------------------------------------------------


def folder_file(directory: Path, kind: str, root: str) -> Path:
    """The file of the cache ``directory`` that keeps ``kind`` ("packages", "folders", "batches")
    for the folder ``root``: named by its real path, however the folder is reached."""
    return directory / kind / f"{_folder_key(root)}.pickle"


@functools.lru_cache(maxsize=4096)
def _folder_key(root: str) -> str:
    """The name of ``root``'s cache files, resolved once per process (a batch asks for each folder's
    two files and its client memo; ``realpath`` is an lstat per path component). Which file a
    folder uses decides only what it may find there, never what is believed: every record is
    checked against the file's own stamp and content, so a link retargeted since costs hits only."""
    return hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:32]


class PackageCache:
    """The cache of one materials folder for one run: load, look up, update, save."""

    def __init__(self, root: str, directory: Path):
        self.path = folder_file(directory, "packages", root)
        self._file: tuple[int, int] | None = None  # (device, inode) of the file read: what a delta extends
        self._whole = True  # the next save writes the whole content (see ``save``)
        self._content = self._load()
        self._dirty = False
        self._zips_seen: dict[str, ZipRecord] | None = None  # the zips of this run's listing
        # what this run changed: the delta ``save`` appends
        self._put: dict[str, Record] = {}
        self._client_moved = self._zips_moved = False

    def _load(self) -> _Content:
        """The whole content and the deltas appended after it; a file that ends in a delta that
        cannot be read or applied, or has many, is written whole by the next save."""
        read = load_blobs(self.path)
        content = _sound_content(read[0][0]) if read is not None and read[0] else None
        if read is None or content is None:
            return _Content()
        blobs, self._file, complete = read
        deltas = blobs[1:]
        applied = 0
        while applied < len(deltas) and _apply_delta(content, deltas[applied]):
            applied += 1
        self._whole = not complete or applied < len(deltas) or applied >= MAX_DELTAS
        return content

    @classmethod
    def open(cls, root: str) -> PackageCache | None:
        directory = usable_dir(root)
        return None if directory is None else cls(root, directory)

    # client.yaml --------------------------------------------------------------------
    def client(self) -> ClientRecord | None:
        return self._content.client

    def remember_client(self, record: ClientRecord | None) -> None:
        self._content.client = record
        self._dirty = self._client_moved = True
        if record is None:  # a delta says "unchanged" with None: forgetting it takes a whole write
            self._whole = True

    # binding --------------------------------------------------------------------------
    def bind(self, spec_digest: str, values: Mapping[str, Any]) -> None:
        """Outcomes stored under another tool build, spec or client values are dropped;
        content hashes are kept."""
        binding = (fingerprint(), spec_digest, values_digest(values))
        if binding == self._content.binding:
            return
        self._content.records = {
            rel: r._replace(outcome=None) for rel, r in self._content.records.items()
            if isinstance(rel, str) and _sound_record(r)
        }
        self._content.binding = binding
        self._content.zips = {}  # what a zip adds to the listing depends on the spec and values
        self._dirty = self._whole = True

    # records --------------------------------------------------------------------------
    def get(self, rel: str) -> Record | None:
        record = self._content.records.get(rel)
        return record if _sound_record(record) else None

    def put(self, rel: str, record: Record) -> None:
        if len(self._content.records) < MAX_RECORDS or rel in self._content.records:
            self._content.records[rel] = record
            self._put[rel] = record
            self._dirty = True

    # zips lying in the folder ---------------------------------------------------------
    def zip_record(self, rel: str) -> ZipRecord | None:
        record = self._content.zips.get(rel)
        return record if _sound_zip(record) else None

    def keep_zip(self, rel: str, record: ZipRecord) -> None:
        """A zip of this run's listing (known or computed): what ``save`` keeps of them."""
        if self._zips_seen is None:
            self._zips_seen = {}
        self._zips_seen[rel] = record
        if self._content.zips.get(rel) is not record:
            self._dirty = self._zips_moved = True

    def save(self, present: set[str] | None = None) -> None:
        """Write back if anything changed; records of files no longer present are dropped
        (and zips the listing no longer met, when the listing went through ``keep_zip``).

        What changed is appended to the file read (one delta), unless the content was not read
        from a file, is bound anew, or has ``MAX_DELTAS`` deltas: the whole content is written
        then (atomically), as it is when the append fails or the file was replaced since it was
        read (another run's: last writer wins, as with whole writes)."""
        if self._zips_seen is not None:
            if self._zips_seen.keys() != self._content.zips.keys():
                self._dirty = self._zips_moved = True
            self._content.zips, self._zips_seen = self._zips_seen, None
        records = self._content.records
        gone: list[str] = []
        if present is not None:
            gone = [rel for rel in records if rel not in present]
            for rel in gone:
                del records[rel]
                self._put.pop(rel, None)
            self._dirty = self._dirty or bool(gone)
        if not self._dirty:
            return
        content = self._content
        appended = False
        if not self._whole and self._file is not None:
            delta = _Delta(content.binding, self._put, tuple(gone), content.client if self._client_moved else None,
                           content.zips if self._zips_moved else None)
            appended = append_blob(self.path, delta, self._file)
        if not appended:
            write_blob(self.path, content)
            self._file = None  # the new file's identity is not known: a later save writes whole again
            self._whole = True
        self._dirty = self._client_moved = self._zips_moved = False
        self._put = {}


def values_digest(values: Mapping[str, Any]) -> str:
    return hashlib.sha256(repr(sorted((str(k), repr(v)) for k, v in values.items())).encode()).hexdigest()


# --- storage: atomic writes, defensive reads ---------------------------------------------


def load_blob(path: Path) -> Any:
    """The object pickled at `path`, or None when it is missing, corrupt, too big or not
    ours (a pickle runs code when loaded: only files this user wrote, not writable by
    others, in a directory only this user can write, are read)."""
    read = _read_own(path)
    if read is None:
        return None
    try:
        return pickle.loads(read[0])
    except Exception:  # a damaged cache is only a slower run
        return None


def load_blobs(path: Path) -> tuple[list[Any], tuple[int, int], bool] | None:
    """Every object pickled one after the other at `path` (the first, then those ``append_blob``
    added), the file's (device, inode), and whether the file ended after the last one (False: it
    ends in bytes that are no pickle, a torn append). None as ``load_blob``."""
    read = _read_own(path)
    if read is None:
        return None
    data, st = read
    stream = io.BytesIO(data)
    blobs: list[Any] = []
    while stream.tell() < len(data):
        try:
            blobs.append(pickle.load(stream))
        except Exception:  # a damaged tail: what came before it stands on its own
            return blobs, (st.st_dev, st.st_ino), False
    return blobs, (st.st_dev, st.st_ino), True


def _read_own(path: Path) -> tuple[bytes, os.stat_result] | None:
    """The bytes of the cache file at `path` and its stat (see ``_own_file``)."""
    with _own_file(path, os.O_RDONLY) as opened:
        if opened is None:
            return None
        fd, st = opened
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks), st
    return None  # an OS error while reading


def append_blob(path: Path, obj: Any, expected: tuple[int, int]) -> bool:
    """Pickle `obj` onto the end of the cache file at `path`, in one write, if it is still the file
    (device, inode) `expected` that was read, a regular file of ours that stays under the size limit;
    False when it is not (the caller writes the file whole instead). A reader meets the appended
    pickle whole or not at all: a torn one ends the file for ``load_blobs``."""
    try:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return False
    with _own_file(path, os.O_WRONLY | os.O_APPEND) as opened:
        if opened is None:
            return False
        fd, st = opened
        if (st.st_dev, st.st_ino) != expected or st.st_size + len(data) > MAX_FILE_BYTES:
            return False
        return os.write(fd, data) == len(data)
    return False  # an OS error while writing


@contextlib.contextmanager
def _own_file(path: Path, flags: int) -> Iterator[tuple[int, os.stat_result] | None]:
    """The cache file at `path` opened with `flags` and its stat, if it is a regular file of ours
    no larger than the limit in a safe directory (see ``load_blob``); None otherwise, and when an
    OS error ends the work done with it. Opened without following a link, and non-blocking: a
    FIFO put in its place opens at once, then fails the fstat test."""
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    with _directory(path.parent, create=False) as dir_fd:
        fd = None
        if dir_fd is not None:
            with contextlib.suppress(OSError):
                fd = os.open(path.name, flags, dir_fd=dir_fd) if dir_fd >= 0 else os.open(path, flags)
        if fd is None:
            yield None
            return
        try:
            st: os.stat_result | None = os.fstat(fd)
        except OSError:
            st = None
        try:
            ours = st is not None and stat.S_ISREG(st.st_mode) and st.st_size <= MAX_FILE_BYTES and _ours(st)
            yield (fd, st) if ours and st is not None else None
        except OSError:  # reading or writing it failed: the caller's work is given up, not raised
            pass
        finally:
            os.close(fd)


# os.replace takes src_dir_fd/dst_dir_fd wherever os.rename does (supports_dir_fd lists only rename).
_DIR_FD = all(f in os.supports_dir_fd for f in (os.open, os.rename, os.unlink, os.stat))


@contextlib.contextmanager
def _directory(directory: Path, create: bool) -> Iterator[int | None]:
    """A descriptor of a safe cache sub-directory (see `safe_directory`), checked again on the
    descriptor itself, so swapping the directory for a link after the check changes nothing:
    every file is then opened, written and renamed relative to it. None: not safe. -1: this OS
    has no *at() calls (Windows); paths are used after the check."""
    if not safe_directory(directory, create):
        yield None
        return
    if not _DIR_FD:
        yield -1
        return
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(directory, flags)
    except OSError:
        yield None
        return
    try:
        st = os.fstat(fd)
        yield fd if stat.S_ISDIR(st.st_mode) and _ours(st) else None
    finally:
        os.close(fd)


def _ours(st: os.stat_result) -> bool:
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # Windows: the profile directory's ACL protects it
        return True
    return bool(st.st_uid == getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def safe_directory(directory: Path, create: bool) -> bool:
    """A cache sub-directory we may read pickles from and write them to: a real directory
    (not a symlink: it could point into a checked folder), ours, writable by nobody else
    (another user could plant a pickle, which runs code when loaded). Created 0700 if asked."""
    try:
        st = os.lstat(directory)
    except FileNotFoundError:
        if not create:
            return False
        try:
            directory.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            directory.mkdir(mode=0o700)
            st = os.lstat(directory)
        except OSError:
            return False
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and _ours(st)


def write_blob(path: Path, obj: Any) -> bool:
    """Pickle `obj` to `path` atomically (temp file + os.replace); False if it could not."""
    try:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return False
    if len(data) > MAX_FILE_BYTES:
        return False
    with _directory(path.parent, create=True) as dir_fd:
        if dir_fd is None:
            return False
        at = {"dir_fd": dir_fd} if dir_fd >= 0 else {}
        both = {"src_dir_fd": dir_fd, "dst_dir_fd": dir_fd} if dir_fd >= 0 else {}
        base = path.parent if dir_fd < 0 else Path()
        # os.urandom is what secrets.token_hex reads, without importing secrets (base64, hmac, random)
        tmp = str(base / f".tmp-{os.getpid()}-{os.urandom(6).hex()}.pickle")
        target = str(base / path.name)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        written = False
        try:
            try:
                new_file = not stat.S_ISREG(os.stat(target, follow_symlinks=False, **at).st_mode)
            except FileNotFoundError:
                new_file = True
            fd = os.open(tmp, flags, 0o600, **at)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, target, **both)
            written = True
        except OSError:
            return False
        finally:
            if not written:
                with contextlib.suppress(OSError):
                    os.unlink(tmp, **at)
        if new_file:
            _prune_at(dir_fd if dir_fd >= 0 else None, path.parent)
        return True


def prune(directory: Path, keep: int = MAX_CACHE_FILES) -> None:
    """Keep the cache bounded: past `keep` files, delete the least recently written."""
    with _directory(directory, create=False) as dir_fd:
        if dir_fd is not None:
            _prune_at(dir_fd if dir_fd >= 0 else None, directory, keep)


def _prune_at(dir_fd: int | None, directory: Path, keep: int = MAX_CACHE_FILES) -> None:
    """`prune`, listing and deleting relative to the directory's descriptor when there is one."""
    at = {"dir_fd": dir_fd} if dir_fd is not None else {}
    try:
        with os.scandir(dir_fd if dir_fd is not None else directory) as it:
            entries = [
                (e.name, e.stat(follow_symlinks=False).st_mtime_ns, e.name if dir_fd is not None else e.path)
                for e in it
                if e.name.endswith(".pickle") and e.is_file(follow_symlinks=False)
            ]
    except OSError:
        return
    stale_tmp = time.time_ns() - 3600 * 10**9  # left behind by a killed run
    files = [(mtime, p) for name, mtime, p in entries if not name.startswith(".tmp-")]
    for name, mtime, p in entries:
        if name.startswith(".tmp-") and mtime < stale_tmp:
            with contextlib.suppress(OSError):
                os.unlink(p, **at)
    if len(files) <= keep:
        return
    files.sort()
    for _, old in files[: len(files) - keep * 3 // 4]:
        with contextlib.suppress(OSError):
            os.unlink(old, **at)
