"""The code catalogue in both languages: every entry complete, every message rendering with
the parameters the real checks emit, `explain` and `rules` for every code."""

from __future__ import annotations

import json
import re
import string

import pytest
from click.testing import CliRunner

from validator import messages
from validator.cli import main
from validator.codes import CODES, FRAGMENTS
from validator.explain import SAMPLES, explain_text
from validator.model import Defect

CJK = re.compile(r"[\u3400-\u9fff]")
FORMATTER = string.Formatter()
# Optional sentence pieces: rendered only when the check has something to say there.
OPTIONAL_FIELDS = set(FRAGMENTS) | {"when_part_zh", "when_part_en", "source_zh", "source_en"}
# Every code but two: an unreadable file cannot be made when tests run as root (F101), and a
# file deleted between the listing and the read is a race (F102). New codes are covered by
# their own family's tests and by test_every_code_has_an_example.
EMITTED_BY_TEST_FOLDERS = {
    "F103", "F104", "F105", "V101", "V102", "V103", "V104", "D101", "D102", "D103", "D104", "D105",
    "N101", "N102", "N103", "N104", "N105", "N106", "N107", "N108", "N109", "N110", "N111",
    "T101", "T102", "T103", "S101", "S102", "S103", "P101", "P102", "P103", "P104",
    "X101", "X102", "X103", "X104", "X105", "X106", "X107", "X108", "X110", "X111", "X112", "X113", "X114",
    "X115", "X116", "X117", "C101", "C102", "C103", "C104", "C105", "C106", "C107", "C108",
    "L101", "L102", "L103", "L201", "L202", "L203", "L204", "L205", "L206", "L207",
}  # fmt: skip


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in FORMATTER.parse(template) if name}


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_both_languages(code: str) -> None:
    c = CODES[code]
    for part in ("title", "message", "fix", "why"):
        zh, en = getattr(c, part)
        assert zh.strip() and en.strip(), f"{code}.{part} lacks a Chinese or English text"
        assert CJK.search(zh), f"{code}.{part} zh has no Chinese: {zh!r}"
    assert c.title[0] != c.title[1]
    assert re.fullmatch(r"[A-Z]\d{3}", c.code) and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c.name)


@pytest.mark.parametrize("code", sorted(CODES))
def test_templates_are_plain_format_strings(code: str) -> None:
    """Only {name} fields: no attribute or index access, conversions or format specs, which a
    translator could break and str.format would raise on."""
    c = CODES[code]
    for template in (*c.message, *c.fix):
        for _, name, spec, conversion in FORMATTER.parse(template):
            if name is not None:
                assert re.fullmatch(r"[a-z_]+", name), (code, template)
                assert not spec and conversion is None, (code, template)


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_an_example(code: str) -> None:
    c = CODES[code]
    assert c.example or code in SAMPLES, f"{code} has neither an `example` nor a sample in validator/explain.py"


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_samples_fill_every_field(code: str) -> None:
    c = CODES[code]
    for lang in ("zh", "en"):
        prepared = messages._prepared(SAMPLES[code], lang)
        for template in (messages.text(c.message, lang), messages.text(c.fix, lang)):
            assert fields(template) - set(prepared) - OPTIONAL_FIELDS == set(), (code, lang, template)


def test_real_defects_render_in_both_languages(real_defects: list[Defect]) -> None:
    emitted = {d.code for d in real_defects}
    assert emitted >= EMITTED_BY_TEST_FOLDERS, f"not emitted any more: {sorted(EMITTED_BY_TEST_FOLDERS - emitted)}"
    for d in real_defects:
        c = CODES[d.code]
        for lang in ("zh", "en"):
            prepared = messages._prepared(d.params, lang)
            for template in (messages.text(c.message, lang), messages.text(c.fix, lang)):
                missing = fields(template) - set(prepared) - OPTIONAL_FIELDS
                assert not missing, f"{d.code} ({lang}) rendered without {missing}: params {dict(d.params)}"
                # Braces may come from values (a regex, an unfilled name pattern), never from the template.
                braceless = {k: v.replace("{", "(").replace("}", ")") for k, v in prepared.items()}
                assert "{" not in template.format_map(messages._Params(braceless)), (d.code, lang)
            text = messages.message(d, lang)
            assert text.strip() and text != f"{d.code} {dict(d.params)}", (d.code, lang)
            if lang == "zh":
                assert CJK.search(text), (d.code, text)


@pytest.mark.parametrize("code", sorted(CODES))
def test_explain_every_code(code: str) -> None:
    runner = CliRunner()
    labelled = {"zh": ("含义", "为什么重要", "如何修改"), "en": ("what it means", "why it matters", "how to fix")}
    for lang, labels in labelled.items():
        result = runner.invoke(main, ["explain", code, "--lang", lang])
        assert result.exit_code == 0, result.output
        c = CODES[code]
        assert result.output.startswith(f"{code} {c.name}: {messages.text(c.title, lang)}\n")
        for label in labels:
            assert f"\n{label}: " in result.output
        assert messages.text(c.why, lang) in result.output
        assert result.output == explain_text(c, lang)
        if code in SAMPLES:
            sample = messages.message(Defect(code, c.severity, "", SAMPLES[code]), lang)
            assert sample in result.output


def test_explain_accepts_the_name_and_rejects_unknown_codes() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["explain", "document-missing", "--lang", "en"]).output.startswith("D101 ")
    bad = runner.invoke(main, ["explain", "Z999", "--lang", "en"])
    assert bad.exit_code == 2 and "unknown code" in bad.output


def test_rules_json_lists_every_code_in_both_languages() -> None:
    result = CliRunner().invoke(main, ["rules", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [r["code"] for r in rows] == list(CODES)
    for r in rows:
        for part in ("title", "message", "fix", "why"):
            assert r[part]["zh"] and r[part]["en"], (r["code"], part)


MIME = re.compile(r"\b(?:application|image|text|audio|video|inode)/[\w.+-]+")


def test_no_rendered_text_shows_a_mime_type_or_a_placeholder(real_defects: list[Defect]) -> None:
    """Types are named as a reader knows them (Word 文档 (.docx), JPEG 图片), in both languages."""
    for d in real_defects:
        for lang in ("zh", "en"):
            for text in (messages.message(d, lang), messages.fix(d, lang)):
                assert not MIME.search(text), (d.code, lang, text)
                assert not re.search(r"\{\s*[A-Za-z_]\w*\s*\}", text), (d.code, lang, text)
