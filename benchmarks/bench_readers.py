"""Timings behind the choices in validator.readers; prints medians.

    python benchmarks/bench_readers.py [--corpus DIR] [--repeat N] [--rows N]

1. ``limits()`` enter+exit cost (it runs once per parsed file).
2. PDF facts, and facts + page-1 text (the leak scan), with ``read_pdf`` (PDFium first) and
   with the pypdf-only path it replaced, over typical client PDFs (made by fixtures.makers) and
   every *.pdf of the corpus; and the import cost of each library.  Files are read into memory
   first: this times parsing, not the disk.
3. ``read_sheet`` on a generated 5,000-row x 12-column roster, two ways of writing it
   (openpyxl with inline strings, as fixtures.makers does; shared strings, as Excel and WPS
   do), split into its parts, next to openpyxl read-only and a rules-like pass over every cell.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import io
import logging
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from validator.readers import xlsx as xlsx_module  # noqa: E402
from validator.readers.bounded import limits  # noqa: E402
from validator.readers.xlsx import read_sheet  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "real"


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    return timings_ms(fn, repeat)[0]


def timings_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, min) in ms.  The min is the steadier figure on a shared, busy machine."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, min(times) * 1000


# --------------------------------------------------------------------------------------------
# limits


def bench_limits() -> None:
    n = 20_000
    for label, memory in (("timer only", None), ("timer + RLIMIT_AS", 1024)):
        t0 = time.perf_counter()
        for _ in range(n):
            with limits(10, memory):
                pass
        print(f"limits() {label:18s} {(time.perf_counter() - t0) / n * 1e6:6.1f} us per enter+exit")


# --------------------------------------------------------------------------------------------
# PDF


def _pypdf_count(data: bytes) -> int | None:
    from pypdf import PdfReader

    r = PdfReader(io.BytesIO(data), strict=False)
    if r.is_encrypted and not r.decrypt(""):
        return None
    root = r.trailer["/Root"].get_object()
    return int(root["/Pages"].get_object()["/Count"])


def _pypdf_len(data: bytes) -> int | None:
    from pypdf import PdfReader

    r = PdfReader(io.BytesIO(data), strict=False)
    if r.is_encrypted and not r.decrypt(""):
        return None
    return len(r.pages)


def _pdfium(data: bytes) -> int | None:
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()


def _typical_pdfs(tmp: Path) -> list[Path]:
    """What a client folder holds: text PDFs exported from Word/WPS (Chinese, 1-3 pages) and scans."""
    from fixtures import makers as m

    return [
        m.make_pdf(tmp / "营业执照.pdf", 1, "营业执照 统一社会信用代码 91110108551385082X 北京示例科技有限公司"),
        m.make_pdf(tmp / "审计报告.pdf", 3, ["审计报告 北京示例科技有限公司 " * 20, "资产负债表 " * 40, "附注 " * 60]),
        m.make_pdf(tmp / "限制编辑.pdf", 2, "限制编辑 北京示例科技有限公司", owner_password="owner"),
        m.make_scanned_pdf(tmp / "扫描件.pdf", 2),
    ]


def bench_pdf(corpus: Path, repeat: int) -> None:
    """read_pdf (PDFium first) against the pypdf-only path it replaced, facts and page-1 text."""
    from validator.readers import pdf_pypdf
    from validator.readers.pdf import read_pdf

    logging.getLogger("pypdf").setLevel(logging.CRITICAL + 1)
    with tempfile.TemporaryDirectory() as tmp:
        sets = {"typical client PDFs": _typical_pdfs(Path(tmp)), "real-world corpus": sorted(corpus.rglob("*.pdf"))}
        for label, files in sets.items():
            if not files:
                print(f"no PDFs for {label}")
                continue
            datas = [p.read_bytes() for p in files]
            ways: dict[str, Callable[[bytes], object]] = {
                "facts, pypdf (old pdf_facts)": lambda d: pdf_pypdf.read_with_pypdf(
                    d, "1.4", text_pages=0, timeout=10, memory_mb=1024),
                "facts, read_pdf (PDFium)": lambda d: read_pdf(d),
                "facts + page-1 text, pypdf": lambda d: pdf_pypdf.read_with_pypdf(
                    d, "1.4", text_pages=1, timeout=10, memory_mb=1024),
                "facts + page-1 text, read_pdf": lambda d: read_pdf(d, text_pages=1),
            }
            per: dict[str, list[float]] = {w: [] for w in ways}
            for d in datas:
                for w, fn in ways.items():
                    per[w].append(timings_ms(functools.partial(fn, d), repeat)[1])
            print(f"\nPDF, {label}: {len(files)} files, min of {repeat} runs per file (ms), in memory")
            print(f"  {'way':32s} {'median':>8s} {'max':>8s} {'total':>9s}")
            for w, ms in per.items():
                print(f"  {w:32s} {statistics.median(ms):8.3f} {max(ms):8.2f} {sum(ms):9.2f}")
            for a, b in ((0, 1), (2, 3)):
                wa, wb = list(ways)[a], list(ways)[b]
                ratios = sorted(x / max(y, 1e-6) for x, y in zip(per[wa], per[wb], strict=True))
                print(f"  {wb} is {statistics.median(ratios):.1f}x faster (median per file; "
                      f"range {ratios[0]:.1f}-{ratios[-1]:.1f}x, total {sum(per[wa]) / sum(per[wb]):.1f}x)")
    for mod in ("pypdfium2_raw", "pypdf"):
        t = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", f"import {mod}"], check=True)
            t.append(time.perf_counter() - t0)
        base = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            base.append(time.perf_counter() - t0)
        print(f"  import {mod:14s} {(min(t) - min(base)) * 1000:6.1f} ms (over python -c pass)")


# --------------------------------------------------------------------------------------------
# XLSX


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def write_shared_strings_roster(path: Path, rows: list[list[object]], text_columns: set[int]) -> None:
    """The same table as Excel/WPS would store it: shared strings, dates as styled serials."""
    sst: list[str] = []
    index: dict[str, int] = {}

    def si(s: str) -> int:
        if s not in index:
            index[s] = len(sst)
            sst.append(s)
        return index[s]

    epoch = dt.date(1899, 12, 30)
    out = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for j, v in enumerate(row):
            ref = f"{_col(j + 1)}{r}"
            if v is None:
                continue
            if isinstance(v, str) or j in text_columns:
                cells.append(f'<c r="{ref}" t="s"><v>{si(str(v))}</v></c>')
            elif isinstance(v, dt.date):
                cells.append(f'<c r="{ref}" s="1"><v>{(v - epoch).days}</v></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/styles.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument"'
        ' Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="人员名单" sheetId="1"'
        ' r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": f"<styleSheet {ns}><cellXfs count='2'><xf numFmtId='0'/><xf numFmtId='14'"
        " applyNumberFormat='1'/></cellXfs></styleSheet>",
        "xl/sharedStrings.xml": f'<sst {ns} count="{len(sst)}" uniqueCount="{len(sst)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in sst)
        + "</sst>",
        "xl/worksheets/sheet1.xml": f"<worksheet {ns}><sheetData>{''.join(out)}</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)


def _rules_like_pass(data: xlsx_module.SheetData) -> int:
    """What cell rules roughly do, column-wise: each distinct value's text flag and length."""
    data._memo.clear()  # measure the column pass itself, not the memo
    n = 0
    for j in range(len(data.columns)):
        for v in data.distinct(j).values():
            if (type(v) is str and len(v) == 18) or (type(v) is str and not v.strip()):
                n += 1
    return n


