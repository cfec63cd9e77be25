"""`validator batch --cache`: a re-run reuses the outcomes of unchanged files (the engine's outcome
provider, as `check --cache` and the hook) and reports exactly what an uncached run reports -
after an edit, and after a new client joins (its identities change every client's leak checks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures.client_packs import make_client_pack
from fixtures.makers import make_pdf, valid_uscc
from tests.batch.conftest import ACME, batch_json_text, copy_root
from tests.conftest import ROOT


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv("VALIDATOR_CACHE_DIR", str(path))
    return path


def _without_timing(text: str) -> dict[str, object]:
    report = json.loads(text)
    report.pop("seconds", None)
    for package in report.get("packages", []):
        package.pop("seconds", None)
    return report


def test_cached_reruns_report_what_uncached_runs_report(three_clients: Path, tmp_path: Path, cache_dir: Path) -> None:
    root = copy_root(three_clients, tmp_path / "root")

    def same() -> None:
        cached = batch_json_text(root, cache=True)
        assert _without_timing(cached) == _without_timing(batch_json_text(root))

    same()  # cold
    assert list(cache_dir.rglob("*.pickle")), "the run stored nothing"
    same()  # warm, nothing changed
    make_pdf(root / "acme" / "08_股权结构.pdf", 3, f"股权结构 {ACME[1]}")  # an edit: new content
    same()
    # A new client: its name is now a known identity, so files naming it leak in every folder.
    delta = ("delta", "深圳第四数据有限公司", valid_uscc(14))
    make_client_pack(root / delta[0], delta[1], delta[2], seed=4)
    make_pdf(root / "acme" / "04_审计报告_2025.pdf", 1, f"审计报告 {delta[1]}")
    report = _without_timing(batch_json_text(root, cache=True))
    assert report == _without_timing(batch_json_text(root))
    codes = {d["code"] for p in report["packages"] if p["client"] == "acme" for d in p["defects"]}  # type: ignore[index]
    assert "L103" in codes


_COUNT_OPENS = """
import collections, json, os, sys
root = os.path.abspath(sys.argv[1])
counts = collections.Counter()
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        path = os.fsdecode(args[0])
        if path.startswith(root + os.sep):
            counts[os.path.relpath(path, root)] += 1
sys.addaudithook(hook)
from validator.batch.runner import BatchOptions, run_batch
run_batch(BatchOptions(root=root, executor="serial", cache=True)).spill.close()
print(json.dumps(counts))
"""


def test_a_warm_rerun_opens_only_the_changed_file(three_clients: Path, tmp_path: Path, cache_dir: Path) -> None:
    root = copy_root(three_clients, tmp_path / "root")
    time.sleep(3.1)  # files that changed within 3 s of a run are re-hashed (git's racy-clean rule)

    def opened() -> dict[str, int]:
        env = {**os.environ, "VALIDATOR_CACHE_DIR": str(cache_dir)}
        proc = subprocess.run([sys.executable, "-c", _COUNT_OPENS, str(root)], capture_output=True, text=True,
                              timeout=300, cwd=ROOT, env=env, check=False)
        assert proc.returncode == 0, proc.stderr
        return {p: n for p, n in json.loads(proc.stdout).items() if not p.endswith("client.yaml")}

    assert len(opened()) > 20  # cold: every file read
    edited = Path("beta") / "08_股权结构.pdf"
    make_pdf(root / edited, 2, "股权结构 (edited)")
    assert set(opened()) == {str(edited)}
