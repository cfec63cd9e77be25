"""JSON: one object with every package and defect, messages rendered in the report's language."""

from __future__ import annotations

import json
from typing import Any

from validator import messages
from validator.codes import CODES
from validator.model import Defect, PackageResult, Report, Severity
from validator.textsafe import json_text


def defect_dict(d: Defect, lang: str) -> dict[str, Any]:
    entry = CODES.get(d.code)
    out = {
        "code": d.code,
        "name": entry.name if entry else None,
        "severity": d.severity.value,
        "path": messages.printable(d.path),
        "document": d.document,
        "message": messages.message(d, lang),
        "fix": messages.fix(d, lang),
        "location": d.location.as_dict() if d.location else None,
        "params": {k: _plain(v) for k, v in d.params.items()},
    }
    if out["path"] != d.path:  # the name is not valid UTF-8: keep its bytes, escaped
        out["path_escaped"] = messages.escaped(d.path)
    if d.waiver is not None:  # accepted on purpose (waivers.yaml): not in the counts
        out["waived"] = {k: messages.printable(v) for k, v in d.waiver.as_dict().items()}
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return messages.printable(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def package_dict(p: PackageResult, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "root": messages.printable(p.root),
        "spec": p.spec,
        "ready": p.ready,
        "files": p.files,
        "error": None if p.error is None else messages.printable(p.error),
        "counts": counts(p.defects),
        "documents": [{"id": s.id, "title": s.title, "required": s.required,
                       "files": [messages.printable(f) for f in s.files]}
                      for s in p.documents],
        "defects": [defect_dict(d, lang) for d in p.defects],
    }
    if out["root"] != p.root:  # a folder path that is not valid UTF-8: keep its bytes, escaped
        out["root_escaped"] = messages.escaped(p.root)
    return out


def counts(defects: Any) -> dict[str, int]:
    """Defects by severity, waived ones apart (the key ``waived`` only when there are some)."""
    out = {s.value: 0 for s in Severity}
    n_waived = 0
    for d in defects:
        if d.waiver is None:
            out[d.severity.value] += 1
        else:
            n_waived += 1
    if n_waived:
        out["waived"] = n_waived
    return out


def summary(report: Report) -> dict[str, Any]:
    all_defects = list(report.defects)
    return {
        "packages": len(report.packages),
        "ready": sum(1 for p in report.packages if p.ready),
        "files": sum(p.files for p in report.packages),
        **counts(all_defects),
        "ok": report.ok,
    }


def to_dict(report: Report) -> dict[str, Any]:
    out: dict[str, Any] = {
        "tool": {"name": "validator", "version": report.tool_version},
        "lang": report.lang,
        "packages": [package_dict(p, report.lang) for p in report.packages],
        "summary": summary(report),
    }
    if report.generated_at:
        out["generated_at"] = report.generated_at
    return out


def render(report: Report) -> str:
    return json_text(json.dumps(to_dict(report), ensure_ascii=False, indent=2)) + "\n"
