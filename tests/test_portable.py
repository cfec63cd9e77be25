"""The Windows branches, run here on Linux with VALIDATOR_PORTABLE forcing them.

Each primitive a stock Windows Python lacks (O_NOFOLLOW/O_NONBLOCK, SIGALRM, RLIMIT_AS, fork,
libmagic) has a portable branch chosen in validator/portable.py. These tests force that branch
and require the same verdicts as the POSIX one: the same defects over every bundled example, the
same refusals of links and pipes, a bound on time and memory in the sandbox child. CI also runs
a marked part of the suite with VALIDATOR_PORTABLE=1 (.ci/run).

Not run anywhere: the Windows Job Object, the ``\\\\?\\`` prefix on a real long path, drive
letters and a real GBK console window (we run the CLI with PYTHONIOENCODING=gbk instead).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import sandbox_targets as targets
from tests.conftest import ROOT, codes_of, run_cli
from validator import portable, safeio
from validator.readers import bounded
from validator.sandbox import Sandbox, SandboxMemory, SandboxTimeout, mode_in_force
from validator.sniff import HEAD_SIZE, sniff
from validator.sniff.libmagic import builtin_mime, unavailable

pytestmark = pytest.mark.portable

EXAMPLES = ROOT / "fixtures" / "examples"
FOLDERS = sorted(p for p in EXAMPLES.iterdir() if p.is_dir())
PORTABLE = {portable.ENV: "1"}


@pytest.fixture
def forced(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The portable branches, with a fresh per-thread parse worker (the engine's, started by an
    earlier test in its native mode, would otherwise live on) before and after."""
    from validator import sandbox

    sandbox.shared().close()
    monkeypatch.setenv(portable.ENV, "1")
    yield
    sandbox.shared().close()


# --- the switch ---------------------------------------------------------------------------


