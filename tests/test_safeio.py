"""safeio.read_regular: what it refuses, and that refusing never blocks."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from validator.safeio import UnsafeFile, describe, read_regular


def reason(path: Path, max_bytes: int = 1 << 20, follow: bool = False) -> str:
    with pytest.raises(UnsafeFile) as info:
        read_regular(path, max_bytes, follow=follow)
    return info.value.reason


def test_reads_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"company: x\n")
    assert read_regular(tmp_path / "a.yaml", 100) == b"company: x\n"
    assert read_regular(tmp_path / "a.yaml", 11) == b"company: x\n"  # exactly the limit


def test_refusals_have_stable_reasons(tmp_path: Path) -> None:
    assert reason(tmp_path / "absent") == "missing"
    assert reason(tmp_path) == "not_regular"
    assert reason(Path("/dev/zero")) == "not_regular"  # a device that never ends
    (tmp_path / "big").write_bytes(b"x" * 101)
    assert reason(tmp_path / "big", 100) == "too_large"
    (tmp_path / "link").symlink_to(tmp_path / "big")
    assert reason(tmp_path / "link") == "symlink"
    assert read_regular(tmp_path / "link", 200, follow=True) == b"x" * 101  # asked to follow: the target
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "sock"))
        assert reason(tmp_path / "sock") in ("not_regular", "unreadable")  # ENXIO opening a socket


def test_a_fifo_is_refused_at_once_even_without_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    start = time.monotonic()
    assert reason(tmp_path / "fifo") == "not_regular"
    assert reason(tmp_path / "fifo", follow=True) == "not_regular"
    assert time.monotonic() - start < 1
    with pytest.raises(UnsafeFile) as info:
        read_regular(tmp_path / "fifo", 10)
    assert describe(info.value) == "not a regular file (a named pipe)"


def test_describe_names_the_limit(tmp_path: Path) -> None:
    (tmp_path / "big").write_bytes(b"x" * (2 << 20))
    with pytest.raises(UnsafeFile) as info:
        read_regular(tmp_path / "big", 1 << 20)
    assert describe(info.value, 1 << 20) == "larger than 1 MiB (2 MiB)"
