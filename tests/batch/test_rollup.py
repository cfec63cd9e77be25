"""The roll-up rows, `--since` (new / fixed / still open), and the batch command as a user runs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fixtures.makers import make_pdf
from tests.batch.conftest import batch_json, copy_root, package
from tests.conftest import run_cli
from validator.batch.rollup import Baseline


def test_rollup_rows(three_clients: Path) -> None:
    report = batch_json(three_clients)
    rows = {r["client"]: r for r in report["rollup"]}
    assert [r["client"] for r in report["rollup"]] == ["acme", "beta", "gamma"]
    assert rows["acme"]["ready"] is True and rows["acme"]["counts"] == {"error": 0, "warning": 0, "info": 0}
    assert rows["acme"]["company"] == "北京示例科技有限公司" and rows["acme"]["files"] == 10
    assert rows["beta"]["ready"] is True and rows["beta"]["counts"]["warning"] == 1  # the L103 warning
    gamma = rows["gamma"]
    assert gamma["ready"] is False and gamma["missing"] == ["股权结构及股东情况"]
    # The counts are the package's counts, per severity.
    for name, row in rows.items():
        assert row["counts"] == package(report, name)["counts"]
    assert report["summary"]["packages"] == 3 and report["summary"]["ready"] == 2
    assert report["summary"]["ok"] is False


def test_since_marks_new_fixed_and_open(tmp_path: Path, three_clients: Path) -> None:
    root = copy_root(three_clients, tmp_path / "root")
    before = tmp_path / "before.json"
    before.write_text(json.dumps(batch_json(root)), encoding="utf-8")
    # gamma adds its missing document (fixes D101); acme loses its commitment letter (a new D101).
    make_pdf(root / "gamma" / "08_股权结构.pdf", 1, "股权结构\n广州第三通信有限公司")
    (root / "acme" / "01_年报承诺书.pdf").unlink()
    after = batch_json(root, since=Baseline.load(str(before)))

    acme, gamma, beta = (package(after, c) for c in ("acme", "gamma", "beta"))
    assert [(d["code"], d["status"]) for d in acme["defects"]] == [("D101", "new")]
    assert acme["since"]["new"] == 1 and acme["since"]["fixed"] == 0
    assert gamma["since"]["fixed"] == 1
    assert [d["code"] for d in gamma["since"]["fixed_defects"]] == ["D101"]
    assert all(d["status"] == "open" for d in gamma["defects"])
    assert beta["since"] == {"new": 0, "open": 1, "fixed": 0, "fixed_defects": []}
    rows = {r["client"]: r for r in after["rollup"]}
    assert rows["gamma"]["since"] == {"new": 0, "open": gamma["since"]["open"], "fixed": 1}
    assert after["summary"]["since"]["new"] == 1 and after["summary"]["since"]["fixed"] == 1


def test_since_reports_clients_gone(tmp_path: Path, three_clients: Path) -> None:
    root = copy_root(three_clients, tmp_path / "root")
    before = tmp_path / "before.json"
    before.write_text(json.dumps(batch_json(root)), encoding="utf-8")
    shutil.rmtree(root / "beta")
    after = batch_json(root, since=Baseline.load(str(before)))
    assert after["summary"]["since"]["clients_gone"] == ["beta"]


def test_command_exit_codes_outputs_and_progress(tmp_path: Path, three_clients: Path) -> None:
    out = tmp_path / "report.json"
    proc = run_cli("batch", str(three_clients), "--jobs", "2", "--lang", "en", "-f", "text", "-f", f"json={out}")
    assert proc.returncode == 1, proc.stderr  # gamma has errors
    table = proc.stdout.splitlines()
    assert table[0].split()[:2] == ["client", "state"]
    assert any(line.startswith("gamma") and "NOT READY" in line and "股权结构及股东情况" in line for line in table)
    assert "3 clients: 2 ready, 1 not ready" in proc.stdout
    # Not a terminal: one plain progress line per client on stderr.
    lines = [line for line in proc.stderr.splitlines() if line.startswith("[")]
    assert len(lines) == 3 and any("gamma: not ready" in line for line in lines)
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {"tool", "lang", "packages", "summary", "rollup"} <= set(report)

    quiet = run_cli("batch", str(three_clients / ".." / three_clients.name), "-q", "--executor", "serial",
                    "--ignore", "L102", "--ignore", "D101", "--ignore", "C102", "--lang", "en")  # fmt: skip
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert quiet.stderr == ""
    assert "3 clients: 3 ready" in quiet.stdout


def test_since_with_a_file_that_is_no_report(tmp_path: Path, three_clients: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    proc = run_cli("batch", str(three_clients), "--since", str(bad), "-q", "--lang", "en")
    assert proc.returncode == 2 and "not a JSON report" in proc.stderr


def test_a_root_that_is_no_batch_root(tmp_path: Path, clean_pack: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "_archive").mkdir(parents=True)  # "_" and "." folders are not clients
    proc = run_cli("batch", str(empty), "--lang", "en")
    assert proc.returncode == 2 and "no client folders" in proc.stderr
    proc = run_cli("batch", str(clean_pack))  # one client's own folder
    assert proc.returncode == 2 and "validator check" in proc.stderr
