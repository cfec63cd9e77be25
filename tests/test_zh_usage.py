"""No English in Chinese output: every command run wrongly, with a Chinese locale, explains
itself in Chinese on stderr. What may stay in Latin letters: codes, option names, paths, quoted
values, spec keys and identifiers (key paths, lists of ids), ALL-CAPS argument names.

The spec below breaks one rule of each kind the spec loader checks, so each loader message is
read once in Chinese (a new English message in validator/spec without a translation in
validator.vocab.spec_text fails here).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fixtures import makers as mk
from tests.conftest import run_cli

ZH = {"LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "VALIDATOR_LANG": ""}

_IDENTIFIER = (
    r"^\s*[^：\s]+:\d+:\d+: [\w\[\]().-]*:?"  # file:line:col: key.path: of a spec problem
    r"|'[^']*'|`[^`]*`|“[^”]*”"  # quoted values, commands, names
    r"|--?[\w-]+(=\S*)?"  # options
    r"|\S*[/\\]\S*"  # paths
    r"|\b\w+\.(ya?ml|json|html?|xlsx|pdf|txt|csv|md|sarif|xml)\b"  # file names
    r"|\b[A-Z][A-Z0-9_.]*\b"  # codes (X115), ALL-CAPS argument names (FOLDERS...)
    r"|(python -m )?\bvalidator( [a-z]+)*"  # the program and its subcommands in `Usage:` lines
    r"|[\w\[\]-]+(\.[\w\[\]-]+)+[:：]?"  # a spec key path (documents[a].sheet.rules)
    r"|[\w-]+(, [\w-]+)+|[\w-]+(、[\w-]+)+"  # a list of ids or keys (call-center, core, ...)
    r"|(?<!\w)\.\w+"  # a suffix (.html)
    r"|\b(?:true|false|when|require|column|variable|document|severity|sheet|extends|RE2|client)\b"  # spec words
)


def english_words(text: str) -> list[str]:
    rest = re.sub(_IDENTIFIER, " ", text, flags=re.MULTILINE)
    return re.findall(r"[A-Za-z]{2,}", rest)


BAD_SPEC = """\
id: bad id
title: 5
version: [1]
unexpected_files: sometimes
variables:
  bad-key: {title: 值, type: text}
  year: {title: 年度, type: year, default: true}
naming: {platform: windows, forbid: [fullwidth, whitespce]}
foo: 1
documents:
  - {id: a, title: A, name: "{compny}.pdf", types: [pdff], count: 2-1, min_size: 2MB, max_size: 1MB}
  - {id: a, title: B, name: b.pdf, regex: b, pdf: {pages: lots}}
  - id: c
    title: C
    name: c.xlsx
    sheet:
      header_row: 0
      columns: [{name: 姓名}, {name: 姓名}]
      rules:
        - {id: r1, require: [姓名]}
        - {id: r2, when: {column: 姓名}, expect: {column: 电话, filled: true}}
        - {id: r3, expect: {all: [], equals: 1}}
        - {id: r4, expect: {column: 姓名, equals: 1}, require_documents: [zz]}
  - {title: D}
  - 7
rules:
  - {id: p1, expect: {column: 姓名, equals: 1}}
  - {id: p1, require_documents: [nope]}
  - {id: p3, expect: {variable: nope, matches: "(a+)+$"}}
