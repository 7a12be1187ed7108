"""The HTML report and its PDF in headless Chromium: charts render, offline, pages not blank."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("playwright", reason="needs the dev extra (playwright)")
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_report_renders_every_chart_offline_without_errors(
        page: Page, report_files: tuple[Path, Path], artifacts: Path) -> None:
    html, _pdf = report_files
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(html.as_uri(), wait_until="load")
    charts = page.locator(".js-plotly-plot")
    expect(charts.first).to_be_visible(timeout=30_000)
    n = charts.count()
    assert n >= 15  # 10 fan charts, settlement, terms, escalation, claims, tornado
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')]"
        ".every(d => d.querySelector('.main-svg .cartesianlayer') && "
        "d.querySelectorAll('.trace, .hm').length > 0)", timeout=30_000)
    assert page.locator("#fig-personnel .ytitle").first.text_content() == "persons"
    assert page.locator("#fig-territory .ytitle").first.text_content() == "km²"
    expect(page.locator("#claims-table tr.claim").first).to_be_visible()
    page.screenshot(path=str(artifacts / "report-top.png"))
    page.locator("#fig-settlement").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "report-settlement.png"))
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []


def test_pdf_pages_are_not_blank(report_files: tuple[Path, Path], tmp_path: Path) -> None:
    _html, pdf = report_files
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed; .ci/run installs it")
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "24", "-png", str(pdf), str(tmp_path / "p")],
                   check=True, timeout=120)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 10
    for png in pages:
        grey = Image.open(png).convert("L")
        dark = sum(grey.histogram()[:200])  # pixels clearly darker than white paper
        assert dark / (grey.width * grey.height) > 0.003, f"{png.name} looks blank"
