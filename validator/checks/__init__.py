"""Checks: each module judges one family of facts against the spec and emits defects.

A check never raises for bad input and never stops at the first problem; it calls
`Context.emit` once per defect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from validator.codes import CODES
from validator.model import Defect, Location, Severity
from validator.spec.model import Spec


@dataclass
class Context:
    """What the checks of one package share, and where they put the defects they find."""

    spec: Spec
    values: dict[str, str]  # the client's variable values
    defects: list[Defect] = field(default_factory=list)
    _seen: set[tuple[Any, ...]] = field(default_factory=set)
    defaulted: frozenset[str] = field(init=False, default=frozenset())  # variables the spec filled
    #: A verdict that depends on this run's conditions (a parse stopped by the per-file deadline):
    #: not to be remembered by the incremental cache.
    unsettled: bool = False

    def __post_init__(self) -> None:
        # A variable the client left out takes the spec's default (`default:`, the spec's `year:`).
        defaults = self.spec.default_values
        if not defaults:  # most specs: nothing to fill
            return
        missing = {n: d for n, d in defaults.items() if not self.values.get(n)}
        if missing:
            self.values = {**self.values, **missing}
            self.defaulted = frozenset(missing)

    def emit(
        self,
        code: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        document: str | None = None,
        location: Location | None = None,
        severity: Severity | None = None,
    ) -> None:
        """Record one defect, at the severity the spec gives the code (or not at all)."""
        level = self.spec.level(code, severity or CODES[code].severity)
        if level is None:
            return
        params = dict(params or {})
        key = (code, path, location, document, repr(sorted(params.items())))
        if key in self._seen:
            return
        self._seen.add(key)
        self.defects.append(Defect(code, level, path, params, document, location))
