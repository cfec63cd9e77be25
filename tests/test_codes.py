"""The code catalogue: append-only, one family per module, and in step with what the product emits."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from validator import codes
from validator.codes import CODES, GROUPED, KIND_NAMES, REASONS

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = Path(__file__).with_name("codes_snapshot.json")
CODE_LITERAL = re.compile(r"[A-Z]\d{3}")


def _code_literals_outside_the_catalogue() -> set[str]:
    found = set()
    for path in (ROOT / "validator").rglob("*.py"):
        if (ROOT / "validator" / "codes") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE_LITERAL.fullmatch(node.value):
                found.add(node.value)
    return found


def test_codes_are_append_only() -> None:
    """A published code keeps its name and default severity forever (retire it, never reuse it);
    a new code is added to tests/codes_snapshot.json in the same change."""
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    now = {c.code: [c.name, c.severity.value] for c in CODES.values()}
    changed = {code: (was, now.get(code)) for code, was in snapshot.items() if now.get(code) != was}
    assert not changed, f"published codes changed or removed: {changed}"
    added = sorted(set(now) - set(snapshot))
    assert not added, "new codes; append to tests/codes_snapshot.json: " + ", ".join(
        f'"{code}": {json.dumps(now[code])}' for code in added
    )


def test_each_family_module_declares_one_family() -> None:
    seen: set[str] = set()
    for family in codes.FAMILIES:
        letters = {c.code[0] for c in family.CODES}
        assert len(letters) == 1, f"{family.__name__} mixes families {sorted(letters)}"
        assert not letters & seen, f"family {letters} declared in two modules"
        seen |= letters
    assert sum(len(f.CODES) for f in codes.FAMILIES) == len(CODES), "a code is declared twice"


def test_every_emitted_code_is_declared_and_every_declared_code_is_emitted() -> None:
    used = _code_literals_outside_the_catalogue()
    assert not used - set(CODES), f"emitted but not in the catalogue: {sorted(used - set(CODES))}"
    unused = sorted(c for c in set(CODES) - used if not CODES[c].retired)
    assert not unused, f"declared but emitted nowhere (retire them instead): {unused}"


def test_every_code_speaks_both_languages() -> None:
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for c in CODES.values():
        assert all(zh.strip() and en.strip() for zh, en in (c.title, c.message, c.fix, c.why)), c.code
        assert cjk.search(c.title[0]) and not cjk.search(c.title[1]), (c.code, c.title)
    for text in [*GROUPED.values(), *KIND_NAMES.values(), *REASONS.values()]:
        assert all(part.strip() for part in text)


def test_grouped_messages_belong_to_declared_codes() -> None:
    assert set(GROUPED) <= set(CODES)
