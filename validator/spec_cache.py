"""The parsed spec, cached for the hook: a warm run unpickles it instead of importing
PyYAML and parsing and validating the YAML.

A cached spec is used while every file of its `extends` chain has the same content (stat
first, content hash when the stat moved) under the same tool build. ``spec_digest`` names
the resolved content; per-file outcomes are bound to it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path
from typing import Any, NamedTuple

from validator.cache import Stamp, cache_dir, fingerprint, load_blob, settled, stamp_now, write_blob
from validator.spec.model import Spec

_PATH_SUFFIXES = (".yaml", ".yml")
MAX_SOURCE_BYTES = 4 << 20  # spec.loader.MAX_SPEC_BYTES (not imported: a warm run skips the loader)


class SourceFile(NamedTuple):
    path: str
    stamp: Stamp
    seen_ns: int
    digest: str


class CachedSpec(NamedTuple):
    fingerprint: str
    sources: tuple[SourceFile, ...]
    spec: Spec


def load_spec_cached(ref: str, directory: Path | None = None) -> Spec:
    """`load_spec(ref)` through the cache in `directory` (default: the user cache dir).

    Raises SpecError exactly as `load_spec` does: a broken spec is never cached.
    """
    directory = cache_dir() if directory is None else directory
    return cached_spec(ref, directory) or load_and_store(ref, directory)


def cached_spec(ref: str, directory: Path) -> Spec | None:
    """The cached spec if its sources are unchanged; None otherwise. Never imports PyYAML."""
    path = _path(ref, directory)
    cached = load_blob(path)
    if (
        isinstance(cached, CachedSpec)
        and len(cached) == 3
        and cached.fingerprint == fingerprint()
        and isinstance(cached.sources, tuple)
        and _sound_spec(cached.spec)
    ):
        fresh = _verify(cached.sources)
        if fresh is not None:
            if fresh != cached.sources:  # stamps moved, content did not: remember the new stamps
                write_blob(path, cached._replace(sources=fresh))
            return cached.spec
    return None


def _sound_spec(spec: Any) -> bool:
    """The cached object has the shape of a Spec at its top levels (a damaged or forged entry
    is ignored, not a TypeError later)."""
    from validator.spec.model import DocumentSpec, NamePattern, NamingRules

    return (
        isinstance(spec, Spec)
        and isinstance(spec.id, str)
        and isinstance(spec.title, str)
        and isinstance(spec.documents, tuple)
        and all(
            isinstance(d, DocumentSpec) and isinstance(d.id, str) and isinstance(d.pattern, NamePattern)
            and callable(getattr(d.pattern.shape, "fullmatch", None))
            for d in spec.documents
        )
        and isinstance(spec.variables, dict)
        and isinstance(spec.naming, NamingRules)
        and isinstance(spec.severity, dict)
        and isinstance(spec.ignore, tuple)
        and isinstance(spec.rules, tuple)
        and isinstance(spec.raw, dict)
    )


def load_and_store(ref: str, directory: Path) -> Spec:
    """`load_spec(ref)`, then cached in `directory` for the next run (SpecError passes through)."""
    from validator.spec import load_spec

    before = _sources(ref)  # hashed before parsing: a later edit cannot hide behind the cache
    spec = load_spec(ref)
    after = _sources(ref)
    if before is not None and after is not None and _digests(before) == _digests(after):
        write_blob(_path(ref, directory), CachedSpec(fingerprint(), before, portable(spec)))
    return spec


def spec_digest(spec: Spec) -> str:
    """The resolved spec's content (after `extends`) plus severity overrides from the command line."""
    body = repr((_canonical(spec.raw), sorted(spec.severity.items())))
    return hashlib.sha256(body.encode("utf-8", "surrogateescape")).hexdigest()


def portable(spec: Spec) -> Spec:
    """The spec with its merged data as plain dicts and lists: unpickling it then needs
    neither PyYAML nor the loader."""
    return dataclasses.replace(spec, raw=plain(spec.raw))


def _path(ref: str, directory: Path) -> Path:
    return directory / "specs" / f"{_key(ref)}.pickle"


def _key(ref: str) -> str:
    looks_like_path = ref.endswith(_PATH_SUFFIXES) or "/" in ref or "\\" in ref
    where = os.path.abspath(os.path.expanduser(ref)) if looks_like_path else f"builtin:{ref}"
    return hashlib.sha256(os.fsencode(where)).hexdigest()[:32]


def _digests(sources: tuple[SourceFile, ...]) -> list[tuple[str, str]]:
    return [(s.path, s.digest) for s in sources]


def _sources(ref: str) -> tuple[SourceFile, ...] | None:
    """Every file of the `extends` chain with its stamp and content hash; None if unsure."""
    from validator.safeio import UnsafeFile, read_regular
    from validator.spec.loader import MAX_EXTENDS, MAX_SPEC_BYTES, locate
    from validator.spec.yamlmarks import SpecError, load_plain

    out: list[SourceFile] = []
    try:
        path: Path | None = locate(ref)
        while path is not None:
            if len(out) >= MAX_EXTENDS or any(s.path == str(path.resolve()) for s in out):
                return None
            taken = stamp_now(str(path), follow=True)
            if taken is None:
                return None
            data = read_regular(path, MAX_SPEC_BYTES, follow=True)
            out.append(SourceFile(str(path.resolve()), taken[0], taken[1], hashlib.sha256(data).hexdigest()))
            parsed = load_plain(data.decode("utf-8-sig"), str(path))
            parent = parsed.get("extends") if isinstance(parsed, dict) else None
            path = locate(parent, path.parent) if isinstance(parent, str) else None
    except (OSError, UnicodeDecodeError, UnsafeFile, SpecError):
        return None
    return tuple(out)


def _verify(sources: tuple[SourceFile, ...]) -> tuple[SourceFile, ...] | None:
    """The sources with current stamps if their content is unchanged; None otherwise."""
    from validator.safeio import UnsafeFile, read_regular

    fresh: list[SourceFile] = []
    for s in sources:
        if not isinstance(s, SourceFile) or not isinstance(s.path, str) or not isinstance(s.stamp, Stamp):
            return None
        taken = stamp_now(s.path, follow=True)
        if taken is None:
            return None
        stamp, seen_ns = taken
        if stamp == s.stamp and isinstance(s.seen_ns, int) and settled(stamp, s.seen_ns):
            fresh.append(s)
            continue
        try:
            digest = hashlib.sha256(read_regular(s.path, MAX_SOURCE_BYTES, follow=True)).hexdigest()
        except UnsafeFile:
            return None
        if digest != s.digest:
            return None
        fresh.append(SourceFile(s.path, stamp, seen_ns, digest))
    return tuple(fresh)


def plain(value: Any) -> Any:
    """``value`` with the YAML loader's marked dicts and lists made plain ones (unpickling it then
    needs neither PyYAML nor the loader); scalars as they are."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _canonical(value: Any) -> Any:
    """A deterministic form of YAML data (dicts sorted by key), for hashing."""
    if isinstance(value, dict):
        return ("map", tuple(sorted((repr(k), _canonical(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return ("seq", tuple(_canonical(v) for v in value))
    return (type(value).__name__, repr(value))
