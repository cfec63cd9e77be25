"""`validator serve` end to end in a real headless Chromium, as a clerk uses it: open the printed
address, type a folder, press the button, watch the report, download the Excel list."""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.web.cdp import Browser, chromium_or_skip
from tests.web.conftest import Served, copy_client, snapshot, start_server, stop_server

# The defects of the report shown in the page's frame: (code, message) of every entry.
FRAME_DEFECTS = """(() => {
  const doc = document.getElementById('report').contentDocument;
  return [...doc.querySelectorAll('ul.defects li')].map(li =>
    [li.querySelector('code').textContent, li.querySelector('.msg').textContent]);
})()"""
FRAME_TEXT = "document.getElementById('report').contentDocument.body.innerText"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    chromium_or_skip()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    b = Browser(tmp_path / "profile", downloads)
    yield b
    b.close()


def cli_defects(folder: Path, lang: str) -> tuple[dict, Counter[tuple[str, str]]]:
    proc = run_cli("check", str(folder), "--format", "json", "--lang", lang)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    return report, Counter((d["code"], d["message"]) for p in report["packages"] for d in p["defects"])


def check_in_page(browser: Browser, served: Served, path: Path, *specs: str) -> None:
    browser.goto(served.url)
    browser.type_into("#path", str(path))
    for spec in specs:
        browser.js(f"document.querySelector('input[name=spec][value=\"{spec}\"]').click()")
    browser.js("document.getElementById('check').click()")
    browser.wait_for("document.body.dataset.state === 'shown'")


def test_page_needs_the_token(serve: Served, browser: Browser) -> None:
    browser.goto(serve.base + "/")
    assert "403" in browser.js("document.body.innerText")
    assert browser.js("document.getElementById('check-form')") is None
    browser.goto(serve.base + "/?token=" + "x" * len(serve.token))
    assert "403" in browser.js("document.body.innerText")
    browser.goto(serve.url)
    assert browser.wait_for("document.getElementById('check-form') !== null")
    # the token went from the address bar into an HttpOnly cookie: reloading works without it
    assert "token" not in browser.js("location.href")
    assert browser.js("document.cookie") == ""
    browser.goto(serve.base + "/")
    assert browser.wait_for("document.getElementById('check-form') !== null")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_folder_check_shows_the_cli_defects_and_downloads_xlsx(lang: str, browser: Browser, tmp_path: Path) -> None:
    serve = start_server(tmp_path / "server-tmp", lang)
    try:
        _check_folder_and_download(lang, serve, browser, tmp_path)
    finally:
        stop_server(serve)


