"""File names that carry terminal controls, reaching the outputs the earlier rounds did not try:
`init`'s draft (printed, then loaded for its self-check) and `fix --format json`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from tests.conftest import ROOT, run_cli
from tests.test_hostile import snapshot
from tests.test_terminal_safety import EVIL, assert_nothing_forged

# a name that is a YAML list item once its line breaks are taken raw
INJECTED = "a\n- id: injected\n  regex: '.*'\n.pdf"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(ROOT / "fixtures/examples/core-clean", folder)
    for name in (EVIL, INJECTED):
        (folder / name).write_bytes(b"%PDF-1.4\n")
    return folder


def test_init_draft_shows_a_names_controls_escaped_and_still_loads(tmp_path: Path) -> None:
    # the names were written into the draft's head comment with ESC, BEL, U+202E and U+009B raw:
    # the terminal ran them, and YAML refused the draft (U+009B), so its self-check never ran
    folder = _folder(tmp_path)
    before = snapshot(folder)
    for lang in ("zh", "en"):
        proc = run_cli("init", str(folder), "--lang", lang)
        assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
        assert_nothing_forged(proc.stdout, f"init draft ({lang})")
        assert_nothing_forged(proc.stderr, f"init stderr ({lang})")
        draft = yaml.safe_load(proc.stdout)
        assert "injected" not in [d["id"] for d in draft["documents"]]
        assert "\\x1b[2J" in proc.stdout  # shown, not hidden
        assert "自检未运行" not in proc.stdout and "Self-check not run" not in proc.stdout, proc.stdout[:2000]
    assert snapshot(folder) == before


def test_fix_json_plan_escapes_c1_and_bidi_characters(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    before = snapshot(folder)
    proc = run_cli("fix", str(folder), "--spec", "core", "-f", "json", "--lang", "zh")
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    assert_nothing_forged(proc.stdout, "fix json")
    assert json.loads(proc.stdout)  # the same data for a parser
    assert snapshot(folder) == before


def test_init_draft_quotes_a_bidi_only_name_escaped_and_the_same_when_loaded(tmp_path: Path) -> None:
    # a name of bidi characters is one a spec can hold: it became a document whose title and
    # name were written with U+202E / U+2066 raw (the terminal reversed what followed)
    folder = tmp_path / "pack"
    shutil.copytree(ROOT / "fixtures/examples/core-clean", folder)
    name = "\u202e\u2066营业.pdf"
    (folder / name).write_bytes(b"%PDF-1.4\n")
    proc = run_cli("init", str(folder), "--lang", "zh")
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    assert_nothing_forged(proc.stdout, "init draft")
    assert '"\\u202e\\u2066营业.pdf"' in proc.stdout  # escaped; the Chinese stays readable
    draft = yaml.safe_load(proc.stdout)
    assert name in [d.get("name") for d in draft["documents"]]  # the same name when loaded
