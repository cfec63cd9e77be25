"""Where reports go (issue 10.7, issue 14.3): one writer for every command, clean errors
(exit 2, no traceback), atomic files, never into a checked folder; the format from the
suffix; a line on stderr naming each file written; unknown codes refused; exit codes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from fixtures.makers import make_csv
from tests.conftest import ROOT, run_cli
from validator.output import OutputError, format_for_path, opened_text, write

MESSY = ROOT / "fixtures/examples/core-messy"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("out") / "pack"
    shutil.copytree(MESSY, dest)
    return dest


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_clean_failure(proc, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    for w in words:
        assert w in proc.stderr, proc.stderr


@pytest.mark.parametrize(
    ("dest", "why"),
    [
        ("{tmp}", "it is a directory"),
        ("{tmp}/missing/report.json", "its folder does not exist"),
        ("/dev/full", "no space left on the device"),
        ("{tmp}/locked/report.json", "permission denied"),
    ],
)
def test_an_unwritable_destination_is_one_clear_message_and_exit_2(
    folder: Path, tmp_path: Path, dest: str, why: str
) -> None:
    if "locked" in dest:
        if os.geteuid() == 0:
            pytest.skip("root writes into a read-only folder")
        (tmp_path / "locked").mkdir(mode=0o500)
    target = dest.format(tmp=tmp_path)
    proc = run_cli("check", str(folder), "--spec", "core", "--lang", "en", "-f", f"json={target}")
    assert_clean_failure(proc, f"cannot write {target}: {why}")


def test_a_failed_write_leaves_no_half_file_and_keeps_the_old_report(tmp_path: Path) -> None:
    old = tmp_path / "report.json"
    old.write_text('{"old": true}', encoding="utf-8")
    os.chmod(old, 0o640)
    with pytest.raises(RuntimeError), opened_text(str(old), lang="en") as f:  # a report written piece by piece
        f.write('{"new": ')
        f.flush()
        raise RuntimeError("the run broke half way")
    assert old.read_text(encoding="utf-8") == '{"old": true}'
    write(str(old), '{"new": true}\n')
    assert json.loads(old.read_text(encoding="utf-8")) == {"new": True}
    assert os.stat(old).st_mode & 0o777 == 0o640  # the report keeps its mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no temp file left
    with pytest.raises(OutputError, match="no space left"):
        write("/dev/full", "x" * 100_000)


def test_a_destination_inside_a_checked_folder_is_refused(folder: Path, tmp_path: Path) -> None:
    before = tree(folder)
    link = tmp_path / "link"
    link.symlink_to(folder)
    for args in (
        ("check", str(folder), "--spec", "core", "-o", str(folder / "client.yaml"), "-f", "json"),
        ("check", str(folder), "--spec", "core", "-f", f"html={folder}/report.html"),
        ("check", str(folder), "--spec", "core", "-o", str(link / "x.json")),  # through a symlink
        ("risk", str(folder), "--spec", "core", "-o", str(folder / "风险.md")),
    ):
        proc = run_cli(*args, "--lang", "en")
        assert_clean_failure(proc, "inside the checked folder")
    root = tmp_path / "root"
    shutil.copytree(folder, root / "acme")
    proc = run_cli("batch", str(root), "--spec", "core", "-q", "--executor", "serial", "-o", str(root / "acme/r.json"))
    assert_clean_failure(proc)
    assert tree(folder) == before


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("x.html", lambda b: b.startswith(b"<!DOCTYPE html>")),
        ("x.json", lambda b: json.loads(b)["packages"]),
        ("x.xlsx", lambda b: b.startswith(b"PK")),
        ("x.csv", lambda b: b.startswith("\ufeff".encode())),
        ("x.sarif", lambda b: json.loads(b)["version"] == "2.1.0"),
        ("x.xml", lambda b: b.lstrip().startswith(b"<?xml") or b.lstrip().startswith(b"<testsuites")),
        ("x.md", lambda b: b.startswith(b"## ")),
        ("x.txt", lambda b: b"error(s)" in b),
    ],
)
def test_check_takes_the_format_from_the_suffix(folder: Path, tmp_path: Path, name: str, check) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out" / name
    out.parent.mkdir()
    proc = run_cli("check", str(folder), "--spec", "core", "--lang", "en", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    assert check(out.read_bytes())
    assert proc.stderr.strip().splitlines() == [f"wrote {out}"]


def test_an_unknown_suffix_without_format_is_a_usage_error(folder: Path, tmp_path: Path) -> None:
    proc = run_cli("check", str(folder), "--spec", "core", "--lang", "en", "-o", str(tmp_path / "x.pdf"))
    assert_clean_failure(proc, "cannot tell the format")
    assert not (tmp_path / "x.pdf").exists()
    assert format_for_path("A.HTM") == "html" and format_for_path("x") is None


def test_the_written_line_is_in_chinese_in_zh(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "报告.html"
    proc = run_cli("check", str(folder), "--spec", "core", "--lang", "zh", "-o", str(out))
    assert proc.stderr.strip() == f"已写入 {out}"


def test_batch_has_o_prints_the_table_and_survives_one_failed_format(folder: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(folder, root / "acme")
    out = tmp_path / "batch.json"
    proc = run_cli("batch", str(root), "--spec", "core", "-q", "--executor", "serial", "--lang", "en", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["rollup"][0]["client"] == "acme"
    assert "acme" in proc.stdout and "NOT READY" in proc.stdout  # the roll-up still on the terminal
    assert f"wrote {out}" in proc.stderr
    # One destination fails after the run: the others are still written, the failure named, exit 2.
    html = tmp_path / "batch.html"
    proc = run_cli("batch", str(root), "--spec", "core", "-q", "--executor", "serial", "--lang", "en",
                   "-f", "json=/dev/full", "-f", f"html={html}")
    assert_clean_failure(proc, "cannot write /dev/full: no space left on the device", f"wrote {html}")
    assert html.read_bytes().startswith(b"<!DOCTYPE html>")


@pytest.mark.parametrize("command", ["check", "batch"])
def test_unknown_codes_in_ignore_and_warn_are_refused_with_a_suggestion(folder: Path, command: str) -> None:
    target = str(folder) if command == "check" else str(folder.parent)
    proc = run_cli(command, target, "--spec", "core", "--lang", "en", "--ignore", "X1O1")
    assert_clean_failure(proc, "unknown code 'X1O1'", "did you mean X101")
    proc = run_cli(command, target, "--spec", "core", "--lang", "en", "--warn", "QQ")
    assert_clean_failure(proc, "unknown code 'QQ'")
    ok = run_cli("check", str(folder), "--spec", "core", "--ignore", "N", "--warn", "document-missing", "-f", "json")
    assert ok.returncode in (0, 1), ok.stderr


def test_zh_output_has_no_english(tmp_path: Path, folder: Path) -> None:
    """Click's usage errors, the spec error heading and the batch reasons, in Chinese."""
    proc = run_cli("check", "--bogus", str(folder), "--lang", "zh")
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0].startswith("用法：") and "错误：没有这个选项：'--bogus'" in proc.stderr
    proc = run_cli("check", str(folder), "--spec", str(tmp_path / "nope.yaml"), "--lang", "zh")
    assert proc.returncode == 2 and proc.stderr.startswith("规范错误：")
    root = tmp_path / "root"
    shutil.copytree(folder, root / "acme")
    (root / "acme/client.yaml").write_text("company: 北京示例科技有限公司\n", encoding="utf-8")  # names no spec
    make_csv(root / "clients.csv", [["folder", "company"], ["ghost", "北京幽灵科技有限公司"]])
    proc = run_cli("batch", str(root), "--lang", "zh", "--executor", "serial")
    assert "no spec" not in proc.stdout + proc.stderr and "not checked" not in proc.stdout + proc.stderr
    assert "未检查：没有指定规范" in proc.stderr
    hook = run_cli("hook", "--lang", "zh", "--no-cache", "--", "acme/01_年报承诺书.pdf", cwd=root)
    assert hook.returncode == 2 and "acme：没有指定规范" in hook.stderr and "no spec" not in hook.stderr
    rules = run_cli("rules", "--lang", "zh")
    assert " error " not in rules.stdout and "F101  错误" in rules.stdout


