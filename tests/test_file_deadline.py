"""Native parsers run in a killable worker under a per-file deadline (issue 9, item 4).

A file whose parse outlives the deadline is a defect on that file - the reader's own "took too
long" verdict - and never a lost or hung run; every executor gives the same verdict, because the
deadline is enforced by killing a process, which also stops native code (PDFium, calamine).
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path

import pytest

from fixtures import makers as mk
from tests.batch.conftest import batch_json
from tests.conftest import run_cli
from tests.packs import build_pack
from validator.api import check_folder
from validator.spec import load_spec

ROSTER = "09_人员名单_2025.xlsx"
SCAN = "08_股权结构.pdf"
DEADLINE = 0.5  # the slow files take 2-5 s to parse here; the others a few ms


@pytest.fixture(scope="module")
def slow_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean core pack whose roster is a real 60,000-row, 12-column workbook and whose shareholding scan is
    a real PDF with 40 million no-op drawing operations on its page."""
    folder = build_pack(tmp_path_factory.mktemp("slow") / "acme")
    mk.make_large_xlsx(folder / ROSTER, ["序号", "姓名", "身份证号", *(f"列{i}" for i in range(9))], 60_000,
                       sheet="人员名单")
    mk.make_slow_pdf(folder / SCAN)
    return folder


def _reasons(defects: list[dict], path: str) -> set[tuple[str, str]]:
    return {(d["code"], d.get("params", {}).get("reason", "")) for d in defects if d["path"] == path}


def test_a_roster_that_outlives_the_deadline_is_reported_and_the_run_goes_on(slow_pack: Path) -> None:
    start = time.monotonic()
    result = check_folder(str(slow_pack), load_spec("core"), file_timeout=DEADLINE)
    elapsed = time.monotonic() - start
    by_path = {d.path: d for d in result.defects}
    assert by_path[ROSTER].code == "X101" and by_path[ROSTER].params["reason"] == "timeout"
    # Without the leak scan nothing reads the scan's page text: the slow PDF is fine for `check`.
    assert SCAN not in by_path
    assert [d.code for d in result.defects if d.path not in (ROSTER,)] == []
    assert elapsed < 10 * DEADLINE + 5  # one deadline for the roster, then a fresh worker


def test_the_cli_reports_it_in_the_clerks_language(slow_pack: Path) -> None:
    proc = run_cli("check", str(slow_pack), "--spec", "core", "--file-timeout", str(DEADLINE), "--lang", "zh")
    assert proc.returncode == 1, proc.stderr
    assert "解析超时" in proc.stdout and ROSTER in proc.stdout
    assert "Traceback" not in proc.stderr


def test_a_timed_out_verdict_is_not_remembered_by_the_cache(slow_pack: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALIDATOR_CACHE_DIR", str(tmp_path / "cache"))
    folder = shutil.copytree(slow_pack, tmp_path / "acme")
    spec = load_spec("core")
    first = check_folder(str(folder), spec, cache=True, file_timeout=DEADLINE)
    assert any(d.path == ROSTER and d.params.get("reason") == "timeout" for d in first.defects)
    second = check_folder(str(folder), spec, cache=True, file_timeout=60)
    # Given the time, the roster is read: its real defects (the header is not the roster's), no timeout.
    roster = [d for d in second.defects if d.path == ROSTER]
    assert roster and all(d.params.get("reason") != "timeout" for d in roster)


@pytest.fixture(scope="module")
def slow_root(slow_pack: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two clients: the slow pack, and a clean one whose company the leak scan looks for."""
    root = tmp_path_factory.mktemp("slow-root")
    shutil.copytree(slow_pack, root / "acme")
    build_pack(root / "beta")
    (root / "beta" / "client.yaml").write_text(
        f"company: 上海别家信息技术有限公司\nuscc: {mk.valid_uscc(12)}\nlicence_no: 沪B2-20190001\nyear: '2025'\n",
        encoding="utf-8")
    return root


def test_every_executor_gives_the_same_verdict_within_the_deadline(slow_root: Path) -> None:
    """Serial, process pool and Dask worker processes (a real LocalCluster): the roster times out in
    the sheet check, the scan in the leak scan's page text; the same report from each."""
    distributed = pytest.importorskip("distributed")
    reports = {}
    for executor, options in (("serial", {}), ("process", {"jobs": 2}), ("dask", {"jobs": 2})):
        start = time.monotonic()
        report = batch_json(slow_root, executor, default_specs=("core",), file_timeout=DEADLINE, **options)
        assert time.monotonic() - start < 60, executor
        reports[executor] = report
        acme = next(p for p in report["packages"] if p["client"] == "acme")
        assert ("X101", "timeout") in _reasons(acme["defects"], ROSTER), executor
        assert ("P101", "timeout") in _reasons(acme["defects"], SCAN), executor

    def comparable(r: dict) -> str:
        return json.dumps([{k: v for k, v in p.items() if k not in ("seconds",)} for p in r["packages"]],
                          sort_keys=True, ensure_ascii=False)

    assert comparable(reports["process"]) == comparable(reports["serial"])
    assert comparable(reports["dask"]) == comparable(reports["serial"])
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster:
        # An agency's cluster whose workers run two tasks at a time (threads): still killable.
        report = batch_json(slow_root, "dask", scheduler=cluster.scheduler_address, default_specs=("core",),
                            file_timeout=DEADLINE)
    assert comparable(report) == comparable(reports["serial"])
