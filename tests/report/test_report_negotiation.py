"""The report's negotiation section: the actors' forecasts beside the settlement's terms."""

from __future__ import annotations

import re
from typing import Any


def test_the_negotiation_section_sets_the_forecasts_beside_the_nash_terms(
        report_html: str, scenario: Any, results: Any) -> None:
    assert '<section id="negotiation">' in report_html
    assert 'href="#negotiation"' in report_html
    assert 'id="fig-negotiation"' in report_html
    table = re.search(r'<table id="negotiation-table">(.*?)</table>', report_html, re.S)
    assert table is not None
    heads = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", table.group(1))
    assert heads == ["", *scenario.issues]
    rows = re.findall(r"<tr><td>([^<]+)</td>", table.group(1))
    assert rows == ["weighted mean", "weighted median", "expected utility", "exchange",
                    *(f"Nash terms: {p}" for p in results.policies)]
    for actor in scenario.actors.values():
        assert actor.name.replace("'", "&#39;") in report_html


def test_a_scenario_without_actors_has_no_negotiation_section() -> None:
    from detente.engine import simulate
    from detente.report import build_report, report_record
    from detente.scenario import load_scenario

    bench = load_scenario("lanchester-bench")
    res = simulate(bench, n_samples=8, seed=0, horizon=26, record=report_record(bench))
    html = build_report(res, bench, tornado_output=None)
    assert '<section id="negotiation">' not in html
    assert 'href="#negotiation"' not in html
