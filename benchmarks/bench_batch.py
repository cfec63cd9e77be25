"""Benchmark `validator batch` over generated client folders (issue 5): files/s and peak RSS.

    python benchmarks/bench_batch.py [--clients 100,1000] [--modes walk,serial,jobs2,dask]
                                     [--work DIR] [--repeat N] [--json OUT]

Corpus: a template set of call-centre materials is generated once (fixtures.makers) into
WORK/templates-v1; every client folder is then made of hard links to it (28 files: multi-page
text PDFs, scanned PDFs, JPEG and PNG scans, docx, a zip), plus its own client.yaml, its own
file names (the company name is in one of them) and its own staff roster: the template rosters
(50 to 5,000 rows, shared strings as Excel writes them) with the client's company written into
them. Hard links mean the page cache serves every read: these figures are CPU cost, not disk.

Modes, each timed as a user runs it (a subprocess, start-up included, the JSON report written):

* ``walk``   - the floor any content check pays: walk the tree, read the first 8 KiB of every file
               (in this process, warm cache; one core)
* ``serial`` - ``validator batch ROOT --executor serial``
* ``jobs2``  - ``validator batch ROOT --jobs 2`` (process pool)
* ``dask``   - ``validator batch ROOT --executor dask --jobs 2`` (a LocalCluster of 2 workers)

Peak RSS is the largest sum of the resident sizes of the command and all its descendants,
sampled every 20 ms. Results print as a table; medians when --repeat > 1. The JSON reports of
the modes are compared byte for byte; a difference is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fixtures import makers as mk  # noqa: E402

TEMPLATE_VERSION = "templates-v1"
TEMPLATE_COMPANY = "模板示例信息技术有限公司"
ROSTER_SIZES = (50, 100, 200, 500, 1000, 5000)  # client i gets ROSTER_SIZES[i % 6]: mean 1,142 rows
SEAT_SIZES = (60, 150, 400)
_CITIES = "北京上海广州深圳杭州南京成都武汉西安重庆天津苏州长沙郑州济南合肥"
_WORDS = "华信通达瑞丰恒远博睿联创思源鼎盛汇智天成宏图中科星海云启佳和"
_TRADES = ("科技", "信息技术", "通信", "网络科技", "数据服务", "电子商务")


# --- the corpus ------------------------------------------------------------------------------


def company_of(i: int) -> str:
    cities = [_CITIES[k : k + 2] for k in range(0, len(_CITIES), 2)]
    a, b = divmod(i, len(_WORDS))
    c, d = divmod(a, len(_WORDS))
    return f"{cities[c % len(cities)]}{_WORDS[d]}{_WORDS[b]}{_TRADES[i % len(_TRADES)]}有限公司"


def _xlsx_shared(rows: list[list[Any]], sheet: str, text_columns: set[int]) -> bytes:
    """A workbook with shared strings, as Excel and WPS write them (openpyxl writes inline strings)."""
    import datetime as dt

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(sheet)
    text = wb.add_format({"num_format": "@"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if c in text_columns:
                ws.write_string(r, c, str(value), text)
            elif isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date)
            else:
                ws.write(r, c, value)
    wb.close()
    return buf.getvalue()


def _seat_rows(n: int) -> list[list[Any]]:
    header = ["坐席编号", "职场名称", "职场地址", "坐席类型", "是否开通", "接入号码", "中继运营商", "中继数量", "录音",
              "录音保存天数"]  # fmt: skip
    carriers = ("中国电信", "中国联通", "中国移动")
    rows: list[list[Any]] = [header]
    for i in range(1, n + 1):
        rows.append([f"S{i:05d}", "总部职场", "北京市朝阳区建国路88号", ("呼入", "呼出", "混合")[i % 3], "是",
                     "95" + f"{100 + i % 800:03d}", carriers[i % 3], 2, "是", 180])  # fmt: skip
    return rows


def make_templates(work: Path) -> Path:
    """The shared files, generated once (about a minute)."""
    t = work / TEMPLATE_VERSION
    if (t / "done").exists():
        return t
    shutil.rmtree(t, ignore_errors=True)
    t.mkdir(parents=True)
    c = TEMPLATE_COMPANY
    mk.make_pdf(t / "commitment.pdf", 1, f"年报承诺书\n{c}承诺所报材料真实、准确、完整。\n法定代表人：签字")
    mk.make_scanned_pdf(t / "licence_scan.pdf", 1, seed=1)
    mk.make_pdf(t / "licence_main.pdf", 2, ["增值电信业务经营许可证", "业务种类：呼叫中心业务"])
    mk.make_pdf(t / "licence_page.pdf", 1, "许可证附页")
    mk.make_pdf(t / "licence_special.pdf", 1, "特别规定事项")
    notes = [f"财务报表附注 第{i}页 " * 30 for i in range(2, 25)]
    mk.make_pdf(t / "audit.pdf", 24, ["审计报告\n被审计单位：" + c, *notes])
    mk.make_docx(t / "operating.docx", ["年度经营情况报告", c] + ["本年度业务稳定增长。" * 20] * 30)
    mk.make_docx(t / "security.docx", ["网络与信息安全保障措施", c] + ["建立了安全管理制度。" * 20] * 30)
    mk.make_pdf(t / "quality.pdf", 3, ["服务质量及投诉处理情况", "投诉处理流程", "满意度统计"])
    mk.make_pdf(t / "shares.pdf", 1, f"股权结构\n{c}")
    for k in range(3):
        mk.make_jpeg(t / f"insurance_{k}.jpg", 1240, 1754, quality=80, seed=10 + k)
        mk.make_scanned_pdf(t / f"insurance_{k}.pdf", 1, seed=20 + k)
    mk.make_pdf(t / "lease.pdf", 6, ["房屋租赁合同"] + ["租赁条款 " * 60] * 5)
    mk.make_scanned_pdf(t / "deed.pdf", 2, seed=30)
    for k in range(4):
        mk.make_png(t / f"screen_{k}.png", 1280, 800, seed=40 + k)
    for k in range(2):
        mk.make_jpeg(t / f"screen_{k}.jpg", 1280, 800, quality=90, seed=50 + k)
    mk.make_pdf(t / "harassment.pdf", 1, "防骚扰外呼承诺书")
    picture = (t / "screen_0.jpg").read_bytes()
    mk.make_zip(t / "other.zip", {"说明.txt": "其他材料".encode() * 200, "附件/图片.jpg": picture})
    for n in ROSTER_SIZES:
        rows = mk.make_roster_rows(n, c, seed=n)
        (t / f"roster_{n}.xlsx").write_bytes(_xlsx_shared(rows, "人员名单", {2, 7}))
    for n in SEAT_SIZES:
        (t / f"seats_{n}.xlsx").write_bytes(_xlsx_shared(_seat_rows(n), "坐席与码号", {0, 5}))
    (t / "done").write_text("ok")
    return t


def client_files(company: str) -> dict[str, str]:
    """File name in the client folder -> template file."""
    files = {
        "01_年报承诺书.pdf": "commitment.pdf",
        f"02_营业执照_{company}.pdf": "licence_scan.pdf",
        "03_经营许可证_正文.pdf": "licence_main.pdf",
        "03_经营许可证_附页.pdf": "licence_page.pdf",
        "03_经营许可证_特别规定事项.pdf": "licence_special.pdf",
        "04_审计报告_2025.pdf": "audit.pdf",
        "05_经营情况报告_2025.docx": "operating.docx",
        "06_网络与信息安全保障措施.docx": "security.docx",
        "07_服务质量及投诉处理.pdf": "quality.pdf",
        "08_股权结构.pdf": "shares.pdf",
        "12_职场证明_租赁合同.pdf": "lease.pdf",
        "12_职场证明_产权证明.pdf": "deed.pdf",
        "14_防骚扰承诺书.pdf": "harassment.pdf",
        "15_其他材料.zip": "other.zip",  # a stray archive: every client gets one D104
    }
    for k in range(3):
        files[f"10_社保缴纳证明_{k + 1:02d}.jpg"] = f"insurance_{k}.jpg"
        files[f"10_社保缴纳证明_{k + 4:02d}.pdf"] = f"insurance_{k}.pdf"
    for k, what in enumerate(("IVR", "ACD排队", "通话录音", "坐席界面")):
        files[f"13_系统截图_{what}.png"] = f"screen_{k}.png"
    for k, what in enumerate(("监控大屏", "统计报表")):
        files[f"13_系统截图_{what}.jpg"] = f"screen_{k}.jpg"
    return files


def _roster_for(template: Path, company: str) -> bytes:
    """The template roster with the client's company in 社保缴纳单位 (one shared string)."""
    out = io.BytesIO()
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = data.replace(TEMPLATE_COMPANY.encode(), company.encode())
            dst.writestr(info, data)
    return out.getvalue()


