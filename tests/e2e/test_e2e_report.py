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


def _ink_ends(png: Path) -> float:
    """Where a printed page's content ends, as a share of its height (0: blank)."""
    from PIL import Image

    grey = Image.open(png).convert("L")
    box = grey.point(lambda v: 255 if v < 200 else 0).getbbox()  # the inked pixels
    return box[3] / grey.height if box else 0.0


def test_no_pdf_page_is_left_half_empty(report_files: tuple[Path, Path],
                                        tmp_path: Path) -> None:
    # a chart cannot split between pages: printed no taller than PRINT_CHART_MAX_PX, one
    # that does not fit where a page ends leaves less than half of that page empty
    _html, pdf = report_files
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed; .ci/run installs it")
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(pdf), str(tmp_path / "p")],
                   check=True, timeout=120)
    pages = sorted(tmp_path.glob("p-*.png"))
    ends = [_ink_ends(p) for p in pages]
    assert [(p.name, round(e, 2)) for p, e in zip(pages[:-1], ends[:-1], strict=True)
            if e < 0.5] == []


def test_the_page_is_short_and_a_folded_chart_opens_at_full_width(
        page: Page, report_files: tuple[Path, Path]) -> None:
    html, _pdf = report_files
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(html.as_uri(), wait_until="load")
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')]"
                           ".every(d => d.querySelector('.main-svg'))", timeout=30_000)
    # the trajectories and the parameter table fold: the page is a few screens, not 90
    assert page.evaluate("() => document.documentElement.scrollHeight") < 25_000
    toc = page.locator("nav.toc a")
    assert toc.count() >= 15
    fan = page.locator("details#personnel")
    assert fan.get_attribute("open") is None
    fan.locator("summary").click()
    page.wait_for_function("() => document.querySelector('#fig-personnel .main-svg')"
                           ".getBoundingClientRect().width > 900", timeout=10_000)
    page.locator('nav.toc a[href="#claims"]').click()
    assert page.evaluate("() => location.hash") == "#claims"
