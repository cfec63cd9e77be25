"""Progress on stderr: a redrawn bar on a terminal (a real pseudo-terminal here), plain lines
otherwise (see test_rollup), nothing with --quiet."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_bar_on_a_terminal(three_clients: Path) -> None:
    master, slave = os.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "validator", "batch", str(three_clients), "--executor", "serial", "--lang", "en"],
            stdout=subprocess.PIPE, stderr=slave, cwd=ROOT, timeout=120,
            env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100"},
        )  # fmt: skip
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the writer is gone
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    err = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 1
    assert "\r" in err and "[1/3]" not in err  # redrawn in place, not one line per client
    final = err.rstrip("\r\n").split("\r")[-1]
    assert re.search(r"\[#+\] 3/3 clients\s+[\d,]+ files/s\s+ETA 0:00", final), final
    assert "3 clients: 2 ready" in proc.stdout.decode()  # the report itself goes to stdout
