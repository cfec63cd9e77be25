"""Where a package's files come from: a folder on disk, or a zip read as the folder it stands for.

``list_package(root, spec, values)`` gives the engine its entries (``discovery.Entry``) and the
archive-level problems, whatever the package is:

* a **folder**: ``discovery.walk``; a zip in it is opened one level deep when the spec allows a
  zip for its document with ``unpack: true`` (the zip stays a document, its files are checked
  too) or when files in it are what the spec's documents want (they are checked as if they lay
  in the folder, at ``截图.zip/01_系统截图.png``, and the zip itself is noted Z116 instead of
  being a stray file);
* a **zip file** (``validator check PACK.zip``): its members, at the paths they would have once
  unzipped (a single top folder, which "Send to compressed folder" adds, is the package's root);
  ``client.yaml`` at that root holds the client's values; zips inside it are opened one level
  deep as above; a zip deeper than that is a file (Z109).

A member entry carries a :class:`MemberRef` (picklable: the archive's path on disk and the
member's index at each level), so whoever inspects it - this process or the killable worker -
reads its bytes with :func:`member_bytes`, bounded, without anything written to disk.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Protocol

from validator.discovery import ALWAYS_SKIPPED_DIRS, CLIENT_FILE, Entry, Ignore, walk

if TYPE_CHECKING:  # zipfile and the archive reader load only when a package holds a zip
    import zipfile

    from validator.spec.model import Spec
    from validator.ziparchive import Listing, Member

_NOISE_DIRS = ALWAYS_SKIPPED_DIRS


@dataclass(frozen=True)
class MemberRef:
    """Where a member's bytes are: ``chain`` holds its index in the archive at ``archive`` (a path
    on disk) and, for a zip inside that zip, its index there."""

    archive: str
    chain: tuple[int, ...]
    archive_rel: str  # the rel of the zip it lies in ("" for the package itself)
    problem: tuple[str, tuple[tuple[str, Any], ...]] | None = None  # why its content is not read


@dataclass
class PackageListing:
    """A package's entries, the problems of its archives and where each zip member lies."""

    entries: list[Entry]
    problems: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (code, rel, params)
    members: dict[str, MemberRef] = field(default_factory=dict)  # entry path -> member

    def digest_of(self, fallback: Callable[[str], str | None]) -> Callable[[str], str | None]:
        """Content hashes for the duplicate check: members from the archive, files by ``fallback``."""

        def digest(path: str) -> str | None:
            ref = self.members.get(path)
            if ref is None:
                return fallback(path)
            from validator.ziparchive import MemberProblem

            try:
                return hashlib.sha256(member_bytes(ref)).hexdigest()
            except (MemberProblem, OSError):
                return None

        return digest


@dataclass(frozen=True)
class NestedZip:
    """What a zip lying in the folder adds to the listing: its members' entries (when opened),
    the archive's problems, and whether the zip itself stays an entry. The incremental cache
    keeps it while the zip is unchanged (under the spec and values it was computed for), so a
    re-run does not open the archive again."""

    path: str  # the zip's path on disk, as this listing reached it (members' paths start with it)
    keep: bool
    entries: tuple[Entry, ...] = ()
    problems: tuple[tuple[str, str, dict[str, Any]], ...] = ()  # (code, rel, params)


class NestedZips(Protocol):
    """Where :func:`list_package` gets a zip's :class:`NestedZip` (``validator.incremental``):
    ``compute(entry)`` for a zip it does not know."""

    def nested(self, entry: Entry, compute: Callable[[Entry], NestedZip]) -> NestedZip: ...


def is_zip_package(root: str) -> bool:
    """``root`` is a regular file that starts like a zip (a package given as an archive)."""
    try:
        if not os.path.isfile(root):
            return False
        with open(root, "rb") as f:
            return f.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False


