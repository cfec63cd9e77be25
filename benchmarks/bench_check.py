"""Benchmark the core check (issue 2 and 12 targets). Prints medians; these machines are noisy.

    python benchmarks/bench_check.py [--files 1000] [--repeat 7] [--only names|folder|roster]

1. names + types only, per file beyond start-up (target ≤ 50 µs/file), next to the floor:
   walk + stat + read 8 KiB of every file.
2. a full check of a 50-file folder, wall time including interpreter start-up (target ≤ 300 ms).
3. a 5,000-row x 12-column roster: read + layout + cell + cross-field rules (issue 12 target
   ≤ 40 ms and ≥ 15x faster than frictionless `validate` on the same file, in the same run;
   frictionless is not a dependency: `pip install frictionless` to get the comparison row).
   Two files with the same table: as openpyxl writes it (inline strings, every CJK character
   an XML entity: what the makers produce) and as Excel/WPS write it (shared strings).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures import makers as mk  # noqa: E402

NAMES_SPEC = """\
id: names
title: names and types only
naming: {platform: windows, max_length: 60, forbid: [fullwidth, whitespace, copy_suffix]}
documents:
  - {id: scans, title: 扫描件, name: "*_材料.pdf", count: 0+, types: [pdf], max_size: 10MB}
  - {id: sheets, title: 表格, name: "*_表格.xlsx", count: 0+, types: [xlsx]}
  - {id: images, title: 图片, name: "*_照片.jpg", count: 0+, types: [jpg]}
  - {id: docs, title: 文档, name: "*_说明.docx", count: 0+, types: [docx]}
