"""`validator hook` as pre-commit calls it: a real subprocess in a real git repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, modules_loaded_by
from tests.hook.conftest import copy_pack

HEAVY = ("yaml", "magic", "pypdf", "openpyxl", "pandas", "python_calamine", "pathvalidate", "pypdfium2",
         "pypdfium2_raw")


def clean_env(cache: Path) -> dict[str, str]:
    """No GIT_* from an outer git (tests may run inside a hook), no user git config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        VALIDATOR_CACHE_DIR=str(cache),
        NO_COLOR="1",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        LANG="C.UTF-8",
    )
    return env


def git(repo: Path, *args: str, env: dict[str, str]) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def hook(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "validator", "hook", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path / "user-cache")


@pytest.fixture
def repo(pack_template: Path, tmp_path: Path, env: dict[str, str]) -> Path:
    """A materials repo: clients/acme holds a clean pack (client.yaml names no spec)."""
    repo = tmp_path / "materials"
    copy_pack(pack_template, repo / "clients" / "acme")
    git(repo, "init", "-q", "-b", "main", env=env)
    git(repo, "config", "user.name", "测试", env=env)
    git(repo, "config", "user.email", "test@example.com", env=env)
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "-m", "materials", env=env)
    return repo


def test_a_clean_change_passes_silently(repo: Path, env: dict[str, str]) -> None:
    proc = hook(repo, "--spec", "core", "clients/acme/08_股权结构.pdf", env=env)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "clients/acme/新建文本文档.txt: D104 This file matches no document of the spec."),
        ("zh", "clients/acme/新建文本文档.txt: D104 该文件不对应规范中的任何材料。"),
    ],
)
def test_a_bad_file_gives_one_compact_line_and_fails(repo: Path, env: dict[str, str], lang: str, expected: str) -> None:
    (repo / "clients/acme/新建文本文档.txt").write_text("草稿", encoding="utf-8")
    proc = hook(repo, "--spec", "core", "--lang", lang, "clients/acme/新建文本文档.txt", env=env)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == expected
    assert len(lines) == 2 and "validator explain" in lines[1]


def test_a_staged_deletion_of_a_required_document_fails(repo: Path, env: dict[str, str]) -> None:
    git(repo, "rm", "-q", "clients/acme/07_服务质量及投诉处理.pdf", env=env)
    proc = hook(repo, "--spec", "core", "--lang", "en", env=env)  # pre-commit passes no file for a deletion
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].startswith("clients/acme/: D101 “服务质量及投诉处理情况” is missing")


def test_moving_a_document_out_fails_its_old_folder(repo: Path, env: dict[str, str]) -> None:
    (repo / "archive").mkdir()
    git(repo, "mv", "clients/acme/08_股权结构.pdf", "archive/08_股权结构.pdf", env=env)
    proc = hook(repo, "--spec", "core", "--lang", "en", "archive/08_股权结构.pdf", env=env)
    assert proc.returncode == 1
    assert [x.split(" ", 2)[:2] for x in proc.stdout.splitlines()[:-1]] == [["clients/acme/:", "D101"]]


def test_a_rename_that_breaks_the_naming_rule_fails(repo: Path, env: dict[str, str]) -> None:
    git(repo, "mv", "clients/acme/08_股权结构.pdf", "clients/acme/08_股权结构(1).pdf", env=env)
    proc = hook(repo, "--spec", "core", "--lang", "en", "clients/acme/08_股权结构(1).pdf", env=env)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[:-1] == ["clients/acme/08_股权结构(1).pdf: N107 The name has a copy marker (1)."]


