"""Which folders under a batch root are clients, and each client's values and specs.

Every directory directly under ROOT is one client (hidden folders, ``_``-prefixed ones and
``__MACOSX`` excepted). A client's data come from two places, either or both:

* ``FOLDER/client.yaml``: ``company: …``, ``uscc: …``, ``spec: call-center`` or
  ``specs: [call-center, icp]``;
* a registry at ``ROOT/clients.xlsx`` (else ``ROOT/clients.csv``): one row per client with the
  columns ``folder, company, uscc, licence_no, specs`` and any other spec variable (Chinese
  headers such as 文件夹, 公司全称, 统一社会信用代码 are accepted too).

A value both give differently is a defect (L201) and client.yaml wins, because it travels with
the files. A registry row without its folder (L202), a folder in neither (L203) and a registry
that cannot be used (L205) are reported as well; none of them stops the run.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from validator.client_file import OutsideRef, ParseMemo, SpecRef, confine_spec_ref, read_client_values
from validator.discovery import ALWAYS_SKIPPED_DIRS, CLIENT_FILE
from validator.model import Location

REGISTRY_NAMES = ("clients.xlsx", "clients.csv")
_MAX_REGISTRY_BYTES = 20 * 1024 * 1024
_SPEC_SPLIT = re.compile(r"[,;，；、\s]+")

# Registry headers people actually write -> the names used here.
_HEADER_ALIASES = {
    "folder": "folder", "文件夹": "folder", "客户文件夹": "folder", "目录": "folder",
    "company": "company", "公司全称": "company", "公司名称": "company", "企业名称": "company",
    "uscc": "uscc", "统一社会信用代码": "uscc", "信用代码": "uscc",
    "licence_no": "licence_no", "license_no": "licence_no", "经营许可证编号": "licence_no",
    "许可证编号": "licence_no",
    "specs": "specs", "spec": "specs", "规范": "specs",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Note:
    """A defect found before the client's spec is known; emitted later at the spec's severity."""

    code: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Client:
    """One client folder of a batch: its values, its specs and what was noted on reading them."""

    name: str  # folder name (NFC): the client's key in every report
    root: str  # absolute folder path
    yaml_values: dict[str, str] = field(default_factory=dict)
    registry_values: dict[str, str] = field(default_factory=dict)
    specs: tuple[str, ...] = ()  # spec references, resolved to ids or absolute paths
    client_problem: str | None = None  # client.yaml could not be used (V103)
    notes: tuple[Note, ...] = ()
    exists: bool = True  # False: a registry row without a folder, or the registry itself

    def values(self, known: Iterable[str]) -> dict[str, str]:
        """Registry values for the spec's variables, overridden by client.yaml's."""
        wanted = set(known)
        merged = {k: v for k, v in self.registry_values.items() if k in wanted and v}
        merged.update(self.yaml_values)
        return merged


@dataclass(frozen=True, slots=True)
class RegistryRow:
    """One row of the batch registry (clients.xlsx / clients.csv)."""

    row: int  # 1-based line (csv) or Excel row (xlsx)
    folder: str
    values: dict[str, str]
    specs: tuple[str, ...]
    refused: tuple[str, ...] = ()  # spec paths outside the batch root (not read)


@dataclass
class Registry:
    """The batch registry as read: its rows by folder, and what was wrong with it."""

    path: str | None = None
    rows: dict[str, RegistryRow] = field(default_factory=dict)  # by NFC folder name
    problem: str | None = None  # the whole file could not be used
    duplicates: list[tuple[RegistryRow, int]] = field(default_factory=list)  # (row, first row)

    @property
    def name(self) -> str:
        return os.path.basename(self.path) if self.path else ""


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def split_specs(value: Any) -> tuple[str, ...]:
    """`call-center`, `call-center, icp`, `[call-center, icp]` -> ('call-center', 'icp')."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, SpecRef):  # a confined path: kept whole, with its roots
            if item not in out:
                out.append(item)
            continue
        for ref in _SPEC_SPLIT.split(str(item or "").strip()):
            if ref and ref not in out:
                out.append(ref)
    return tuple(out)