def make_tree(work: Path, templates: Path, clients: int, roster_rows: int | None = None) -> Path:
    """``roster_rows``: every client's roster has this many rows (one of ROSTER_SIZES)."""
    tree = work / (f"tree-{clients}" + (f"-rows{roster_rows}" if roster_rows else ""))
    if (tree / ".done").exists():
        return tree
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    rosters: dict[int, bytes] = {}
    for i in range(clients):
        company = company_of(i)
        folder = tree / company
        folder.mkdir()
        for name, source in client_files(company).items():
            os.link(templates / source, folder / name)
        n = roster_rows or ROSTER_SIZES[i % len(ROSTER_SIZES)]
        if n not in rosters:
            rosters[n] = (templates / f"roster_{n}.xlsx").read_bytes()
        (folder / "09_人员名单_2025.xlsx").write_bytes(_roster_for(templates / f"roster_{n}.xlsx", company))
        seats = SEAT_SIZES[i % len(SEAT_SIZES)]
        os.link(templates / f"seats_{seats}.xlsx", folder / "11_坐席与码号_2025.xlsx")
        (folder / "client.yaml").write_text(
            f"company: {company}\nuscc: {mk.valid_uscc(10_000 + i)}\nlicence_no: 京B2-2020{i % 10_000:04d}\n"
            f'year: "2025"\nseats_licensed: {seats + 10}\nspec: call-center\n',
            encoding="utf-8",
        )
    (tree / ".done").write_text("ok")
    return tree