def test_since_rejects_hostile_previous_reports_cleanly(folder: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(folder, root / "acme")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    not_json = tmp_path / "x.json"
    not_json.write_bytes(b"\xff\xfe garbage")
    wrong_shape = tmp_path / "list.json"
    wrong_shape.write_text('[{"packages": 1}]', encoding="utf-8")
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as f:  # sparse: 300 MiB on paper, nothing on disk
        f.truncate(300 << 20)
    for previous in (deep, not_json, wrong_shape, fifo, huge):
        proc = run_cli("batch", str(root), "--spec", "core", "-q", "--executor", "serial", "--lang", "en",
                       "--since", str(previous))
        assert_clean_failure(proc, "--since:", "not a JSON report of this tool")


def test_hook_exits_2_and_never_shows_help_for_a_file_named_like_an_option(tmp_path: Path) -> None:
    (tmp_path / "--help").write_text("x", encoding="utf-8")
    proc = run_cli("hook", "--spec", "core", "--lang", "en", "--help", cwd=tmp_path)
    assert_clean_failure(proc, "'--help' is a file but stands where options go")
    assert "Usage:" not in proc.stdout
    # After the first file, or after --, everything is a file name.
    proc = run_cli("hook", "--spec", "core", "--lang", "en", "--", "--help", cwd=tmp_path)
    assert proc.returncode == 0 and "Usage:" not in proc.stdout, proc.stdout + proc.stderr
