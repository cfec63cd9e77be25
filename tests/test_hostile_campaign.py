"""Hostile inputs, round three: an outside tester's campaign through the real CLI (check, hook,
batch, fix, init, risk) with inputs the earlier rounds did not try. Each case found a real
failure; the test keeps it fixed.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.packs import CLIENT
from tests.test_hostile import snapshot
from tests.test_hostile_inputs import clean_exit

TIMEOUT = 120
# English words a Chinese reader should not meet (spec ids, paths and codes are ASCII but short)
ENGLISH = re.compile(r"\b(?:not|invalid|found|could|key|mapping|duplicate|text|unknown|byte|lies)\b")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "validator", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=TIMEOUT)


# --- client.yaml that cannot be used: the reason is in the reader's language ----------------------

BAD_CLIENT_FILES = {
    "not-text": f"spec: core\n{CLIENT}".encode() + b"note: \x80\xff\n",  # neither UTF-8 nor GB18030
    "list": b"- spec: core\n- company: x\n",
    "python-tag": f"spec: core\n{CLIENT}x: !!python/object:os.system ls\n".encode(),
    "complex-key": f"spec: core\n{CLIENT}? [a, b]\n: c\n".encode(),
}


@pytest.mark.parametrize("kind", sorted(BAD_CLIENT_FILES))
def test_an_unusable_client_yaml_says_why_in_chinese_in_check_and_hook(pack: Path, kind: str) -> None:
    (pack / "client.yaml").write_bytes(BAD_CLIENT_FILES[kind])
    before = snapshot(pack)
    check = run("check", str(pack), "--lang", "zh")
    clean_exit(check, 2)
    hook = run("hook", "--no-cache", "--lang", "zh", "01_年报承诺书.pdf", cwd=pack)
    clean_exit(hook, 2)
    for proc in (check, hook):
        why = proc.stderr.split("没有", 1)[1]  # the sentence after the (translated) usage lines
        assert not ENGLISH.search(why), proc.stderr
    assert snapshot(pack) == before


@pytest.mark.parametrize("encoding", ["gbk", "utf-16"])
def test_a_client_yaml_saved_by_notepad_as_ansi_or_unicode_is_read(pack: Path, encoding: str) -> None:
    # Notepad on Chinese Windows: "ANSI" is GBK, "Unicode" is UTF-16 with a BOM
    (pack / "client.yaml").write_bytes(f"spec: core\n{CLIENT}".encode(encoding))
    proc = run("check", str(pack), "-f", "json", "--lang", "zh")
    clean_exit(proc, 0)  # the company in the file names matched: the values were read right
    assert json.loads(proc.stdout)["packages"][0]["ready"] is True


def test_a_key_written_twice_in_client_yaml_is_a_defect_not_a_silent_last_one_wins(pack: Path) -> None:
    # an agency copies a client's file and appends the next client's company below it
    (pack / "client.yaml").write_text(f"{CLIENT}company: 别的科技有限公司\n", encoding="utf-8")
    proc = run("check", str(pack), "--spec", "core", "-f", "json", "--lang", "zh")
    clean_exit(proc, 1)
    found = [d for p in json.loads(proc.stdout)["packages"] for d in p["defects"] if d["code"] == "V103"]
    assert found and "'company' 重复" in found[0]["message"] and "第一次出现在第 1 行" in found[0]["message"]
    # no check ran against the second company: it would call the client's own licence another's
    assert not [d for p in json.loads(proc.stdout)["packages"] for d in p["defects"] if d["code"] == "L101"]
    en = run("check", str(pack), "--lang", "en")
    clean_exit(en, 2)
    assert "duplicate key 'company' (first at line 1)" in en.stderr


def test_a_spec_name_with_odd_characters_is_reported_in_chinese(pack: Path, tmp_path: Path) -> None:
    # batch: the client's spec cannot be loaded (L204); its detail quotes the name, escaped
    root = tmp_path / "root"
    root.mkdir()
    shutil.move(pack, root / "acme")
    (root / "acme" / "client.yaml").write_text(f'spec: "核心\\u202e"\n{CLIENT}', encoding="utf-8")
    proc = run("batch", str(root), "-f", "json", "--lang", "zh")
    clean_exit(proc, 1)
    found = [d for p in json.loads(proc.stdout)["packages"] for d in p["defects"] if d["code"] == "L204"]
    assert found and "没有名为" in found[0]["message"] and "unknown spec" not in found[0]["message"]


# --- the batch registry as spreadsheets really save it ---------------------------------------------

REGISTRY_ROW = "acme{sep}别的科技有限公司{sep}91110108551385082Q{sep}core\n"


@pytest.mark.parametrize(("kind", "data"), [
    ("semicolons", ("folder;company;uscc;specs\n" + REGISTRY_ROW.format(sep=";")).encode()),
    ("utf-16 tabs", ("folder\tcompany\tuscc\tspecs\r\n" + REGISTRY_ROW.format(sep="\t")).encode("utf-16")),
])
def test_a_registry_saved_with_semicolons_or_as_unicode_text_is_read(pack: Path, tmp_path: Path, kind: str,
                                                                      data: bytes) -> None:
    root = tmp_path / "root"
    root.mkdir()
    shutil.move(pack, root / "acme")
    (root / "clients.csv").write_bytes(data)
    proc = run("batch", str(root), "-f", "json", "--lang", "en")
    clean_exit(proc, 1)
    found = [d for p in json.loads(proc.stdout)["packages"] for d in p["defects"]]
    assert not [d for d in found if d["code"] == "L205"], found
    # the registry's company differs from client.yaml's: it was read, row 2
    assert [d["location"]["row"] for d in found if d["code"] == "L201" and d["params"]["name"] == "company"] == [2]


@pytest.mark.parametrize(("name", "data"), [
    ("clients.csv", b"\n\n"),
    ("clients.csv", b"folder,company\n" + "甲".encode() * 200_000 + b",x\n"),
    ("clients.xlsx", b"<!DOCTYPE html><html></html>"),
    ("clients.xlsx", b"PK\x03\x04" + b"\0" * 200),
])
def test_an_unusable_registry_says_why_in_chinese(pack: Path, tmp_path: Path, name: str, data: bytes) -> None:
    root = tmp_path / "root"
    root.mkdir()
    shutil.move(pack, root / "acme")
    (root / name).write_bytes(data)
    proc = run("batch", str(root), "-f", "json", "--lang", "zh")
    clean_exit(proc, 1)
    found = [d for p in json.loads(proc.stdout)["packages"] for d in p["defects"] if d["code"] == "L205"]
    words = re.sub(r"clients\.(csv|xlsx)|`folder`|xlsx|CSV", "", found[0]["message"])  # names, not English
    assert not re.search(r"[A-Za-z]{4,}", words), found[0]["message"]


# --- reasons in the parser's or the OS's own English ------------------------------------------------


def test_a_damaged_zip_member_is_reported_without_the_parsers_english(tmp_path: Path, pack_template: Path) -> None:
    archive = tmp_path / "pack.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in sorted(pack_template.iterdir()):
            z.write(p, p.name)
    data = bytearray(archive.read_bytes())
    name = "08_股权结构.pdf".encode()
    at = data.find(name) + len(name)  # its local header's name; the stored bytes follow
    data[at + 40] ^= 0xFF  # one flipped byte: a CRC mismatch when it is unpacked
    archive.write_bytes(bytes(data))
    before = snapshot(tmp_path)
    zh = run("check", str(archive), "--spec", "core", "--lang", "zh")
    clean_exit(zh, 1)
    line = next(x for x in zh.stdout.splitlines() if "Z114" in x)
    assert "CRC" not in line and "JSON" in line, line
    en = run("check", str(archive), "--spec", "core", "-f", "json", "--lang", "zh")
    found = [d for p in json.loads(en.stdout)["packages"] for d in p["defects"] if d["code"] == "Z114"]
    assert "CRC" in found[0]["params"]["detail"]  # the parser's words are kept for whoever needs them
    assert snapshot(tmp_path) == before


def test_a_file_that_vanished_or_became_a_folder_is_said_in_chinese() -> None:
    # what facts.py reports when a file is removed, or replaced by a folder, while the run reads it
    from validator.messages import message
    from validator.model import Defect, Severity

    vanished = message(Defect("F102", Severity.ERROR, "a.pdf", {"detail": os.strerror(errno.ENOENT)}), "zh")
    folder = message(Defect("F104", Severity.ERROR, "a.pdf", {"kind": "dir"}), "zh")
    assert "文件不存在" in vanished and "文件夹" in folder, (vanished, folder)
    assert not re.search(r"[A-Za-z]{3,}", vanished + folder), (vanished, folder)


# --- odd option values ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "1e300"])
def test_a_file_timeout_that_is_no_number_of_seconds_is_a_usage_error(pack: Path, tmp_path: Path, value: str) -> None:
    # nan passed click's range check and crashed the sandbox's wait with a traceback
    before = snapshot(pack)
    options = ("--spec", "core", "--file-timeout", value, "--lang", "zh")
    for args, cwd in ((("check", str(pack), *options), None), (("batch", str(tmp_path), *options), None),
                      (("hook", *options, "01_年报承诺书.pdf"), pack)):  # the hook's options come first
        proc = run(*args, cwd=cwd)
        clean_exit(proc, 2)
        assert "--file-timeout" in proc.stderr and not re.search(r"\b(?:not|finite|range)\b", proc.stderr), proc.stderr
    assert snapshot(pack) == before


def test_a_zip_that_is_really_a_rar_is_a_usage_error_in_chinese(tmp_path: Path) -> None:
    fake = tmp_path / "材料.zip"
    fake.write_bytes(b"Rar!\x1a\x07\x01\x00" + bytes(range(256)))
    proc = run("check", str(fake), "--lang", "zh")
    clean_exit(proc, 2)
    assert "既不是文件夹" in proc.stderr and "neither" not in proc.stderr, proc.stderr
    for command in ("risk", "fix", "init"):  # these take folders only; the zip is refused as a file
        proc = run(command, str(fake), "--lang", "zh")
        clean_exit(proc, 2)
        assert not re.search(r"[A-Za-z]{4,} [A-Za-z]{2,}", proc.stderr.split("\n", 2)[-1]), (command, proc.stderr)


# --- a spec file's own text reaching the terminal ----------------------------------------------------

RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def test_specs_check_and_show_escape_the_specs_control_and_bidi_characters(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"  # invalid: the problems quote the ids
    bad.write_text('id: "odd\\u202espec"\ntitle: t\ndocuments:\n  - id: "d\\x1b[2J\\u0000"\n    title: A\n'
                   "    regex: '.*'\n", encoding="utf-8")
    good = tmp_path / "good.yaml"  # valid: titles are free text
    good.write_text('id: good\ntitle: "标题\\e]0;pwn\\a\\u202e\\u2028x"\ndocuments:\n  - id: d1\n'
                    "    title: \"A\\u202e\"\n    regex: '.*'\n", encoding="utf-8")
    for args, code in ((("specs", "check", str(bad)), 2), (("specs", "check", str(good)), 0),
                       (("specs", "show", str(good)), 0)):
        for lang in ("zh", "en"):
            proc = run(*args, "--lang", lang) if args[1] == "check" else run(*args)
            clean_exit(proc, code)
            assert not RAW_CONTROLS.search(proc.stdout + proc.stderr), (args, proc.stdout + proc.stderr)
    assert "\\u202e" in run("specs", "show", str(good)).stdout  # shown, escaped


# --- a waivers.yaml that cannot be read --------------------------------------------------------------


@pytest.mark.parametrize("kind", ["utf-16", "fifo", "folder", "huge"])
def test_an_unreadable_waivers_file_says_why_in_chinese(pack: Path, kind: str) -> None:
    target = pack / "waivers.yaml"
    if kind == "utf-16":
        target.write_bytes("- code: D101\n".encode("utf-16"))
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        target.write_bytes(b"#" * 3_000_000)
    proc = run("check", str(pack), "--spec", "core", "--lang", "zh")
    clean_exit(proc, 0)
    line = next(x for x in proc.stdout.splitlines() if "W101" in x)
    assert not re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", line.replace("waivers.yaml", "")), line


# --- odd report destinations -------------------------------------------------------------------------


def test_two_formats_to_one_file_is_a_usage_error_before_any_work(pack: Path, tmp_path: Path) -> None:
    same = tmp_path / "report"
    for command, target in (("check", pack), ("batch", tmp_path)):
        proc = run(command, str(target), "--spec", "core", "-f", f"csv={same}", "-f", f"html={tmp_path}/../"
                   f"{tmp_path.name}/report", "--lang", "zh")
        clean_exit(proc, 2)
        assert "同一个文件" in proc.stderr and not same.exists(), proc.stderr


def test_dev_stdout_into_a_pipe_and_a_pipe_nobody_reads(pack: Path, tmp_path: Path) -> None:
    # `-o /dev/stdout | jq`: stdout is a pipe, whose /proc path has no folder; it was refused
    proc = run("check", str(pack), "--spec", "core", "-f", "json", "-o", "/dev/stdout", "--lang", "zh")
    clean_exit(proc, 0)
    assert json.loads(proc.stdout)["packages"][0]["ready"] is True
    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    proc = run("check", str(pack), "--spec", "core", "-f", f"json={fifo}", "--lang", "zh")
    clean_exit(proc, 2)
    assert "命名管道" in proc.stderr and not re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", proc.stderr), proc.stderr
