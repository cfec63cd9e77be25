"""The process pool survives a worker that dies (the OOM killer, a native reader aborting)."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest

from tests.batch.conftest import copy_root
from validator.batch.clients import discover
from validator.batch.runner import BatchOptions, settings_for
from validator.run.pool import run_pool
from validator.run.serial import run_serial


def _kill_first_worker(stop: threading.Event, killed: list[int]) -> None:
    """SIGKILL the first pool worker seen: a child of the fork server, itself our child."""
    me = psutil.Process()
    while not stop.is_set():
        for server in me.children():
            try:
                if "forkserver" not in " ".join(server.cmdline()):
                    continue
                workers = server.children()
            except psutil.Error:
                continue
            if workers:
                os.kill(workers[0].pid, signal.SIGKILL)
                killed.append(workers[0].pid)
                return
        time.sleep(0.005)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
def test_killed_worker_costs_nothing_but_time(tmp_path: Path, clean_pack: Path) -> None:
    root = tmp_path / "root"
    for i in range(6):
        copy_root(clean_pack, root / f"client-{i}")
    clients = discover(str(root))
    settings = settings_for(BatchOptions(root=str(root)), clients)
    expected = {r.name: r.package for r in run_serial(clients, settings)}

    stop, killed = threading.Event(), []
    killer = threading.Thread(target=_kill_first_worker, args=(stop, killed))
    killer.start()
    try:
        results = list(run_pool(clients, settings, jobs=2))
    finally:
        stop.set()
        killer.join()
    assert killed, "no worker was seen"
    # Every client once, each with the result a serial run gives: the clients in flight when the
    # worker died were re-run (none of them caused it), the rest went to a fresh pool.
    assert sorted(r.name for r in results) == sorted(expected)
    assert {r.name: r.package for r in results} == expected


@pytest.mark.parametrize("executor", ["process", "dask"])
def test_a_parallel_run_leaves_nothing_in_the_temp_folder(tmp_path: Path, three_clients: Path, executor: str) -> None:
    """Pool workers leave by os._exit (no finalizer runs): the parse worker's stderr file must
    already be gone by then, or every batch run would leave files behind; Dask's LocalCluster
    leaves its scratch folder unless we remove it."""
    import subprocess
    import sys

    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp)}
    args = ["batch", str(three_clients), "-j", "2", "-q", "--executor", executor, "-f", f"json={tmp_path / 'o.json'}"]
    proc = subprocess.run([sys.executable, "-m", "validator", *args], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    assert (tmp_path / "o.json").stat().st_size > 0
    assert sorted(p.name for p in temp.iterdir()) == []
