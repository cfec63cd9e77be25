"""The per-file fast paths of a check give what the plain code gives: the one combined regex
that recognises a name's document, the hand-written constructors of the per-file records, and
the flat-folder shortcut of the case-clash check."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest

from validator.checks import Context
from validator.checks.documents import Assignment, _by_pattern, _by_shape
from validator.checks.naming import matching_form
from validator.checks.portability import check_case_clashes
from validator.engine import FileOutcome, _outcome
from validator.sniff.types import ContentType
from validator.spec import load_spec

SPEC = """\
id: combined
title: combined matcher
variables:
  company: {type: text, title: 公司}
  year: {type: integer, title: 年度}
documents:
  - {id: any_pdf, title: 任意, name: "*.pdf", count: 0+}
  - {id: report, title: 报告, name: "04_审计报告_{year}*.pdf", count: 0+}
  - {id: report_final, title: 定稿, name: "04_审计报告_{year}_定稿.pdf", count: 0+}
  - {id: licence, title: 执照, name: "02_营业执照_{company}.pdf", count: 0+}
  - {id: twice, title: 两次, name: "{year}_{company}_{year}.pdf", count: 0+}
  - {id: same_score_a, title: 甲, name: "x_*.jpg", count: 0+}
  - {id: same_score_b, title: 乙, name: "*_x.jpg", count: 0+}
  - {id: by_regex, title: 正则, regex: "^05_[a-z]+_(?P<year>[0-9]{4})\\\\.pdf$", count: 0+}
"""

NAMES = [
    "04_审计报告_2025.pdf", "04_审计报告_2025_定稿.pdf", "04_审计报告_x.pdf", "02_营业执照_北京示例科技有限公司.pdf",
    "2025_某公司_2025.pdf", "2025_某公司_2024.pdf", "x_y_x.jpg", "x_a.jpg", "a_x.jpg", "05_abc_2025.pdf",
    "05_ABC_2025.pdf", "random.PDF", "nothing.txt", "",
]  # fmt: skip


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> object:
    path = tmp_path_factory.mktemp("spec") / "combined.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return load_spec(str(path))


@pytest.mark.parametrize("name", NAMES)
def test_the_combined_regex_picks_the_document_and_slots_the_per_document_loop_picks(spec: object, name: str) -> None:
    form = matching_form(name, spec.naming)  # type: ignore[attr-defined]
    slow, fast = _by_pattern(spec, form, None), _by_shape(spec, form)  # type: ignore[arg-type]
    if slow is None:
        assert fast is None
        return
    assert fast is not None and fast.document is slow.document
    assert fast.match is not None and slow.match is not None
    assert (fast.match.groupdict(), fast.match.span()) == (slow.match.groupdict(), slow.match.span())


def test_the_most_specific_and_then_the_first_document_wins(spec: object) -> None:
    def doc_of(name: str) -> str | None:
        found = _by_shape(spec, matching_form(name, spec.naming))  # type: ignore[arg-type, attr-defined]
        return found.document.id if found and found.document else None

    assert doc_of("04_审计报告_2025_定稿.pdf") == "report_final"  # over report and *.pdf
    assert doc_of("x_y_x.jpg") == "same_score_a"  # a tie: the earlier in the spec
    assert doc_of("05_abc_2025.pdf") == "by_regex"  # a regex document is weighed with the others
    assert doc_of("2025_某公司_2024.pdf") == "any_pdf"  # a repeated slot must repeat its value


@pytest.mark.parametrize(("cls", "build"),
                         [(ContentType, ContentType), (Assignment, Assignment), (FileOutcome, _outcome)])
def test_hand_written_constructors_take_exactly_the_fields(cls: type, build: object) -> None:
    fields = dataclasses.fields(cls)
    params = list(inspect.signature(build).parameters.values())  # type: ignore[arg-type]
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields, strict=True):
        if cls is not FileOutcome:  # _outcome takes every field
            assert p.default == (f.default if f.default is not dataclasses.MISSING else inspect.Parameter.empty)
    values = [f"v{i}" for i in range(len(fields))]
    built = build(*values)  # type: ignore[operator]
    assert built == cls(*values) and vars(built) == vars(cls(*values))
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.__setattr__(fields[0].name, "changed")


def test_a_flat_folder_still_reports_a_case_clash(spec: object, tmp_path: Path) -> None:
    ctx = Context(spec, {})  # type: ignore[arg-type]
    check_case_clashes(ctx, ["a.pdf", "B.pdf", "A.PDF", "c.pdf"])
    assert [(d.code, d.path, d.params["other"]) for d in ctx.defects] == [("U102", "a.pdf", "A.PDF")]
    quiet = Context(spec, {})  # type: ignore[arg-type]
    check_case_clashes(quiet, ["a.pdf", "b.pdf", "c.pdf"])
    assert quiet.defects == []


def test_a_name_holding_the_clients_values_needs_no_per_client_pattern(spec: object) -> None:
    from validator.checks.documents import assign, check_name_values
    from validator.spec import model

    values = {"company": "北京示例科技有限公司", "year": "2025"}
    ctx = Context(spec, values)  # type: ignore[arg-type]
    before = model._filled.cache_info()
    for name in ("02_营业执照_北京示例科技有限公司.pdf", "2025_北京示例科技有限公司_2025.pdf"):
        a = assign(spec, name, values)  # type: ignore[arg-type]
        assert a.document is not None and a.match is not None
        check_name_values(ctx, name, a.document, a.match)
    assert ctx.defects == []
    assert model._filled.cache_info() == before  # nothing compiled, nothing looked up
    a = assign(spec, "02_营业执照_上海别家有限公司.pdf", values)  # type: ignore[arg-type]
    assert a.document is not None and a.match is not None
    check_name_values(ctx, "02_营业执照_上海别家有限公司.pdf", a.document, a.match)
    assert [(d.code, d.params["found"]) for d in ctx.defects] == [("N102", "上海别家有限公司")]


def test_the_ignore_matcher_takes_what_fnmatch_takes_pattern_by_pattern() -> None:
    import fnmatch
    import unicodedata

    from validator.discovery import Ignore

    patterns = [".DS_Store", "Thumbs.db", "~$*", ".~lock.*", "*.tmp", "._*", "[abc]?.x", "*[!0-9].y", "新建*"]
    names = [".ds_store", "THUMBS.DB", "~$报告.docx", ".~lock.a.xlsx#", "x.TMP", "._x", "a1.x", "d1.x", "q.y", "9.y",
             "q9.y", "新建文本.txt", "file.pdf", "x.tmp\n", "", "~$", "e\u0301.tmp"]  # fmt: skip
    ignore = Ignore(patterns)
    lowered = [unicodedata.normalize("NFC", p).lower() for p in patterns]
    for name in names:
        n = unicodedata.normalize("NFC", name).lower()
        assert ignore(name) == any(fnmatch.fnmatchcase(n, p) for p in lowered), name
    assert not Ignore([])("anything")


def test_a_combined_regex_that_cannot_compile_falls_back_on_each_shape(spec: object,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from validator.checks import documents

    monkeypatch.setattr(documents, "_alternative", lambda position, pattern: "(")  # an invalid regex
    monkeypatch.setattr(documents, "_COMBINED", {})
    for name in NAMES:
        form = matching_form(name, spec.naming)  # type: ignore[attr-defined]
        slow, fast = _by_pattern(spec, form, None), _by_shape(spec, form)  # type: ignore[arg-type]
        assert (fast.document if fast else None) is (slow.document if slow else None), name
