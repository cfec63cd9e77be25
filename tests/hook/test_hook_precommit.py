"""End to end with the real pre-commit: a materials repository whose .pre-commit-config.yaml
points at this repository's hook; commits of good files go in, bad ones are refused with
the defect shown.

pre-commit clones the hook repository at a commit and `pip install`s it (with its
dependencies from PyPI) into its own virtualenv. To test this checkout as it is (committed
or not), the package files are copied into a scratch repository and committed there; the
virtualenv is built once per session in a temporary PRE_COMMIT_HOME.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.hook.conftest import copy_pack
from tests.hook.test_hook_cli import clean_env, git

pytestmark = pytest.mark.slow

HOOK_REPO_PATHS = ("validator", "specs", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")


def snapshot(dest: Path, env: dict[str, str]) -> str:
    """Copy the package files of this checkout (tracked and new, not ignored) into a fresh
    repository at `dest`, commit them and return the commit."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z", "--", *HOOK_REPO_PATHS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    if listed.returncode == 0 and listed.stdout:
        for rel in filter(None, listed.stdout.decode().split("\0")):
            if (ROOT / rel).is_file():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / rel, dest / rel)
    else:  # not a git checkout (an unpacked sdist): copy the paths as they are
        for rel in HOOK_REPO_PATHS:
            src = ROOT / rel
            if src.is_dir():
                shutil.copytree(src, dest / rel, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            elif src.is_file():
                dest.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / rel)
    git(dest, "init", "-q", "-b", "main", env=env)
    git(dest, "add", "-A", env=env)
    git(dest, "-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-q", "-m", "snapshot", env=env)
    return git(dest, "rev-parse", "HEAD", env=env).strip()


