"""Ctrl-C (SIGINT) in a real subprocess: exit 130, one line saying so, no traceback; a batch
stops its workers and never leaves a report that looks complete (issue 10.9, issue 10 exit codes)."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")


def spawn(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen([sys.executable, "-m", "validator", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)


def test_check_interrupted_while_writing_exits_130(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    shutil.copytree(ROOT / "fixtures/examples/core-clean", folder)
    for i in range(1500):  # 1,500 stray files: a JSON report far larger than a pipe holds
        (folder / f"stray_{i:04d}.bin").write_bytes(b"x")
    proc = spawn("check", str(folder), "--spec", "core", "--lang", "en", "--format", "json")
    assert proc.stdout is not None
    # The report fills the pipe nobody reads: the process is blocked in its write, mid-output.
    assert select.select([proc.stdout], [], [], 120)[0], "no output"
    time.sleep(1.0)
    assert proc.poll() is None, "finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert err.decode().strip().endswith("validator: interrupted.")
    assert b"Traceback" not in err and b"Aborted!" not in err


def test_batch_interrupted_stops_its_workers_and_writes_no_report(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for i in range(40):
        shutil.copytree(ROOT / "fixtures/examples/core-clean", root / f"client{i:02d}")
    report = tmp_path / "report.json"
    proc = spawn("batch", str(root), "--spec", "core", "--lang", "en", "--executor", "process", "-j", "2",
                 "-f", f"json={report}")
    assert proc.stderr is not None
    first = proc.stderr.readline()  # log mode: one line per finished client
    assert first.startswith(b"[ 1/40]"), first
    workers = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=120)
    err = (first + rest).decode()
    assert proc.returncode == 130, err
    assert "validator: interrupted after" in err and "of 40 clients; no report was written." in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert not report.exists() and not list(tmp_path.glob(".report.json.*"))
    _, alive = psutil.wait_procs(workers, timeout=30)
    assert not alive, f"worker processes left running: {alive}"