severity: {Z999: error, D101: loud}
"""


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("zh")
    (root / "bad.yaml").write_text(BAD_SPEC, encoding="utf-8")
    (root / "broken.yaml").write_text("id: x\ntitle: [1\n", encoding="utf-8")
    (root / "tabs.yaml").write_text("id: x\n\ttitle: t\n", encoding="utf-8")
    (root / "dup.yaml").write_text("id: x\nid: y\n", encoding="utf-8")
    (root / "list.yaml").write_text("- a\n", encoding="utf-8")
    (root / "loop.yaml").write_text("extends: ./loop.yaml\nid: l\ntitle: t\ndocuments: []\n", encoding="utf-8")
    (root / "not-a-report.json").write_text("[1, 2]", encoding="utf-8")
    pack = root / "材料"
    mk.make_pdf(pack / "01_营业执照.pdf", 1, "营业执照")
    agency = root / "代理"
    (agency / "客户甲").mkdir(parents=True)
    (agency / "客户甲" / "client.yaml").write_text("spec: nope\n", encoding="utf-8")
    (root / "空").mkdir()
    hooked = root / "钩子"
    mk.make_pdf(hooked / "01_营业执照.pdf", 1, "营业执照")
    (hooked / "client.yaml").write_text("company: 北京示例科技有限公司\n", encoding="utf-8")
    return root


CASES = [  # (`validator` alone prints its help, which is bilingual: not a usage error)
    "nosuch",
    "--bogus",
    "check",
    "check --bogus x",
    "check /nonexistent/folder",
    "check 材料 --lang fr",
    "check 材料",
    "check 材料 --spec nope",
    "check 材料 --spec call-centre",
    "check 材料 --spec bad.yaml",
    "check 材料 --spec broken.yaml",
    "check 材料 --spec tabs.yaml",
    "check 材料 --spec dup.yaml",
    "check 材料 --spec list.yaml",
    "check 材料 --spec loop.yaml",
    "check 材料 --spec ./missing.yaml",
    "check 材料 --spec call-center -o out.unknownsuffix",
    "check 材料 --spec call-center --format nope",
    "check 材料 --spec call-center -f json -f html -o x.json",
    "check 材料 --spec call-center --format json=",
    "check 材料 --spec call-center --var bad",
    "check 材料 --spec call-center -o /nonexistent/dir/x.json",
    "check 材料 --spec call-center -o 材料/x.json",
    "check 材料 --spec call-center --ignore Z9",
    "check 材料 --spec call-center --warn X1O1",
    "check 材料 --spec call-center --cache --no-cache --lang",
    "rules --format xx",
    "explain",
    "explain ZZZ",
    "specs nosuch",
    "specs check",
    "specs check bad.yaml",
    "specs check broken.yaml",
    "specs show nope",
    "specs show bad.yaml",
    "batch",
    "batch /nonexistent/folder",
    "batch 代理 --jobs x",
    "batch 代理 --jobs 0",
    "batch 代理 --executor x",
    "batch 空",
    "batch 材料",
    "batch 代理 --since not-a-report.json",
    "batch 代理 --spec bad.yaml",
    "risk",
    "risk 材料",
    "risk 材料 --spec bad.yaml",
    "risk 材料 --spec call-center -o risk.unknownsuffix",
    "hook --bogus",
    "hook --spec bad.yaml -- 钩子/01_营业执照.pdf",
    "hook --spec nope -- 钩子/01_营业执照.pdf",
    "hook -- 钩子/01_营业执照.pdf",
]


@pytest.mark.parametrize("line", CASES)
def test_wrong_use_is_explained_in_chinese(place: Path, line: str) -> None:
    proc = run_cli(*line.split(), cwd=place, env={**ZH, "VALIDATOR_CACHE_DIR": str(place / ".cache")})
    assert proc.returncode in (1, 2), (line, proc.returncode, proc.stderr)
    assert proc.stderr.strip() or proc.returncode == 1, line
    assert "Traceback" not in proc.stderr
    assert english_words(proc.stderr) == [], english_words(proc.stderr)


def test_every_spec_problem_of_the_bad_spec_is_in_chinese(place: Path) -> None:
    proc = run_cli("specs", "check", "bad.yaml", cwd=place, env=ZH)
    lines = proc.stderr.splitlines()
    assert len(lines) >= 20, proc.stderr  # the spec above breaks that many rules
    assert all(re.search(r"[\u4e00-\u9fff]", line) for line in lines), proc.stderr
    assert english_words(proc.stderr) == [], proc.stderr
    # ...and in English with --lang en: the same problems, nothing lost in translation.
    en = run_cli("specs", "check", "--lang", "en", "bad.yaml", cwd=place, env=ZH)
    assert len(en.stderr.splitlines()) == len(lines)
    assert "unknown key 'foo'" in en.stderr and "上限" not in en.stderr


def test_the_scanner_sees_english() -> None:
    """The check above is only as good as this: plain English sentences are caught."""
    assert english_words("错误：no spec given") == ["no", "spec", "given"]
    assert english_words("bad.yaml:4:1: documents[a].name: unknown key 'x'") == ["unknown", "key"]
    assert english_words("用法：validator check [选项] FOLDERS...") == []