# --- measuring -------------------------------------------------------------------------------


def walk_floor(tree: Path) -> tuple[float, int]:
    """Walk the tree and read the first 8 KiB of every file: (seconds, files)."""
    start = time.perf_counter()
    files = 0
    for folder, _dirs, names in os.walk(tree):
        for name in names:
            with open(os.path.join(folder, name), "rb") as f:
                f.read(8192)
            files += 1
    return time.perf_counter() - start, files


class PeakRss:
    """Largest summed RSS of a process and its descendants, sampled in a thread."""

    def __init__(self, pid: int, interval: float = 0.02):
        import psutil

        self.proc = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                total = 0
                for p in procs:
                    with contextlib.suppress(psutil.Error):  # a worker may exit between listing and reading
                        total += p.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


MODES = {
    "serial": ["--executor", "serial"],
    "jobs2": ["--jobs", "2"],
    "dask": ["--executor", "dask", "--jobs", "2"],
}


def run_mode(tree: Path, mode: str, report: Path, extra: list[str]) -> tuple[float, int, int]:
    """(seconds, peak RSS bytes, exit status) of one `validator batch` run."""
    cmd = [sys.executable, "-m", "validator", "batch", str(tree), "-q", "--lang", "en", *MODES[mode], *extra,
           "-f", "text=/dev/null", "-f", f"json={report}"]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = PeakRss(proc.pid)
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    peak = sampler.stop()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{mode} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return seconds, peak, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", default="100,1000", help="comma-separated client counts")
    ap.add_argument("--modes", default="walk,serial,jobs2,dask")
    ap.add_argument("--work", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "validator-bench-batch"))
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--json", dest="json_out", help="write the results here")
    ap.add_argument("--roster-rows", type=int, choices=ROSTER_SIZES, help="the same roster size for every client")
    ap.add_argument("--extra", default="", help="more `validator batch` options, e.g. '--leak-pdf-pages 0'")
    args = ap.parse_args()
    work = Path(args.work)
    t0 = time.perf_counter()
    templates = make_templates(work)
    print(f"templates ready in {time.perf_counter() - t0:.1f} s ({templates})", flush=True)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    results: list[dict[str, Any]] = []
    print(f"{'clients':>7} {'files':>7}  {'mode':<7} {'seconds':>8} {'files/s':>9} {'peak RSS':>10}  exit")
    for n in (int(x) for x in args.clients.split(",")):
        t0 = time.perf_counter()
        tree = make_tree(work, templates, n, args.roster_rows)
        made = time.perf_counter() - t0
        if made > 1:
            print(f"(tree of {n} clients made in {made:.1f} s)", flush=True)
        variant = tree.name + ("-" + "_".join(args.extra.split()) if args.extra else "")

        def report_of(mode: str, variant: str = variant) -> Path:
            return work / f"report-{variant}-{mode}.json"

        for mode in modes:
            runs = []
            for _ in range(args.repeat):
                if mode == "walk":
                    walk_floor(tree)  # warm the cache first
                    seconds, files = walk_floor(tree)
                    runs.append((seconds, 0, 0))
                else:
                    runs.append(run_mode(tree, mode, report_of(mode), args.extra.split()))
            seconds = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            if mode != "walk":
                with open(report_of(mode), encoding="utf-8") as f:
                    files = json.load(f)["summary"]["files"]
            rate = files / seconds
            print(f"{n:>7} {files:>7}  {mode:<7} {seconds:>8.2f} {rate:>9,.0f} "
                  f"{(f'{peak / 2**20:,.0f} MB' if peak else '-'):>10}  {runs[-1][2]}", flush=True)  # fmt: skip
            results.append({"clients": n, "files": files, "mode": mode, "seconds": round(seconds, 3),
                            "files_per_s": round(rate), "peak_rss_mb": round(peak / 2**20) if peak else None,
                            "roster_rows": args.roster_rows, "extra": args.extra})  # fmt: skip
        reports = {m: report_of(m).read_bytes() for m in modes if m != "walk"}
        if len(set(reports.values())) > 1:
            print(f"!! the JSON reports of {', '.join(reports)} differ for {n} clients", flush=True)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
