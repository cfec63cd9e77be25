"""Hostile command-line arguments, round four: empty values, devices and odd files given where a
path, a code or a journal is expected.  Each case found a real failure; the test keeps it fixed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_hostile import snapshot
from tests.test_hostile_inputs import clean_exit

# an English phrase a Chinese reader should not meet (names, codes and paths are single words)
ENGLISH = re.compile(r"[A-Za-z]{3,} [A-Za-z]{2,}")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "validator", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


def _reason(stderr: str) -> str:
    """stderr without click's (translated) usage lines and `commands`, which quote the command line."""
    lines = (line for line in stderr.splitlines() if not line.startswith(("用法：", "运行 '")))
    return re.sub(r"`[^`]*`", "", "\n".join(lines))


@pytest.mark.parametrize("args", [
    ("check", ""),  # click: "Path '' does not exist."
    ("batch", ""),  # "Directory '' does not exist."
    ("init", ""),
    ("specs", "check", ""),  # "File '' does not exist."
    ("check", "{pack}", "--spec", "core", "--waivers", ""),
    ("batch", "{root}", "--spec", "core", "--since", ""),
    ("check", "{pack}", "--spec", "core", "--ignore", ""),  # "unknown code ''"
    ("explain", ""),
    ("specs", "show", ""),  # "unknown spec ''"
])
def test_an_empty_argument_is_refused_in_chinese(pack: Path, args: tuple[str, ...]) -> None:
    # the translations quoted '(.+)': an empty value slipped past every one of them
    filled = [a.format(pack=pack, root=pack.parent) for a in args]
    env_lang = [] if filled[0] == "specs" and filled[1] == "show" else ["--lang", "zh"]
    proc = subprocess.run([sys.executable, "-m", "validator", *filled, *env_lang], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1", "VALIDATOR_LANG": "zh"}, timeout=120)
    clean_exit(proc, 2)
    assert "''" in proc.stderr and not ENGLISH.search(_reason(proc.stderr)), proc.stderr


@pytest.mark.parametrize("journal", ["/dev/null", "{pack}/../no-such-journal.json"])
def test_an_undo_journal_that_cannot_be_read_says_why_in_chinese(pack: Path, journal: str) -> None:
    before = snapshot(pack)
    proc = run("fix", str(pack), "--spec", "core", "--undo", journal.format(pack=pack), "--lang", "zh")
    clean_exit(proc, 2)
    assert "无法读取撤销记录" in proc.stderr and not ENGLISH.search(_reason(proc.stderr)), proc.stderr
    assert snapshot(pack) == before


@pytest.mark.parametrize("command", ["risk", "init"])
def test_an_empty_output_is_standard_output_without_a_written_to_nothing_line(pack: Path, command: str) -> None:
    args = ("--spec", "core") if command == "risk" else ()
    proc = run(command, str(pack), *args, "-o", "", "--lang", "zh")
    clean_exit(proc, 0)
    assert proc.stdout.strip() and "已写入" not in proc.stderr, proc.stderr


# --- a spec reference far longer than any name -------------------------------------------------------

LONG = "a" * 200_000


@pytest.mark.parametrize("ref", [LONG, f"sub/{'a' * 300}.yaml"])
def test_a_spec_name_longer_than_the_system_allows_is_a_spec_error_everywhere(pack: Path, tmp_path: Path,
                                                                             ref: str) -> None:
    # a path: pathlib re-raised ENAMETOOLONG (a traceback); a name: echoed whole, and the hook's
    # translation of its problem line took time growing with the square of its length (an hour)
    (pack / "client.yaml").write_text(f"spec: {ref}\n" + (pack / "client.yaml").read_text(encoding="utf-8"),
                                      encoding="utf-8")
    before = snapshot(pack)
    for args, cwd in ((("check", str(pack)), None), (("risk", str(pack)), None), (("fix", str(pack)), None),
                      (("hook", "01_年报承诺书.pdf"), pack)):
        proc = run(*args, "--lang", "zh", cwd=cwd)
        clean_exit(proc, 2)
        assert ("规范" in proc.stderr and "a" * 100 in proc.stderr and len(proc.stderr) < 10_000
                and not ENGLISH.search(_reason(proc.stderr))), proc.stderr[:3000]
    for args in (("check", str(pack), "--spec", ref), ("specs", "show", ref), ("init", str(pack), "--extends", ref)):
        if len(ref) < 100_000:  # an argument list has a limit of its own
            proc = run(*args, "--lang", "zh") if args[0] != "specs" else run(*args)
            clean_exit(proc, 2)
            assert len(proc.stderr) < 10_000, proc.stderr[:3000]
    root = tmp_path / "root"
    root.mkdir()
    shutil.copytree(pack, root / "acme")
    proc = run("batch", str(root), "-q", "-f", "json", "--lang", "zh")
    clean_exit(proc, 1)
    assert [d for p in json.loads(proc.stdout)["packages"] for d in p["defects"] if d["code"] in ("L204", "V103")]
    assert snapshot(pack) == before


# --- a report or journal name longer than the file system allows ------------------------------------


def test_a_report_name_too_long_is_refused_before_the_batch_runs_and_said_plainly(pack: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    shutil.copytree(pack, root / "acme")
    long_name = str(tmp_path / ("报" * 100 + ".json"))  # 300 bytes: over NAME_MAX
    proc = run("batch", str(root), "--spec", "core", "-q", "-f", f"json={long_name}", "--lang", "zh")
    clean_exit(proc, 2)
    # refused up front: no roll-up printed (the batch used to run, then fail with 系统错误 ENAMETOOLONG)
    assert "文件名太长" in proc.stderr and "ENAMETOOLONG" not in proc.stderr and not proc.stdout, proc.stderr
    en = run("check", str(pack), "--spec", "core", "-o", long_name, "--lang", "en")
    clean_exit(en, 2)
    assert "the file name is too long" in en.stderr, en.stderr


def test_a_report_name_that_fits_is_written_even_when_its_temporary_files_would_not(pack: Path,
                                                                                    tmp_path: Path) -> None:
    # 245 characters: the name fits, ".NAME.xxxxxxxx.part" did not (the write failed)
    target = tmp_path / ("c" * 240 + ".json")
    proc = run("check", str(pack), "--spec", "core", "-f", "json", "-o", str(target), "--lang", "zh")
    clean_exit(proc, 0)
    assert json.loads(target.read_text(encoding="utf-8"))["packages"]


def test_an_undo_journal_whose_name_is_too_long_says_so_in_chinese(pack: Path) -> None:
    proc = run("fix", str(pack), "--spec", "core", "--undo", "j" * 300, "--lang", "zh")
    clean_exit(proc, 2)
    assert "文件名太长" in proc.stderr and not ENGLISH.search(_reason(proc.stderr)), proc.stderr


# --- a spec with a value of the wrong type where the loader's own checks look -----------------------


@pytest.mark.parametrize(("where", "text"), [
    ("pattern", "variables:\n  year: {title: y, pattern: 1.5}\n"),  # 'float' has no startswith
    ("pattern", "variables:\n  year: {title: y, pattern: [a]}\n"),
    ("document id", ""),  # documents[0].id: [a] - unhashable
])
def test_a_spec_value_of_the_wrong_type_is_a_spec_error_not_a_traceback(pack: Path, tmp_path: Path, where: str,
                                                                         text: str) -> None:
    spec = tmp_path / "bad.yaml"
    doc = "id: [a]\n    regex: '.*'" if where == "document id" else "id: a\n    name: 'A_{year}.pdf'"  # a slot
    spec.write_text(f"id: x\ntitle: t\n{text}documents:\n  - {doc}\n    title: A\n", encoding="utf-8")
    for args in (("specs", "check", str(spec)), ("check", str(pack), "--spec", str(spec))):
        proc = run(*args, "--lang", "zh")
        clean_exit(proc, 2)
        assert ("应为文本" in proc.stderr and not ENGLISH.search(_reason(proc.stderr).replace(str(spec), ""))), \
            proc.stderr
