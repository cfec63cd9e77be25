"""Read each rendered format back into the defects it shows, with standard parsers only
(json, csv, openpyxl, xml.etree, html.parser), so the tests can compare formats."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import unquote

from validator.formats.common import package_name, place, words
from validator.formats.markdown import md
from validator.model import Report

# (folder name, code, path, place inside the file) - the place as a tuple of its set fields.
Key = tuple[str, str, str, tuple[tuple[str, object], ...]]
# (folder name, code, path, place as the human formats write it)
Shown = tuple[str, str, str, str]


def expected_keys(report: Report) -> Counter[Key]:
    return Counter(
        (package_name(p), d.code, d.path, tuple(sorted(d.location.as_dict().items())) if d.location else ())
        for p in report.packages
        for d in p.defects
    )


def expected_shown(report: Report) -> Counter[Shown]:
    return Counter(
        (package_name(p), d.code, d.path, place(d.location, report.lang)) for p in report.packages for d in p.defects
    )


def _loc(**fields: object) -> tuple[tuple[str, object], ...]:
    return tuple(sorted((k, v) for k, v in fields.items() if v not in (None, "")))


def from_json(body: str) -> Counter[Key]:
    data = json.loads(body)
    return Counter(
        (p["root"].rsplit("/", 1)[-1], d["code"], d["path"], _loc(**(d["location"] or {})))
        for p in data["packages"]
        for d in p["defects"]
    )


def table_rows(body: str) -> list[dict[str, str]]:
    from validator.formats.csv import unquote as unguard

    assert body.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(body[1:], newline=""))
    return [{k: unguard(v) for k, v in row.items()} for row in reader]


def _row_key(row: dict[str, object], lang: str) -> Key:
    w = words(lang)

    def num(v: object) -> int | None:
        return int(v) if v not in (None, "") else None  # type: ignore[call-overload]

    return (
        str(row[w["folder"]]),
        str(row[w["code"]]),
        str(row[w["file"]] or ""),
        _loc(sheet=row[w["sheet"]], page=num(row[w["page"]]), row=num(row[w["row"]]), column=row[w["column"]],
             cell=row[w["cell"]]),
    )


def from_csv(body: str, lang: str) -> Counter[Key]:
    return Counter(_row_key(r, lang) for r in table_rows(body))


def xlsx_rows(data: bytes, sheet: str) -> list[dict[str, object]]:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data))[sheet]
    rows = list(ws.iter_rows(values_only=True))
    head = [str(h) for h in rows[0]]
    return [dict(zip(head, r, strict=True)) for r in rows[1:]]


def from_xlsx(data: bytes, lang: str) -> Counter[Key]:
    return Counter(_row_key(r, lang) for r in xlsx_rows(data, words(lang)["defects_sheet"]))


def from_sarif(body: str) -> Counter[Key]:
    data = json.loads(body)
    out: Counter[Key] = Counter()
    for run in data["runs"]:
        folder = run["properties"]["folder"].rsplit("/", 1)[-1]
        for r in run["results"]:
            uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            path = "" if uri == "." else unquote(uri)
            out[(folder, r["ruleId"], path, _loc(**r["properties"].get("location", {})))] += 1
    return out


_LINE = re.compile(r"^\[(?P<sev>[^\]]+)\] (?P<code>[A-Z]\d{3}) (?P<rest>.*)$")


def from_junit(body: str, report: Report) -> Counter[Shown]:
    """Defect lines of <failure> and <system-out>; file and place split with the names known."""
    folder_word = words(report.lang)["folder_level"]
    root = ET.fromstring(body)
    out: Counter[Shown] = Counter()
    for suite, p in zip(root.findall("testsuite"), report.packages, strict=True):
        paths = sorted({d.path for d in p.defects if d.path}, key=len, reverse=True)
        for case in suite.findall("testcase"):
            for el in (*case.findall("failure"), *case.findall("system-out")):
                for line in (el.text or "").splitlines():
                    m = _LINE.match(line)
                    if not m:
                        continue
                    rest = m["rest"]
                    path = "" if rest.startswith(folder_word) else next(x for x in paths if rest.startswith(x))
                    after = rest[len(folder_word if path == "" else path):]
                    where = after[2: after.index("): ")] if after.startswith(" (") else ""
                    out[(package_name(p), m["code"], path, where)] += 1
    return out


class _HtmlDefects(HTMLParser):
    """Per <section class="package">: the <h4> file label, then each <li>'s <code> and
    <span class="where">."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[tuple[int, str, str, str]] = []
        self.package = 0
        self.label = ""
        self._capture: str | None = None
        self._buf = ""
        self._code = ""
        self._where = ""
        self._in_li = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("class") == "package":
            self.package += 1
        elif tag == "h4":
            self._start("label")
        elif tag == "li" and a.get("class") in ("error", "warning", "info"):
            self._in_li, self._code, self._where = True, "", ""
        elif self._in_li and tag == "code":
            self._start("code")
        elif self._in_li and tag == "span" and a.get("class") == "where":
            self._start("where")

    def _start(self, what: str) -> None:
        self._capture, self._buf = what, ""

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._buf += data

    def handle_endtag(self, tag: str) -> None:
        if self._capture == "label" and tag == "h4":
            self.label = self._buf.removeprefix("✓ ")
        elif self._capture == "code" and tag == "code":
            self._code = self._buf
        elif self._capture == "where" and tag == "span":
            self._where = self._buf
        elif tag == "li" and self._in_li:
            self.out.append((self.package, self.label, self._code, self._where))
            self._in_li = False
        if tag in ("h4", "code", "span"):
            self._capture = None


def from_html(body: str, report: Report) -> Counter[Shown]:
    parser = _HtmlDefects()
    parser.feed(body)
    folder_word = words(report.lang)["folder_level"]
    return Counter(
        (package_name(report.packages[pkg - 1]), code, "" if label == folder_word else label, where)
        for pkg, label, code, where in parser.out
    )


_MD_FILE = re.compile(r"^- (?:`(?P<path>[^`]*)`|(?P<folder>.+))$")
_MD_DEFECT = re.compile(r"^  - \S+ \*\*(?P<code>[A-Z]\d{3})\*\* .*?(?: \((?P<where>[^()]*)\))?: ")


def from_markdown(body: str, report: Report) -> Counter[Shown]:
    out: Counter[Shown] = Counter()
    names = [package_name(p) for p in report.packages]
    current = ""
    path = ""
    for line in body.splitlines():
        if line.startswith("### "):
            current = next(n for n in names if line[4:].startswith(md(n)))
        elif m := _MD_FILE.match(line):
            path = m["path"] if m["path"] is not None else ""
        elif m := _MD_DEFECT.match(line):
            out[(current, m["code"], path, (m["where"] or "").replace("\\", ""))] += 1
    return out
