"""`check` shows its progress on a terminal (stderr), and only there."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures import makers as mk
from tests.packs import build_pack
from validator.api import check_folder
from validator.file_progress import FileProgress
from validator.spec import load_spec


def test_the_engine_reports_each_file_done(tmp_path: Path) -> None:
    folder = build_pack(tmp_path / "acme")
    seen: list[tuple[int, int]] = []
    result = check_folder(str(folder), load_spec("core"), on_file=lambda done, total: seen.append((done, total)))
    assert [d for d, _ in seen] == list(range(1, result.files + 1))
    assert {t for _, t in seen} == {result.files}


def test_the_line_waits_then_redraws_in_place_and_is_erased() -> None:
    out = io.StringIO()
    progress = FileProgress(out, "zh", delay=0)
    progress.folder_started("材料\x1b[2J")
    for done in range(1, 4):
        progress(done, 3)
    progress.close()
    text = out.getvalue()
    assert "检查中 材料\\x1b[2J：3/3 个文件" in text  # the folder name is shown escaped
    assert text.endswith("\r\x1b[K")
    quiet = io.StringIO()
    late = FileProgress(quiet, "en")  # the default delay: a quick run draws nothing
    late(1, 1)
    late.close()
    assert quiet.getvalue() == ""


@pytest.mark.skipif(sys.platform == "win32", reason="pty")
def test_a_slow_check_on_a_terminal_shows_progress_on_stderr_only(tmp_path: Path) -> None:
    import pty

    folder = build_pack(tmp_path / "acme")
    mk.make_large_xlsx(folder / "09_人员名单_2025.xlsx", ["序号", *(f"列{i}" for i in range(11))], 40_000,
                       sheet="人员名单")
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "validator", "check", str(folder), "--spec", "core",
                             "--lang", "zh"], stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    stdout, _ = proc.communicate(timeout=120)
    os.close(master)
    assert proc.returncode == 1
    terminal = seen.decode("utf-8", "replace")
    assert "检查中" in terminal and "个文件" in terminal
    assert terminal.rstrip("\r\n").endswith("\x1b[K")
    assert "检查中" not in stdout.decode("utf-8")
