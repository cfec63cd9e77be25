"""The resolved spec as typed, immutable objects the checks read."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from validator.model import Severity

_UNITS = {"": 1, "B": 1, "KB": 1024, "KIB": 1024, "MB": 1024**2, "MIB": 1024**2,
          "GB": 1024**3, "GIB": 1024**3}


def parse_size(value: int | str) -> int:
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", value)
    if not m or m.group(2).upper() not in _UNITS:
        raise ValueError(f"not a size: {value!r}")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def human_size(n: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= factor:
            return f"{n / factor:.1f}".rstrip("0").rstrip(".") + " " + unit
    return f"{n} B"


@dataclass(frozen=True)
class CountRange:
    """How many files a document may have (``1``, ``0+``, ``2-5``)."""

    min: int
    max: int | None  # None: no upper bound

    @classmethod
    def parse(cls, value: int | str) -> CountRange:
        if isinstance(value, int):
            return cls(value, value)
        text = value.replace(" ", "")
        if text.endswith("+"):
            return cls(int(text[:-1]), None)
        if "-" in text:
            lo, hi = text.split("-", 1)
            return cls(int(lo), int(hi))
        return cls(int(text), int(text))

    def __contains__(self, n: object) -> bool:
        return isinstance(n, int) and n >= self.min and (self.max is None or n <= self.max)

    def __str__(self) -> str:
        if self.max is None:
            return f"{self.min}+"
        return str(self.min) if self.min == self.max else f"{self.min}-{self.max}"


@dataclass(frozen=True)
class VariableSpec:
    """A client value the spec uses (company, licence number…) and how it is checked."""

    name: str
    title: str
    required: bool = False
    type: str | None = None
    pattern: str | None = None
    default: str | None = None  # used when the client gives no value


@dataclass(frozen=True)
class NamingRules:
    """The spec's rules for every file and folder name."""

    max_length: int | None = None
    max_path_length: int | None = None
    platform: str | None = None
    forbid: frozenset[str] = frozenset()
    extension_case: str = "lower"


@dataclass(frozen=True)
class ColumnSpec:
    """One column a sheet must or may have, and the rules for its cells."""

    name: str
    type: str | None = None
    required: bool = False
    unique: bool = False
    enum: tuple[Any, ...] = ()
    pattern: str | None = None
    min: float | None = None
    max: float | None = None


# --- cross-field rules (`rules:`; evaluated by validator.checks.rules) ---------------

#: The closed vocabularies of the spec: the schema (validator.spec.schema) takes its word lists
#: from these, and mypy checks every comparison the checks make against them.
RuleKind = Literal["require", "expect", "count", "ip_ranges", "require_documents"]
Operator = Literal["equals", "not_equals", "in", "not_in", "matches", "filled", "min", "max"]
SeverityName = Literal["error", "warning", "info"]
ColumnOrder = Literal["strict", "any"]
ExtraColumns = Literal["error", "warning", "ignore"]


@dataclass(frozen=True)
class Condition:
    """A test on one row (sheet rules) or on the client's values.

    A leaf names a subject, `column` or `variable`, and one or more operators, all of
    which must hold; `all`/`any`/`negate` combine conditions. Operand strings may hold
    `{variable}` placeholders.
    """

    column: str | None = None
    variable: str | None = None
    ops: tuple[tuple[Operator, Any], ...] = ()  # (operator, operand): equals, in, matches, filled, min…
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()
    negate: Condition | None = None

    def walk(self) -> Iterator[Condition]:
        yield self
        for sub in (*self.all, *self.any, *((self.negate,) if self.negate else ())):
            yield from sub.walk()