def resolve_spec_ref(ref: str, base: str) -> str:
    """Built-in ids stay as they are; a spec file is made absolute (relative to the file naming it)
    so a worker on another machine or in another directory finds the same file."""
    if not (ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref):
        return ref
    path = os.path.expanduser(ref)
    if os.path.isabs(path):
        return path
    near = os.path.join(base, path)
    return os.path.abspath(near if os.path.exists(near) else path)


def client_folders(root: str) -> list[str]:
    """Names of the client folders directly under root, and of client packs zipped beside them
    (``北京示例.zip``, checked as the folder it stands for), sorted (links are not followed)."""
    from validator.packsource import is_zip_package

    names = []
    with os.scandir(root) as it:
        for entry in it:
            if entry.name.startswith((".", "_")) or entry.name in ALWAYS_SKIPPED_DIRS:
                continue
            if entry.is_dir(follow_symlinks=False) or (
                entry.name.lower().endswith(".zip") and entry.is_file(follow_symlinks=False)
                and is_zip_package(entry.path)
            ):
                names.append(entry.name)
    return sorted(names, key=nfc)


def client_name(entry_name: str) -> str:
    """The client a folder or a zipped pack stands for: ``北京示例.zip`` is client 北京示例."""
    return entry_name[:-4] if entry_name.lower().endswith(".zip") else entry_name


def discover(root: str, memo: ParseMemo | None = None) -> list[Client]:
    """Every client under root, plus pseudo-clients for registry rows without a folder and
    for a registry that cannot be used; sorted by name. ``memo``: client.yaml files parsed before."""
    root = os.path.abspath(root)
    registry = read_registry(root)
    clients: list[Client] = []
    seen: set[str] = set()
    for name in client_folders(root):
        key = nfc(client_name(name))
        seen.add(key)
        clients.append(_client(root, name, registry, memo))
    registry_name = registry.name
    for key, row in registry.rows.items():
        if key not in seen:
            note = Note(
                "L202", "", {"registry": registry_name, "row": row.row, "folder": row.folder}, Location(row=row.row)
            )
            clients.append(
                Client(
                    key,
                    f"{root}{os.sep}{row.folder}",  # never checked; not os.path.join: a cell "/etc" stays under root
                    registry_values=row.values,
                    specs=row.specs,
                    notes=(note,),
                    exists=False,
                )
            )
    if registry.problem is not None:
        note = Note("L205", registry.name, {"registry": registry.name, "detail": registry.problem})
        clients.append(Client(registry.name, registry.path or root, notes=(note,), exists=False))
    return sorted(_unique_names(clients), key=lambda c: c.name)


def _unique_names(clients: list[Client]) -> list[Client]:
    """Names fit for reports: a folder name with bytes that are not UTF-8 (a zip made on Chinese
    Windows) shows U+FFFD where they were, and two names that then look alike get (2), (3)…
    The client's root keeps the real path."""
    from validator.checks.naming import display_name

    taken: set[str] = set()
    out = []
    for client in sorted(clients, key=lambda c: c.name):
        shown = base = display_name(client.name)
        n = 1
        while shown in taken:
            n += 1
            shown = f"{base} ({n})"
        taken.add(shown)
        out.append(client if shown == client.name else dataclasses.replace(client, name=shown))
    return out


