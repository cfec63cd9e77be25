"""Hostile inputs, round two (issue 10, the input half): every file the tool itself reads
(client.yaml, the registry, specs, cache entries) and every user regex, tried as an attacker
would. Each case runs the real CLI in a subprocess under a timeout: it must finish, with a
defect or a clean error (exit 2, no traceback), and leave the checked folder unchanged.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures import makers as mk
from tests.packs import CLIENT
from tests.test_hostile import snapshot

TIMEOUT = 60  # seconds; every case here finishes in a few when the defence holds
SECRET = "TOP-SECRET-CONTENT-7f3a"

# Nine levels of nine aliases: 9^9 values from ~400 bytes.
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP = "[" * 20000 + "]" * 20000


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    # English messages (the assertions quote them); Chinese is checked in tests/test_zh_usage.py
    full_env = {**os.environ, "NO_COLOR": "1", "VALIDATOR_LANG": "en", **(env or {})}
    return subprocess.run([sys.executable, "-m", "validator", *args], capture_output=True, text=True,
                          cwd=cwd, env=full_env, timeout=TIMEOUT)


def clean_exit(proc: subprocess.CompletedProcess[str], *codes: int) -> None:
    assert proc.returncode in codes, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and not re.search(r"\w+(Error|Exception): ", proc.stderr), proc.stderr


def defects(proc: subprocess.CompletedProcess[str], code: str) -> list[dict]:
    report = json.loads(proc.stdout)
    return [d for p in report["packages"] for d in p["defects"] if d["code"] == code]


def check(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run("check", str(folder), "--spec", "core", "--format", "json", "--lang", "en", *args, env=env)


# --- 1. client.yaml that is not a plain file -----------------------------------------------------


def test_fifo_client_yaml_is_a_defect_in_check_hook_and_batch(tmp_path: Path, pack_template: Path) -> None:
    root = tmp_path / "root"
    pack = Path(shutil.copytree(pack_template, root / "fifo"))
    (pack / "client.yaml").unlink()
    os.mkfifo(pack / "client.yaml")
    before = snapshot(pack)
    proc = check(pack)
    clean_exit(proc, 1)
    [v105] = defects(proc, "V105")
    assert "named pipe" in v105["message"]
    proc = check(pack, "--cache", env={"VALIDATOR_CACHE_DIR": str(tmp_path / "cache")})
    clean_exit(proc, 1)
    assert defects(proc, "V105")
    # the hook, with the folder given by --root (the FIFO is not a client.yaml it can read)
    proc = run("hook", "--spec", "core", "--root", "fifo", "--lang", "en", "fifo/08_股权结构.pdf", cwd=root,
               env={"VALIDATOR_CACHE_DIR": str(tmp_path / "cache")})
    clean_exit(proc, 1)
    assert "named pipe" in proc.stdout + proc.stderr
    # a batch over a root holding this client and a sound one
    shutil.copytree(pack_template, root / "sound")
    proc = run("batch", str(root), "--spec", "core", "--executor", "serial", "-q", "--lang", "en",
               "--format", f"json={tmp_path / 'b.json'}")
    clean_exit(proc, 1)
    report = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    by_client = {p["client"]: [d["code"] for d in p["defects"]] for p in report["packages"]}
    assert "V105" in by_client["fifo"] and "V105" not in by_client["sound"]
    assert snapshot(pack) == before


def test_symlinked_client_yaml_is_not_followed(tmp_path: Path, pack: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(f"company: {SECRET}\n", encoding="utf-8")
    (pack / "client.yaml").unlink()
    (pack / "client.yaml").symlink_to(outside)
    proc = check(pack)
    clean_exit(proc, 1)
    [v105] = defects(proc, "V105")
    assert "symbolic link" in v105["message"]
    assert SECRET not in proc.stdout


def test_client_yaml_over_the_limit_is_a_defect_not_a_silent_cut(pack: Path) -> None:
    # The keys a cut at 1 MiB would lose come last.
    padding = "".join(f"note{i}: {'x' * 100}\n" for i in range(11000))
    (pack / "client.yaml").write_text(padding + CLIENT, encoding="utf-8")
    proc = check(pack)
    clean_exit(proc, 1)
    [v105] = defects(proc, "V105")
    assert "larger than 1 MiB" in v105["message"]
    proc = run("check", str(pack), "--spec", "core", "--lang", "zh")
    assert "client.yaml 未读取：文件大于 1 MiB" in proc.stdout


# --- 3. YAML bombs and deep nesting --------------------------------------------------------------


def test_alias_bomb_spec_fails_fast(tmp_path: Path) -> None:
    spec = tmp_path / "bomb.yaml"
    spec.write_text("id: bomb\ntitle: B\n" + ALIAS_BOMB, encoding="utf-8")
    assert len(spec.read_bytes()) < 500
    start = time.monotonic()
    proc = run("specs", "check", str(spec))
    clean_exit(proc, 2)
    assert "alias" in proc.stderr and f"{spec}:" in proc.stderr
    assert time.monotonic() - start < 20


@pytest.mark.parametrize("text", [ALIAS_BOMB + "specs: *i\n", f"company: x\nnested: {DEEP}\n"], ids=["bomb", "deep"])
def test_hostile_client_yaml_is_a_defect_in_check_and_batch(tmp_path: Path, pack: Path, text: str) -> None:
    (pack / "client.yaml").write_text(text, encoding="utf-8")
    proc = check(pack)
    clean_exit(proc, 1)
    assert "invalid YAML" in defects(proc, "V103")[0]["message"]
    proc = check(pack, "--cache", env={"VALIDATOR_CACHE_DIR": str(tmp_path / "cache")})
    clean_exit(proc, 1)
    root = tmp_path / "root"
    root.mkdir()
    shutil.move(str(pack), root / "acme")
    proc = run("batch", str(root), "--spec", "core", "--executor", "serial", "-q", "--lang", "en",
               "--format", f"json={tmp_path / 'b.json'}")
    clean_exit(proc, 1)
    report = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert "V103" in [d["code"] for d in report["packages"][0]["defects"]]


def test_deep_spec_is_a_spec_error(tmp_path: Path) -> None:
    spec = tmp_path / "deep.yaml"
    spec.write_text("id: deep\ntitle: D\ndocuments:\n  " + "- " * 20000 + "x\n", encoding="utf-8")
    proc = run("specs", "check", str(spec))
    clean_exit(proc, 2)
    assert "nested more than" in proc.stderr
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "a.pdf").write_bytes(b"x")
    for _ in range(2):  # the hook's cached-spec path, cold and again
        proc = run("hook", "--spec", str(spec), "--root", "pack", "pack/a.pdf", cwd=tmp_path,
                   env={"VALIDATOR_CACHE_DIR": str(tmp_path / "cache")})
        clean_exit(proc, 2)
        assert "nested more than" in proc.stdout + proc.stderr


# --- 4. extends chains ---------------------------------------------------------------------------


def test_long_extends_chain_is_a_clean_spec_error_also_through_the_hooks_cache(tmp_path: Path, pack: Path) -> None:
    chain = tmp_path / "chain"
    chain.mkdir()
    for i in range(1100):
        parent = f"extends: s{i + 1}.yaml\n" if i < 1099 else "extends: core\n"
        (chain / f"s{i}.yaml").write_text(f"id: s{i}\ntitle: S{i}\n{parent}", encoding="utf-8")
    proc = check(pack.parent / pack.name, "--spec", str(chain / "s0.yaml"))
    clean_exit(proc, 2)
    assert "extends chain longer than" in proc.stderr and "s0.yaml" in proc.stderr
    proc = run("hook", "--spec", str(chain / "s0.yaml"), "--root", "pack", "pack/08_股权结构.pdf", cwd=pack.parent,
               env={"VALIDATOR_CACHE_DIR": str(tmp_path / "cache")})
    clean_exit(proc, 2)
    assert "extends chain longer than" in proc.stdout + proc.stderr


# --- 5. spec references a client supplies ----------------------------------------------------------


def test_client_spec_outside_the_folder_is_not_read(tmp_path: Path, pack: Path) -> None:
    foreign = tmp_path / "foreign.yaml"
    foreign.write_text(f"{SECRET}: 1\n", encoding="utf-8")  # would be echoed as an unknown key if read
    root = tmp_path / "root"
    root.mkdir()
    shutil.move(str(pack), root / "acme")
    (root / "acme" / "client.yaml").write_text(CLIENT + f"spec: {foreign}\n", encoding="utf-8")
    shutil.copytree(root / "acme", root / "beta")
    (root / "beta" / "client.yaml").write_text(CLIENT, encoding="utf-8")
    (root / "clients.csv").write_text("folder,specs\nbeta,../foreign.yaml\n", encoding="utf-8")
    proc = run("batch", str(root), "--executor", "serial", "-q", "--lang", "en",
               "--format", f"json={tmp_path / 'b.json'}", "--format", f"csv={tmp_path / 'b.csv'}")
    clean_exit(proc, 1)
    text = (tmp_path / "b.json").read_text(encoding="utf-8")
    assert SECRET not in text and SECRET not in (tmp_path / "b.csv").read_text(encoding="utf-8")
    report = json.loads(text)
    for client, ref in (("acme", str(foreign)), ("beta", "../foreign.yaml")):
        found = [d for p in report["packages"] if p["client"] == client for d in p["defects"] if d["code"] == "L208"]
        assert found and ref in found[0]["message"] and "outside" in found[0]["message"], (client, found)
    # check with --spec: a defect naming the reference; without: a usage error naming it
    proc = check(root / "acme")
    clean_exit(proc, 1)
    assert [d["params"]["spec"] for d in defects(proc, "L208")] == [str(foreign)] and SECRET not in proc.stdout
    proc = run("check", str(root / "acme"))
    clean_exit(proc, 2)
    assert str(foreign) in proc.stderr and "outside" in proc.stderr and SECRET not in proc.stderr
    # the hook: same
    proc = run("hook", "--no-cache", "acme/08_股权结构.pdf", cwd=root)
    clean_exit(proc, 2)
    assert SECRET not in proc.stdout + proc.stderr
    assert f"no spec (spec {foreign} lies outside the client's folder; it was not read)" in proc.stderr
    # in Chinese, both say why in Chinese
    zh_check = run("check", str(root / "acme"), "--lang", "zh")
    zh_hook = run("hook", "--no-cache", "--lang", "zh", "acme/08_股权结构.pdf", cwd=root)
    assert f"指定的规范 {foreign} 不在客户文件夹（或批量检查根目录）内，未读取" in zh_check.stderr
    assert f"没有指定规范（规范 {foreign} 在客户文件夹之外，未读取）" in zh_hook.stderr
    assert "lies outside" not in zh_check.stderr + zh_hook.stderr


def test_client_spec_inside_whose_extends_leaves_the_folder_is_not_followed(tmp_path: Path, pack: Path) -> None:
    foreign = tmp_path / "foreign.yaml"
    foreign.write_text(f"{SECRET}: 1\n", encoding="utf-8")
    (pack / "mine.yaml").write_text("id: mine\ntitle: Mine\nextends: ../foreign.yaml\n", encoding="utf-8")
    (pack / "client.yaml").write_text(CLIENT + "spec: mine.yaml\n", encoding="utf-8")
    proc = run("check", str(pack), "--lang", "en")
    clean_exit(proc, 2)
    assert "../foreign.yaml lies outside" in proc.stderr and SECRET not in proc.stderr
    root = tmp_path / "root"
    root.mkdir()
    shutil.move(str(pack), root / "acme")
    (root / "acme" / "mine.yaml").write_text("id: mine\ntitle: Mine\nextends: ../../foreign.yaml\n", encoding="utf-8")
    proc = run("batch", str(root), "--executor", "process", "-q", "--lang", "en",
               "--format", f"json={tmp_path / 'b.json'}")
    clean_exit(proc, 1)
    text = (tmp_path / "b.json").read_text(encoding="utf-8")
    assert SECRET not in text
    [l204] = [d for p in json.loads(text)["packages"] for d in p["defects"] if d["code"] == "L204"]
    assert "lies outside" in l204["message"]
    proc = run("hook", "acme/08_股权结构.pdf", cwd=root, env={"VALIDATOR_CACHE_DIR": str(tmp_path / "cache")})
    clean_exit(proc, 2)
    assert "lies outside" in proc.stdout + proc.stderr and SECRET not in proc.stdout + proc.stderr
    # the user's own --spec may extend anything
    (root / "acme" / "mine.yaml").write_text("id: mine\ntitle: Mine\nextends: core\n", encoding="utf-8")
    clean_exit(run("check", str(root / "acme"), "--spec", str(root / "acme" / "mine.yaml")), 0, 1)


def test_spec_file_inside_the_batch_root_is_allowed(tmp_path: Path, pack: Path) -> None:
    root = tmp_path / "root"
    (root / "_specs").mkdir(parents=True)
    (root / "_specs" / "mine.yaml").write_text("id: mine\ntitle: Mine\nextends: core\n", encoding="utf-8")
    shutil.move(str(pack), root / "acme")
    (root / "acme" / "client.yaml").write_text(CLIENT + "spec: ../_specs/mine.yaml\n", encoding="utf-8")
    proc = run("batch", str(root), "--executor", "serial", "-q", "--format", f"json={tmp_path / 'b.json'}")
    clean_exit(proc, 0, 1)
    report = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert report["packages"][0]["spec"] == "mine"


# --- 6. user regexes -------------------------------------------------------------------------------


def test_backtracking_regexes_finish(tmp_path: Path) -> None:
    spec = tmp_path / "redos.yaml"
    spec.write_text(
        "id: redos\ntitle: R\n"
        "variables:\n  company: {title: 公司, pattern: '^(a+)+$'}\n"
        "documents:\n"
        "  - {id: name, title: N, regex: '^(a+)+$', required: false, count: 0+}\n"
        "  - id: roster\n    title: 名单\n    regex: '.*\\.xlsx'\n    required: false\n    types: [xlsx]\n"
        "    sheet:\n      columns: [{name: 号, pattern: '(a|aa)+$'}]\n"
        "      rules: [{id: r, expect: {column: 号, matches: '^(a|aa)+$'}}]\n",
        encoding="utf-8",
    )
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "client.yaml").write_text(f"company: {'a' * 41}!\n", encoding="utf-8")
    (pack / ("a" * 41 + "!")).write_bytes(b"x")
    mk.make_xlsx(pack / "名单.xlsx", {"Sheet1": [["号"], *([f"{'a' * (40 + i)}b"] for i in range(50))]})
    start = time.monotonic()
    proc = run("check", str(pack), "--spec", str(spec), "--format", "json", "--lang", "en")
    clean_exit(proc, 1)
    assert time.monotonic() - start < 20
    [grouped] = defects(proc, "X113")  # one column failing on every row: one grouped defect
    assert grouped["params"]["count"] == 50 and defects(proc, "V102")
    proc = run("specs", "check", str(spec))
    clean_exit(proc, 0)
    assert proc.stderr.count("warning:") == 4 and f"{spec}:4:" in proc.stderr


def test_backtracking_regex_the_linear_engine_cannot_run_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "redos.yaml"
    spec.write_text("id: r\ntitle: R\ndocuments:\n  - {id: d, title: D, regex: '(?=a)(a+)+$'}\n", encoding="utf-8")
    proc = run("specs", "check", str(spec))
    clean_exit(proc, 2)
    assert f"{spec}:4:" in proc.stderr and "unbounded" in proc.stderr


# --- 7. the cache ----------------------------------------------------------------------------------


class _Plant:
    """A pickle that leaves a mark when loaded (what an attacker's cache entry would do)."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, ...]]:
        return (os.mkdir, (self.marker,))


def _cache_file(cache: Path, folder: Path) -> Path:
    from validator.cache import PackageCache

    return PackageCache(str(folder), cache).path


def hook(folder: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return run("hook", "--spec", "core", "--root", folder.name, f"{folder.name}/08_股权结构.pdf", cwd=folder.parent,
               env={"VALIDATOR_CACHE_DIR": str(cache)})


@pytest.mark.parametrize("owner", ["me", "another user"])
def test_world_writable_packages_dir_is_refused(tmp_path: Path, pack: Path, owner: str) -> None:
    cache = tmp_path / "cache"
    planted = _cache_file(cache, pack)
    planted.parent.mkdir(parents=True)
    planted.write_bytes(pickle.dumps(_Plant(str(tmp_path / "PWNED"))))
    os.chmod(planted.parent, 0o777)
    if owner != "me":
        if os.getuid() != 0:
            pytest.skip("giving a directory to another user needs root")
        os.chown(planted.parent, 65534, 65534)
    clean_exit(hook(pack, cache), 0)
    assert not (tmp_path / "PWNED").exists()


def test_packages_symlink_into_the_materials_is_refused(tmp_path: Path, pack: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "packages").symlink_to(pack)
    before = snapshot(pack)
    clean_exit(hook(pack, cache), 0)
    clean_exit(hook(pack, cache), 0)
    assert snapshot(pack) == before


def test_cache_entry_replaced_by_a_fifo_or_forged_types(tmp_path: Path, pack: Path) -> None:
    from validator.cache import FORMAT, Record, Stamp, _Content

    cache = tmp_path / "cache"
    clean_exit(hook(pack, cache), 0)  # a real entry now exists
    entry = _cache_file(cache, pack)
    entry.unlink()
    os.mkfifo(entry)
    clean_exit(hook(pack, cache), 0)
    entry.unlink()
    forged = _Content()
    forged.format = FORMAT
    forged.records = {"08_股权结构.pdf": Record(Stamp("a", "b", "c", "d"), "now", 5, "no outcome")}  # type: ignore[arg-type]
    entry.write_bytes(pickle.dumps(forged))
    os.chmod(entry, 0o600)
    clean_exit(hook(pack, cache), 0)


# --- 8. the registry -------------------------------------------------------------------------------


def test_one_gbk_line_in_a_utf8_registry_keeps_every_row(tmp_path: Path) -> None:
    from validator.batch.clients import read_registry

    lines = ["folder,company", "acme,北京示例科技有限公司", "beta,上海别家信息技术有限公司"]
    raw = "\n".join(lines[:2]).encode("utf-8") + b"\n" + lines[2].encode("gbk") + b"\n"
    (tmp_path / "clients.csv").write_bytes(raw)
    registry = read_registry(str(tmp_path))
    assert registry.problem is None
    assert registry.rows["acme"].values["company"] == "北京示例科技有限公司"
    assert registry.rows["beta"].values["company"] == "上海别家信息技术有限公司"


def test_registry_that_is_a_fifo_is_a_defect(tmp_path: Path, pack: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    shutil.move(str(pack), root / "acme")
    os.mkfifo(root / "clients.csv")
    proc = run("batch", str(root), "--spec", "core", "--executor", "serial", "-q", "--lang", "en",
               "--format", f"json={tmp_path / 'b.json'}")
    clean_exit(proc, 0, 1)
    report = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert any(d["code"] == "L205" and "named pipe" in d["message"] for p in report["packages"] for d in p["defects"])