def list_package(root: str, spec: Spec, values: dict[str, Any], nested: NestedZips | None = None) -> PackageListing:
    """The entries of the package at ``root`` (a folder or a zip); raises OSError when the
    folder itself cannot be listed. ``nested``: what zips lying in the folder hold, from the
    incremental cache when it knows them."""
    ignore = Ignore(spec.ignore)
    if is_zip_package(root):
        return _zip_package(os.path.abspath(root), spec, values, ignore)
    listing = PackageListing(list(walk(root, ignore)))
    entries: list[Entry] = []
    zips = False

    def compute(entry: Entry) -> NestedZip:
        return _nested_on_disk(entry, spec, values, ignore)

    for entry in listing.entries:
        # the name's end is the path's: no ``name`` property per entry
        if entry.rel[-4:].lower() == ".zip" and entry.kind == "file" and not entry.error:
            zips = True
            found = compute(entry) if nested is None else nested.nested(entry, compute)
            listing.problems.extend(found.problems)
            entries.extend(found.entries)
            listing.members.update((e.path, e.member) for e in found.entries if e.member is not None)
            if not found.keep:
                continue
        entries.append(entry)
    # walk's order (names sorted, depth first) already is _sorted's; only a zip's members come out of it
    listing.entries = _sorted(entries) if zips else entries
    return listing


def _sorted(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: e.rel.split("/"))


# --------------------------------------------------------------------------------------------
# a zip as the package