def _client(root: str, name: str, registry: Registry, memo: ParseMemo | None = None) -> Client:
    folder = os.path.join(root, name)
    raw, problem, outside = read_client_values(folder, (root,), memo)
    has_yaml = os.path.lexists(os.path.join(folder, CLIENT_FILE)) or (os.path.isfile(folder) and _zip_has_yaml(folder))
    name = client_name(name)
    yaml_specs = split_specs(raw.pop("spec", None) or raw.pop("specs", None))
    raw.pop("specs", None)
    yaml_values = {k: str(v) for k, v in raw.items()}
    row = registry.rows.get(nfc(name))
    notes: list[Note] = [_outside(ref, CLIENT_FILE) for ref in outside]
    if row is not None:
        notes.extend(_outside(ref, registry.name, row.row) for ref in row.refused)
    for dup, first in registry.duplicates:
        if nfc(dup.folder) == nfc(name):
            notes.append(
                Note(
                    "L206",
                    "",
                    {"registry": registry.name, "row": dup.row, "folder": dup.folder, "first_row": first},
                    Location(row=dup.row),
                )
            )
    if row is None and not has_yaml:
        notes.append(Note("L203", ""))
    specs = yaml_specs
    registry_values: dict[str, str] = {}
    if row is not None:
        registry_values = row.values
        notes.extend(_mismatches(registry, row, yaml_values, yaml_specs))
        specs = yaml_specs or row.specs
    return Client(nfc(name), folder, yaml_values, registry_values, specs, problem, tuple(notes))


def load_memo(root: str) -> ParseMemo:
    """The client.yaml parses kept from the last cached run over ``root`` (``batch --cache``)."""
    from validator.cache import load_blob
    from validator.client_file import plain_data

    path = _memo_path(root)
    known = load_blob(path) if path is not None else None
    if not (isinstance(known, dict) and all(isinstance(k, str) and plain_data(v) for k, v in known.items())):
        known = None  # damaged or not ours: parse everything
    return ParseMemo(known)


def save_memo(root: str, memo: ParseMemo) -> None:
    """Keep what this run parsed or used (nothing is written when that is what was loaded)."""
    from validator.cache import write_blob

    path = _memo_path(root)
    if path is not None and memo.used != memo.known:
        write_blob(path, memo.used)


def _memo_path(root: str) -> Any:
    from validator.cache import folder_file, usable_dir

    directory = usable_dir(root)
    return None if directory is None else folder_file(directory, "batches", root)


def _zip_has_yaml(archive: str) -> bool:
    from validator.packsource import client_file_bytes

    try:
        return client_file_bytes(archive, 0) is not None
    except OSError:
        return True  # there is one, unreadable: read_client_values reported it


def _outside(ref: str, source: str, row: int | None = None) -> Note:
    """A spec path a client's file or registry row names outside the batch root: not read."""
    path = CLIENT_FILE if source == CLIENT_FILE else ""  # the registry lies outside the client's folder
    return Note("L208", path, {"source": source, "spec": ref}, Location(row=row) if row else None)


def _mismatches(
    registry: Registry, row: RegistryRow, yaml_values: dict[str, str], yaml_specs: tuple[str, ...]
) -> list[Note]:
    from validator.checks.documents import values_differ

    notes = []
    where = Location(row=row.row)
    base = {"registry": registry.name, "row": row.row}
    for key in sorted(set(yaml_values) & set(row.values)):
        mine, theirs = yaml_values[key], row.values[key]
        if mine and theirs and values_differ(mine, theirs):
            notes.append(
                Note(
                    "L201",
                    CLIENT_FILE,
                    {**base, "name": key, "title": key, "yaml_value": mine, "registry_value": theirs},
                    where,
                )
            )
    if yaml_specs and row.specs and set(yaml_specs) != set(row.specs):
        notes.append(
            Note(
                "L201",
                CLIENT_FILE,
                {
                    **base,
                    "name": "specs",
                    "title": "specs",
                    "yaml_value": ", ".join(yaml_specs),
                    "registry_value": ", ".join(row.specs),
                },
                where,
            )
        )
    return notes


# --- the registry file ------------------------------------------------------------------------


def read_registry(root: str) -> Registry:
    for name in REGISTRY_NAMES:
        path = os.path.join(root, name)
        if os.path.lexists(path):
            import csv  # here, not at import: most batch roots have no registry

            if not os.path.isfile(path):  # a FIFO or device would hang or never end
                return Registry(path, problem=_not_regular(path))
            try:
                table = _read_xlsx(path) if name.endswith(".xlsx") else _read_csv(path)
                return _registry_from_table(path, table)
            except RegistryError as exc:
                return Registry(path, problem=str(exc))
            except csv.Error as exc:
                return Registry(path, problem=f"not a CSV table: {exc}")
    return Registry()