def test_without_git_a_deleted_path_in_the_list_still_counts(
    pack_template: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    pack = copy_pack(pack_template, tmp_path / "plain" / "acme")
    (pack / "07_服务质量及投诉处理.pdf").unlink()
    proc = hook(tmp_path / "plain", "--spec", "core", "--lang", "en", "acme/07_服务质量及投诉处理.pdf", env=env)
    assert proc.returncode == 1
    assert proc.stdout.startswith("acme/: D101 ")


def test_root_patterns_name_the_folders_when_there_is_no_client_file(tmp_path: Path, env: dict[str, str]) -> None:
    spec = tmp_path / "photos.yaml"
    spec.write_text(
        "id: photos\ntitle: 照片\ndocuments:\n  - {id: photo, title: 照片, name: '*_照片.jpg', count: 1+}\n",
        encoding="utf-8",
    )
    (tmp_path / "clients/x/sub").mkdir(parents=True)
    (tmp_path / "clients/x/sub/说明.txt").write_text("无关", encoding="utf-8")
    proc = hook(tmp_path, "--spec", str(spec), "--root", "clients/*", "--lang", "en", "clients/x/sub/说明.txt", env=env)
    assert proc.returncode == 1
    assert [x.split(" ", 2)[:2] for x in proc.stdout.splitlines()[:-1]] == [
        ["clients/x/:", "D101"],
        ["clients/x/sub/说明.txt:", "D104"],
    ]


def test_a_folder_without_a_spec_is_a_usage_error(repo: Path, env: dict[str, str]) -> None:
    proc = hook(repo, "--lang", "en", "clients/acme/08_股权结构.pdf", env=env)
    assert proc.returncode == 2
    assert "clients/acme: no spec" in proc.stderr


def test_a_broken_spec_is_a_usage_error_with_its_place(repo: Path, env: dict[str, str]) -> None:
    (repo / "bad.yaml").write_text("id: bad\ntitle: 坏\ndocuments: 3\n", encoding="utf-8")
    proc = hook(repo, "--spec", "bad.yaml", "clients/acme/08_股权结构.pdf", env=env)
    assert proc.returncode == 2
    assert "bad.yaml:3:" in proc.stderr


def test_a_warm_hook_imports_no_parser_and_no_libmagic(repo: Path, env: dict[str, str]) -> None:
    args = ["hook", "--spec", "core", "clients/acme/08_股权结构.pdf", "clients/acme/09_人员名单_2025.xlsx"]
    # Cold, the spec is parsed here; the PDF and the roster are parsed in the killable worker.
    assert modules_loaded_by(HEAVY, *args, cwd=repo, env=env) == {"yaml"}
    assert modules_loaded_by(HEAVY, *args, cwd=repo, env=env) == set()


def test_check_with_cache_gives_the_same_report_and_writes_only_to_the_cache(
    pack_template: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    pack = copy_pack(pack_template, tmp_path / "acme")
    (pack / "08_股权结构.pdf").rename(pack / "08_股权结构(1).pdf")
    before = sorted(p.name for p in pack.iterdir())
    runs = [
        subprocess.run(
            [
                sys.executable,
                "-m",
                "validator",
                "check",
                str(pack),
                "--spec",
                "core",
                "--format",
                "json",
                "--lang",
                "en",
                flag,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        for flag in ("--no-cache", "--cache", "--cache")  # uncached, cold cache, warm cache
    ]
    assert [r.returncode for r in runs] == [1, 1, 1]
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout
    assert '"N107"' in runs[0].stdout
    # --ignore changes the spec's severities: outcomes cached without it must not be reused.
    ignored = [
        subprocess.run(
            [
                sys.executable,
                "-m",
                "validator",
                "check",
                str(pack),
                "--spec",
                "core",
                "--format",
                "json",
                "--lang",
                "en",
                "--ignore",
                "N107",
                flag,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        for flag in ("--no-cache", "--cache")
    ]
    assert ignored[0].stdout == ignored[1].stdout and '"N107"' not in ignored[1].stdout
    assert sorted(p.name for p in pack.iterdir()) == before
    assert list((Path(env["VALIDATOR_CACHE_DIR"]) / "packages").glob("*.pickle"))


def test_each_folder_uses_its_client_spec_and_reports_once(repo: Path, env: dict[str, str]) -> None:
    beta = copy_pack(repo / "clients" / "acme", repo / "clients" / "beta")
    for folder in (repo / "clients" / "acme", beta):
        client = folder / "client.yaml"
        client.write_text(client.read_text(encoding="utf-8") + "spec: core\n", encoding="utf-8")
    (beta / "07_服务质量及投诉处理.pdf").unlink()
    (repo / "clients/acme/新建文本文档.txt").write_text("草稿", encoding="utf-8")
    files = [
        "clients/acme/新建文本文档.txt",
        "clients/acme/08_股权结构.pdf",
        "clients/beta/07_服务质量及投诉处理.pdf",
        "clients/beta/08_股权结构.pdf",
    ]
    proc = hook(repo, "--lang", "en", *files, env=env)
    assert proc.returncode == 1, proc.stderr
    assert [x.split(" ", 2)[:2] for x in proc.stdout.splitlines()[:-1]] == [
        ["clients/acme/新建文本文档.txt:", "D104"],
        ["clients/beta/:", "D101"],
    ]
