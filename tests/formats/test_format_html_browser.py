"""The HTML reports in a real headless Chromium: the page paints (a screenshot that is not
blank) and the summary is in the DOM. Plus: the page needs nothing from the network."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from validator.formats import renderer
from validator.formats.common import overall_line, words
from validator.model import PackageResult, Report
from validator.risk.assess import assess
from validator.risk.render import render_html

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
         "--hide-scrollbars"]  # fmt: skip


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")


def run_chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=page.parent)


def screenshot_colours(png: Path) -> tuple[int, float]:
    """(distinct colours, share of non-white pixels) of a screenshot."""
    from PIL import Image

    with Image.open(png) as im:
        rgb = im.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        pixels = rgb.width * rgb.height
        white = sum(n for n, c in colours if c == (255, 255, 255))
    return len(colours), 1 - white / pixels


def assert_no_network_references(html: str) -> None:
    assert not re.search(r"https?://", html), "the page must not reference anything on the network"
    for tag in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert tag not in html.lower(), tag


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_renders_in_chromium(lang: str, golden_reports: dict[str, Report], tmp_path: Path) -> None:
    report = golden_reports[lang]
    html = str(renderer("html")(report))
    assert_no_network_references(html)
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "shot.png"
    # A phone-sized window: the layout must work there.
    done = run_chromium(page, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=412,1600")
    assert shot.exists() and shot.stat().st_size > 0, done.stderr[-2000:]
    colours, inked = screenshot_colours(shot)
    assert colours > 10 and inked > 0.05, (colours, inked)
    dom = run_chromium(page, tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    w = words(lang)
    assert '<section class="card" id="summary">' in dom.stdout
    assert overall_line(report) in dom.stdout
    assert w["not_ready"] in dom.stdout and w["ready"] in dom.stdout
    for p in report.packages:
        for d in p.defects:
            assert d.code in dom.stdout


def test_risk_report_renders_in_chromium(golden_packages: tuple[PackageResult, PackageResult],
                                         tmp_path: Path) -> None:
    html = render_html(assess(golden_packages[0], "zh", spec_title="增值电信业务年报通用材料"))
    assert_no_network_references(html)
    page = tmp_path / "risk.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "risk.png"
    run_chromium(page, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=412,1200")
    colours, inked = screenshot_colours(shot)
    assert colours > 10 and inked > 0.05
    dom = run_chromium(page, tmp_path / "profile-dom", "--dump-dom").stdout
    sections = ("企业基本信息", "业务合规性自查", "数据安全与隐私保护", "客户服务满意度调查", "总结与改进建议")
    for title in (*sections, "待人工填写"):
        assert title in dom
