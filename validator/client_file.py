"""A materials folder's client.yaml: the client's values and the spec it names.

Read through `safeio` (a FIFO, a device, a link or a file over 1 MiB is a problem, never a
hang or a silent cut) and `yamlmarks.load_plain` (alias bombs and deep nesting are refused).
A spec the file names by path must lie inside the folder (or, in a batch, the batch root):
the tool never reads a file elsewhere on the disk because a client's file says so.
"""

from __future__ import annotations

import os
import re
from typing import Any

from validator.discovery import CLIENT_FILE

# client.yaml keys that configure the run rather than fill spec variables.
RESERVED_KEYS = frozenset({"spec", "specs"})
MAX_CLIENT_BYTES = 1 << 20
_SPEC_SUFFIXES = (".yaml", ".yml")
_LIST_SPLIT = re.compile(r"\s*[,;，；、]\s*")  # `specs: call-center, icp` in one string


class ClientProblem(str):
    """A problem text that also carries the defects to report for it, (code, params) each.
    A plain str problem is reported as V103 (client.yaml malformed)."""

    defects: tuple[tuple[str, dict[str, str]], ...]

    def __new__(cls, text: str, defects: list[tuple[str, dict[str, str]]]) -> ClientProblem:
        obj = super().__new__(cls, text)
        obj.defects = tuple(defects)
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (ClientProblem, (str(self), list(self.defects)))


def problem_defects(problem: str) -> list[tuple[str, dict[str, str]]]:
    """The (code, params) to report for a client.yaml problem."""
    defects = getattr(problem, "defects", None)
    if isinstance(defects, tuple) and all(
        isinstance(d, tuple) and len(d) == 2 and isinstance(d[0], str) and isinstance(d[1], dict) for d in defects
    ):
        return list(defects)
    return [("V103", {"detail": str(problem)})]


def read_client_file(root: str) -> tuple[dict[str, Any], str | None]:
    """Values from ROOT/client.yaml (absent: none); the second item is a problem text.

    `spec`/`specs` come back as built-in ids or absolute paths of spec files inside ROOT; a path
    elsewhere is dropped and named in the problem (its file is not read).
    """
    values, problem, outside = read_client_values(root)
    if outside:
        refused = f"spec {', '.join(outside)} lies outside the client's folder; it was not read"
        defects = problem_defects(problem) if problem else []
        defects += [("L208", {"source": CLIENT_FILE, "spec": ref}) for ref in outside]
        problem = ClientProblem(f"{problem}; {refused}" if problem else refused, defects)
    return values, problem


class ParseMemo:
    """client.yaml contents parsed before, by the sha256 of their bytes (a batch keeps them in its
    cache): a re-run reads every client.yaml (a few hundred bytes) but parses - and imports PyYAML
    for - only those that changed. Only what parses is kept, as plain dicts, lists and scalars;
    ``used`` is what this run needed (what is worth keeping for the next)."""

    def __init__(self, known: dict[str, Any] | None = None):
        self.known = known or {}
        self.used: dict[str, Any] = {}

    def parse(self, raw: bytes) -> Any:
        """``load_marked(_decoded(raw))`` (same exceptions), from the memo when it knows ``raw``."""
        import hashlib

        key = hashlib.sha256(raw).hexdigest()
        if key in self.known:
            data = self.used[key] = self.known[key]
            return data
        data = _parse(raw)
        if plain_data(data):
            from validator.spec_cache import plain

            self.used[key] = plain(data)
        return data


_SCALARS = (str, int, float, bool, type(None))


def plain_data(data: Any, depth: int = 0) -> bool:
    """Made of what a parsed client.yaml may hold and unpickling needs no PyYAML for (a memo
    entry that is not is ignored); the date types are checked by name (no datetime import)."""
    if depth > 50:
        return False
    if isinstance(data, dict):
        return all(type(k) is str and plain_data(v, depth + 1) for k, v in data.items())
    if isinstance(data, list):
        return all(plain_data(v, depth + 1) for v in data)
    kind = type(data)
    return kind in _SCALARS or (kind.__module__ == "datetime" and kind.__name__ in ("date", "datetime"))


def _parse(raw: bytes) -> Any:
    from validator.spec.yamlmarks import load_marked

    return load_marked(_decoded(raw), CLIENT_FILE)


