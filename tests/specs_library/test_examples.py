"""The example folders: every clean one checks clean against its spec, every messy one
reports exactly the defects its hand-written mistake list names (fixtures/generate.py)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from fixtures import generate
from tests.conftest import ROOT, run_cli
from validator.api import check_folder
from validator.spec import load_spec

EXAMPLES = ROOT / "fixtures" / "examples"


def _key(code: str, path: str, document: str | None, location: dict[str, Any] | None) -> tuple[str, ...]:
    return (code, path, document or "", json.dumps(location, ensure_ascii=False, sort_keys=True))


def _actual(folder: Path, spec_id: str) -> Counter[tuple[str, ...]]:
    result = check_folder(str(folder), load_spec(spec_id))
    assert result.error is None
    return Counter(_key(d.code, d.path, d.document, d.location.as_dict() if d.location else None)
                   for d in result.defects)


def _expected(spec_id: str) -> Counter[tuple[str, ...]]:
    data = json.loads(generate.expected_path(EXAMPLES, spec_id).read_text(encoding="utf-8"))
    assert data["spec"] == spec_id
    return Counter(_key(d["code"], d["path"], d["document"], d["location"]) for d in data["defects"])


def test_every_builtin_licence_spec_has_examples() -> None:
    from validator.spec import builtin_ids

    assert set(generate.SPECS) == set(builtin_ids()) - {"demo-call-center"}


@pytest.mark.parametrize("spec_id", generate.SPECS)
def test_clean_example_has_no_defects(spec_id: str) -> None:
    assert _actual(EXAMPLES / f"{spec_id}-clean", spec_id) == Counter()


@pytest.mark.parametrize("spec_id", generate.SPECS)
def test_messy_example_reports_exactly_its_listed_defects(spec_id: str) -> None:
    actual, expected = _actual(EXAMPLES / f"{spec_id}-messy", spec_id), _expected(spec_id)
    assert sorted((actual - expected).elements()) == [], "reported but not listed"
    assert sorted((expected - actual).elements()) == [], "listed but not reported"
    assert len(expected) >= 5  # a messy folder shows several typical mistakes


def test_messy_folders_use_the_rules_of_their_specs() -> None:
    codes = {k[0] for spec_id in generate.SPECS for k in _expected(spec_id)}
    assert {"C101", "C102", "C103", "C104", "C106", "C107", "C108"} <= codes


def test_readme_command_on_the_call_centre_pack() -> None:
    proc = run_cli("check", "fixtures/examples/call-center-messy", "--spec", "call-center", "--lang", "zh", cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    for text in ("已开通坐席数不超过许可坐席数", "人员规模不低于申请时承诺的人数", "存成了数字",
                 "杭州云栈网络科技有限公司", "- 副本", "防骚扰承诺书.pdf"):
        assert text in out, text
    clean = run_cli("check", "fixtures/examples/call-center-clean", cwd=ROOT)  # spec from client.yaml
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_committed_examples_are_what_the_generator_writes(tmp_path: Path) -> None:
    """Same folders, same file names, same expected defects (bytes may differ with the zlib build)."""
    generate.generate(tmp_path)

    def listing(root: Path) -> list[str]:
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    assert listing(tmp_path) == listing(EXAMPLES)
    for spec_id in generate.SPECS:
        a, b = generate.expected_path(tmp_path, spec_id), generate.expected_path(EXAMPLES, spec_id)
        assert a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8"), spec_id


def test_examples_stay_small() -> None:
    total = sum(p.stat().st_size for p in EXAMPLES.rglob("*") if p.is_file())
    assert total < 3 * 1024 * 1024, total
