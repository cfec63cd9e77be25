"""The parse worker starts early, in the background, and in the hook only for content the cache does not know.

A PDF named to the hook whose content is new is parsed in the killable worker: the worker starts
once the named folders' specs are loaded (it holds them from its start: none is sent to it),
before git and the walk (so that its start-up overlaps them), and goes as soon as the folders
are checked. A PDF whose content the cache knows starts nothing. `validator check`
starts it before loading the spec.
"""

from __future__ import annotations

import os
from pathlib import Path

import psutil

from tests.hook.conftest import copy_pack, settle
from validator import sandbox
from validator.checks import content
from validator.precommit import _open_caches, affected_folders, run_hook

PDF = "04_审计报告_2025.pdf"  # three pages: the core spec's page rule reads it


def _worker_pid() -> int | None:
    return sandbox.shared().pid


def test_the_worker_starts_early_only_for_new_pdf_content(pack_template: Path, tmp_path: Path,
                                                          cache_dir: Path) -> None:  # fmt: skip
    repo = tmp_path / "repo"
    pack = copy_pack(pack_template, repo / "clients" / "acme")
    settle(pack)
    rel = f"clients/acme/{PDF}"
    named = affected_folders([rel], str(repo))
    first = run_hook([rel], "core", base=str(repo))  # fills the cache
    assert _worker_pid() is None  # the run let its worker go

    _open_caches(named, file_timeout=10)  # the content is known now: nothing to parse
    assert _worker_pid() is None

    (pack / PDF).write_bytes((pack / PDF).read_bytes() + b"\0")  # new content, same document
    _open_caches(named, file_timeout=10)
    early = _worker_pid()
    assert early is not None and psutil.pid_exists(early)
    _open_caches(named, file_timeout=None)  # parsing in this process: no worker of its own
    assert _worker_pid() == early

    again = run_hook([rel], "core", base=str(repo))
    assert early in content._preloaded  # that worker parsed it: started once, warmed for PDFs
    assert _worker_pid() is None
    assert not again.problems and again.checks
    assert [d.code for c in again.checks for d in c.result.defects] == [
        d.code for c in first.checks for d in c.result.defects
    ]
    os.utime(pack / PDF)  # touched: its stamp moved, its content (the hash says) did not
    _open_caches(named, file_timeout=10)
    assert _worker_pid() is None
    uncached = run_hook([rel], "core", base=str(repo), use_cache=False)
    assert [c.result.defects for c in again.checks] == [c.result.defects for c in uncached.checks]
    sandbox._reap_retired()
    assert not psutil.pid_exists(early) or psutil.Process(early).status() == psutil.STATUS_ZOMBIE


def test_a_workbook_the_cache_has_never_seen_starts_a_worker_for_workbooks(pack_template: Path, tmp_path: Path,
                                                                          cache_dir: Path) -> None:  # fmt: skip
    pack = copy_pack(pack_template, tmp_path / "acme")
    sheet = next(p.name for p in pack.iterdir() if p.suffix == ".xlsx")
    _open_caches({str(pack): {sheet, "client.yaml"}}, file_timeout=10)
    try:
        pid = _worker_pid()
        assert pid is not None and content._preloaded == {pid: {"sheet"}}
    finally:
        sandbox.retire_shared()
        sandbox._reap_retired()
    assert os.path.isdir(pack)  # nothing was written into the materials


def test_without_the_cache_a_named_pdf_starts_the_worker_early(pack_template: Path, tmp_path: Path,
                                                                cache_dir: Path) -> None:  # fmt: skip
    pack = copy_pack(pack_template, tmp_path / "acme")
    caches, _ = _open_caches({str(pack): {PDF}}, file_timeout=10, use_cache=False)
    try:
        assert caches == {str(pack): None} and _worker_pid() is not None
    finally:
        sandbox.retire_shared()
    assert not cache_dir.exists()  # --no-cache writes no cache


def test_validator_check_starts_the_worker_for_the_kinds_at_the_folders_top(pack_template: Path,
                                                                             tmp_path: Path) -> None:  # fmt: skip
    """`validator check` starts it before loading the spec: PDF and workbook readers both."""
    from validator.checks.content import start_worker_for

    pack = copy_pack(pack_template, tmp_path / "acme")
    start_worker_for(str(tmp_path / "missing"))
    assert _worker_pid() is None
    start_worker_for(str(pack))
    try:
        pid = _worker_pid()
        assert pid is not None and content._preloaded == {pid: {"pdf", "sheet"}}
    finally:
        sandbox.retire_shared()


def test_the_spec_sent_to_the_worker_unpickles_without_pyyaml(tmp_path: Path) -> None:
    """A worker started before the spec was loaded has not imported PyYAML: the spec it is sent
    must not need it (a spec loaded from YAML carries the loader's marked dicts in ``raw``)."""
    import pickle
    import subprocess
    import sys

    from validator.spec import load_spec

    spec = load_spec("call-center")
    sent = content._worker_spec(spec)
    (tmp_path / "spec.pickle").write_bytes(pickle.dumps(sent))
    probe = (
        "import pickle, sys; import validator.engine; "
        f"s = pickle.loads(open({str(tmp_path / 'spec.pickle')!r}, 'rb').read()); "
        "print('yaml' in sys.modules, len(s.documents), s.id)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", str(len(spec.documents)), spec.id]
    assert sent.documents == spec.documents and sent.raw == spec.raw  # the same spec, plain containers


def test_the_early_worker_holds_the_spec_and_parses_as_this_process_would(pack_template: Path, tmp_path: Path,
                                                                          cache_dir: Path) -> None:  # fmt: skip
    """Forked after the named folder's spec was loaded, the worker holds it from its start: the
    parse sends no spec (a portable copy to send is never even made), and the defects are those
    of a parse in this process."""
    repo = tmp_path / "repo"
    pack = copy_pack(pack_template, repo / "clients" / "acme")
    (pack / PDF).write_bytes((pack / PDF).read_bytes() + b"\0")
    rel = f"clients/acme/{PDF}"
    specs: dict = {}
    sandbox.retire_shared()  # a worker left live by an earlier test would keep its own states
    try:
        _, prepared = _open_caches(affected_folders([rel], str(repo)), file_timeout=10, spec_ref="core", specs=specs)
        assert prepared[str(pack)].spec is specs["core"] and _worker_pid() is not None
        forked = sandbox.shared().mode == "fork"  # not when other threads live here (forkserver)
        assert sandbox.shared().holds(content._state_key(specs["core"], None)) is forked
    finally:
        sandbox.retire_shared()
    content._worker_specs.clear()
    content._preloaded.clear()
    in_worker = run_hook([rel], "core", base=str(repo), use_cache=False)
    assert content._preloaded and _worker_pid() is None  # a worker parsed it, and was let go
    assert not content._worker_specs or not forked  # no spec was made ready to be sent to it
    here = run_hook([rel], "core", base=str(repo), use_cache=False, file_timeout=None)
    assert in_worker.checks and [c.result for c in in_worker.checks] == [c.result for c in here.checks]
