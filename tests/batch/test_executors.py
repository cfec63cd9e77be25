"""Serial, process-pool and Dask LocalCluster runs give byte-identical JSON reports."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from fixtures.makers import make_csv
from tests.batch.conftest import BETA, batch_json_text, copy_root


@pytest.fixture(scope="module")
def mixed_root(three_clients: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Leaks, a missing document, a registry disagreement, a registry row without its folder."""
    root = copy_root(three_clients, tmp_path_factory.mktemp("mixed") / "root")
    make_csv(root / "clients.csv", [["folder", "company", "uscc"], ["beta", BETA[1], BETA[2][:-1] + "0"],
                                    ["ghost", "北京幽灵科技有限公司", ""]])  # fmt: skip
    return root


@pytest.fixture(scope="module")
def serial_json(mixed_root: Path) -> str:
    text = batch_json_text(mixed_root, "serial")
    for code in ('"L102"', '"L103"', '"D101"', '"L201"', '"L202"'):
        assert code in text  # the comparison below covers every kind of result
    return text


def test_process_pool_matches_serial(mixed_root: Path, serial_json: str) -> None:
    assert batch_json_text(mixed_root, "process", jobs=2) == serial_json


def test_dask_matches_serial(mixed_root: Path, serial_json: str) -> None:
    """The run's own LocalCluster (no --scheduler), then a scheduler address as an agency's
    cluster is used (here a real LocalCluster of two worker processes)."""
    distributed = pytest.importorskip("distributed")
    assert batch_json_text(mixed_root, "dask", jobs=2) == serial_json
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster:
        assert batch_json_text(mixed_root, "dask", scheduler=cluster.scheduler_address) == serial_json


def test_an_unreachable_scheduler_is_a_clear_error_not_a_traceback(mixed_root: Path) -> None:
    import socket

    from tests.conftest import run_cli

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = run_cli("batch", str(mixed_root), "--scheduler", f"tcp://127.0.0.1:{port}", "--lang", "en",
                   env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert proc.returncode == 2
    assert f"cannot reach the Dask scheduler tcp://127.0.0.1:{port}; no client was checked" in proc.stderr
    assert "Traceback" not in proc.stderr and not proc.stdout


def test_a_scheduler_with_another_executor_is_a_usage_error(mixed_root: Path) -> None:
    from tests.conftest import run_cli

    proc = run_cli("batch", str(mixed_root), "--executor", "process", "--scheduler", "tcp://127.0.0.1:1")
    assert proc.returncode == 2 and "--scheduler" in proc.stderr and not proc.stdout
