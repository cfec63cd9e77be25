"""The YAML loaders (specs and client.yaml) under hostile input: alias bombs, deep nesting,
arbitrary bytes. Clean SpecError (file:line:col) or a result, fast, never another exception."""

from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validator.client_file import read_client_file
from validator.spec import SpecError, load_spec
from validator.spec.yamlmarks import MAX_ALIAS_NODES, MAX_DEPTH, load_marked, load_plain


def bomb(levels: int, width: int = 9) -> str:
    names = [f"l{i}" for i in range(levels + 1)]
    text = f"{names[0]}: &{names[0]} [{', '.join(['x'] * width)}]\n"
    for prev, name in itertools.pairwise(names):
        text += f"{name}: &{name} [{', '.join(['*' + prev] * width)}]\n"
    return text


@pytest.mark.parametrize("loader", [load_marked, load_plain])
def test_alias_bomb_fails_fast_with_a_place(loader) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    with pytest.raises(SpecError) as info:
        loader(bomb(9), "s.yaml")
    assert time.perf_counter() - start < 0.5
    [(mark, message)] = info.value.problems
    assert mark is not None and mark.file == "s.yaml" and "alias" in message


def test_aliases_within_the_budget_load() -> None:
    text = "base: &b {company: x, year: '2025'}\nuse:\n" + "".join("  - *b\n" for _ in range(100))
    data = load_marked(text, "s.yaml")
    assert len(data["use"]) == 100 and data["use"][0]["company"] == "x"
    assert load_plain("d: &d {a: 1}\ne: {<<: *d, b: 2}\n", "c.yaml") == {"d": {"a": 1}, "e": {"a": 1, "b": 2}}
    # the budget counts expanded nodes: three levels of nine (~8,300) pass, four (~74,000) do not
    assert MAX_ALIAS_NODES == 10_000
    load_plain(bomb(3), "s.yaml")
    with pytest.raises(SpecError):
        load_plain(bomb(4), "s.yaml")


@pytest.mark.parametrize("text", ["[" * 20000 + "]" * 20000, "- " * 20000 + "x", "{a: " * 5000 + "1" + "}" * 5000])
def test_deep_nesting_is_a_spec_error(text: str) -> None:
    for loader in (load_marked, load_plain):
        with pytest.raises(SpecError, match="invalid YAML"):
            loader(text, "s.yaml")
    load_plain("- " * (MAX_DEPTH - 1) + "x", "ok.yaml")


def _spec_outcome(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.yaml"
        path.write_bytes(data)
        with contextlib.suppress(SpecError):
            load_spec(str(path))
        folder = Path(tmp) / "pack"
        folder.mkdir()
        (folder / "client.yaml").write_bytes(data)
        values, problem = read_client_file(str(folder))
        assert isinstance(values, dict) and (problem is None or isinstance(problem, str))


YAMLISH = st.lists(
    st.sampled_from(["id: a\n", "title: t\n", "documents:\n", "  - ", "{", "}", "[", "]", "&a ", "*a ", "<<: ",
                     "extends: core\n", "regex: '(a+)+'\n", ": ", "- ", "\n", "  ", "'", '"', "!!python/object ",
                     "company: 北京\n", "\t", "%YAML 1.1\n", "---\n", "...\n", "? ", "|\n", "\ufeff", "\x00"]),
    max_size=60,
).map(lambda parts: "".join(parts).encode("utf-8"))


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), YAMLISH))
def test_fuzz_spec_and_client_file(data: bytes) -> None:
    start = time.perf_counter()
    _spec_outcome(data)
    assert time.perf_counter() - start < 2


def test_fifo_spec_is_a_spec_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "spec.yaml")
    with pytest.raises(SpecError, match="not a regular file"):
        load_spec(str(tmp_path / "spec.yaml"))
