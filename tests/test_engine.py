"""One engine: every mode reports the same defects for the same folder, and a file's bytes are
parsed once whichever checks ask.

The modes: `check` (api.check_folder), `check --cache` cold and warm, the pre-commit hook given
every file of the folder, and `batch` (serial here; tests/batch/test_executors.py shows the pool and
Dask give byte-identical reports to serial). A batch adds only what the other clients' identities
reveal: the owning client of a leaked value (params `clients`/`other`), and L102/L103, which
need known identities.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from validator.api import check_folder, client_spec_ref
from validator.batch.runner import BatchOptions, run_batch
from validator.model import Defect
from validator.precommit import run_hook
from validator.spec import load_spec

EXAMPLES = ROOT / "fixtures" / "examples"
BATCH_ONLY = {"L102", "L103"}


def _key(d: Defect) -> tuple[object, ...]:
    params = {k: v for k, v in d.params.items() if k not in ("clients", "other")}
    return (d.code, d.severity.value, d.path, d.document, d.location, repr(sorted(params.items())))


def _keys(defects: tuple[Defect, ...], drop: set[str] = frozenset()) -> list[tuple[object, ...]]:  # type: ignore[assignment]
    return sorted((_key(d) for d in defects if d.code not in drop), key=repr)


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled examples plus a folder of hostile entries (special files, links, an
    empty file, an unreadable one), so the comparison covers every kind of entry."""
    root = tmp_path_factory.mktemp("modes") / "clients"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("*.expected.json"))
    odd = root / "odd-entries"
    shutil.copytree(EXAMPLES / "core-clean", odd)
    (odd / "empty.pdf").write_bytes(b"")
    os.mkfifo(odd / "pipe.pdf")
    (odd / "inside-link.pdf").symlink_to("01_年报承诺书.pdf")
    (odd / "outside-link.pdf").symlink_to("/etc/hostname")
    (odd / "loop.pdf").symlink_to("loop.pdf")
    (odd / "08_股权结构_附页_杭州星河通讯有限公司.pdf").write_bytes((odd / "08_股权结构.pdf").read_bytes())
    return root


def test_every_mode_reports_the_same_defects(examples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALIDATOR_CACHE_DIR", str(tmp_path / "cache"))
    outcome = run_batch(BatchOptions(root=str(examples), executor="serial"))
    try:
        names = outcome.spill.names()
        assert len(names) == 15
        for name in names:
            folder = str(examples / name)
            ref = client_spec_ref(folder)
            assert ref is not None
            spec = load_spec(ref)
            plain = check_folder(folder, spec)
            assert bool(plain.defects) == (not name.endswith("-clean")), name
            cold = check_folder(folder, spec, cache=True)
            warm = check_folder(folder, spec, cache=True)
            files = [str(p.relative_to(examples)) for p in sorted(Path(folder).rglob("*")) if p.name != "client.yaml"]
            hook = run_hook(files, base=str(examples), use_cache=False)
            hook_cached = run_hook(files, base=str(examples), use_cache=True)
            batch = outcome.spill.get(name)
            want = _keys(plain.defects)
            assert _keys(cold.defects) == want, f"{name}: check --cache (cold)"
            assert _keys(warm.defects) == want, f"{name}: check --cache (warm)"
            for run in (hook, hook_cached):
                assert not run.problems and [c.folder for c in run.checks] == [name]
                assert _keys(run.checks[0].result.defects) == want, f"{name}: hook"
            assert _keys(batch.defects, BATCH_ONLY) == _keys(plain.defects, BATCH_ONLY), f"{name}: batch"
            assert batch.documents == plain.documents and batch.files == plain.files
    finally:
        outcome.spill.close()


def test_a_leak_in_a_wildcard_name_is_found_in_every_mode(examples: Path) -> None:
    """The issue's example: another company in a name the pattern's wildcard admits."""
    folder = str(examples / "odd-entries")
    plain = check_folder(folder, load_spec("core"))
    [leak] = [d for d in plain.defects if d.code == "L101"]
    assert leak.path == "08_股权结构_附页_杭州星河通讯有限公司.pdf" and leak.params["value"] == "杭州星河通讯有限公司"
    assert "clients" in leak.params and not leak.params["clients"]  # no known client owns it in `check`


_OPEN_COUNTER = """
import collections, json, os, sys
root = os.path.abspath(sys.argv[1])
counts = collections.Counter()
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        path = os.fsdecode(args[0])
        if path.startswith(root + os.sep):
            counts[os.path.relpath(path, root)] += 1
sys.addaudithook(hook)
from validator.batch.runner import BatchOptions, run_batch
outcome = run_batch(BatchOptions(root=root, executor="serial", leak_pdf_pages=1))
outcome.spill.close()
print(json.dumps(counts))
"""


def test_a_serial_batch_opens_no_file_more_than_twice(tmp_path: Path) -> None:
    """Python-level opens (the audit hook's "open" event: io.open and os.open) of each file in the
    client folders, with the leak scan of cells and PDF text on: facts, sheet, rules, leaks
    share one parse. The parse worker runs inline here, so that its opens are counted too."""
    root = tmp_path / "clients"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("*.expected.json"))
    env = {**os.environ, "VALIDATOR_SANDBOX": "inline"}
    proc = subprocess.run([sys.executable, "-c", _OPEN_COUNTER, str(root)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, check=False, env=env)
    assert proc.returncode == 0, proc.stderr
    counts = json.loads(proc.stdout)
    assert any(p.endswith(".xlsx") for p in counts) and any(p.endswith(".pdf") for p in counts)
    assert {p: n for p, n in counts.items() if n > 2} == {}
