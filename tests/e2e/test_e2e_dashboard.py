"""The dashboard in headless Chromium: levers, numbers, charts, validation, screenshot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright", reason="needs the dev extra (playwright)")
from playwright.sync_api import FrameLocator, Page, expect

pytestmark = pytest.mark.e2e
LOCAL = ("http://127.0.0.1:", "ws://127.0.0.1:", "blob:", "data:")


#: A number of the built-in war's table: the area Russia holds under the first policy.
TERRITORY = "russia.territory-status_quo"


def _open(page: Page, url: str, requests: list[str], cell: str = TERRITORY) -> None:
    page.on("request", lambda r: requests.append(r.url))
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(url, wait_until="load")
    expect(page.locator(f"[data-testid='{cell}']")).to_be_visible(timeout=60_000)
    expect(_fan(page).locator(".main-svg").first).to_be_visible(timeout=30_000)


def _fan(page: Page) -> FrameLocator:
    """The fan chart's page, in its frame."""
    return page.frame_locator(".fan-chart iframe")


def test_a_lever_changes_a_number_and_a_chart(page: Page, dashboard_url: str,
                                              artifacts: Path) -> None:
    requests: list[str] = []
    _open(page, dashboard_url, requests)
    cell = page.locator(f"[data-testid='{TERRITORY}']")
    before = cell.inner_text()
    line = _fan(page).locator(".scatterlayer path.js-line").first
    path_before = line.get_attribute("d")
    claims = page.locator("[data-testid=claims]")
    expect(claims).to_be_visible()
    lever = page.locator(".lever-united_states-mil_aid input")
    lever.fill("0")
    lever.press("Enter")
    expect(cell).not_to_have_text(before, timeout=30_000)
    expect(page.locator("[data-testid=status]")).to_have_attribute("data-version", "2")
    expect(line).not_to_have_attribute("d", path_before or "", timeout=10_000)
    # the settlement curves are drawn, and the claims' verdicts follow the numbers
    expect(page.frame_locator(".settlement-chart iframe").locator(".main-svg").first
           ).to_be_visible(timeout=10_000)
    expect(claims).to_be_visible(timeout=30_000)
    expect(claims.locator(".dt-verdict").first).to_be_visible()
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
    assert (artifacts / "dashboard.png").stat().st_size > 20_000
    assert [u for u in requests if not u.startswith(LOCAL)] == []


def test_an_invalid_value_shows_a_message(page: Page, dashboard_url: str,
                                          artifacts: Path) -> None:
    requests: list[str] = []
    _open(page, dashboard_url, requests)
    cell = page.locator(f"[data-testid='{TERRITORY}']")
    before = cell.inner_text()
    lever = page.locator(".lever-united_states-credibility_incumbent input")
    lever.fill("1.7")
    lever.press("Enter")
    message = page.locator(".lever-message")
    expect(message).to_be_visible(timeout=10_000)
    expect(message).to_contain_text("US credibility in Moscow must be between 0 and 1")
    expect(message).to_contain_text("found 1.7")
    assert cell.inner_text() == before  # the last good results stay on screen
    page.screenshot(path=str(artifacts / "dashboard-invalid.png"), full_page=True)
    lever.fill("0.5")
    lever.press("Enter")
    expect(message).to_be_hidden(timeout=10_000)


def test_another_scenarios_levers_are_its_own(page: Page, bench_dashboard_url: str,
                                               artifacts: Path) -> None:
    requests: list[str] = []
    ratio = "blue.combat_power_ratio-status_quo"
    _open(page, bench_dashboard_url, requests, cell=ratio)
    expect(page.locator(".lever-united_states-mil_aid")).to_have_count(0)
    lever = page.locator(".lever-red-reinforcement input")
    expect(lever).to_be_visible()
    expect(page.get_by_text("Red reinforcement (thousand persons/week)")).to_be_visible()
    # every label is the benchmark's own: its sides' names and its start
    # (Panel draws into shadow roots, which get_by_text looks into and inner_text does not)
    expect(page.get_by_text(re.compile("Ukrain|Russia|NATO|Kyiv|Moscow"))).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^Blue, Red: .* from 1 January 2024\)\."))).to_be_visible()
    expect(page.get_by_text("Blue — combat power over its enemy's (ratio, median)")
           ).to_be_visible()
    cell = page.locator(f"[data-testid='{ratio}']")
    before = cell.inner_text()
    lever.fill("15")
    lever.press("Enter")
    expect(cell).not_to_have_text(before, timeout=30_000)
    expect(page.locator("[data-testid=status]")).to_have_attribute("data-version", "2")
    page.screenshot(path=str(artifacts / "dashboard-bench.png"), full_page=True)
    assert [u for u in requests if not u.startswith(LOCAL)] == []