def _check_folder_and_download(lang: str, serve: Served, browser: Browser, tmp_path: Path) -> None:
    folder = copy_client("call-center-messy", tmp_path / "客户" / "杭州云栈")
    before = snapshot(folder)
    check_in_page(browser, serve, folder)
    report, expected = cli_defects(folder, lang)
    shown = Counter(tuple(x) for x in browser.js(FRAME_DEFECTS))
    assert shown == expected and expected  # every defect the CLI reports, and nothing else
    summary = report["summary"]
    counts = browser.js("document.getElementById('counts').textContent")
    status = browser.js("document.getElementById('status').textContent")
    if lang == "zh":
        assert f"错误 {summary['error']} 个" in counts and f"警告 {summary['warning']} 个" in counts
        assert "有需要修改的问题" in status
    else:
        assert f"{summary['error']} errors, {summary['warning']} warnings" in counts
        assert "problems to fix" in status

    browser.js("document.getElementById('dl-xlsx').click()")
    saved, name = browser.wait_download()
    assert name.endswith(".xlsx"), name
    from openpyxl import load_workbook

    with saved.open("rb") as f:
        wb = load_workbook(f, read_only=True)
        cells = {str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
        wb.close()
    assert {code for code, _ in expected} <= cells
    assert snapshot(folder) == before  # nothing written into the materials


def test_agency_root_shows_each_client(serve: Served, browser: Browser, tmp_path: Path) -> None:
    root = tmp_path / "客户材料"
    for name in ("call-center-clean", "call-center-messy", "icp-messy"):
        copy_client(name, root / name)
    before = snapshot(root)
    browser.goto(serve.url)
    # every text the status line shows while the check runs, caught as it changes
    browser.js("""window.seen = []; new MutationObserver(() => window.seen.push(
      document.getElementById('status').textContent)).observe(document.getElementById('status'),
      {childList: true, characterData: true, subtree: true})""")
    browser.type_into("#path", str(root))
    browser.js("document.getElementById('check').click()")
    browser.wait_for("document.body.dataset.state === 'shown'")
    progress = [t for t in browser.js("window.seen") if re.fullmatch(r"检查中… [0-3]/3 个客户", t)]
    assert progress, browser.js("window.seen")  # clients done / total, while it ran
    proc = run_cli("batch", str(root), "--format", "json", "--lang", "zh", "--quiet")
    assert proc.returncode == 1, proc.stderr
    rollup = json.loads(proc.stdout)["rollup"]
    rows = browser.js("""(() => {
      const doc = document.getElementById('report').contentDocument;
      return [...doc.querySelectorAll('#summary tbody tr')].map(tr =>
        [...tr.querySelectorAll('td')].map(td => td.textContent));
    })()""")
    assert [r[0] for r in rows] == [r["client"] for r in rollup] == ["call-center-clean", "call-center-messy",
                                                                      "icp-messy"]
    for shown, row in zip(rows, rollup, strict=True):
        assert (int(shown[4]), int(shown[5])) == (row["counts"]["error"], row["counts"]["warning"]), (shown, row)
    # each client's detail: a section per client with its defects, as `batch --format json` has them
    packages = json.loads(proc.stdout)["packages"]
    shown_codes = browser.js("""[...document.getElementById('report').contentDocument
      .querySelectorAll('section.package')].map(s => [...s.querySelectorAll('ul.defects li code')]
      .map(c => c.textContent).sort())""")
    assert shown_codes == [sorted(d["code"] for d in p["defects"]) for p in packages]
    assert any(shown_codes) and not shown_codes[0]
    assert "3 个客户" in browser.js("document.getElementById('counts').textContent")
    assert snapshot(root) == before


def test_dropped_zip_is_checked_like_check_pack_zip_and_then_deleted(serve: Served, browser: Browser,
                                                                    tmp_path: Path) -> None:
    folder = copy_client("call-center-messy", tmp_path / "杭州云栈")
    pack = tmp_path / "材料.zip"
    with zipfile.ZipFile(pack, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            zf.write(p, str(Path("杭州云栈") / p.relative_to(folder)))
    _, expected = cli_defects(pack, "zh")
    browser.goto(serve.url)
    browser.set_file("#zip", pack)
    browser.wait_for("document.body.dataset.state === 'shown'")
    shown = Counter(tuple(x) for x in browser.js(FRAME_DEFECTS))
    assert shown == expected and shown  # checked in place: the same defects, messages and paths
    text = browser.js(FRAME_TEXT)
    assert "材料.zip" in text and "validator-zip-" not in text  # named after the zip, not a temp path
    kept = [p for p in serve.tmp.rglob("validator-zip-*")]
    assert kept == []  # the uploaded copy is gone once checked


def test_a_zip_member_outside_is_a_defect_and_not_a_zip_is_refused(serve: Served, browser: Browser,
                                                                   tmp_path: Path) -> None:
    pack = tmp_path / "evil.zip"
    with zipfile.ZipFile(pack, "w") as zf:
        zf.writestr("client.yaml", "company: 北京示例科技有限公司\nspec: core\n")
        zf.writestr("../outside.txt", "x")
    browser.goto(serve.url)
    browser.set_file("#zip", pack)
    browser.wait_for("document.body.dataset.state === 'shown'")
    assert "Z106" in {code for code, _ in browser.js(FRAME_DEFECTS)}  # as `validator check evil.zip` says
    assert not (tmp_path / "outside.txt").exists() and not (serve.tmp.parent / "outside.txt").exists()
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"%PDF-1.4 not a zip")
    browser.goto(serve.url)
    browser.set_file("#zip", fake)
    status = browser.wait_for("document.getElementById('status').className === 'bad' && "
                              "document.getElementById('status').textContent")
    assert "压缩包不能使用" in status and "not a zip file" in status