"""


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def make_templates(work: Path) -> dict[str, Path]:
    t = work / "templates"
    return {
        "pdf": mk.make_pdf(t / "a.pdf", 3, "材料 正文"),
        "xlsx": mk.make_xlsx(t / "a.xlsx", {"人员名单": mk.make_roster_rows(50, "北京示例科技有限公司")}),
        "jpg": mk.make_jpeg(t / "a.jpg", 600, 800),
        "docx": mk.make_docx(t / "a.docx", ["说明"]),
    }


def make_folder(dest: Path, n: int, templates: dict[str, Path]) -> Path:
    dest.mkdir(parents=True)
    kinds = [("pdf", "材料"), ("xlsx", "表格"), ("jpg", "照片"), ("docx", "说明")]
    for i in range(n):
        ext, word = kinds[i % len(kinds)]
        # Distinct sizes per file (bytes after the end are ignored by every reader), so the
        # duplicate check hashes nothing, as in a real folder.
        data = templates[ext].read_bytes() + b"\n" * (i + 1)
        (dest / f"{i:04d}_{word}.{ext}").write_bytes(data)
    return dest


def floor_walk(folder: Path) -> float:
    start = time.perf_counter()
    with os.scandir(folder) as it:
        for e in it:
            e.stat(follow_symlinks=False)
            with open(e.path, "rb") as f:
                f.read(8192)
    return time.perf_counter() - start


def bench_names_types(folder: Path, spec_path: Path, repeat: int) -> tuple[float, float]:
    """Print and return (µs per file, floor µs per file), medians of interleaved runs."""
    from validator.api import check_folder
    from validator.spec import load_spec

    spec = load_spec(str(spec_path))
    n = len(os.listdir(folder))
    check_folder(str(folder), spec)  # warm: libmagic loaded, page cache filled
    runs, floors = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        result = check_folder(str(folder), spec)
        runs.append(time.perf_counter() - start)
        floors.append(floor_walk(folder))
    assert result.files == n
    per_file = statistics.median(runs) / n * 1e6
    floor = statistics.median(floors) / n * 1e6
    print(f"names + types, {n} files: {per_file:.1f} µs/file (target ≤ 50), floor walk+stat+read 8 KiB "
          f"{floor:.1f} µs/file")
    print("  per file by kind (inspect_file, median):", per_kind(folder, spec))
    return per_file, floor


def per_kind(folder: Path, spec: object) -> str:
    """Where the time goes: PDFs and images are a signature check, OOXML needs its zip directory."""
    from validator.discovery import Ignore, walk
    from validator.engine import Job, inspect

    times: dict[str, list[float]] = {}
    for _ in range(3):
        for entry in walk(str(folder), Ignore([])):
            start = time.perf_counter()
            inspect(Job(spec, {}), str(folder), entry)  # type: ignore[arg-type]
            times.setdefault(entry.rel.rsplit(".", 1)[-1], []).append(time.perf_counter() - start)
    return ", ".join(f"{ext} {statistics.median(v) * 1e6:.0f} µs" for ext, v in sorted(times.items()))


# Byte-compiled modules, as an installed package has them (pip compiles on install): this
# environment sets PYTHONDONTWRITEBYTECODE, which would make every run recompile the sources.
# The bytecode goes to a temporary prefix (set in main), never into the source tree.
BENCH_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cli_wall(args: list[str], repeat: int) -> list[float]:
    command = [sys.executable, "-m", "validator", *args]
    subprocess.run(command, capture_output=True, check=False, env=BENCH_ENV)  # warm-up: compiles
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False, env=BENCH_ENV)
        out.append(time.perf_counter() - start)
    return out


def bench_folder_50(work: Path, templates: dict[str, Path], repeat: int) -> None:
    pack = work / "pack50"
    company = "北京示例科技有限公司"
    pack.mkdir()
    (pack / "client.yaml").write_text(f"company: {company}\nuscc: 91110108551385082Q\nyear: '2025'\n",
                                      encoding="utf-8")
    names = ["01_年报承诺书.pdf", f"02_营业执照_{company}.pdf", "04_审计报告_2025.pdf", "06_网络与信息安全保障措施.pdf",
             "07_服务质量及投诉处理.pdf", "08_股权结构.pdf"]
    for i, name in enumerate(names):
        (pack / name).write_bytes(templates["pdf"].read_bytes() + b"\n%" + str(i).encode())
    for i in range(3):
        (pack / f"03_经营许可证_{i}.pdf").write_bytes(templates["pdf"].read_bytes() + b"\n%L" + str(i).encode())
    shutil.copy(templates["docx"], pack / "05_经营情况报告_2025.docx")
    mk.make_xlsx(pack / "09_人员名单_2025.xlsx", {"人员名单": mk.make_roster_rows(200, company)})
    for i in range(39):
        (pack / f"10_社保缴纳证明_{i:02d}.jpg").write_bytes(templates["jpg"].read_bytes() + bytes([i]))
    n = len([p for p in pack.iterdir() if p.name != "client.yaml"])
    pass_ = cli_wall_python(repeat)
    help_ = cli_wall(["--help"], repeat)
    full = cli_wall(["check", str(pack), "--spec", "core", "--format", "json"], repeat)
    print(f"full check of a {n}-file folder (core spec, PDFs opened, 200-row roster): {median_ms(full)} wall "
          f"(target ≤ 300 ms); `python -c pass` {median_ms(pass_)}; `validator --help` {median_ms(help_)}")


def cli_wall_python(repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=False, env=BENCH_ENV)
        out.append(time.perf_counter() - start)
    return out


def bench_sheet(work: Path, repeat: int) -> dict[str, tuple[float, float | None]]:
    """Print, and return per file kind: (our median seconds, frictionless median seconds or None)."""
    from benchmarks.bench_readers import write_shared_strings_roster
    from validator.checks import Context
    from validator.checks.rules import check_sheet_rules
    from validator.checks.sheet import check_header, check_rows
    from validator.readers.xlsx import read_sheet
    from validator.spec import load_spec

    spec = load_spec("core")
    doc = spec.document("staff_roster")
    assert doc is not None and doc.sheet is not None
    rule = doc.sheet
    rows = mk.make_roster_rows(5000, "北京示例科技有限公司")
    files = {
        "openpyxl-written": mk.make_xlsx(work / "roster5000.xlsx", {"人员名单": rows}),
        "Excel-like (shared strings)": work / "roster5000_shared.xlsx",
    }
    write_shared_strings_roster(files["Excel-like (shared strings)"], rows, set())
    values = {"company": "北京示例科技有限公司", "staff_committed": "10"}
    peer = _frictionless()
    results: dict[str, tuple[float, float | None]] = {}
    for label, path in files.items():
        reads, cells, cross, peers = [], [], [], []
        for k in range(repeat):
            start = time.perf_counter()
            data = read_sheet(str(path), rule.name, rule.header_row)
            t1 = time.perf_counter()
            ctx = Context(spec, values)
            mapping = check_header(ctx, "r.xlsx", doc.id, rule, data.sheet, data.header)
            check_rows(ctx, "r.xlsx", doc.id, rule, data, mapping)
            t2 = time.perf_counter()
            check_sheet_rules(ctx, "r.xlsx", doc.id, rule, data, mapping)
            t3 = time.perf_counter()
            reads.append(t1 - start)
            cells.append(t2 - t1)
            cross.append(t3 - t2)
            if peer is not None and k < max(3, repeat // 2):  # interleaved: the same machine load
                peers.append(peer(path))
        assert len(data) == 5000 and not ctx.defects, ctx.defects[:3]
        total = [a + b + c for a, b, c in zip(reads, cells, cross, strict=True)]
        print(f"5,000-row roster x 12 columns, {label} ({path.stat().st_size // 1024} KB): {median_ms(total)} "
              f"(target ≤ 40 ms) = read {median_ms(reads)} + layout and cell rules {median_ms(cells)} "
              f"+ cross-field rules {median_ms(cross)}")
        if peers:
            ratio = statistics.median(peers) / statistics.median(total)
            print(f"  frictionless validate, same file: {median_ms(peers)}; ours is {ratio:.1f}x faster "
                  f"(target ≥ 15x)")
        else:
            print("  frictionless validate: not installed (pip install frictionless), comparison skipped")
        results[label] = (statistics.median(total), statistics.median(peers) if peers else None)
    return results


def _frictionless() -> Callable[[Path], float] | None:
    """Seconds for frictionless `validate` on a file (schema inferred), or None if not installed."""
    try:
        from frictionless import system, validate
    except ImportError:
        return None

    def run(path: Path) -> float:
        with system.use_context(trusted=True):  # an absolute path is "not safe" otherwise
            start = time.perf_counter()
            report = validate(str(path))
            elapsed = time.perf_counter() - start
        assert report.valid, report.flatten(["type", "message"])[:3]
        return elapsed

    run(Path(__file__))  # warm-up: frictionless loads its plugins on first use
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", choices=["names", "folder", "roster"], help="run one part only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        BENCH_ENV["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        BENCH_ENV["PYTHONPATH"] = str(ROOT)
        templates = make_templates(work)
        if args.only in (None, "names"):
            folder = make_folder(work / "many", args.files, templates)
            spec_path = work / "names.yaml"
            spec_path.write_text(NAMES_SPEC, encoding="utf-8")
            bench_names_types(folder, spec_path, args.repeat)
        if args.only in (None, "folder"):
            bench_folder_50(work, templates, args.repeat)
        if args.only in (None, "roster"):
            bench_sheet(work, args.repeat)


if __name__ == "__main__":
    main()