@dataclass(frozen=True)
class RuleSpec:
    """One cross-field rule: rows (or the package) where `when` holds must meet the assertion.

    Exactly one assertion is set: `require` (columns), `expect` (a condition), `count_min`/
    `count_max` (`count:`; a number or a `{variable}`), `ip_ranges` (start and end column),
    `documents` (`require_documents:`, package rules only).
    """

    id: str
    kind: RuleKind
    title: str = ""
    title_en: str = ""
    description: str = ""
    severity: SeverityName | None = None  # None: the code's default
    when: Condition | None = None
    require: tuple[str, ...] = ()
    expect: Condition | None = None
    count_min: float | str | None = None  # a number, or "{variable}"
    count_max: float | str | None = None
    ip_ranges: tuple[str, str] | None = None
    documents: tuple[str, ...] = ()

    def columns(self) -> tuple[str, ...]:
        """Every column the rule reads, in first-use order."""
        names: list[str] = []
        conds = [c for c in (self.when, self.expect) if c is not None]
        for cond in conds:
            names.extend(c.column for c in cond.walk() if c.column)
        names.extend(self.require)
        names.extend(self.ip_ranges or ())
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class SheetSpec:
    """Where a workbook's table is and which columns it has."""

    name: str | None
    header_row: int
    columns: tuple[ColumnSpec, ...]
    order: ColumnOrder = "strict"
    extra_columns: ExtraColumns = "error"
    min_rows: int | None = None
    max_rows: int | None = None
    rules: tuple[RuleSpec, ...] = ()  # cross-field rules over the rows


@dataclass(frozen=True)
class PdfSpec:
    """What a PDF document must be (encryption, page count)."""

    encrypted: bool | None = None
    pages: CountRange | None = None


@dataclass(frozen=True)
class NamePattern:
    """A document's file-name rule, compiled once.

    ``shape`` recognises the document: each variable slot may hold any value its variable's
    own type or pattern allows (``slots``). ``filled(values)`` is the same pattern where a
    slot first tries the client's own value and only then captures whatever the slot allows,
    so ``04_审计报告_{year}*.pdf`` reads 2025 (not 2) in ``04_审计报告_2025_定稿.pdf``.
    """

    source: str  # as written in the spec
    shape: re.Pattern[str]
    variables: tuple[str, ...]
    keywords: tuple[str, ...]  # literal words used to recognise a badly named file
    is_regex: bool = False
    pieces: tuple[tuple[str, str], ...] = ()  # ("literal", regex) or ("slot", variable), in order
    slots: tuple[tuple[str, str], ...] = ()  # (variable, regex of what its slot may hold)
    titles: tuple[tuple[str, str], ...] = ()  # (variable, title) for messages

    def filled(self, values: Mapping[str, str]) -> re.Pattern[str]:
        """The pattern with the client's values tried first in their slots."""
        if self.is_regex or not self.variables:
            return self.shape
        return _filled(self, tuple(str(values.get(v) or "") for v in self.variables))

    def missing(self, values: Mapping[str, str]) -> tuple[str, ...]:
        """The pattern's variables the client gave no value for."""
        return tuple(v for v in self.variables if not values.get(v))

    def display(self, values: Mapping[str, str]) -> str:
        """The name to write: client values filled in, ``<title>`` where a value is missing
        (never a raw ``{placeholder}``)."""
        if self.is_regex:
            return self.source
        titles = dict(self.titles)

        def fill(m: re.Match[str]) -> str:
            name = m.group(1).strip()
            return str(values.get(name) or "") or f"<{titles.get(name, name)}>"

        return _PLACEHOLDER.sub(fill, self.source)


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@functools.lru_cache(maxsize=512)
def _filled(pattern: NamePattern, given: tuple[str, ...]) -> re.Pattern[str]:
    value_of = {v: unicodedata.normalize("NFC", g.strip()) for v, g in zip(pattern.variables, given, strict=True)}

    def own_value_first(variable: str, slot: str) -> str:
        value = value_of[variable]
        return f"(?i:{loose_literal(value)})|{slot}" if value else slot

    return re.compile(render_pieces(pattern.pieces, pattern.slots, fill=own_value_first), re.DOTALL)


def _slot_itself(variable: str, slot: str) -> str:
    return slot


def _variable_itself(variable: str, k: int) -> str:
    return variable


