"""The batch JSON report: the same top-level shape as ``check --format json`` (tool, lang,
packages, summary) plus ``rollup``, one row per client. Each package also names its ``client``;
with ``--since`` each defect carries ``status`` (new / open) and each package ``since`` (counts
and the defects fixed).

Written package by package from the spill, so a run over thousands of clients never holds
all of them in memory.
"""

from __future__ import annotations

import json
from typing import IO, Any

from validator import __version__
from validator.batch.runner import BatchOutcome
from validator.checks.naming import display_name
from validator.formats.json import package_dict
from validator.model import PackageResult, Severity
from validator.textsafe import json_text


def package_json(name: str, package: PackageResult, lang: str) -> dict[str, Any]:
    return {"client": name, **package_dict(package, lang)}


def summary(outcome: BatchOutcome) -> dict[str, Any]:
    rows = outcome.rows
    out: dict[str, Any] = {
        "packages": len(rows),
        "ready": sum(1 for r in rows if r.ready),
        "files": outcome.files,
        **{s.value: sum(r.counts[s.value] for r in rows) for s in Severity},
        "ok": outcome.ok,
    }
    waived = sum(r.counts.get("waived", 0) for r in rows)
    if waived:
        out["waived"] = waived
    if outcome.options.since is not None:
        changes = [r.changes for r in rows if r.changes is not None]
        out["since"] = {
            "new": sum(c.new for c in changes),
            "open": sum(c.open for c in changes),
            "fixed": sum(len(c.fixed) for c in changes),
            "clients_gone": outcome.gone,
        }
    return out


def write_json(outcome: BatchOutcome, out: IO[str]) -> None:
    lang = outcome.options.lang
    since = outcome.options.since
    rows = {r.client: r for r in outcome.rows}
    out.write("{\n")
    out.write(f'  "tool": {json.dumps({"name": "validator", "version": __version__})},\n')
    out.write(f'  "lang": {json.dumps(lang)},\n')
    out.write('  "packages": [')
    for i, name in enumerate(outcome.spill.names()):
        data = package_json(name, outcome.spill.get(name), lang)
        if since is not None:
            since.compare(name, data["defects"])  # marks each defect new / open
            changes = rows[name].changes
            if changes is not None:
                data["since"] = changes.as_dict()
        out.write(("," if i else "") + "\n    " + _line(data))
    out.write("\n  ],\n")
    out.write('  "rollup": [')
    for i, row in enumerate(outcome.rows):
        out.write(("," if i else "") + "\n    " + _line(row.as_dict()))
    out.write("\n  ],\n")
    out.write('  "summary": ' + _line(summary(outcome)) + "\n")
    out.write("}\n")


def _line(value: Any) -> str:
    """One package or roll-up row on one line: the C encoder (``indent`` falls back to pure
    Python, 25 s of a 100,000-client report) and a report that greps and diffs by client.
    display_name: a path with bytes that are not UTF-8 (surrogate escapes) cannot be written as
    UTF-8; those bytes show as U+FFFD, as everywhere else in the reports."""
    return display_name(json_text(json.dumps(value, ensure_ascii=False)))