def _not_regular(path: str) -> str:
    from validator.safeio import UnsafeFile, describe, read_regular

    try:
        read_regular(path, 0, follow=True)  # opens non-blocking, reads nothing: says what it is
    except UnsafeFile as exc:
        return describe(exc)
    return "not a regular file"


class RegistryError(Exception):
    pass


def _read_csv(path: str) -> Iterator[tuple[int, list[str]]]:
    """The rows, one at a time (a registry of 100,000 rows never exists twice in memory)."""
    from validator.safeio import UnsafeFile, describe, read_regular

    try:
        raw = read_regular(path, _MAX_REGISTRY_BYTES, follow=True)
    except UnsafeFile as exc:
        raise RegistryError(describe(exc, _MAX_REGISTRY_BYTES)) from None
    text = decode_lines(raw)
    import csv

    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    return ((i, [c.strip() for c in r]) for i, r in enumerate(rows, start=1))  # csv.Error: read_registry


def _delimiter(text: str) -> str:
    """`,` unless the header line has none and has `;` (Excel in many locales) or a tab (Excel's
    "Unicode text"): such a file is otherwise one column and every client reads as missing."""
    header = text[:text.find("\n")] if "\n" in text else text
    if "," in header:
        return ","
    return max(";\t", key=header.count) if (";" in header or "\t" in header) else ","


def decode_lines(raw: bytes) -> str:
    """UTF-8 text (BOM dropped), each line that is not UTF-8 decoded as GB18030: Excel on
    Chinese Windows saves CSV as GBK, and a file pasted together from both keeps every row.
    (A newline byte never occurs inside a UTF-8 or GB18030 character, so splitting is safe.)"""
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its BOM: Excel's "Unicode text"
        return raw.decode("utf-16", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    out = []
    for line in raw.split(b"\n"):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("gb18030", "replace"))
    return "\n".join(out)


def _read_xlsx(path: str) -> list[tuple[int, list[str]]]:
    from validator.readers.xlsx import SheetError, display, read_sheet

    try:
        data = read_sheet(path, None, header_row=1)
    except SheetError as exc:
        raise RegistryError(f"{exc.key}: {exc.detail}" if exc.detail else exc.key) from None
    table = [(1, list(data.header))]
    for row_no, values in data.iter_rows():
        table.append((row_no, ["" if v is None else display(v).strip() for v in values]))
    return table


def _registry_from_table(path: str, table: Iterable[tuple[int, list[str]]]) -> Registry:
    registry = Registry(path)
    rows = iter(table)
    head = next(rows, None)
    if head is None:
        registry.problem = "empty file"
        return registry
    header_row, header = head
    keys = [_HEADER_ALIASES.get(h.strip().lower(), _HEADER_ALIASES.get(h.strip(), h.strip())) for h in header]
    if "folder" not in keys:
        registry.problem = f"no `folder` column in row {header_row} (found: {', '.join(h for h in header if h)})"
        return registry
    base = os.path.dirname(path)
    for row_no, cells in rows:
        record = {k: (cells[i] if i < len(cells) else "") for i, k in enumerate(keys) if k}
        folder = record.pop("folder", "").strip().strip("/\\")
        if not folder:
            continue  # blank line, or a note under the table
        specs: list[str] = []
        refused: list[str] = []
        for ref in split_specs(record.pop("specs", "")):
            try:
                specs.append(confine_spec_ref(ref, base, (base,)))
            except OutsideRef:
                refused.append(ref)
        row = RegistryRow(row_no, folder, {k: v for k, v in record.items() if v}, tuple(specs), tuple(refused))
        first = registry.rows.get(nfc(folder))
        if first is not None:
            registry.duplicates.append((row, first.row))
        else:
            registry.rows[nfc(folder)] = row
    return registry