def test_the_switch_forces_all_or_some(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(portable.ENV, raising=False)
    assert all(portable.native(p) for p in portable.PRIMITIVES)  # this Linux has them all
    monkeypatch.setenv(portable.ENV, "1")
    assert not any(portable.native(p) for p in portable.PRIMITIVES)
    monkeypatch.setenv(portable.ENV, "nofollow, libmagic")
    assert [p for p in portable.PRIMITIVES if not portable.native(p)] == ["nofollow", "libmagic"]
    monkeypatch.setenv(portable.ENV, "0")
    assert portable.native("fork")
    with pytest.raises(ValueError, match="unknown primitive"):
        portable.native("fcntl")


def test_long_windows_paths_get_the_extended_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    deep = "C:\\材料\\" + "\\".join(["子目录名称很长的一层"] * 30) + "\\营业执照.pdf"
    assert portable.long_path(deep) == deep  # not Windows: unchanged
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(os.path, "abspath", lambda p: p)  # ntpath's, as on Windows; ours is posixpath
    assert portable.long_path(deep) == "\\\\?\\" + deep
    assert portable.long_path("C:\\材料\\a.pdf") == "C:\\材料\\a.pdf"  # short: unchanged
    unc = "\\\\server\\share\\" + "x" * 300
    assert portable.long_path(unc) == unc  # UNC and already-prefixed paths are left alone


# --- no-follow opening by lstat + fstat ---------------------------------------------------


def test_the_portable_opener_refuses_what_the_posix_one_refuses(tmp_path: Path, forced: None) -> None:
    (tmp_path / "a.yaml").write_bytes(b"company: x\n")
    (tmp_path / "link").symlink_to(tmp_path / "a.yaml")
    os.mkfifo(tmp_path / "fifo")
    assert not portable.native("nofollow")
    assert safeio.read_regular(tmp_path / "a.yaml", 100) == b"company: x\n"
    assert safeio.read_regular(tmp_path / "link", 100, follow=True) == b"company: x\n"
    started = time.monotonic()
    for name, follow, reason in [("link", False, "symlink"), ("fifo", False, "not_regular"),
                                 ("fifo", True, "not_regular"), ("absent", False, "missing")]:
        with pytest.raises(safeio.UnsafeFile) as info:
            safeio.read_regular(tmp_path / name, 100, follow=follow)
        assert info.value.reason == reason, name
    assert time.monotonic() - started < 1  # lstat saw the FIFO: it was never opened, never waited on


def test_a_file_swapped_between_lstat_and_open_is_refused(
    tmp_path: Path, forced: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the comparison exists for: what lstat saw is replaced (here by a link to a file
    outside the folder) just before the open; fstat then names another file."""
    target = tmp_path / "client.yaml"
    target.write_bytes(b"company: ours\n")
    outside = tmp_path / "outside.yaml"
    outside.write_bytes(b"company: theirs\n")
    real_open = os.open

    def swap_then_open(path: str, flags: int, *args: object, **kw: object) -> int:
        if path == str(target):
            os.unlink(target)
            os.symlink(outside, target)
        return real_open(path, flags, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", swap_then_open)
    with pytest.raises(safeio.UnsafeFile) as info:
        safeio.read_regular(target, 100)
    assert (info.value.reason, info.value.detail) == ("symlink", "replaced while opening")


def test_file_facts_and_hashes_take_the_same_opener(tmp_path: Path, forced: None) -> None:
    from validator.discovery import Entry
    from validator.facts import ReadProblem, read_facts
    from validator.hashing import file_digest

    (tmp_path / "a.txt").write_text("hello\n")
    (tmp_path / "l.txt").symlink_to(tmp_path / "a.txt")
    os.mkfifo(tmp_path / "p.txt")
    assert read_facts(Entry("a.txt", str(tmp_path / "a.txt"), "file", 6)).content.kind == "txt"
    assert file_digest(str(tmp_path / "a.txt")) is not None
    for name, code in (("l.txt", "F103"), ("p.txt", "F104"), ("gone.txt", "F102")):
        with pytest.raises(ReadProblem) as info:
            read_facts(Entry(name, str(tmp_path / name), "file"))
        assert info.value.code == code
        assert file_digest(str(tmp_path / name)) is None


# --- time and memory: the spawned sandbox child -------------------------------------------


def test_in_process_bounds_are_off_and_the_sandbox_spawns(forced: None) -> None:
    assert bounded.supported() == {"time": False, "memory": False}  # as on Windows
    assert mode_in_force() == "spawn"


def test_the_spawned_child_is_bounded_in_time_and_memory(forced: None) -> None:
    """No RLIMIT_AS inside the child: the parent polls its resident size and kills it."""
    with Sandbox(memory_mb=200) as box:
        child = box.call(targets.pid, timeout=60)
        assert box.mode == "spawn" and box.memory_guard == "rss" and box.memory_bounded is True
        assert box.call(targets.address_space_limit, timeout=30) == -1  # RLIM_INFINITY: no rlimit set
        started = time.monotonic()
        with pytest.raises(SandboxMemory, match="resident size"):
            box.call(targets.grow_to, 16, 1024, timeout=60)
        assert time.monotonic() - started < 20
        assert not _alive(child)
        assert box.call(targets.allocate, 64 * 2**20, timeout=60) == 64 * 2**20  # a fresh child
        with pytest.raises(SandboxTimeout):
            box.call(targets.native_sleep, 60, timeout=0.5)


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


# --- libmagic optional -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"Rar!\x1a\x07\x01\x00" + b"\x00" * 20, "application/x-rar"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 20, "application/x-7z-compressed"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "application/gzip"),
        (b"II*\x00\x08\x00\x00\x00" + b"\x00" * 20, "image/tiff"),
        (b"{\\rtf1\\ansi hello}", "text/rtf"),
        ("名称,统一社会信用代码\n杭州云栈网络科技有限公司,91440106423118916R\n".encode("gb18030"), "text/plain"),
        ("名称,代码\n北京".encode()[:-1], "text/plain"),  # UTF-8 cut inside the last character
        (b"\xff\xfe" + "姓名\t电话\n".encode("utf-16-le"), "text/plain"),
        (b"BM text that starts like a bitmap", "text/plain"),
        (b"\x00\x01\x02binary\x00", "application/octet-stream"),
    ],
)
def test_the_built_in_stand_in(head: bytes, mime: str) -> None:
    assert builtin_mime(head) == mime


def test_a_real_bmp_is_an_image_without_libmagic(tmp_path: Path, forced: None) -> None:
    from PIL import Image

    Image.new("RGB", (4, 4)).save(tmp_path / "scan.bmp")
    data = (tmp_path / "scan.bmp").read_bytes()
    ct = sniff(tmp_path / "scan.bmp", data[:HEAD_SIZE], len(data))
    assert (ct.kind, ct.without_libmagic) == ("bmp", True)


def test_every_file_of_the_examples_gets_the_same_kind_without_libmagic(monkeypatch: pytest.MonkeyPatch) -> None:
    files = [p for folder in FOLDERS for p in sorted(folder.rglob("*")) if p.is_file()]
    assert len(files) > 100

    def kinds() -> dict[Path, tuple[str, bool]]:
        found = {}
        for p in files:
            data = p.read_bytes()
            ct = sniff(p, data[:HEAD_SIZE], len(data))
            found[p] = (ct.kind, ct.without_libmagic)
        return found

    monkeypatch.delenv(portable.ENV, raising=False)
    native = kinds()
    monkeypatch.setenv(portable.ENV, "libmagic")
    assert unavailable() == "switched off (VALIDATOR_PORTABLE)"
    built_in = kinds()
    assert {p: k for p, (k, _) in built_in.items()} == {p: k for p, (k, _) in native.items()}
    assert not any(w for _, w in native.values())
    assert any(w for _, w in built_in.values())  # the text files needed the stand-in


# --- the same defects over every example --------------------------------------------------


def _defects(report: dict) -> dict[str, list[tuple[str, str, str]]]:
    return {
        Path(p["root"]).name: sorted(
            (d["code"], d["path"], json.dumps(d.get("params", {}), sort_keys=True, ensure_ascii=False))
            for d in p["defects"]
        )
        for p in report["packages"]
    }


def test_the_examples_give_the_same_defects_in_both_modes() -> None:
    args = ["check", *map(str, FOLDERS), "--format", "json", "--lang", "en"]
    native = run_cli(*args, env={portable.ENV: "0"})
    forced_run = run_cli(*args, env=PORTABLE)
    assert native.returncode == forced_run.returncode == 1, (native.stderr, forced_run.stderr)
    a, b = _defects(json.loads(native.stdout)), _defects(json.loads(forced_run.stdout))
    assert a.keys() == b.keys() and len(a) == len(FOLDERS)
    for folder in a:
        notes = [d for d in b[folder] if d[0] == "U101"]
        assert [d for d in b[folder] if d[0] != "U101"] == a[folder], folder
        assert len(notes) <= 1 and all(path == "" for _, path, _ in notes), folder  # once, on the folder
    assert sum(1 for f in b.values() for d in f if d[0] == "U101") >= 1
    assert not any(d[0] == "U101" for f in a.values() for d in f)


def test_the_cache_does_not_carry_verdicts_across_modes(tmp_path: Path) -> None:
    """Outcomes cached with libmagic are not reused without it (and back): a warm run gives
    exactly what a cold run in its own mode gives, U101 included."""
    cache = {"VALIDATOR_CACHE_DIR": str(tmp_path / "cache")}
    args = ["check", *map(str, FOLDERS), "--format", "json", "--lang", "en"]
    cold = {mode: _defects(json.loads(run_cli(*args, env={portable.ENV: mode}).stdout)) for mode in ("0", "libmagic")}
    for mode in ("0", "libmagic", "0"):  # each warm run follows a run of the other mode
        warm = _defects(json.loads(run_cli(*args, "--cache", env={**cache, portable.ENV: mode}).stdout))
        assert warm == cold[mode], mode
    assert cold["0"] != cold["libmagic"]  # the modes do differ (U101), so the test can fail


# --- names Windows cannot hold ------------------------------------------------------------


@pytest.mark.parametrize("env", [{portable.ENV: "0"}, PORTABLE], ids=["native", "portable"])
def test_case_clashes_and_reserved_names_are_reported(tmp_path: Path, env: dict[str, str]) -> None:
    folder = tmp_path / "材料"
    folder.mkdir()
    (folder / "client.yaml").write_text((EXAMPLES / "icp-clean" / "client.yaml").read_text("utf-8"), "utf-8")
    licence = next((EXAMPLES / "icp-clean").glob("02_营业执照_*.pdf"))
    (folder / licence.name).write_bytes(licence.read_bytes())
    (folder / licence.name.replace(".pdf", ".PDF")).write_bytes(licence.read_bytes() + b"\n")
    for rel in ("Docs/a.txt", "docs/b.txt", "aux/c.txt", "CON.pdf", "nul.txt", "COM1.xlsx"):
        (folder / rel).parent.mkdir(exist_ok=True)
        (folder / rel).write_text("x")
    proc = run_cli("check", str(folder), "--format", "json", "--lang", "en", env=env)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    u102 = {d["path"]: d["params"]["other"] for p in report["packages"] for d in p["defects"] if d["code"] == "U102"}
    assert u102 == {licence.name: licence.name.replace(".pdf", ".PDF"), "docs/": "Docs/"}
    for path in ("CON.pdf", "nul.txt", "COM1.xlsx", "aux/"):
        assert "N103" in codes_of(report, path), path


# --- a GBK or ASCII console -----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "ascii", "cp437"])
def test_a_console_that_cannot_encode_the_report_gets_it_without_a_traceback(encoding: str) -> None:
    folder = str(EXAMPLES / "call-center-messy")
    env = {"PYTHONIOENCODING": encoding, **PORTABLE}
    text = subprocess.run([sys.executable, "-m", "validator", "check", folder], capture_output=True,
                          env={**os.environ, "NO_COLOR": "1", **env}, timeout=300)
    assert text.returncode == 1 and b"Traceback" not in text.stderr, text.stderr
    if encoding == "gbk":
        assert "个文件夹" in text.stdout.decode("gbk")  # Chinese stays Chinese where it can
    # JSON: a character the console lacks is written as \\uXXXX, which is the same JSON string.
    as_json = subprocess.run([sys.executable, "-m", "validator", "check", folder, "--format", "json"],
                             capture_output=True, env={**os.environ, **env}, timeout=300)
    utf8 = run_cli("check", folder, "--format", "json", env=PORTABLE)
    wire = "utf-8" if encoding == "ascii" else encoding  # click takes an ASCII stream as misconfigured: UTF-8
    assert json.loads(as_json.stdout.decode(wire))["packages"] == json.loads(utf8.stdout)["packages"]
    # A usage error, in Chinese, on the same console.
    bad = subprocess.run([sys.executable, "-m", "validator", "check", folder, "--spec", "没有这个规范"],
                         capture_output=True, env={**os.environ, **env}, timeout=300)
    assert bad.returncode == 2 and b"Traceback" not in bad.stderr, bad.stderr


def test_nothing_in_the_checked_folder_changes_in_portable_mode(tmp_path: Path) -> None:
    folder = EXAMPLES / "call-center-messy"
    before = {p: (p.stat().st_mtime_ns, stat.S_IMODE(p.stat().st_mode)) for p in folder.rglob("*")}
    run_cli("check", str(folder), "-f", f"json={tmp_path / 'r.json'}", "-f", f"xlsx={tmp_path / 'r.xlsx'}",
            env=PORTABLE)
    assert {p: (p.stat().st_mtime_ns, stat.S_IMODE(p.stat().st_mode)) for p in folder.rglob("*")} == before
    assert (tmp_path / "r.json").exists() and (tmp_path / "r.xlsx").exists()