def bench_xlsx(rows_n: int, repeat: int) -> None:
    import openpyxl
    import python_calamine

    from fixtures.makers import make_roster_rows, make_xlsx

    rows = make_roster_rows(rows_n, "某某网络科技有限公司", seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        variants = {
            "openpyxl-written (inline strings)": make_xlsx(
                Path(tmp) / "inline.xlsx", {"人员名单": rows}, text_columns={2, 7}
            ),
            "Excel-like (shared strings)": Path(tmp) / "shared.xlsx",
        }
        write_shared_strings_roster(variants["Excel-like (shared strings)"], rows, {2, 7})
        print(f"\nread_sheet, {rows_n} rows x {len(rows[0])} columns, median of {repeat} runs (ms)")
        for label, path in variants.items():
            data = read_sheet(path, "人员名单")
            assert len(data) == rows_n, len(data)

            def calamine_only(path: Path = path) -> None:
                wb = python_calamine.CalamineWorkbook.from_path(str(path))
                wb.get_sheet_by_name("人员名单").to_python()

            def prescan(path: Path = path) -> None:
                with xlsx_module._Package(path, 200) as pkg:
                    pkg.scan_sheet("人员名单", 10_000_000)

            def openpyxl_ro(path: Path = path) -> None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
                    list(wb["人员名单"].iter_rows(values_only=True))
                    wb.close()

            size = path.stat().st_size
            print(f"  {label}, {size / 1024:.0f} KB  (median / min)")
            lines: list[tuple[str, Callable[[], object], int]] = [
                ("read_sheet total", functools.partial(read_sheet, path, "人员名单"), repeat),
                ("  package guard + sheet pre-scan", prescan, repeat),
                ("  python-calamine open+sheet+to_python", calamine_only, repeat),
                ("rules-like pass over every cell", functools.partial(_rules_like_pass, data), repeat),
                ("openpyxl read-only, values only", openpyxl_ro, max(3, repeat // 3)),
            ]
            for name, fn, n in lines:
                med, best = timings_ms(fn, n)
                print(f"    {name:40s} {med:7.1f} / {best:6.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--only", choices=("limits", "pdf", "xlsx"))
    args = ap.parse_args()
    if args.only in (None, "limits"):
        bench_limits()
    if args.only in (None, "pdf"):
        bench_pdf(args.corpus, args.repeat)
    if args.only in (None, "xlsx"):
        bench_xlsx(args.rows, args.repeat)


if __name__ == "__main__":
    main()
