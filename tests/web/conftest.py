"""The real `validator serve` in a subprocess on port 0; its address from its first stdout line."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "examples"


@dataclass
class Served:
    url: str  # the first line: http://127.0.0.1:PORT/?token=…
    proc: subprocess.Popen[str]
    tmp: Path  # the server's TMPDIR: its work folder and unpacked zips live here

    @property
    def base(self) -> str:
        u = urlsplit(self.url)
        return f"{u.scheme}://{u.netloc}"

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 0)

    @property
    def token(self) -> str:
        return self.url.split("token=", 1)[1]


def start_server(tmp: Path, lang: str) -> Served:
    tmp.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmp), "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "validator", "serve", "--no-browser", "--lang", lang],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()
    assert first.startswith("http://127.0.0.1:") and "token=" in first, (first, proc.stderr and proc.stderr.read())
    return Served(first, proc, tmp)


def stop_server(served: Served) -> None:
    served.proc.send_signal(signal.SIGTERM)
    try:
        served.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        served.proc.wait()
    for stream in (served.proc.stdout, served.proc.stderr):
        if stream is not None:
            stream.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Served]:
    served = start_server(tmp_path / "server-tmp", "zh")
    yield served
    stop_server(served)


def copy_client(name: str, dest: Path) -> Path:
    shutil.copytree(EXAMPLES / name, dest)
    return dest


def snapshot(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file and folder under ``folder``: size, mtime (ns), sha256 - to prove nothing changed."""
    out: dict[str, tuple[int, int, str]] = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
        out[str(p.relative_to(folder))] = (st.st_size if p.is_file() else 0, st.st_mtime_ns, digest)
    return out
