"""The worker behind each check of the page: progress first, reports written only into its job
folder, the same packages as the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.web.conftest import EXAMPLES, copy_client, snapshot


def run_worker(tmp_path: Path, path: Path, mode: str = "auto", specs: tuple[str, ...] = (),
               **extra: str) -> list[dict]:
    out = tmp_path / "job"
    out.mkdir()
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"path": str(path), "specs": list(specs), "mode": mode, "lang": "en",
                                   "out": str(out), **extra}), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "validator.web.worker", str(request)], capture_output=True,
                          text=True, timeout=300)
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_batch_progress_counts_every_client_then_reports(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for name in ("call-center-clean", "call-center-messy", "icp-messy"):
        copy_client(name, root / name)
    before = snapshot(root)
    events = run_worker(tmp_path, root)
    assert events[0] == {"event": "start", "mode": "batch", "total": 3, "unit": "clients"}
    assert [e["done"] for e in events[1:-1]] == [1, 2, 3]
    done = events[-1]
    assert done["event"] == "done" and done["clients"] == 3 and not done["ok"] and done["errors"] > 0
    assert sorted(p.name for p in (tmp_path / "job").iterdir()) == ["report.html", "report.json", "report.xlsx"]
    report = json.loads((tmp_path / "job" / "report.json").read_text(encoding="utf-8"))
    assert [r["client"] for r in report["rollup"]] == ["call-center-clean", "call-center-messy", "icp-messy"]
    assert snapshot(root) == before


def test_one_folder_counts_files(tmp_path: Path) -> None:
    folder = copy_client("core-messy", tmp_path / "c")
    events = run_worker(tmp_path, folder)
    start, done = events[0], events[-1]
    assert start["mode"] == "folder" and start["unit"] == "files" and start["total"] == done["files"] > 5
    assert all(0 < e["done"] <= start["total"] for e in events[1:-1])


def test_forced_mode_and_a_broken_spec(tmp_path: Path) -> None:
    folder = copy_client("core-messy", tmp_path / "c")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ndocuments: 3\n", encoding="utf-8")
    events = run_worker(tmp_path, folder, "folder", (str(bad),))
    assert events[-1]["event"] == "error" and events[-1]["key"] == "spec_error"


def _zip_of(folders: dict[str, Path], dest: Path) -> Path:
    import zipfile

    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for inside, folder in folders.items():
            for p in sorted(folder.rglob("*")):
                zf.write(p, f"{inside}/{p.relative_to(folder).as_posix()}")
    return dest


def test_a_zip_of_clients_is_written_out_for_batch_and_named_after_the_zip(tmp_path: Path) -> None:
    pack = _zip_of({f"客户材料/{n}": EXAMPLES / n for n in ("call-center-clean", "icp-messy")}, tmp_path / "upload.zip")
    events = run_worker(tmp_path, pack, zip_name="本周.zip")
    assert events[0]["mode"] == "batch" and events[-1]["clients"] == 2
    report = json.loads((tmp_path / "job" / "report.json").read_text(encoding="utf-8"))
    assert [p["root"] for p in report["packages"]] == ["本周.zip#客户材料/call-center-clean",
                                                      "本周.zip#客户材料/icp-messy"]
    html = (tmp_path / "job" / "report.html").read_text(encoding="utf-8")
    assert "validator-zip-" not in html and "本周.zip#客户材料/icp-messy" in html
    assert not list(tmp_path.glob("validator-zip-*"))  # the written-out copy is gone


def test_a_zip_of_one_pack_is_checked_in_place_as_check_does(tmp_path: Path) -> None:
    """Not written out: the same defects at the same paths as `validator check PACK.zip`."""
    from tests.conftest import run_cli

    pack = _zip_of({"杭州云栈": EXAMPLES / "call-center-messy"}, tmp_path / "upload.zip")
    events = run_worker(tmp_path, pack, zip_name="材料.zip")
    assert events[0] == {"event": "start", "mode": "folder", "total": events[-1]["files"], "unit": "files"}
    got = json.loads((tmp_path / "job" / "report.json").read_text(encoding="utf-8"))["packages"]
    proc = run_cli("check", str(pack), "--format", "json", "--lang", "en")
    want = json.loads(proc.stdout)["packages"]
    assert [p["root"] for p in got] == ["材料.zip"]

    def found(packages: list[dict]) -> list[tuple[str, str, str]]:
        return sorted((d["code"], d["path"], d["message"]) for p in packages for d in p["defects"])

    assert found(got) == found(want) and found(got)
    assert not list(tmp_path.glob("validator-zip-*"))


def test_a_zip_of_clients_with_a_member_outside_is_refused(tmp_path: Path) -> None:
    from tests.test_zip_packs import Member, write_zip

    members = [Member(f"root/{n}/client.yaml", b"company: x\n") for n in ("a", "b")]
    pack = write_zip(tmp_path / "upload.zip", [*members, Member("../outside.txt", b"x")])
    events = run_worker(tmp_path, pack, mode="batch", zip_name="evil.zip")
    assert events[-1] == {"event": "error", "key": "bad_zip", "detail": "Z106 ../outside.txt"}
    assert not (tmp_path.parent / "outside.txt").exists() and not list(tmp_path.rglob("outside.txt"))
    assert not list(tmp_path.glob("validator-zip-*"))
