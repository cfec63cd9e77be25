"""The roll-up (one row per client: ready or not, counts by severity, missing documents) and the
comparison with an earlier report (``--since PREVIOUS.json``: each defect new or still open,
and the defects fixed since).

A defect is "the same" across runs when its code, file, place in the file and parameters are
the same (the message is not compared: it depends on the language).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from validator.formats.common import missing_titles
from validator.model import PackageResult, Severity
from validator.safeio import UnsafeFile, read_regular


@dataclass(frozen=True)
class Changes:
    """What changed for one client since an earlier report (``--since``)."""

    new: int = 0
    open: int = 0
    fixed: tuple[dict[str, Any], ...] = ()  # the earlier report's defects that are gone

    def as_dict(self) -> dict[str, Any]:
        return {"new": self.new, "open": self.open, "fixed": len(self.fixed), "fixed_defects": list(self.fixed)}


@dataclass(frozen=True)
class RollupRow:
    """One client's line in the batch roll-up."""

    client: str
    company: str
    spec: str
    ready: bool
    files: int
    counts: dict[str, int]  # severity -> defects that count; "waived" -> waived defects (when any)
    missing: tuple[str, ...]  # titles of the required documents not found
    error: str | None = None
    changes: Changes | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "client": self.client,
            "company": self.company,
            "spec": self.spec,
            "ready": self.ready,
            "files": self.files,
            "counts": dict(self.counts),
            "missing": list(self.missing),
            "error": self.error,
        }
        if self.changes is not None:
            out["since"] = {"new": self.changes.new, "open": self.changes.open, "fixed": len(self.changes.fixed)}
        return out


def client_name(package: PackageResult) -> str:
    return os.path.basename(package.root.rstrip("/\\")) or package.root


def rollup_row(name: str, package: PackageResult, changes: Changes | None = None) -> RollupRow:
    counts = {s.value: 0 for s in Severity}
    for d in package.defects:
        if d.waiver is None:
            counts[d.severity.value] += 1
    if package.waived:  # accepted on purpose (waivers.yaml): shown apart, never as errors
        counts["waived"] = package.waived
    return RollupRow(
        name,
        str(package.client.get("company", "")),
        package.spec,
        package.ready,
        package.files,
        counts,
        missing_titles(package),
        package.error,
        changes,
    )


# --- since an earlier report --------------------------------------------------------------------


def defect_key(defect: dict[str, Any]) -> str:
    """Identity of a defect as written in a JSON report."""
    return json.dumps(
        [defect.get("code"), defect.get("path"), defect.get("location") or None, defect.get("params") or {}],
        sort_keys=True,
        ensure_ascii=False,
    )


class BaselineError(Exception):
    pass


@dataclass
class Baseline:
    """The defects of an earlier JSON report (`validator batch` or `check --format json`), by client."""

    clients: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str) -> Baseline:
        try:
            data = json.loads(read_regular(path, MAX_BASELINE_BYTES, follow=True).decode("utf-8"))
            packages = data["packages"]
            baseline = cls()
            for p in packages:
                name = p.get("client") or os.path.basename(str(p["root"]).rstrip("/\\"))
                baseline.clients[name] = {defect_key(d): _compact(d) for d in p.get("defects", [])}
        except RecursionError:  # `[[[[…` nested past what the JSON decoder can descend
            raise BaselineError(f"{path}: not a JSON report of this tool (nested too deeply)") from None
        except (OSError, UnsafeFile, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BaselineError(f"{path}: not a JSON report of this tool ({type(exc).__name__}: {exc})") from None
        return baseline

    def compare(self, client: str, defects: Iterable[dict[str, Any]]) -> Changes:
        """Mark each defect dict ``status: new | open``; the earlier ones not seen again are fixed."""
        before = self.clients.get(client, {})
        seen: set[str] = set()
        new = still = 0
        for d in defects:
            key = defect_key(d)
            if key in before:
                d["status"] = "open"
                still += 1
                seen.add(key)
            else:
                d["status"] = "new"
                new += 1
        fixed = tuple(d for k, d in before.items() if k not in seen)
        return Changes(new, still, fixed)


MAX_BASELINE_BYTES = 256 << 20  # a batch report of ~10,000 clients is well under this


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    keep = ("code", "severity", "path", "document", "message", "location", "params")
    return {k: d.get(k) for k in keep if k in d}
