"""Benchmark the pre-commit hook (issue 6 targets). Prints medians: these machines are noisy.

    python benchmarks/bench_hook.py [--repeat 21] [--importtime]

A realistic 50-file call-centre folder (fixtures.generate's clean pack plus more screenshots,
insurance proofs and site proofs: PDFs, two xlsx sheets, JPEG scans), committed in a git
repository, so the hook also asks git for deletions as it does under pre-commit. Every
command is a fresh interpreter started the way the console script starts it. Wall times,
next to ``python -c pass`` and a bare ``os.scandir`` walk of the same folder:

* ``validator --help`` (target <= 80 ms);
* the hook on 1 changed file with a warm cache (target p50 <= 150 ms): the file's content
  is already known (a re-run, pre-commit's stash/restore, ``--all-files``), or it was really
  edited (a screenshot, a PDF): then that one file is inspected;
* the same without cache (``--no-cache``, target p50 <= 300 ms).

Scenarios are interleaved run by run, so load from other processes hits them alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures import generate as gen  # noqa: E402

CONSOLE = "import sys; from validator.cli import main; sys.exit(main())"  # what the installed script runs
WALK = """
import os, sys
def walk(d):
    with os.scandir(d) as it:
        for e in it:
            if e.is_dir(follow_symlinks=False):
                walk(e.path)
            else:
                e.stat(follow_symlinks=False)
walk(sys.argv[1])
"""
SCREENSHOT = "13_系统截图_坐席界面.jpg"
SITE_PDF = "12_职场证明_租赁合同.pdf"


def build_folder(dest: Path) -> Path:
    pack = gen.clean_pack("call-center")
    pack.add("03_经营许可证_特别规定事项.pdf", gen.pdf("增值电信业务经营许可证 特别规定事项"))
    for label in ("房产证", "平面图"):
        pack.add(f"12_职场证明_{label}.pdf", gen.pdf(f"职场证明 {label}", pages=2))
    for month in range(1, 13):
        pack.add(f"10_社保缴纳证明_{month:02d}月.pdf", gen.pdf(f"社会保险参保缴费证明 2025年{month:02d}月"))
    for i in range(17):
        pack.add(f"13_系统截图_功能{i + 1:02d}.jpg", gen.screenshot(f"功能{i + 1:02d}", seed=20 + i))
    pack.write(dest)
    return dest


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def wall(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed: {proc.stderr.decode(errors='replace')}")
    return elapsed


def in_process_walk_us(folder: Path, repeat: int) -> float:
    def walk(d: str) -> None:
        with os.scandir(d) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    walk(e.path)
                else:
                    e.stat(follow_symlinks=False)

    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        walk(str(folder))
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--importtime", action="store_true", help="also show the slowest imports of a warm hook run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-hook-") as tmp:
        work = Path(tmp)
        repo = work / "materials"
        folder = build_folder(repo / "clients" / "shengyuan")
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "materials")
        n = sum(1 for p in folder.iterdir() if p.name != "client.yaml")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "VALIDATOR_CACHE_DIR": str(work / "cache"), "NO_COLOR": "1"}
        # Byte-compiled modules, as an installed package has them (pip compiles on install); this
        # environment sets PYTHONDONTWRITEBYTECODE, so without this every run would recompile
        # the sources. The bytecode goes to a temporary prefix, not into the source tree.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        py = sys.executable
        hook = [py, "-c", CONSOLE, "hook", "--lang", "en"]
        rel = f"clients/shengyuan/{SCREENSHOT}"
        rel_pdf = f"clients/shengyuan/{SITE_PDF}"
        shot, site = folder / SCREENSHOT, folder / SITE_PDF
        originals = {shot: shot.read_bytes(), site: site.read_bytes()}
        edits = {"n": 0}

        def edit(path: Path) -> Callable[[], None]:
            def run() -> None:  # new content each time (bytes after the end marker are ignored by readers)
                edits["n"] += 1
                path.write_bytes(originals[path] + b"\0" * edits["n"])

            return run

        # Settle: the cache trusts a file's stamp only once it has not changed for 3 s.
        time.sleep(3.5)
        first = subprocess.run([*hook, rel], cwd=repo, env=env, capture_output=True, text=True)
        print(
            f"folder: {n} files ({', '.join(sorted({p.suffix for p in folder.iterdir()}))}); "
            f"hook output on the clean folder: {first.stdout.strip() or '(nothing)'} exit {first.returncode}"
        )
        for _ in range(2):  # warm the cache and the page cache
            wall([*hook, rel], repo, env)
            wall([*hook, rel_pdf], repo, env)

        scenarios: dict[str, tuple[list[str], Callable[[], None] | None]] = {
            "python -c pass": ([py, "-c", "pass"], None),
            "python: os.scandir walk + stat": ([py, "-c", WALK, str(folder)], None),
            "validator --help": ([py, "-c", CONSOLE, "--help"], None),
            "hook, warm cache, content known": ([*hook, rel], None),
            "hook, warm cache, jpg edited": ([*hook, rel], edit(shot)),
            "hook, warm cache, pdf edited": ([*hook, rel_pdf], edit(site)),
            "hook --no-cache, jpg": ([*hook, "--no-cache", rel], None),
            "hook --no-cache, pdf": ([*hook, "--no-cache", rel_pdf], None),
        }
        samples: dict[str, list[float]] = {name: [] for name in scenarios}
        for _ in range(args.repeat):
            for name, (cmd, before) in scenarios.items():
                if before is not None:
                    before()
                samples[name].append(wall(cmd, repo, env))
        for path, data in originals.items():
            path.write_bytes(data)

        targets = {
            "validator --help": 80,
            "hook, warm cache, content known": 150,
            "hook, warm cache, jpg edited": 150,
            "hook, warm cache, pdf edited": 150,
            "hook --no-cache, jpg": 300,
            "hook --no-cache, pdf": 300,
        }
        print(
            f"\nmedians of {args.repeat} interleaved runs, wall time incl. interpreter start "
            f"({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}):"
        )
        for name, values in samples.items():
            p50 = statistics.median(values) * 1000
            p90 = sorted(values)[int(0.9 * (len(values) - 1))] * 1000
            target = targets.get(name)
            verdict = "" if target is None else f"  target <= {target} ms: {'ok' if p50 <= target else 'OVER'}"
            print(f"  {name:<34} p50 {p50:6.1f} ms   p90 {p90:6.1f} ms{verdict}")
        print(f"  in-process os.scandir walk + stat of the folder: {in_process_walk_us(folder, 50):.0f} µs")

        if args.importtime:
            wall([*hook, rel], repo, env)  # the restore above changed the file: let the cache learn it again
            proc = subprocess.run(
                [py, "-X", "importtime", "-c", CONSOLE, "hook", rel], cwd=repo, env=env, capture_output=True, text=True
            )
            rows = [line.split("|") for line in proc.stderr.splitlines() if line.startswith("import time:")]
            top = sorted(((int(r[1]), r[2].rstrip()) for r in rows if r[1].strip().isdigit()), reverse=True)[:15]
            print("\nslowest imports of a warm hook run (cumulative µs):")
            for us, name in top:
                print(f"  {us:>8}  {name}")


if __name__ == "__main__":
    main()