def _zip_package(archive: str, spec: Spec, values: dict[str, Any], ignore: Ignore) -> PackageListing:
    from validator.ziparchive import open_zip

    listing = PackageListing([])
    with open(archive, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        zf, found = open_zip(f, size)
        _note(listing, found, "")
        if zf is None:
            return listing
        with zf:
            top = _single_top(found.members, ignore)
            chosen: dict[str, Member] = {}  # rel -> member; of duplicate names the last (Z110)
            for m in found.members:
                if m.is_dir or m.unsafe or (top and not m.name.startswith(top)):
                    continue
                rel = m.name[len(top):]
                if rel == CLIENT_FILE or _ignored(rel, ignore):
                    continue
                chosen[rel] = m
            for rel, m in chosen.items():
                ref = MemberRef(archive, (m.index,), "", _problem(m))
                entry = _entry(rel, archive, m, ref)
                nested = rel.lower().endswith(".zip") and ref.problem is None
                if nested and not _open_nested_in_zip(zf, m, entry, spec, values, ignore, listing, listing.entries):
                    continue
                listing.entries.append(entry)
                listing.members[entry.path] = ref
    listing.entries = _sorted(listing.entries)
    return listing


def _single_top(members: list[Member], ignore: Ignore) -> str:
    """"材料/" when every file lies under that one folder (a zipped folder), else ""."""
    members = [m for m in members if not m.unsafe and m.name and not _ignored(m.name, ignore)]
    tops = {m.name.split("/", 1)[0] for m in members}
    if len(tops) != 1:
        return ""
    (top,) = tops
    files = [m for m in members if not m.is_dir]
    return f"{top}/" if files and all("/" in m.name for m in files) else ""


def _noise(name: str) -> bool:
    return any(part in _NOISE_DIRS for part in name.split("/")[:-1])


def _ignored(rel: str, ignore: Ignore) -> bool:
    parts = rel.split("/")
    return any(ignore(p) for p in parts) or any(p in _NOISE_DIRS for p in parts[:-1])


def _problem(m: Member) -> tuple[str, tuple[tuple[str, Any], ...]] | None:
    from validator.ziparchive import member_problem

    found = member_problem(m)
    return None if found is None else (found[0], tuple(found[1].items()))


def _entry(rel: str, container: str, m: Member, ref: MemberRef) -> Entry:
    """A member as an entry; its path (never a real file: it lies "inside" a file) names it."""
    return Entry(rel, f"{container}/{m.name}", "file", m.size, member=ref)


def _note(listing: PackageListing, found: Listing, rel: str) -> None:
    listing.problems.extend((code, rel, params) for code, params in found.problems)


def client_file_bytes(archive: str, limit: int) -> bytes | None:
    """client.yaml at the root of a zipped pack (under its single top folder, if any); None when
    there is none or the archive cannot be opened (its check says why). At most ``limit + 1``
    bytes are read."""
    from validator.ziparchive import MemberProblem, open_zip, read_member

    with open(archive, "rb") as f:
        zf, found = open_zip(f, os.fstat(f.fileno()).st_size)
        if zf is None:
            return None
        with zf:
            top = _single_top(found.members, Ignore(()))
            named = [m for m in found.members if not m.is_dir and m.name == top + CLIENT_FILE]
            if not named:
                return None
            try:
                return read_member(zf, named[-1], limit + 1)
            except MemberProblem as exc:
                if exc.code == "Z115":
                    return b"\0" * (limit + 1)
                raise OSError(str(exc.params.get("detail", exc.code))) from None


def pack_files(archive: str) -> tuple[str, list[str]]:
    """(the zipped pack's single top folder, as "材料/", or ""; its files by their paths under
    it), as :func:`list_package` sees them (names that climb out left out); ("", []) when the
    archive cannot be opened (its check says why)."""
    from validator.ziparchive import open_zip

    with open(archive, "rb") as f:
        zf, found = open_zip(f, os.fstat(f.fileno()).st_size)
        if zf is None:
            return "", []
        zf.close()
    top = _single_top(found.members, Ignore(()))
    return top, [m.name[len(top):] for m in found.members
                 if not m.is_dir and not m.unsafe and m.name.startswith(top) and not _noise(m.name)]


# --------------------------------------------------------------------------------------------
# a zip inside the package, opened one level deep


def _wanted(spec: Spec, values: dict[str, Any], name: str) -> tuple[bool, bool]:
    """(unpack, keep the zip as a document) for a zip named ``name``: its document allows zip
    with ``unpack: true``; otherwise the caller looks at what is inside."""
    from validator.checks.documents import assign

    doc = assign(spec, name, values).document
    if doc is not None and doc.unpack and any(t in ("zip", "application/zip") for t in doc.types):
        return True, True
    return False, doc is not None


def _members_wanted(spec: Spec, values: dict[str, Any], members: list[Member]) -> bool:
    """Some file in the zip is named like one of the spec's documents."""
    from validator.checks.documents import assign

    return any(
        assign(spec, m.name.rsplit("/", 1)[-1], values).document is not None
        for m in members if not m.is_dir and not m.unsafe and not _noise(m.name)
    )


def _nested_on_disk(entry: Entry, spec: Spec, values: dict[str, Any], ignore: Ignore) -> NestedZip:
    scratch = PackageListing([])
    out: list[Entry] = []
    keep = _open_nested_on_disk(entry, spec, values, ignore, scratch, out)
    return NestedZip(entry.path, keep, tuple(out), tuple(scratch.problems))


def _open_nested_on_disk(entry: Entry, spec: Spec, values: dict[str, Any], ignore: Ignore,
                         listing: PackageListing, out: list[Entry]) -> bool:
    """Open a zip lying in the folder when it is to be unpacked; True to keep it as an entry."""
    try:
        f = open(entry.path, "rb")  # noqa: SIM115 - closed below
    except OSError:
        return True  # the inspection reports it
    with f:
        if f.read(4) not in (b"PK\x03\x04", b"PK\x05\x06"):
            return True
        size = os.fstat(f.fileno()).st_size
        return _unpack(f, size, entry, (), os.path.abspath(entry.path), spec, values, ignore, listing, out)


def _open_nested_in_zip(outer: zipfile.ZipFile, m: Member, entry: Entry, spec: Spec, values: dict[str, Any],
                        ignore: Ignore, listing: PackageListing, out: list[Entry]) -> bool:
    from validator.ziparchive import MemberProblem, read_member

    try:
        data = read_member(outer, m)
    except MemberProblem:
        return True  # the inspection reports it
    if data[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):
        return True
    import io

    assert entry.member is not None
    return _unpack(io.BytesIO(data), len(data), entry, entry.member.chain, entry.member.archive,
                   spec, values, ignore, listing, out)


def _unpack(f: IO[bytes], size: int, entry: Entry, chain: tuple[int, ...], archive: str, spec: Spec,
            values: dict[str, Any], ignore: Ignore, listing: PackageListing, out: list[Entry]) -> bool:
    from validator.ziparchive import open_zip

    unpack, keep = _wanted(spec, values, entry.name)
    zf, found = open_zip(f, size)
    if zf is None:
        if unpack:
            _note(listing, found, entry.rel)
        return True  # a damaged zip stays a file: its type check says so
    with zf:
        if not unpack:
            if not _members_wanted(spec, values, found.members):
                return True
            keep = False
            listing.problems.append(("Z116", entry.rel, {}))
        _note(listing, found, entry.rel)
        inside: dict[str, Entry] = {}
        order: list[str] = []
        for m in found.members:
            if m.is_dir or m.unsafe or _ignored(m.name, ignore):
                continue
            ref = MemberRef(archive, (*chain, m.index), entry.rel, _problem(m))
            member = _entry(f"{entry.rel}/{m.name}", entry.path, m, ref)
            if member.rel not in inside:  # a duplicate name: the last one is what unzipping leaves (Z110)
                order.append(member.rel)
            inside[member.rel] = member
            if m.name.lower().endswith(".zip"):
                listing.problems.append(("Z109", member.rel, {}))
        for rel in order:
            out.append(inside[rel])
            listing.members[inside[rel].path] = inside[rel].member  # type: ignore[assignment]
    return keep


# --------------------------------------------------------------------------------------------
# reading a member's bytes (in this process or in the killable worker)

_local = threading.local()  # per thread: the archives opened last (a zipfile object is not shared)


def member_bytes(ref: MemberRef) -> bytes:
    """The bytes of the member ``ref`` names (at most ``ziparchive.MEMBER_CAP``); raises
    ``ziparchive.MemberProblem`` (or OSError)."""
    from validator.ziparchive import MemberProblem, read_member

    if ref.problem is not None:
        code, params = ref.problem
        raise MemberProblem(code, dict(params))
    zf = _archive(ref.archive, ref.chain[:-1])
    members = _members_of(zf)
    index = ref.chain[-1]
    if index >= len(members):
        raise MemberProblem("Z114", {"detail": "the archive changed while it was being checked"})
    return read_member(zf, members[index])


def _archive(path: str, chain: tuple[int, ...]) -> zipfile.ZipFile:
    """The (possibly nested) archive, from a small per-thread cache keyed by the file's stamp."""
    from validator.ziparchive import MemberProblem, open_zip, read_member

    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns, st.st_ino, chain)
    cache: dict[tuple[Any, ...], tuple[zipfile.ZipFile, list[Member], IO[bytes]]] = _cache()
    found = cache.get(key)
    if found is not None:
        return found[0]
    if chain:
        outer = _archive(path, chain[:-1])
        import io

        data = read_member(outer, _members_of(outer)[chain[-1]])
        f: IO[bytes] = io.BytesIO(data)
        size = len(data)
    else:
        f = open(path, "rb")  # noqa: SIM115 - kept open in the cache, closed when evicted
        size = os.fstat(f.fileno()).st_size
    zf, listing = open_zip(f, size)
    if zf is None:
        f.close()
        code, params = listing.problems[0] if listing.problems else ("Z101", {"detail": "unreadable"})
        raise MemberProblem("Z114", {"detail": params.get("detail", code)})
    if len(cache) >= 4:  # a package and one nested zip at a time, in practice
        close_archives()
        cache = _cache()
    cache[key] = (zf, listing.members, f)
    return zf


def _cache() -> dict[tuple[Any, ...], tuple[zipfile.ZipFile, list[Member], IO[bytes]]]:
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    return cache


def close_archives() -> None:
    """Close the archives this thread keeps open (the package's check is done)."""
    cache = _cache()
    for zf, _, f in cache.values():
        zf.close()
        f.close()
    cache.clear()


def _members_of(zf: zipfile.ZipFile) -> list[Member]:
    for found_zf, members, _ in _cache().values():
        if found_zf is zf:
            return members
    from validator.ziparchive import MemberProblem

    raise MemberProblem("Z114", {"detail": "archive not open"})  # pragma: no cover - _archive opened it
