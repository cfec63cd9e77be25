"""`validator fix`: a messy pack of real files is renamed so the check is clean, through the real
CLI; the journal lies outside the folder; undo gives back the very same tree, byte for byte;
clashes are reported and nothing is overwritten; a changed file blocks undo."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import check_json, codes_of, modules_loaded_by, run_cli
from tests.packs import COMPANY, build_pack

MESSES = {  # clean name -> how a clerk left it
    "01_年报承诺书.pdf": "01_年报承诺书(1).pdf",
    f"02_营业执照_{COMPANY}.pdf": f"02_营业执照_{COMPANY}.PDF",
    "04_审计报告_2025.pdf": "审计报告.pdf",
    "05_经营情况报告_2025.docx": "05_经营情况报告_2025.doc",  # a real docx under .doc
    "06_网络与信息安全保障措施.pdf": "06_网络与信息安全保障措施 .pdf",
    "07_服务质量及投诉处理.pdf": "07_服务质量及投诉处理（定稿）.pdf",
    "08_股权结构.pdf": "08_股权结构 - 副本.pdf",
    "10_社保缴纳证明.jpg": "10_社保缴纳证明 - Copy.jpg",
}
FIXED_CODES = {"N101", "N105", "N106", "N107", "N110", "T102"}


@pytest.fixture(scope="module")
def clean_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pack(tmp_path_factory.mktemp("template") / "pack")


@pytest.fixture
def messy(clean_template: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "pack"
    shutil.copytree(clean_template, dest)
    for clean, mess in MESSES.items():
        (dest / clean).rename(dest / mess)
    return dest


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"VALIDATOR_CACHE_DIR": str(tmp_path / "cache")}


def tree(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every entry under the folder: name -> (sha256, size, mtime_ns)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        out[path.relative_to(folder).as_posix()] = (digest, st.st_size, st.st_mtime_ns)
    return out


def journal_of(stdout: str) -> Path:
    line = next(x for x in stdout.splitlines() if x.startswith(("Undo journal: ", "撤销记录：")))
    return Path(line.split(": ", 1)[1] if line.startswith("Undo") else line.split("：", 1)[1])


def test_plan_only_prints_and_changes_nothing(messy: Path, env: dict[str, str]) -> None:
    before = tree(messy)
    proc = run_cli("fix", str(messy), "--spec", "core", "--format", "json", env=env)
    assert proc.returncode == 1, proc.stderr
    plan = json.loads(proc.stdout)
    assert {r["from"]: r["to"] for r in plan["renames"]} == {mess: clean for clean, mess in MESSES.items()}
    assert plan["clashes"] == []
    assert tree(messy) == before
    text = run_cli("fix", str(messy), "--spec", "core", "--lang", "zh", env=env)
    assert "计划重命名 8 个文件" in text.stdout and "01_年报承诺书(1).pdf → 01_年报承诺书.pdf" in text.stdout
    assert not (Path(env["VALIDATOR_CACHE_DIR"]) / "fix-journals").exists()


def test_apply_fixes_every_defect_and_undo_restores_byte_for_byte(messy: Path, env: dict[str, str]) -> None:
    _, report = check_json(messy, "--spec", "core")
    assert set(codes_of(report)) >= FIXED_CODES
    before = tree(messy)

    proc = run_cli("fix", str(messy), "--spec", "core", "--apply", "--lang", "en", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    journal = journal_of(proc.stdout)
    assert journal.is_file() and Path(env["VALIDATOR_CACHE_DIR"]) in journal.parents
    code, report = check_json(messy, "--spec", "core")
    assert codes_of(report) == [] and code == 0
    after = tree(messy)
    assert set(after) == (set(before) - set(MESSES.values())) | set(MESSES)
    assert sorted(v[0] for v in after.values()) == sorted(v[0] for v in before.values())  # contents untouched
    again = run_cli("fix", str(messy), "--spec", "core", "--lang", "en", env=env)
    assert again.returncode == 0 and "No file name to fix" in again.stdout

    undo = run_cli("fix", "--undo", str(journal), "--lang", "en", env=env)
    assert undo.returncode == 0, undo.stderr
    assert tree(messy) == before
    assert run_cli("fix", "--undo", str(journal), env=env).returncode == 2  # once only


def test_a_clash_is_reported_and_nothing_is_overwritten(messy: Path, env: dict[str, str]) -> None:
    (messy / "01_年报承诺书.pdf").write_bytes(b"%PDF-1.4 somebody else's file")
    (messy / "08_股权结构(1).pdf").write_bytes((messy / "08_股权结构 - 副本.pdf").read_bytes() + b"\n")
    proc = run_cli("fix", str(messy), "--spec", "core", "--apply", "--lang", "en", env=env)
    assert proc.returncode == 1
    assert "01_年报承诺书(1).pdf → 01_年报承诺书.pdf: the name is taken by 01_年报承诺书.pdf" in proc.stdout
    assert "08_股权结构(1).pdf would get the same name" in proc.stdout
    assert (messy / "01_年报承诺书.pdf").read_bytes() == b"%PDF-1.4 somebody else's file"
    assert (messy / "01_年报承诺书(1).pdf").exists()
    assert (messy / "08_股权结构 - 副本.pdf").exists() and (messy / "08_股权结构(1).pdf").exists()
    assert not (messy / "08_股权结构.pdf").exists()
    assert (messy / "04_审计报告_2025.pdf").exists()  # the rest went ahead


def test_undo_refuses_when_a_file_changed_since(messy: Path, env: dict[str, str]) -> None:
    proc = run_cli("fix", str(messy), "--spec", "core", "--apply", "--lang", "en", env=env)
    journal = journal_of(proc.stdout)
    target = messy / "08_股权结构.pdf"
    stat = target.stat()
    data = bytearray(target.read_bytes())
    data[-2] ^= 1  # same size, same mtime: only the digest tells
    target.write_bytes(bytes(data))
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    listing = tree(messy)
    undo = run_cli("fix", "--undo", str(journal), "--lang", "en", env=env)
    assert undo.returncode == 2
    assert "08_股权结构.pdf has changed since it was renamed" in undo.stderr
    assert tree(messy) == listing  # all or nothing


def test_an_existing_journal_is_never_overwritten(messy: Path, env: dict[str, str], tmp_path: Path) -> None:
    journal = tmp_path / "earlier.json"
    journal.write_text("{}", encoding="utf-8")
    before = tree(messy)
    proc = run_cli("fix", str(messy), "--spec", "core", "--apply", "--journal", str(journal), "--lang", "en", env=env)
    assert proc.returncode == 2 and "already exists" in proc.stderr
    assert journal.read_text(encoding="utf-8") == "{}" and tree(messy) == before


def test_journal_inside_the_folder_is_refused(messy: Path, env: dict[str, str]) -> None:
    before = tree(messy)
    proc = run_cli("fix", str(messy), "--spec", "core", "--apply", "--journal", str(messy / "undo.json"),
                   "--lang", "en", env=env)
    assert proc.returncode == 2
    assert "nothing was changed" in proc.stderr
    assert tree(messy) == before


def test_explicit_journal_and_help(messy: Path, env: dict[str, str], tmp_path: Path) -> None:
    journal = tmp_path / "journals" / "run.json"
    proc = run_cli("fix", str(messy), "--spec", "core", "--apply", "--journal", str(journal), env=env)
    assert proc.returncode == 0 and journal.is_file()
    entries = json.loads(journal.read_text(encoding="utf-8"))["renames"]
    assert {e["from"] for e in entries} == set(MESSES.values())
    assert all(len(e["sha256"]) == 64 and e["size"] > 0 for e in entries)
    helptext = run_cli("fix", "--help").stdout
    assert "--undo" in helptext and "Exit status" in helptext and "--apply" in helptext
    heavy = ("pandas", "openpyxl", "pypdf", "pypdfium2", "magic", "yaml")
    assert modules_loaded_by(heavy, "fix", "--help") == set()


def test_an_interrupted_apply_can_still_be_undone(messy: Path, env: dict[str, str], tmp_path: Path) -> None:
    """The journal is written before the first rename: files not renamed yet are skipped by undo."""
    import sys

    before = tree(messy)
    journal = tmp_path / "j.json"
    script = (
        "import sys\n"
        "from validator.api import check_folder\n"
        "from validator.spec import load_spec\n"
        "from validator.fixing import apply as ap\n"
        "from validator.fixing.plan import plan_renames\n"
        "spec = load_spec('core')\n"
        "plan = plan_renames(check_folder(sys.argv[1], spec), spec)\n"
        "real, n = ap.rename_noreplace, [0]\n"
        "def interrupting(src, dst):\n"
        "    if n[0] == 3:\n"
        "        raise KeyboardInterrupt\n"
        "    n[0] += 1\n"
        "    real(src, dst)\n"
        "ap.rename_noreplace = interrupting\n"
        "ap.apply_plan(plan, sys.argv[2], 'en')\n"
    )
    import subprocess

    proc = subprocess.run([sys.executable, "-c", script, str(messy), str(journal)], capture_output=True, text=True,
                          env={**os.environ, **env})
    assert "KeyboardInterrupt" in proc.stderr
    assert tree(messy) != before  # three files renamed, then the run stopped
    undo = run_cli("fix", "--undo", str(journal), "--lang", "en", env=env)
    assert undo.returncode == 0, undo.stderr
    assert "Restored 3 original name(s)" in undo.stdout
    assert tree(messy) == before


def test_a_chain_of_renames_is_ordered_and_undone(tmp_path: Path, env: dict[str, str]) -> None:
    """b → c must happen before a → b; undo reverses them in the order they happened."""
    from validator.commands.fix import WORDS
    from validator.fixing.apply import apply_plan, read_journal, undo, undo_plan
    from validator.fixing.plan import Plan, Rename

    folder = tmp_path / "chain"
    folder.mkdir()
    (folder / "a").write_bytes(b"A")
    (folder / "b").write_bytes(b"B")
    before = tree(folder)
    plan = Plan(str(folder), "core", (Rename("a", "b", ("N107",)), Rename("b", "c", ("N107",))))
    journal = tmp_path / "j.json"
    applied = apply_plan(plan, str(journal), "en")
    assert applied.clashes == () and [r.source for r in applied.done] == ["b", "a"]
    assert (folder / "b").read_bytes() == b"A" and (folder / "c").read_bytes() == b"B"
    data = read_journal(str(journal), WORDS["en"])
    todo, problems = undo_plan(data, WORDS["en"])
    assert problems == []
    undo(data, todo, str(journal))
    assert tree(folder) == before
