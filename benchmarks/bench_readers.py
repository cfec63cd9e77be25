"""Timings behind the choices in validator.readers; prints medians.

    python benchmarks/bench_readers.py [--corpus DIR] [--repeat N] [--rows N]

1. ``limits()`` enter+exit cost (it runs once per parsed file).
2. PDF open + page count over every *.pdf of the corpus, per method:
   pypdf with the /Root/Pages/Count fast path, pypdf ``len(reader.pages)`` (walks the page
   tree), pypdfium2 (native; not interruptible by SIGALRM), and ``pdf_facts`` end to end.
   Files are read into memory first: this times parsing, not the disk.
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
from validator.readers.pdf import pdf_facts  # noqa: E402
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

    from validator.readers.pdf import _page_count

    r = PdfReader(io.BytesIO(data), strict=False)
    if r.is_encrypted and not r.decrypt(""):
        return None
    return _page_count(r)


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


def bench_pdf(corpus: Path, repeat: int) -> None:
    files = sorted(corpus.rglob("*.pdf"))
    if not files:
        print(f"no PDFs under {corpus}")
        return
    logging.getLogger("pypdf").setLevel(logging.CRITICAL + 1)
    methods: dict[str, Callable[[bytes], int | None]] = {
        "pypdf /Count fast path": _pypdf_count,
        "pypdf len(pages)": _pypdf_len,
    }
    try:
        import pypdfium2  # noqa: F401

        methods["pypdfium2 len(doc)"] = _pdfium
    except ImportError:
        print("pypdfium2 not installed: skipped")

    per_method: dict[str, list[float]] = {m: [] for m in methods}
    failures: dict[str, int] = dict.fromkeys(methods, 0)
    counts: dict[str, dict[str, int | None]] = {m: {} for m in methods}
    facts_ms: list[float] = []
    for path in files:
        data = path.read_bytes()
        for name, fn in methods.items():

            def once(
                fn: Callable[[bytes], int | None] = fn, name: str = name, path: Path = path, data: bytes = data
            ) -> None:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        with limits(10, 1024):
                            counts[name][path.name] = fn(data)
                except Exception:
                    counts[name][path.name] = None

            per_method[name].append(median_ms(once, repeat))
            if counts[name][path.name] is None:
                failures[name] += 1
        facts_ms.append(median_ms(functools.partial(pdf_facts, path), repeat))

    print(f"\nPDF open + page count, {len(files)} corpus PDFs, median of {repeat} runs per file (ms)")
    print(f"  {'method':26s} {'median':>8s} {'p90':>8s} {'max':>9s} {'total':>9s}  no count")
    rows = [(m, per_method[m], failures[m]) for m in methods]
    rows.append(("pdf_facts (end to end)", facts_ms, sum(1 for p in files if pdf_facts(p).pages is None)))
    for name, ms, failed in rows:
        p90 = statistics.quantiles(ms, n=10)[-1] if len(ms) >= 10 else max(ms)
        print(f"  {name:26s} {statistics.median(ms):8.2f} {p90:8.2f} {max(ms):9.2f} {sum(ms):9.1f}  {failed}")
    names = list(methods)
    base = names[0]
    for other in names[1:]:
        diff = [
            (f, counts[base].get(f), counts[other].get(f))
            for f in counts[base]
            if counts[base].get(f) != counts[other].get(f)
        ]
        print(f"  page counts differ, {base} vs {other}: {len(diff)}")
        for f, a, b in diff:
            print(f"      {f}: {a} vs {b}")


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
