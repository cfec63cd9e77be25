"""`batch --cache` reuses a whole folder's result while nothing it was computed from changed
(validator/reuse.py). Every test compares the cached report with an uncached run of the same
tree, and says which folders were checked again: a rule that stops invalidating fails here."""

from __future__ import annotations

import json
import os
import pickle
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.makers import make_pdf
from tests.batch.conftest import ACME, batch_json_text, codes, copy_root, package
from validator import engine, reuse


@pytest.fixture()
def root(three_clients: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VALIDATOR_CACHE_DIR", str(tmp_path / "cache"))
    # Files the test just wrote count as still (no 3 s waits); the racy rule has its own test.
    monkeypatch.setattr(reuse, "RACY_NS", 0)
    return copy_root(three_clients, tmp_path / "root")


@pytest.fixture()
def checked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The folders the engine checks (a reused folder is not among them)."""
    seen: list[str] = []
    real = engine.check_unwaived

    def counting(root: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(os.path.basename(root))
        return real(root, *args, **kwargs)

    monkeypatch.setattr(engine, "check_unwaived", counting)
    yield seen


def _report(text: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(text)
    report.pop("seconds", None)
    for p in report["packages"]:
        p.pop("seconds", None)
    return report


def cached_run(root: Path, checked: list[str], **options: Any) -> tuple[dict[str, Any], list[str]]:
    """The cached report (asserted equal to an uncached run's) and the folders it checked."""
    checked.clear()
    report = _report(batch_json_text(root, cache=True, **options))
    again = sorted(checked)
    assert report == _report(batch_json_text(root, **options))
    return report, again


def test_a_rerun_checks_no_unchanged_folder(root: Path, checked: list[str]) -> None:
    _, first = cached_run(root, checked)
    assert first == ["acme", "beta", "gamma"]
    report, again = cached_run(root, checked)
    assert again == []
    assert codes(report, "beta").count("L103") == 1 and codes(report, "gamma").count("L102") == 1


def test_an_edit_that_keeps_size_and_mtime_is_seen(root: Path, checked: list[str]) -> None:
    cached_run(root, checked)
    pdf = root / "acme" / "08_股权结构.pdf"
    st = pdf.stat()
    with open(pdf, "r+b") as f:  # same inode, same size, mtime put back: only ctime tells
        f.write(b"x" * st.st_size)
    os.utime(pdf, ns=(st.st_atime_ns, st.st_mtime_ns))
    report, again = cached_run(root, checked)
    assert again == ["acme"]
    assert any(d["path"] == "08_股权结构.pdf" for d in package(report, "acme")["defects"])


def test_added_and_removed_files_are_seen(root: Path, checked: list[str]) -> None:
    cached_run(root, checked)
    make_pdf(root / "acme" / "sub" / "99_说明.pdf", 1, "说明")  # in a new subfolder
    (root / "gamma" / "01_年报承诺书.pdf").unlink()
    report, again = cached_run(root, checked)
    assert again == ["acme", "gamma"]
    assert any(d["path"] == "sub/99_说明.pdf" for d in package(report, "acme")["defects"])
    assert "D101" in codes(report, "gamma") or package(report, "gamma")["ready"] is False


def test_another_clients_new_identity_reaches_a_folder_that_did_not_change(root: Path, checked: list[str]) -> None:
    report, _ = cached_run(root, checked)
    assert "L103" in codes(report, "beta")  # beta's audit report names acme's company
    yaml = root / "acme" / "client.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(ACME[1], "北京改名科技有限公司"), encoding="utf-8")
    report, again = cached_run(root, checked)
    assert "beta" in again and "gamma" in again  # their files are the same; the identities are not
    assert "L103" not in codes(report, "beta")


def test_a_severity_override_is_a_new_spec(root: Path, checked: list[str]) -> None:
    cached_run(root, checked)
    report, again = cached_run(root, checked, severity=(("L103", "ignore"),))
    assert again == ["acme", "beta", "gamma"]
    assert "L103" not in codes(report, "beta")


def test_waivers_apply_to_a_reused_result(root: Path, checked: list[str], tmp_path: Path) -> None:
    cached_run(root, checked)
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text('waivers:\n  - code: L102\n    path: "09_人员名单_*.xlsx"\n    reason: 同一集团\n'
                       '    approved_by: 张三\n    expires: 2099-12-31\n', encoding="utf-8")
    report, again = cached_run(root, checked, waivers=str(waivers))
    assert again == []  # the folders did not change: their kept results, with the waivers applied now
    [leak] = [d for d in package(report, "gamma")["defects"] if d["code"] == "L102"]
    assert leak["waived"]["approved_by"] == "张三"


def test_a_folder_holding_a_link_is_always_checked(root: Path, checked: list[str]) -> None:
    (root / "acme" / "link.pdf").symlink_to(root / "acme" / "08_股权结构.pdf")
    cached_run(root, checked)
    _, again = cached_run(root, checked)
    assert again == ["acme"]  # a link's target can change without the link


def test_a_folder_edited_just_before_the_run_is_not_kept(root: Path, checked: list[str],
                                                          monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(reuse, "RACY_NS", 3_000_000_000)  # the real rule: the folders were written just now
    cached_run(root, checked)
    assert not list((tmp_path / "cache").glob("folders/*.pickle"))
    _, again = cached_run(root, checked)
    assert again == ["acme", "beta", "gamma"]


def test_a_damaged_or_forged_kept_result_is_ignored(root: Path, checked: list[str], tmp_path: Path) -> None:
    cached_run(root, checked)
    records = sorted((tmp_path / "cache" / "folders").glob("*.pickle"))
    assert len(records) == 3
    forged = pickle.loads(records[0].read_bytes())
    assert isinstance(forged, reuse.FolderRecord)
    records[0].write_bytes(pickle.dumps(forged._replace(result="not a result")))
    records[1].write_bytes(b"not a pickle")
    _, again = cached_run(root, checked)
    assert len(again) == 2


def test_client_yaml_is_parsed_only_when_it_changed(root: Path, checked: list[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from validator import client_file

    parsed: list[bytes] = []
    real = client_file._parse

    def counting(raw: bytes) -> Any:
        parsed.append(raw)
        return real(raw)

    monkeypatch.setattr(client_file, "_parse", counting)
    batch_json_text(root, cache=True)
    assert len(parsed) == 3
    parsed.clear()
    batch_json_text(root, cache=True)
    assert parsed == []
    yaml = root / "gamma" / "client.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "licence_no: 粤B2-20250001\n", encoding="utf-8")
    cached_run(root, checked)  # compared with an uncached run, which parses everything
    assert len([raw for raw in parsed if b"licence_no" in raw]) >= 1


def test_a_registry_value_is_part_of_what_a_result_depends_on(root: Path, checked: list[str]) -> None:
    registry = root / "clients.csv"
    registry.write_text("folder,licence_no\nacme,京B2-20202418\n", encoding="utf-8")
    report, _ = cached_run(root, checked)
    assert "V102" not in codes(report, "acme")
    registry.write_text("folder,licence_no\nacme,not-a-licence\n", encoding="utf-8")  # outside every folder
    report, again = cached_run(root, checked)
    assert again == ["acme"]
    assert "V102" in codes(report, "acme")


def test_a_file_hard_linked_into_several_folders_is_hashed_once_per_run(root: Path, checked: list[str],
                                                                         monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    from validator import incremental

    shared = root / "acme" / "99_附件.pdf"
    make_pdf(shared, 1, "附件")
    os.link(shared, root / "beta" / "99_附件.pdf")
    cached_run(root, checked)
    os.link(shared, tmp_path / "third-link.pdf")  # the inode's ctime moves: both folders hash it again
    hashed: list[str] = []
    real = incremental.file_digest

    def counting(path: str) -> str | None:
        hashed.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(incremental, "file_digest", counting)
    _, again = cached_run(root, checked)
    assert again == ["acme", "beta"]
    assert hashed.count("99_附件.pdf") == 1


def test_a_run_s_hash_is_not_reused_once_the_inode_changed(tmp_path: Path) -> None:
    from validator.cache import stamp_now
    from validator.hashing import file_digest
    from validator.incremental import RunHashes

    path = tmp_path / "a.pdf"
    make_pdf(path, 1, "附件")
    hashes = RunHashes()
    before = hashes.digest(str(path), stamp_now(str(path))[0])  # type: ignore[index]
    st = path.stat()
    time.sleep(0.05)  # past the clock tick of the file's creation, or ctime could not move
    with open(path, "r+b") as f:  # same inode and size, mtime put back: only ctime moves
        f.write(b"%PDF-1.9")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = hashes.digest(str(path), stamp_now(str(path))[0])  # type: ignore[index]
    assert before != after == file_digest(str(path))


def test_a_zipped_pack_is_reused_until_the_zip_changes(root: Path, checked: list[str], three_clients: Path) -> None:
    import shutil

    from tests.test_zip_packs import Member, zip_folder

    zip_folder(three_clients / "gamma", root / "gamma.zip")
    shutil.rmtree(root / "gamma")
    _, first = cached_run(root, checked)
    assert first == ["acme", "beta", "gamma.zip"]
    _, again = cached_run(root, checked)
    assert again == []
    zip_folder(three_clients / "gamma", root / "gamma.zip", extra=[Member("99_附件.txt", b"new")])  # rewritten
    report, again = cached_run(root, checked)
    assert again == ["gamma.zip"]
    assert any(d["path"] == "99_附件.txt" for d in package(report, "gamma")["defects"])


def test_a_rerun_of_unchanged_folders_loads_no_engine(root: Path, tmp_path: Path) -> None:
    """A weekly re-run where nothing changed pays start-up and look-ups only: checking a kept
    result's defects needs the model, not the engine and its checks (~5 ms of imports)."""
    from tests.conftest import modules_loaded_by
    from validator.cache import RACY_NS

    time.sleep(RACY_NS / 1e9 + 0.1)  # a fresh interpreter keeps the racy rule: files must be still
    env = {**os.environ, "VALIDATOR_CACHE_DIR": str(tmp_path / "cache")}
    args = ("batch", str(root), "--cache", "--executor", "serial", "-q", "-f", f"json={tmp_path / 'report.json'}")
    engine_modules = ("validator.engine", "validator.api", "validator.checks.content")
    assert modules_loaded_by(engine_modules, *args, env=env) == set(engine_modules)  # fills the cache
    assert modules_loaded_by(engine_modules, *args, env=env) == set()
    assert len(json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["packages"]) == 3
