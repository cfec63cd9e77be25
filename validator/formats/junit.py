"""JUnit XML: CI dashboards show each spec document as a test case.

One <testsuite> per checked folder; in it one <testcase> per spec document, one for the
folder as a whole and one for files that belong to no document. A case fails when it has
an error-severity defect (the same rule as the exit status); warnings and info are listed
in <system-out> of a passing case. An optional document that was not provided is skipped.
A folder that could not be checked at all is an <error>.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from validator.formats.common import (
    FOLDER_SECTION,
    OTHER_SECTION,
    SEVERITY_WORD,
    Section,
    clean,
    file_label,
    fix,
    message,
    package_name,
    place,
    sections,
    title,
    words,
)
from validator.model import Defect, PackageResult, Report, Severity


def render(report: Report) -> str:
    root = ET.Element("testsuites", {"name": "validator"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for p in report.packages:
        suite = _suite(p, report)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _cases(p: PackageResult, lang: str) -> list[Section]:
    """The package's sections, with the folder and stray-file cases present even when clean."""
    found = sections(p, lang)
    keys = {s.key for s in found}
    w = words(lang)
    if FOLDER_SECTION not in keys:
        found.insert(0, Section(FOLDER_SECTION, w["folder_level"], True, (), ()))
    if OTHER_SECTION not in keys:
        found.append(Section(OTHER_SECTION, w["other_files"], False, (), ()))
    return found


def _suite(p: PackageResult, report: Report) -> ET.Element:
    lang = report.lang
    name = package_name(p)
    suite = ET.Element("testsuite", {"name": f"{name} ({p.spec})"})
    if report.generated_at:
        suite.set("timestamp", report.generated_at)
    props = ET.SubElement(suite, "properties")
    for key, value in (("folder", clean(p.root)), ("spec", clean(p.spec)), ("ready", str(p.ready).lower()),
                       ("files", str(p.files)), ("lang", lang), ("tool_version", report.tool_version)):
        ET.SubElement(props, "property", {"name": key, "value": value})
    tests = failures = errors = skipped = 0
    if p.error is not None:
        case = ET.SubElement(suite, "testcase", {"classname": f"validator.{p.spec}", "name": name})
        err = ET.SubElement(case, "error", {"message": clean(p.error), "type": "folder-unreadable"})
        err.text = clean(p.error)
        tests, errors = 1, 1
    for s in _cases(p, lang):
        tests += 1
        case = ET.SubElement(suite, "testcase", {"classname": f"validator.{p.spec}.{name}",
                                                 "name": _case_name(s)})
        bad = [d for d in s.defects if d.severity is Severity.ERROR and d.waiver is None]
        if bad:
            failures += 1
            fail = ET.SubElement(case, "failure", {"message": _failure_message(bad, lang), "type": bad[0].code})
            fail.text = _details(s.defects, lang)
        elif s.defects:
            out = ET.SubElement(case, "system-out")
            out.text = _details(s.defects, lang)
        elif not s.files and not s.required and not s.key.startswith("("):
            skipped += 1
            ET.SubElement(case, "skipped", {"message": words(lang)["absent_optional"]})
    for key, n in (("tests", tests), ("failures", failures), ("errors", errors), ("skipped", skipped)):
        suite.set(key, str(n))
    return suite


def _case_name(s: Section) -> str:
    return f"{s.key} {s.title}"


def _failure_message(bad: list[Defect], lang: str) -> str:
    codes = []
    for d in bad:
        if d.code not in codes:
            codes.append(d.code)
    head = f"{len(bad)} 个错误" if lang == "zh" else f"{len(bad)} error(s)"
    return f"{head}: " + ", ".join(f"{c} {title(c, lang)}" for c in codes)


def _details(defects: tuple[Defect, ...], lang: str) -> str:
    lines = []
    arrow = "修改" if lang == "zh" else "fix"
    for d in defects:
        where = place(d.location, lang)
        target = file_label(d.path) or words(lang)["folder_level"]
        lines.append(f"[{SEVERITY_WORD[lang][d.severity]}] {d.code} {target}"
                     f"{' (' + where + ')' if where else ''}: {message(d, lang)}")
        hint = fix(d, lang)
        if hint:
            lines.append(f"    {arrow}: {hint}")
    return "\n".join(lines)