def render_pieces(
    pieces: Sequence[tuple[str, str]],
    slots: Sequence[tuple[str, str]],
    fill: Callable[[str, str], str] = _slot_itself,
    group: Callable[[str, int], str] | None = _variable_itself,
) -> str:
    """A name pattern's pieces as the text of one regex: each literal as it is; the first slot of
    a variable as a named group (``group(variable, k)``, k counting the variables) around
    ``fill(variable, the slot's regex)``, and its repeats as a back-reference to that group.
    ``group=None``: no groups, every slot (repeats too) is its ``fill``. The loader's shape, the
    client's filled pattern and the documents' combined regex and skeleton all come from here."""
    slot_of = dict(slots)
    parts: list[str] = []
    named: dict[str, str] = {}
    for kind, text in pieces:
        if kind == "literal":
            parts.append(text)
        elif group is None:
            parts.append(fill(text, slot_of[text]))
        elif text in named:
            parts.append(f"(?P={named[text]})")
        else:
            named[text] = group(text, len(named))
            parts.append(f"(?P<{named[text]}>{fill(text, slot_of[text])})")
    return "".join(parts)


def _width_twins(ch: str) -> str:
    """A character and its full-/half-width twin (Ａ/A, （/(, U+3000/space), if it has one."""
    code = ord(ch)
    if 0x21 <= code <= 0x7E:
        return ch + chr(code + 0xFEE0)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0) + ch
    if ch in (" ", "\u3000"):
        return " \u3000"
    return ch


def loose_literal(text: str) -> str:
    """A regex for ``text`` that accepts each character in either width: names are matched
    after full-width forms are folded (when the spec forbids them), patterns and values may
    be written in either."""
    out = []
    for ch in text:
        twins = _width_twins(ch)
        out.append(re.escape(ch) if len(twins) == 1 else "[" + "".join(re.escape(c) for c in twins) + "]")
    return "".join(out)


@dataclass(frozen=True)
class DocumentSpec:
    """One document the spec asks for: its name pattern, count, types and content rules."""

    id: str
    title: str
    pattern: NamePattern
    required: bool = True
    count: CountRange = CountRange(1, 1)
    types: tuple[str, ...] = ()
    max_size: int | None = None
    min_size: int | None = None
    pdf: PdfSpec | None = None
    sheet: SheetSpec | None = None
    description: str = ""
    unpack: bool = False  # a zip for this document is opened and its files checked too
    counterparty: bool = False  # its name may carry the contract's other party: no L101 by shape there


@dataclass(frozen=True)
class Spec:
    """A resolved spec: the documents and variables a package is checked against."""

    id: str
    title: str
    documents: tuple[DocumentSpec, ...]
    variables: dict[str, VariableSpec] = field(default_factory=dict)
    naming: NamingRules = NamingRules()
    ignore: tuple[str, ...] = ()
    unexpected_files: str = "error"
    severity: dict[str, str] = field(default_factory=dict)  # code -> level or "ignore"
    version: str = ""
    year: int | None = None
    licence: str = ""
    description: str = ""
    rules: tuple[RuleSpec, ...] = ()  # package-level rules (client values, documents)
    source: str = ""  # file it was loaded from
    chain: tuple[str, ...] = ()  # ids of the specs it extends, nearest first
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # merged data

    def defaults(self) -> dict[str, str]:
        """The value each variable takes when the client gives none."""
        return dict(self.default_values)

    @functools.cached_property
    def default_values(self) -> dict[str, str]:
        """``defaults()``, worked out once: every file's check context asks (read only)."""
        return {n: v.default for n, v in self.variables.items() if v.default is not None}

    def document(self, doc_id: str) -> DocumentSpec | None:
        return next((d for d in self.documents if d.id == doc_id), None)

    def level(self, code: str, default: Severity) -> Severity | None:
        """The severity a code has under this spec; None when the spec ignores it."""
        level = self.severity.get(code)
        if level is None:  # a prefix such as "N" or "X11" covers a family (longest wins)
            prefixes = [k for k in self.severity if code.startswith(k)]
            level = self.severity[max(prefixes, key=len)] if prefixes else None
        if level is None:
            return default
        return None if level == "ignore" else Severity(level)

    @property
    def needs_pdf(self) -> bool:
        return any(d.pdf is not None for d in self.documents)

    @property
    def needs_sheets(self) -> bool:
        return any(d.sheet is not None for d in self.documents)
