"""SARIF 2.1.0: the defects for code-review and CI tools (GitHub code scanning and the like).

One run per checked folder. Rules come from the code catalogue (only the codes the report
uses, so the file stays small), with title, why-it-matters and how-to-fix in the report's
language. File locations are relative to the folder, under the uriBaseId ``PKGROOT``;
the place inside a file (sheet, cell, row, column, page) is a logical location, because a
spreadsheet or PDF has no text lines for a SARIF region to point at.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from validator.codes import CODES
from validator.formats.common import clean, fix, message, package_name
from validator.messages import has_surrogates, text
from validator.model import Defect, Location, PackageResult, Report, Severity
from validator.textsafe import json_text

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
BASE_ID = "PKGROOT"
FOLDER_URI = "."  # the folder itself: relative to PKGROOT it resolves to the folder
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_FAMILY = {"F": "file-system", "V": "client-values", "D": "documents", "N": "naming", "T": "file-type",
           "S": "size", "P": "pdf", "X": "spreadsheet", "C": "cross-field", "L": "cross-client", "H": "hook",
           "Z": "zip-archive"}
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def render(report: Report) -> str:
    rules, index = _rules(report)
    runs = [_run(p, i, report, rules, index) for i, p in enumerate(report.packages)]
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": runs}
    return json_text(json.dumps(log, ensure_ascii=False, indent=2)) + "\n"


def _language(lang: str) -> str:
    return "zh-CN" if lang == "zh" else "en-US"


def _rules(report: Report) -> tuple[list[dict[str, Any]], dict[str, int]]:
    lang = report.lang
    used = sorted({d.code for d in report.defects})
    rules: list[dict[str, Any]] = []
    for code in used:
        entry = CODES.get(code)
        if entry is None:  # a code from a newer catalogue: still a valid rule, just undocumented
            rules.append({"id": code})
            continue
        rule: dict[str, Any] = {
            "id": code,
            "name": entry.name,
            "shortDescription": {"text": text(entry.title, lang)},
            "fullDescription": {"text": text(entry.why, lang)},
            "help": {"text": _generic(text(entry.fix, lang))},
            "defaultConfiguration": {"level": LEVEL[entry.severity]},
            "properties": {"tags": [_FAMILY.get(code[:1], "other")]},
        }
        if entry.example:
            rule["properties"]["example"] = entry.example
        rules.append(rule)
    return rules, {code: i for i, code in enumerate(used)}


def _generic(template: str) -> str:
    """A fix hint without a defect's values: its {placeholders} become an ellipsis."""
    return _PLACEHOLDER.sub("…", template)


def _run(p: PackageResult, i: int, report: Report, rules: list[dict[str, Any]],
         index: dict[str, int]) -> dict[str, Any]:
    lang = report.lang
    driver: dict[str, Any] = {"name": "validator", "language": _language(lang), "rules": rules}
    if report.tool_version:
        driver["version"] = report.tool_version
    invocation: dict[str, Any] = {"executionSuccessful": p.error is None}
    if report.generated_at:
        invocation["startTimeUtc"] = invocation["endTimeUtc"] = report.generated_at
    if p.error is not None:
        invocation["toolExecutionNotifications"] = [{"level": "error", "message": {"text": clean(p.error)}}]
    return {
        "tool": {"driver": driver},
        "language": _language(lang),
        "automationDetails": {"id": f"validator/{p.spec}/{i + 1}-{package_name(p)}/"},
        "originalUriBaseIds": {BASE_ID: _base(p.root)},
        "invocations": [invocation],
        "results": [_result(p, d, lang, index) for d in p.defects],
        "properties": {"folder": clean(p.root), "spec": p.spec, "ready": p.ready, "files": p.files},
    }


def _base(root: str) -> dict[str, Any]:
    """PKGROOT: a file: URI when the folder path is absolute, else just a description."""
    if os.path.isabs(root):
        uri = "file://" + _uri_path(root) if has_surrogates(root) else PurePath(root).as_uri()
        return {"uri": uri.rstrip("/") + "/"}
    return {"description": {"text": clean(root)}}


def _uri_path(path: str) -> str:
    """A relative file path as a URI reference: UTF-8 percent-encoded, the original bytes
    kept for names that are not valid UTF-8."""
    raw = path.encode("utf-8", "surrogateescape")
    return quote(raw, safe="/")


def uri_of(path: str) -> str:
    return FOLDER_URI if path == "" else _uri_path(path)


def _result(p: PackageResult, d: Defect, lang: str, index: dict[str, int]) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": uri_of(d.path), "uriBaseId": BASE_ID}},
    }
    logical = _logical(d)
    if logical:
        location["logicalLocations"] = logical
    properties: dict[str, Any] = {"path": clean(d.path)}
    if d.document:
        properties["document"] = d.document
    if d.location is not None:
        properties["location"] = {k: clean(v) if isinstance(v, str) else v for k, v in d.location.as_dict().items()}
    hint = fix(d, lang)
    if hint:
        properties["fix"] = hint
    result: dict[str, Any] = {
        "ruleId": d.code,
        "level": LEVEL[d.severity],
        "message": {"text": message(d, lang)},
        "locations": [location],
        "properties": properties,
    }
    if d.code in index:
        result["ruleIndex"] = index[d.code]
    if d.waiver is not None:  # SARIF's own way to say "accepted on purpose" (3.35 suppression)
        result["suppressions"] = [{
            "kind": "external", "status": "accepted", "justification": clean(d.waiver.reason),
            "properties": {"approvedBy": clean(d.waiver.approved_by), "expires": d.waiver.expires,
                           "source": clean(d.waiver.source)},
        }]
    return result


def _logical(d: Defect) -> list[dict[str, Any]]:
    """The place inside a file: a cell (人员名单!C3), a row, a column or a PDF page."""
    loc = d.location or Location()
    out: list[dict[str, Any]] = []
    file_name = clean(d.path)
    sheet = clean(loc.sheet) if loc.sheet else ""
    prefix = f"{sheet}!" if sheet else ""
    if loc.cell:
        out.append({"name": loc.cell, "fullyQualifiedName": f"{file_name}/{prefix}{loc.cell}", "kind": "cell"})
    elif loc.row:
        out.append({"name": str(loc.row), "fullyQualifiedName": f"{file_name}/{prefix}{loc.row}:{loc.row}",
                    "kind": "row"})
    elif loc.column:
        column = clean(loc.column)
        out.append({"name": column, "fullyQualifiedName": f"{file_name}/{prefix}{column}", "kind": "column"})
    elif sheet:
        out.append({"name": sheet, "fullyQualifiedName": f"{file_name}/{sheet}", "kind": "sheet"})
    if loc.page:
        out.append({"name": str(loc.page), "fullyQualifiedName": f"{file_name}#page={loc.page}", "kind": "page"})
    return out