def read_client_values(root: str, spec_roots: tuple[str, ...] = (), memo: ParseMemo | None = None,
                       ) -> tuple[dict[str, Any], str | None, list[str]]:
    """`read_client_file`, with the spec references that lie outside ROOT and `spec_roots`
    returned apart (dropped from the values, not read). ``memo``: parses of earlier runs."""
    from validator.safeio import UnsafeFile, describe, read_regular, reason_params

    path = os.path.join(root, CLIENT_FILE)
    try:
        raw = read_regular(path, MAX_CLIENT_BYTES) if not os.path.isfile(root) else _from_zip(root)
    except UnsafeFile as exc:
        if exc.reason == "missing":
            return {}, None, []
        text = f"{CLIENT_FILE} is {describe(exc, MAX_CLIENT_BYTES)}; it was not read"
        return {}, ClientProblem(text, [("V105", reason_params(exc, MAX_CLIENT_BYTES))]), []
    try:  # marked: a key written twice is a problem, not a silent last-one-wins
        data: Any = memo.parse(raw) if memo is not None else _parse(raw)
    except UnicodeDecodeError as exc:
        return {}, f"not UTF-8 text (byte {exc.start})", []
    except Exception as exc:
        from validator.spec.yamlmarks import SpecError  # loaded by now: only a parse raises it

        if not isinstance(exc, SpecError):
            raise
        return {}, str(exc).replace("\n", " ")[:300], []
    if data is None:
        return {}, None, []
    if not isinstance(data, dict):
        return {}, "not a mapping of names to values", []
    values: dict[str, Any] = {}
    bad: list[str] = []
    outside: list[str] = []
    for key, value in data.items():
        if str(key) in RESERVED_KEYS:
            items = value if isinstance(value, list) else _LIST_SPLIT.split(str(value or "").strip())
            refs = _confined(items, root, (root, *spec_roots), outside)
            if refs:
                values[str(key)] = refs if isinstance(value, list) or len(refs) > 1 else refs[0]
        elif isinstance(value, dict | list):
            bad.append(str(key))
        elif value is not None:
            values[str(key)] = str(value).strip()
    return values, (f"nested values for: {', '.join(bad)}" if bad else None), outside


def _decoded(raw: bytes) -> str:
    """UTF-8 (BOM or not); UTF-16 with its BOM (Notepad's "Unicode"); else GB18030, which Notepad
    on Chinese Windows saves as "ANSI". Strict: bytes valid in none is UnicodeDecodeError."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            raise exc from None


def _from_zip(archive: str) -> bytes:
    """client.yaml at the root of a zipped pack (raises UnsafeFile like read_regular)."""
    from validator.packsource import client_file_bytes
    from validator.safeio import UnsafeFile

    try:
        raw = client_file_bytes(archive, MAX_CLIENT_BYTES)
    except OSError as exc:
        raise UnsafeFile(archive, "unreadable", exc.strerror or str(exc)) from None
    if raw is None:
        raise UnsafeFile(archive, "missing")
    if len(raw) > MAX_CLIENT_BYTES:
        raise UnsafeFile(archive, "too_large", f"{len(raw)} bytes", size=len(raw))
    return raw


class SpecRef(str):
    """A spec path a client's file named, with the folders its `extends` chain must stay in
    (the loader refuses a parent elsewhere, so a client's spec cannot pull in a foreign file)."""

    roots: tuple[str, ...]

    def __new__(cls, path: str, roots: tuple[str, ...]) -> SpecRef:
        obj = super().__new__(cls, path)
        obj.roots = tuple(roots)
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (SpecRef, (str(self), self.roots))


def inside(path: str, roots: tuple[str, ...]) -> bool:
    """`path` (links resolved) lies in one of `roots`."""
    real = os.path.realpath(path)
    for root in roots:
        top = os.path.realpath(root)
        try:
            if os.path.commonpath([top, real]) == top:
                return True
        except ValueError:  # another drive
            continue
    return False


def _confined(items: list[Any], base: str, roots: tuple[str, ...], outside: list[str]) -> list[str]:
    out = []
    for item in items:
        if item is None or isinstance(item, dict | list):
            continue
        ref = str(item).strip()
        if not ref:
            continue
        try:
            out.append(confine_spec_ref(ref, base, roots))
        except OutsideRef:
            outside.append(ref)
    return out


def is_spec_path(ref: str) -> bool:
    """A spec reference names a file (has a YAML suffix or a slash) rather than a built-in id."""
    return ref.endswith(_SPEC_SUFFIXES) or "/" in ref or "\\" in ref


class OutsideRef(Exception):
    """A client-supplied spec path that lies outside the folders it may name."""

    def __init__(self, ref: str):
        self.ref = ref
        super().__init__(ref)


def confine_spec_ref(ref: str, base: str, roots: tuple[str, ...]) -> str:
    """A client-supplied spec reference: a built-in id as it is, a path made absolute against
    `base` if it lies inside one of `roots` (links resolved); else raises OutsideRef. Nothing
    is read here."""
    if not is_spec_path(ref):
        return ref
    if ref.startswith("~"):
        raise OutsideRef(ref)
    path = os.path.abspath(os.path.join(base, ref))
    if inside(path, roots):
        return SpecRef(path, roots)
    raise OutsideRef(ref)


def client_spec(root: str) -> tuple[str | None, str | None]:
    """The spec a folder's client.yaml names (`spec: call-center`), if any, as a built-in id or
    the absolute path of a spec file inside the folder; and the file's problem text."""
    values, problem = read_client_file(root)
    ref = values.get("spec")
    return (ref if isinstance(ref, str) and ref else None), problem


def client_spec_ref(root: str) -> str | None:
    return client_spec(root)[0]
