"""docs/spec-format.md documents every key of the spec schema, and the examples in both docs
are real: complete specs load, and the guide's steps add up to a working spec."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from validator.spec import load_spec, schema
from validator.spec.dsl import ListOf, MapOf, Obj, OneOf, Schema

FORMAT = (ROOT / "docs" / "spec-format.md").read_text(encoding="utf-8")
GUIDE = (ROOT / "docs" / "write-a-spec.md").read_text(encoding="utf-8")


def schema_keys() -> set[str]:
    keys: set[str] = set()
    seen: set[int] = set()

    def walk(s: Schema) -> None:
        if id(s) in seen:
            return
        seen.add(id(s))
        if isinstance(s, schema.Ref):
            walk(schema.DEFS[s.name])
        elif isinstance(s, Obj):
            keys.update(s.fields)
            for sub in s.fields.values():
                walk(sub)
        elif isinstance(s, ListOf):
            walk(s.item)
        elif isinstance(s, MapOf):
            walk(s.value)
        elif isinstance(s, OneOf):
            for option in s.options:
                walk(option)

    walk(schema.spec)
    return keys


def test_every_schema_key_has_a_row_in_the_format_doc() -> None:
    keys = schema_keys()
    assert {"rules", "when", "expect", "require", "count", "ip_ranges", "require_documents", "not"} <= keys
    undocumented = sorted(k for k in keys if f"| `{k}` |" not in FORMAT)
    assert undocumented == []


def test_every_rule_code_is_in_the_format_doc() -> None:
    from validator.codes import CODES

    for code in (c for c in CODES if c.startswith("C")):
        assert f"| {code} | `{CODES[code].name}` |" in FORMAT, code


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)


@pytest.mark.parametrize("doc", ["format", "guide"])
def test_yaml_examples_parse_and_complete_specs_load(doc: str, tmp_path: Path) -> None:
    blocks = _yaml_blocks(FORMAT if doc == "format" else GUIDE)
    assert len(blocks) >= 5
    complete = 0
    for i, block in enumerate(blocks):
        yaml.safe_load(block)  # every example is valid YAML
        if block.startswith("id:"):  # a complete spec, not a fragment
            path = tmp_path / f"example{i}.yaml"
            path.write_text(block, encoding="utf-8")
            load_spec(str(path))
            complete += 1
    assert complete >= (3 if doc == "format" else 0)


@pytest.mark.parametrize("lang", ["中文", "English"])
def test_the_guide_steps_add_up_to_a_working_spec(lang: str, tmp_path: Path) -> None:
    section = GUIDE.split("## 中文", 1)[1].split("## English", 1)
    text = section[0] if lang == "中文" else section[1]
    blocks = _yaml_blocks(text)
    path = tmp_path / "guide.yaml"
    path.write_text("".join(blocks[:4]), encoding="utf-8")
    spec = load_spec(str(path))
    assert spec.chain == ("call-center", "core")
    shots = spec.document("system_screenshots")
    assert shots is not None and shots.count.min == 6
    assert spec.document("site_photos") is not None
    roster = spec.document("staff_roster")
    assert roster is not None and roster.sheet is not None
    rules = {r.id: r for r in roster.sheet.rules}
    assert rules["insured-at-company"].count_min == 5 and "managers" in rules
    for word in ("extends", "specs check", "remove: true", "(default)"):
        assert word in text
