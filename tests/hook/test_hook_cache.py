"""The incremental cache never changes a result.

One settled pack goes through edits, a same-size same-mtime edit, a touch, a rename, a
deletion, a duplicate, a client value change, a spec change (in a parent spec), a corrupt
cache and a tool upgrade; after each step the cached and uncached reports (``validator
check`` JSON) and the hook's output must be identical, and the step must really have
changed the result. A second pack shows, with Python's audit hook in a fresh interpreter,
that a warm re-check opens no material file at all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fixtures import makers as mk
from tests.conftest import ROOT
from tests.hook.conftest import CHILD_SPEC, PARENT_SPEC, copy_pack, fingerprint_tree, padded, settle
from validator import cache as cache_module
from validator.api import check_folder
from validator.commands.hook import line
from validator.formats.json import to_dict
from validator.incremental import check_folder_cached
from validator.model import Report
from validator.precommit import run_hook
from validator.spec import load_spec

SHARES = "08_股权结构.pdf"


@pytest.fixture(scope="module")
def settled_packs(pack_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Copies for the tests of this module, made together and settled once (one wait)."""
    base = tmp_path_factory.mktemp("settled")
    packs = {}
    for name in ("chain", "audit"):
        repo = base / name
        packs[name] = copy_pack(pack_template, repo / "clients" / "acme")
        (repo / "specs").mkdir()
        (repo / "specs" / "parent.yaml").write_text(PARENT_SPEC, encoding="utf-8")
        (repo / "specs" / "child.yaml").write_text(CHILD_SPEC, encoding="utf-8")
        # 08 as a PDF padded to a fixed size, so a JPEG of the very same size can replace it.
        pdf = (packs[name] / SHARES).read_bytes()
        (packs[name] / SHARES).write_bytes(padded(pdf, 40_000))
    settle(*(p.parents[1] for p in packs.values()))
    return packs


