"""Shared test helpers: the repo root on sys.path (for fixtures.makers), a CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
#: The real-world corpus (326 files from public test suites; it ships beside the repo, not in it):
#: $VALIDATOR_CORPUS, else the checkout's sibling ../shared, else the machine's (a git worktree
#: elsewhere still finds it).
CORPUS = next(
    (p for p in (Path(os.environ.get("VALIDATOR_CORPUS", SHARED / "corpus" / "real")),
                 SHARED / "corpus" / "real", Path("/work/shared/corpus/real")) if p.is_dir()),
    SHARED / "corpus" / "real",
)


def needs_native(*primitives: str) -> pytest.MarkDecorator:
    """For a test of the POSIX branch of ``primitives`` (validator.portable) on purpose: skipped,
    with the reason, where the portable branch is in force (Windows, or VALIDATOR_PORTABLE)."""
    from validator.portable import native

    portable = [p for p in primitives if not native(p)]
    return pytest.mark.skipif(bool(portable), reason=f"tests the POSIX branch of {', '.join(portable)}; "
                              "the portable one is in force here (Windows or VALIDATOR_PORTABLE)")


# Tests of the in-process SIGALRM deadline (validator.readers.bounded): the portable branch has
# none by design - there the parse worker's kill bounds a parse (tests/test_portable.py,
# tests/test_file_deadline.py) - and a loop that waits for the alarm would never end.
needs_alarm = needs_native("alarm")


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `validator` command in a subprocess (exit codes, stdout, stderr as a user sees them)."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "validator", *args], capture_output=True, text=True,
                          cwd=cwd, env=full_env, timeout=300)


_IMPORT_PROBE = """
import sys
from validator.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("LOADED:" + ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def modules_loaded_by(heavy: tuple[str, ...], *args: str, cwd: Path | None = None,
                      env: dict[str, str] | None = None) -> set[str]:
    """Which of `heavy` a fresh interpreter has imported after running `validator ARGS`."""
    proc = subprocess.run([sys.executable, "-c", _IMPORT_PROBE.format(heavy=heavy), *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120)
    line = [x for x in proc.stdout.splitlines() if x.startswith("LOADED:")][-1]
    return {m for m in line[len("LOADED:"):].split(",") if m}


def check_json(folder: Path, *args: str) -> tuple[int, dict]:
    proc = run_cli("check", str(folder), "--format", "json", "--lang", "en", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def codes_of(report: dict, path: str | None = None) -> list[str]:
    return sorted(d["code"] for p in report["packages"] for d in p["defects"] if path is None or d["path"] == path)


@pytest.fixture
def write_spec(tmp_path: Path):
    def write(text: str, name: str = "spec.yaml") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return write


@pytest.fixture(scope="module")
def pack_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean core pack, built once per module (tests/packs.py)."""
    from tests.packs import build_pack

    return build_pack(tmp_path_factory.mktemp("template") / "pack")


@pytest.fixture
def pack(tmp_path: Path, pack_template: Path) -> Path:
    """A fresh copy of the clean pack to spoil (modules with their own `pack` override it)."""
    import shutil

    return Path(shutil.copytree(pack_template, tmp_path / "pack"))