def pre_commit(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="session")
def hook_setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    """(the .pre-commit-config.yaml text, the environment) with the hook's virtualenv built."""
    base = tmp_path_factory.mktemp("pre-commit")
    env = clean_env(base / "user-cache")
    env["PRE_COMMIT_HOME"] = str(base / "pre-commit-home")
    env.pop("PYTHONPATH")  # the hook must run from its own install, not from this checkout
    rev = snapshot(base / "hook-repo", env)
    config = (
        f"repos:\n  - repo: {base / 'hook-repo'}\n    rev: {rev}\n    hooks:\n"
        "      - id: validate-submission\n        args: [--spec, core, --lang, en]\n"
    )
    scratch = base / "scratch"
    scratch.mkdir()
    git(scratch, "init", "-q", env=env)
    (scratch / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    proc = pre_commit(scratch, "install-hooks", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return config, env


@pytest.fixture
def materials(hook_setup: tuple[str, dict[str, str]], pack_template: Path, tmp_path: Path) -> Path:
    """A materials repo with the hook installed and a clean pack committed through it."""
    config, env = hook_setup
    repo = tmp_path / "materials"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main", env=env)
    git(repo, "config", "user.name", "文员", env=env)
    git(repo, "config", "user.email", "clerk@example.com", env=env)
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    git(repo, "add", ".pre-commit-config.yaml", env=env)
    git(repo, "commit", "-q", "-m", "hook config", env=env)
    proc = pre_commit(repo, "install", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    copy_pack(pack_template, repo / "clients" / "acme")
    git(repo, "add", "clients", env=env)
    done = commit(repo, "clean pack", env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "validate submission materials" in done.stdout + done.stderr  # the hook did run
    return repo


def commit(repo: Path, message: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`git commit`; git shows a hook's output on stderr."""
    return subprocess.run(
        ["git", "commit", "-m", message], cwd=repo, env=env, capture_output=True, text=True, timeout=300
    )


def head_count(repo: Path, env: dict[str, str]) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD", env=env))


def test_a_bad_file_is_rejected_with_the_defect_and_a_good_one_accepted(
    materials: Path, hook_setup: tuple[str, dict[str, str]]
) -> None:
    _, env = hook_setup
    before = head_count(materials, env)
    (materials / "clients/acme/新建文本文档.txt").write_text("草稿", encoding="utf-8")
    git(materials, "add", "clients", env=env)
    refused = commit(materials, "stray file", env)
    assert refused.returncode != 0
    assert (
        "clients/acme/新建文本文档.txt: D104 This file matches no document of the spec."
        in refused.stderr + refused.stdout
    )
    assert head_count(materials, env) == before

    git(materials, "rm", "-q", "--cached", "clients/acme/新建文本文档.txt", env=env)
    (materials / "clients/acme/新建文本文档.txt").unlink()
    (materials / "clients/acme/10_社保缴纳证明_2024.pdf").write_bytes(
        (materials / "clients/acme/08_股权结构.pdf").read_bytes() + b"\n% another scan\n"
    )
    git(materials, "add", "clients", env=env)
    accepted = commit(materials, "another insurance proof", env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert head_count(materials, env) == before + 1
    status = git(materials, "status", "--porcelain", "--ignored", env=env)
    assert status == "", f"the hook left something in the materials repo: {status}"


def test_deleting_a_required_document_is_rejected(materials: Path, hook_setup: tuple[str, dict[str, str]]) -> None:
    _, env = hook_setup
    git(materials, "rm", "-q", "clients/acme/07_服务质量及投诉处理.pdf", env=env)
    refused = commit(materials, "remove a document", env)
    assert refused.returncode != 0
    assert "clients/acme/: D101 “服务质量及投诉处理情况” is missing" in refused.stderr + refused.stdout


def test_a_rename_that_breaks_the_naming_rule_is_rejected(
    materials: Path, hook_setup: tuple[str, dict[str, str]]
) -> None:
    _, env = hook_setup
    git(materials, "mv", "clients/acme/08_股权结构.pdf", "clients/acme/08_股权结构(1).pdf", env=env)
    refused = commit(materials, "rename", env)
    assert refused.returncode != 0
    assert "clients/acme/08_股权结构(1).pdf: N107 The name has a copy marker (1)." in refused.stderr + refused.stdout


def test_the_package_list_ships_every_subpackage() -> None:
    """pyproject lists packages by hand (so specs/ installs as validator.specs); a subpackage
    missing from the list would be missing from the hook's install."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "validator").rglob("__init__.py")}
    assert on_disk | {"validator.specs"} == listed


def test_the_readme_config_and_the_hook_manifest_are_valid_for_pre_commit(tmp_path: Path) -> None:
    import re

    from pre_commit.clientlib import load_config, load_manifest

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Pre-commit hook", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert block is not None
    (tmp_path / ".pre-commit-config.yaml").write_text(block.group(1), encoding="utf-8")
    config = load_config(str(tmp_path / ".pre-commit-config.yaml"))
    assert config["repos"][0]["hooks"][0]["id"] == "validate-submission"
    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert (hook["id"], hook["entry"], hook["language"], hook["pass_filenames"]) == (
        "validate-submission",
        "validator hook",
        "python",
        True,
    )
    assert "text" not in hook["types"] and hook["always_run"] and hook["require_serial"]


LAX_SPEC = "id: lax\ntitle: 放行\nunexpected_files: ignore\ndocuments: []\n"


@pytest.mark.parametrize("end_of_options", [False, True], ids=["args-as-in-readme", "args-ending-with---"])
def test_files_named_like_options_cannot_open_the_gate(
    materials: Path, hook_setup: tuple[str, dict[str, str]], end_of_options: bool
) -> None:
    """Issue 10.1: pre-commit appends file names after the args without `--`; a staged
    `--help` printed help and exited 0, a staged `--spec=lax.yaml` swapped the spec."""
    config, env = hook_setup
    if end_of_options:
        config = config.replace("--lang, en]", "--lang, en, --]")
        (materials / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
        git(materials, "add", ".pre-commit-config.yaml", env=env)
    before = head_count(materials, env)
    (materials / "lax.yaml").write_text(LAX_SPEC, encoding="utf-8")
    (materials / "--help").write_text("x", encoding="utf-8")
    (materials / "--spec=lax.yaml").write_text("x", encoding="utf-8")
    (materials / "clients/acme/新建文本文档.txt").write_text("草稿", encoding="utf-8")  # a real defect
    git(materials, "add", "--", "lax.yaml", "--help", "--spec=lax.yaml", "clients", env=env)
    refused = commit(materials, "slip a defect past the gate", env)
    shown = refused.stdout + refused.stderr
    assert refused.returncode != 0, shown
    assert head_count(materials, env) == before
    assert "Usage:" not in shown  # click's help was not printed
    if end_of_options:  # the files are files: checked, and the real defect reported
        assert "clients/acme/新建文本文档.txt: D104" in shown
    else:  # an option-looking file where options go: refused, named
        assert "'--help' is a file but stands where options go" in shown
