"""The report's outside view: base rates beside the policies, and the reliability diagram."""

from __future__ import annotations

import pytest

pytest.importorskip("lifelines")


def test_report_has_the_outside_view_section(report_html: str) -> None:
    assert '<section id="outside-view">' in report_html
    assert 'href="#outside-view"' in report_html
    assert 'id="outside-view-table"' in report_html
    assert "base rate: the war ends" in report_html
    assert "Iran – Iraq, 1980–1988" in report_html


def test_report_has_the_reliability_diagram_of_the_scored_questions(report_html: str) -> None:
    assert 'id="fig-reliability"' in report_html
    assert 'id="skill-table"' in report_html
    assert "9 resolved questions (of 21)" in report_html


def test_report_without_scoring_keeps_the_base_rates(results, scenario) -> None:
    from detente.report import build_report

    html = build_report(results, scenario, claims=False, tornado_output=None, skill="none")
    assert 'id="outside-view-table"' in html
    assert 'id="fig-reliability"' not in html