def check_reports(pack: Path, spec_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = load_spec(str(spec_path))
    cached = to_dict(Report((check_folder_cached(str(pack), spec),), lang="en"))
    plain = to_dict(Report((check_folder(str(pack), spec),), lang="en"))
    return cached, plain


def hook_lines(repo: Path, files: list[str], spec_path: Path, use_cache: bool) -> list[str]:
    run = run_hook(files, str(spec_path), base=str(repo), use_cache=use_cache)
    assert run.problems == []
    return [line(c.folder, d, "en") for c in run.checks for d in c.result.defects]


def codes(report: dict[str, Any], path: str | None = None) -> set[str]:
    return {d["code"] for p in report["packages"] for d in p["defects"] if path is None or d["path"] == path}


def _jpeg_same_size(pack: Path) -> None:
    """Replace 08's content with a JPEG of exactly the same size and put its mtime back."""
    target = pack / SHARES
    before = target.stat()
    jpeg = mk.make_jpeg(pack.parent / "scan.jpg", 300, 400, seed=7)
    data = padded(jpeg.read_bytes(), before.st_size)
    jpeg.unlink()
    target.write_bytes(data)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_cached_and_uncached_runs_agree_through_edits_renames_deletions_and_spec_changes(
    settled_packs: dict[str, Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = settled_packs["chain"]
    repo = pack.parents[1]
    spec_path = repo / "specs" / "child.yaml"

    def bad_roster(p: Path) -> None:
        rows = mk.make_roster_rows(5, "北京示例科技有限公司")
        rows[2][2] = "110101199003074478"  # wrong check digit
        (p / "09_人员名单_2025.xlsx").unlink()
        mk.make_xlsx(p / "09_人员名单_2025.xlsx", {"人员名单": rows}, text_columns={2, 7})

    def touch(p: Path) -> None:
        os.utime(p / "01_年报承诺书.pdf", ns=(time.time_ns(), time.time_ns()))

    def rename(p: Path) -> None:
        (p / "06_网络与信息安全保障措施.pdf").rename(p / "06_网络与信息安全保障措施(1).pdf")

    def delete(p: Path) -> None:
        (p / "07_服务质量及投诉处理.pdf").unlink()

    def duplicate(p: Path) -> None:
        shutil.copyfile(p / "10_社保缴纳证明.jpg", p / "10_社保缴纳证明_补充.jpg")

    def other_company(p: Path) -> None:
        text = (p / "client.yaml").read_text(encoding="utf-8").replace("北京示例科技有限公司", "上海别家科技有限公司")
        (p / "client.yaml").write_text(text, encoding="utf-8")

    def parent_spec_change(p: Path) -> None:
        extra = "documents:\n  - {id: commitment, min_size: 1MB}\n"
        (repo / "specs" / "parent.yaml").write_text(PARENT_SPEC + extra, encoding="utf-8")

    def corrupt_cache(p: Path) -> None:
        for i, f in enumerate(sorted(cache_dir.rglob("*.pickle"))):
            f.write_bytes([b"garbage", b"\x80\x05\x95", f.read_bytes()[: f.stat().st_size // 2]][i % 3])

    def new_tool_version(p: Path) -> None:
        monkeypatch.setattr("validator.__version__", "99.0")
        monkeypatch.setattr(cache_module, "_fingerprint", None)

    # (step, mutation, files the commit would hand the hook, (path, code) the step must produce)
    steps: list[tuple[str, Callable[[Path], None], list[str], tuple[str, str] | None]] = [
        ("cold cache", lambda p: None, [SHARES], None),
        ("warm cache", lambda p: None, [SHARES], None),
        ("content edit", bad_roster, ["09_人员名单_2025.xlsx"], ("09_人员名单_2025.xlsx", "X")),
        ("same size and mtime", _jpeg_same_size, [SHARES], (SHARES, "T102")),
        ("touch only", touch, ["01_年报承诺书.pdf"], None),
        (
            "rename",
            rename,
            ["06_网络与信息安全保障措施.pdf", "06_网络与信息安全保障措施(1).pdf"],
            ("06_网络与信息安全保障措施(1).pdf", "N107"),
        ),
        ("delete", delete, ["07_服务质量及投诉处理.pdf"], ("", "D101")),
        ("duplicate", duplicate, ["10_社保缴纳证明_补充.jpg"], ("10_社保缴纳证明_补充.jpg", "D105")),
        (
            "client value",
            other_company,
            ["client.yaml", f"02_营业执照_{'北京示例科技有限公司'}.pdf"],
            ("02_营业执照_北京示例科技有限公司.pdf", "L101"),  # another company's name, found by shape
        ),
        ("parent spec", parent_spec_change, ["01_年报承诺书.pdf"], ("01_年报承诺书.pdf", "S103")),
        ("corrupt cache", corrupt_cache, [SHARES], None),
        ("tool upgrade", new_tool_version, [SHARES], None),
    ]
    materials_before = None
    for name, mutate, changed, must in steps:
        mutate(pack)
        materials_before = fingerprint_tree(pack)
        cached, plain = check_reports(pack, spec_path)
        assert cached == plain, f"step {name!r}: check --cache differs from check --no-cache"
        if must is not None:
            path, code = must
            assert any(c.startswith(code) for c in codes(plain, path)), f"step {name!r}: {codes(plain)}"
        rels = [f"clients/acme/{c}" for c in changed]
        with_cache = hook_lines(repo, rels, spec_path, use_cache=True)
        without = hook_lines(repo, rels, spec_path, use_cache=False)
        assert with_cache == without, f"step {name!r}: hook with cache differs from hook without"
        # The hook reports the changed files and the folder: exactly those defects of the full check.
        expected = sorted(
            f"clients/acme/{d['path'] or ''}: {d['code']}"
            for d in plain["packages"][0]["defects"]
            if d["severity"] != "info" and (d["path"] in changed or d["path"] == "" or d["code"] == "D105")
        )
        assert sorted(re.match(r"^(.*?: [A-Z]\d{3})", x).group(1) for x in with_cache) == expected, name  # type: ignore[union-attr]
        assert fingerprint_tree(pack) == materials_before, f"step {name!r}: the materials were modified"
    assert not any(p.name.endswith(".pickle") for p in repo.rglob("*")), "cache written into the materials"


AUDIT = """
import json, sys
root, spec_ref = sys.argv[1], sys.argv[2]
opened = []
def watch(event, args):
    if event == "open" and isinstance(args[0], str) and args[0].startswith(root):
        opened.append(args[0][len(root) + 1:])
sys.addaudithook(watch)
from validator.incremental import check_folder_cached
from validator.spec import load_spec
from validator.formats.json import to_dict
from validator.model import Report
result = check_folder_cached(root, load_spec(spec_ref))
print(json.dumps({"opened": opened, "codes": sorted({d.code for d in result.defects})}))
"""


def audited_check(pack: Path, spec_ref: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", AUDIT, str(pack), spec_ref],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    result: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])
    return result


def test_warm_recheck_only_stats_and_content_hash_decides(settled_packs: dict[str, Path], cache_dir: Path) -> None:
    pack = settled_packs["audit"]
    cold = audited_check(pack, "core")
    assert len(set(cold["opened"])) >= 11, cold  # every file read once at least
    warm = audited_check(pack, "core")
    assert warm == {"opened": [], "codes": cold["codes"]}, "a warm re-check must not open any material file"

    # A touch moves the stamp, not the content: one read to hash it, no re-inspection.
    os.utime(pack / "01_年报承诺书.pdf")
    touched = audited_check(pack, "core")
    assert touched == {"opened": ["01_年报承诺书.pdf"], "codes": cold["codes"]}

    # Same size, same mtime, other content: the hash notices and the file is checked again.
    _jpeg_same_size(pack)
    edited = audited_check(pack, "core")
    assert edited["opened"].count(SHARES) >= 2, edited  # hashed, then inspected
    assert "T102" in edited["codes"] and "T102" not in cold["codes"]
