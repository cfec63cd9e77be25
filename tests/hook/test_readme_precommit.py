"""The README's pre-commit snippet works as written: copied into a materials repository, with
only the `repo:` URL pointed at a clone of this repository (as the snippet's comment says), the
`rev:` it names resolves, the hook installs, a stray file is refused and a clean pack commits.

The clone is a snapshot of this checkout tagged with the README's `rev:` (the release tag the
snippet names must exist on the real repository: tag it when releasing).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fixtures import generate as gen
from tests.conftest import ROOT
from tests.hook.test_hook_cli import clean_env, git
from tests.hook.test_hook_precommit import commit, pre_commit, snapshot

pytestmark = pytest.mark.slow


def readme_snippet() -> str:
    """The first ```yaml block of the README's pre-commit section, verbatim."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Pre-commit hook") :]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match, "the README's pre-commit section has no yaml block"
    return match.group(1)


def test_the_snippet_names_a_release_tag_matching_the_version() -> None:
    from validator import __version__

    rev = re.search(r"^\s*rev:\s*(\S+)", readme_snippet(), re.MULTILINE)
    assert rev and rev.group(1) == f"v{__version__}", "README rev: should be this release's tag"


def test_the_readme_snippet_runs_through_real_pre_commit(tmp_path: Path) -> None:
    snippet = readme_snippet()
    rev = re.search(r"^\s*rev:\s*(\S+)", snippet, re.MULTILINE).group(1)  # type: ignore[union-attr]
    env = clean_env(tmp_path / "user-cache")
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env.pop("PYTHONPATH", None)  # the hook runs from its own install
    hook_repo = tmp_path / "submission-validator"
    snapshot(hook_repo, env)
    git(hook_repo, "-c", "user.name=ci", "-c", "user.email=ci@example.com", "tag", "-a", rev, "-m", rev, env=env)

    # The only edit a user makes: the repo URL, here a local clone's path.
    config, n = re.subn(r"(?m)^(\s*- repo:\s*)\S+", lambda m: m.group(1) + str(hook_repo), snippet, count=1)
    assert n == 1
    repo = tmp_path / "materials"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main", env=env)
    git(repo, "config", "user.name", "文员", env=env)
    git(repo, "config", "user.email", "clerk@example.com", env=env)
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    git(repo, "add", ".pre-commit-config.yaml", env=env)
    git(repo, "commit", "-q", "-m", "hook config", env=env)
    installed = pre_commit(repo, "install", env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    gen.clean_pack("call-center").write(repo / "clients" / "acme")
    git(repo, "add", "clients", env=env)
    clean = commit(repo, "clean pack", env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "validate submission materials" in clean.stdout + clean.stderr  # the hook ran

    (repo / "clients/acme/新建文本文档.txt").write_text("草稿", encoding="utf-8")
    git(repo, "add", "clients", env=env)
    refused = commit(repo, "stray file", env)
    assert refused.returncode != 0
    assert "clients/acme/新建文本文档.txt: D104" in refused.stdout + refused.stderr
