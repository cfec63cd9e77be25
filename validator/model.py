"""The report model: small immutable records that every check produces and every format reads.

A defect is stored as a code plus parameters; its message is rendered in the reader's
language only at output time (see ``validator.messages``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Location:
    """Where inside a file: a PDF page, or a spreadsheet sheet/row/column/cell."""

    page: int | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # header name, or the column letter when there is no header
    cell: str | None = None  # A1-style reference

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def sort_key(self) -> tuple[Any, ...]:
        return (self.sheet or "", self.page or 0, self.row or 0, _column_order(self.cell), self.column or "")


def _column_order(cell: str | None) -> tuple[int, str]:
    if not cell:
        return (0, "")
    letters = "".join(ch for ch in cell if ch.isalpha())
    return (len(letters), letters)


@dataclass(frozen=True)
class Waived:
    """Why a defect is accepted on purpose: an entry of waivers.yaml (see ``validator.waivers``)."""

    reason: str
    approved_by: str
    expires: str  # ISO date, the last day the waiver holds
    source: str  # file:line:col of the entry

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Defect:
    """One problem found: a stable code, its severity, where it is and what the message needs."""

    code: str
    severity: Severity
    path: str  # relative POSIX path inside the package; "" for the folder itself
    params: Mapping[str, Any] = field(default_factory=dict)
    document: str | None = None  # the spec document id concerned
    location: Location | None = None
    waiver: Waived | None = None  # accepted on purpose: still reported, no longer counted

    def sort_key(self) -> tuple[Any, ...]:
        loc = self.location.sort_key() if self.location else ()
        return (self.path, loc, self.code, repr(sorted(self.params.items())))


@dataclass(frozen=True)
class PackageResult:
    """The outcome of checking one materials folder."""

    root: str
    spec: str
    defects: tuple[Defect, ...]
    files: int = 0  # files looked at
    client: Mapping[str, str] = field(default_factory=dict)
    documents: tuple[DocumentStatus, ...] = ()
    error: str | None = None  # set when the folder could not be checked at all

    def count(self, severity: Severity) -> int:
        """Defects of this severity that count (a waived defect does not)."""
        return sum(1 for d in self.defects if d.severity is severity and d.waiver is None)

    @property
    def waived(self) -> int:
        return sum(1 for d in self.defects if d.waiver is not None)

    @property
    def ready(self) -> bool:
        return self.error is None and self.count(Severity.ERROR) == 0


@dataclass(frozen=True)
class DocumentStatus:
    """Which files were taken as a spec document, for reports that list documents."""

    id: str
    title: str
    required: bool
    files: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """Every checked package of one run, with what the report formats print about the run."""

    packages: tuple[PackageResult, ...]
    lang: str = "zh"
    tool_version: str = ""
    generated_at: str = ""  # ISO timestamp; fixed in tests

    @property
    def defects(self) -> Iterable[Defect]:
        for p in self.packages:
            yield from p.defects

    def count(self, severity: Severity) -> int:
        return sum(p.count(severity) for p in self.packages)

    @property
    def waived(self) -> int:
        return sum(p.waived for p in self.packages)

    @property
    def ok(self) -> bool:
        return all(p.ready for p in self.packages)


def sorted_defects(defects: Iterable[Defect]) -> tuple[Defect, ...]:
    """One stable order for every output: folder-level first, then by file, place and code."""
    return tuple(sorted(defects, key=Defect.sort_key))
